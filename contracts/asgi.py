"""An ASGI middleware that checks every response an app sends against the gateways' contracts.

Used by the test suite (``tests/contract_guard.py``) around the mock, so a response that breaks
its contract fails the test that caused it; usable around any app that serves a gateway::

    app.add_middleware(ContractGuard, routes={"/tokenhub": "tokenhub"}, on_violation=print)

Requests are routed to a gateway by path prefix (``routes``: prefix -> gateway id; ``""`` for a
gateway served at the root) and checked with :meth:`contracts.Contract.validate_response`
using the path below the prefix. Gateways without a contract file are passed through.
The response is forwarded unchanged and as it streams; the check runs once it is complete.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from . import ContractNotFound, Finding, load
from .wire import is_json_media, media_type, request_id

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["ContractGuard", "Violation", "default_skip"]


@dataclass(frozen=True)
class Violation:
    """A response that broke its contract.

    Attributes:
        gateway: gateway id.
        method: request method.
        path: request path below the gateway prefix (query string included).
        status: response status code.
        findings: what was wrong (:class:`contracts.Finding`).
        request_id: the response's ``X-Request-Id``, when it had one.
    """

    gateway: str
    method: str
    path: str
    status: int
    findings: tuple[Finding, ...]
    request_id: str | None = None

    def __str__(self) -> str:
        lines = [
            f"{self.gateway}: {self.method} {self.path} -> {self.status} breaks the contract"
            + (f" (X-Request-Id {self.request_id})" if self.request_id else "")
        ]
        lines += [f"  - {f}" for f in self.findings]
        return "\n".join(lines)


def default_skip(full_path: str, sub_path: str) -> bool:
    """Paths not checked: the control plane ``/__mock``, ``/files/…`` downloads and the served contracts."""
    return full_path.startswith("/__mock") or sub_path.startswith("/files/") or sub_path in ("/openapi.json", "/openapi.yaml")


@dataclass
class _Captured:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""


class ContractGuard:
    """ASGI middleware: validate each HTTP response against its gateway's contract.

    Args:
        app: the wrapped ASGI app.
        routes: path prefix -> gateway id (``{"/piebox": "piebox", "": "powertokens"}``); the
            longest matching prefix wins; ``""`` matches everything no other prefix does.
        on_violation: called (in the serving task, after the response was sent) with a
            :class:`Violation` for every non-conforming response.
        skip: ``(full_path, sub_path) -> bool``; ``True`` leaves a request unchecked
            (default :func:`default_skip`).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Mapping[str, str],
        on_violation: Callable[[Violation], None],
        skip: Callable[[str, str], bool] = default_skip,
    ) -> None:
        self.app = app
        self.routes = sorted(routes.items(), key=lambda kv: -len(kv[0]))
        self.on_violation = on_violation
        self.skip = skip

    def _route(self, path: str) -> tuple[str | None, str]:
        for prefix, gid in self.routes:
            if not prefix:
                return gid, path
            if path == prefix or path.startswith(prefix + "/"):
                return gid, path[len(prefix) :] or "/"
        return None, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        full = scope.get("path", "")
        gid, sub = self._route(full)
        if gid is None or self.skip(full, sub):
            await self.app(scope, receive, send)
            return
        try:
            contract = load(gid)
        except ContractNotFound:
            await self.app(scope, receive, send)
            return

        request_chunks: list[bytes] = []
        captured = _Captured(0)
        body_chunks: list[bytes] = []

        async def recv() -> Message:
            message = await receive()
            if message.get("type") == "http.request":
                request_chunks.append(message.get("body", b""))
            return message

        async def snd(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status_code = int(message["status"])
                for k, v in message.get("headers", []):
                    key = k.decode("latin-1").lower()
                    value = v.decode("latin-1")
                    captured.headers[key] = captured.headers[key] + ", " + value if key in captured.headers else value
            elif message["type"] == "http.response.body":
                body_chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, recv, snd)
        if not captured.status_code:
            return
        captured.content = b"".join(body_chunks)
        method = scope.get("method", "GET")
        query = scope.get("query_string", b"").decode("latin-1")
        path = sub + ("?" + query if query else "")
        request_body = _json_or_none(b"".join(request_chunks), scope)
        findings = contract.validate_response(method, path, captured, request_body=request_body)
        if findings:
            self.on_violation(Violation(gid, method, path, captured.status_code, tuple(findings), request_id(captured.headers)))


def _json_or_none(body: bytes, scope: Scope) -> Any:
    if not body:
        return None
    ctype = ""
    for k, v in scope.get("headers", []):
        if k.lower() == b"content-type":
            ctype = media_type(v.decode("latin-1"))
    if not is_json_media(ctype):
        return None
    try:
        return json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
