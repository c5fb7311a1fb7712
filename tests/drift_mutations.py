"""Injected upstream changes: an ASGI middleware that rewrites the mock's answers.

``Mutator(app, rules, timer)`` wraps the mock app; every :class:`Rule` that matches a request
(method, path regex, answered status, request-body predicate, how many times) changes the
answer: a JSON transform, another status, dropped or added headers, another content type, raw bytes, or
latency — by advancing the injected :class:`FakeTimer`, never by sleeping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class FakeTimer:
    """A monotonic timer the test moves: ``now()`` seconds, ``advance(s)``."""

    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class Rule:
    """One injected change (all conditions must hold; ``None`` means any)."""

    path: str | None = None  # regex, searched in the request path
    method: str | None = None
    status: int | None = None  # the mock's answer status
    when: Callable[[Any], bool] | None = None  # request JSON body -> apply?
    body: Callable[[Any, dict[str, str]], Any] | None = None  # (response JSON, request headers) -> new JSON
    raw: Callable[[bytes], bytes] | None = None
    set_status: int | None = None
    drop_headers: tuple[str, ...] = ()
    add_headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = None
    delay_s: float = 0.0
    times: int | None = None  # apply to the first N matching answers only
    applied: int = field(default=0)


class Mutator:
    """ASGI middleware applying :class:`Rule` s to ``app``'s answers."""

    def __init__(self, app: Any, rules: list[Rule], timer: FakeTimer | None = None) -> None:
        self.app = app
        self.rules = rules
        self.timer = timer
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            msg = await receive()
            chunks.append(msg.get("body", b""))
            more = msg.get("more_body", False)
        req_body = b"".join(chunks)
        sent = False

        async def replay_receive() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": req_body, "more_body": False}
            return {"type": "http.disconnect"}

        start: dict[str, Any] = {}
        body_parts: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body_parts.append(message.get("body", b""))

        await self.app(scope, replay_receive, capture)
        status = int(start.get("status", 500))
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in start.get("headers", [])]
        content = b"".join(body_parts)
        path = scope.get("path", "")
        try:
            req_json = json.loads(req_body) if req_body[:1] == b"{" else None
        except ValueError:
            req_json = None
        req_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        for rule in self.rules:
            if rule.method and rule.method != scope.get("method"):
                continue
            if rule.path and not re.search(rule.path, path):
                continue
            if rule.status is not None and rule.status != status:
                continue
            if rule.when is not None and not rule.when(req_json):
                continue
            if rule.times is not None and rule.applied >= rule.times:
                continue
            rule.applied += 1
            if rule.body is not None:
                content = json.dumps(rule.body(json.loads(content), req_headers)).encode()
            if rule.raw is not None:
                content = rule.raw(content)
            if rule.set_status is not None:
                status = rule.set_status
            if rule.drop_headers:
                drop = {h.lower() for h in rule.drop_headers}
                headers = [(k, v) for k, v in headers if k not in drop]
            if rule.add_headers:
                headers = headers + [(k.lower(), v) for k, v in rule.add_headers]
            if rule.content_type is not None:
                headers = [(k, v) for k, v in headers if k != "content-type"] + [("content-type", rule.content_type)]
            if rule.delay_s and self.timer is not None:
                self.timer.advance(rule.delay_s)
        headers = [(k, v) for k, v in headers if k != "content-length"] + [("content-length", str(len(content)))]
        await send(
            {"type": "http.response.start", "status": status, "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]}
        )
        await send({"type": "http.response.body", "body": content, "more_body": False})


# -- small JSON transforms -------------------------------------------------------------------------


def each_item(key: str, fn: Callable[[dict], None]) -> Callable[[Any, dict], Any]:
    """Apply ``fn`` to every item of ``body[key]`` (a list of objects)."""

    def t(body: Any, _h: dict) -> Any:
        for item in body.get(key, []):
            fn(item)
        return body

    return t


def set_at(path: list[str], value: Any) -> Callable[[Any, dict], Any]:
    """Set ``body[path...] = value``."""

    def t(body: Any, _h: dict) -> Any:
        cur = body
        for k in path[:-1]:
            cur = cur[k]
        cur[path[-1]] = value
        return body

    return t


def drop_at(path: list[str]) -> Callable[[Any, dict], Any]:
    """Delete ``body[path...]``."""

    def t(body: Any, _h: dict) -> Any:
        cur = body
        for k in path[:-1]:
            cur = cur[k]
        cur.pop(path[-1], None)
        return body

    return t


def body_has(key: str, value: Any) -> Callable[[Any], bool]:
    """A :attr:`Rule.when` predicate: the request's JSON body has ``key`` equal to ``value``."""
    return lambda req: isinstance(req, dict) and req.get(key) == value
