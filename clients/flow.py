"""Call flows shared by the sync and async shells, written once as generators of effects.

A flow (``generate``, ``wait``, ``download`` …) is a generator that yields effects —
:class:`Send` (send this request, give me the response), :class:`Sleep` (wait this long),
:class:`Now` (what time is it) — and returns the result. The sync shell answers the effects
with ``httpx.Client``, ``time.sleep`` and ``time.monotonic`` (or the injected callables); the
async shell with ``httpx.AsyncClient`` and an async sleep. Retry, polling, downloading and strict
validation therefore exist once, and stay free of I/O (sans-IO).

A transport failure is thrown back into the flow as :class:`~clients.errors.APIConnectionError`
(or :class:`~clients.errors.APITimeoutError`) at the ``Send`` that caused it, an answer that
cannot be read as :class:`~clients.errors.UnreadableResponseError` (:func:`send_error` maps them).

Redirects are followed here, not by httpx (the shells send with ``follow_redirects=False``):
httpx builds each next request (``response.next_request``: method, body and ``Authorization``
per RFC 9110 §15.4), and :func:`clients.core.redirect_request` also drops the PieBox
``X-API-Key`` and every other credential header when the redirect leaves the origin.

The whole-call deadline (:class:`Deadline`) is kept by the shells: a ``Send`` or ``Sleep`` that
would end past it gets :class:`~clients.errors.DeadlineExceeded` thrown in instead.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from contracts.wire import request_id

from . import core
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigurationError,
    ContractViolation,
    DeadlineExceeded,
    TaskFailed,
    TaskTimeout,
    UnreadableResponseError,
    error_from_response,
)
from .retry import PollPolicy, RetryPolicy
from .types import GeneratedImage, ImageResponse, ItemError, TaskHandle, TaskStatus

log = logging.getLogger("imagegw.client")

__all__ = [
    "Send",
    "Sleep",
    "Now",
    "Settings",
    "Deadline",
    "call",
    "generate",
    "wait",
    "download_all",
    "poll_once",
    "to_connection_error",
    "send_error",
    "SEND_ERRORS",
    "contract_validator",
]


@dataclass(frozen=True)
class Send:
    """Effect: send ``request``; the shell answers with the ``httpx.Response`` (body read)."""

    request: httpx.Request


@dataclass(frozen=True)
class Sleep:
    """Effect: wait ``seconds``."""

    seconds: float


@dataclass(frozen=True)
class Now:
    """Effect: the shell answers with the monotonic time in seconds."""


Flow = Generator[Any, Any, Any]
Validator = Callable[[httpx.Request, httpx.Response], None]


class _Key:
    """Holds an API key; its ``repr`` and ``str`` never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value

    def get(self) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "<api key hidden>" if self._value else "<no api key>"

    __str__ = __repr__

    def __reduce__(self) -> Any:  # never pickle the key
        return (_Key, (None,))


@dataclass
class Settings:
    """What a flow needs from its client: gateway, root URL, credentials, policies, validator."""

    gateway: str
    base_url: str
    key: _Key = field(repr=False)
    retry: RetryPolicy
    poll: PollPolicy
    validator: Validator | None = None
    download: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds one call may take in all (retries, polls, downloads); ``None``: unbounded.
    deadline: float | None = None


@dataclass(frozen=True)
class Deadline:
    """The end of one call on the shell's monotonic clock (``expires`` is ``inf`` without a deadline)."""

    seconds: float | None
    expires: float

    @classmethod
    def start(cls, now: float, seconds: float | None) -> Deadline:
        """The deadline of a call starting at ``now`` that may take ``seconds`` (``None``: no bound)."""
        return cls(seconds, math.inf if seconds is None else now + seconds)

    def remaining(self, now: float) -> float | None:
        """Seconds left at ``now`` (never negative), or ``None`` without a deadline."""
        return None if self.seconds is None else max(0.0, self.expires - now)

    def exceeded(self, what: str, request: httpx.Request | None = None, gateway: str | None = None) -> DeadlineExceeded:
        """The error for a call that ran out of time while doing ``what``."""
        return DeadlineExceeded(
            f"the call's deadline of {self.seconds:g} s ran out ({what})",
            deadline=self.seconds,
            gateway=gateway,
            method=request.method if request is not None else None,
            url=str(request.url.copy_with(query=None)) if request is not None else None,
        )

    def before_send(
        self, request: httpx.Request, timeout: httpx.Timeout, now: float, gateway: str | None
    ) -> tuple[float | None, DeadlineExceeded | None]:
        """``(seconds left, None)`` for a send at ``now``, having capped ``request``'s
        per-operation timeouts (connect, read, write, pool) at the time left; or ``(0, error)``
        when none is left."""
        left = self.remaining(now)
        if left is None:
            return None, None
        if left == 0.0:
            return 0.0, self.exceeded("before sending", request, gateway)
        caps = {k: (left if v is None else min(v, left)) for k, v in timeout.as_dict().items()}
        request.extensions = {**request.extensions, "timeout": caps}
        return left, None

    def before_sleep(self, seconds: float, now: float, gateway: str | None) -> DeadlineExceeded | None:
        """The error when a wait of ``seconds`` from ``now`` would end past the deadline, else ``None``."""
        left = self.remaining(now)
        if left is not None and seconds > left:
            return self.exceeded(f"a wait of {seconds:g} s would pass it", gateway=gateway)
        return None


def send_error(exc: Exception, request: httpx.Request, gateway: str | None, *, deadline: Deadline | None = None) -> APIError:
    """The client's exception for what the HTTP layer raised while sending ``request``:

    * with ``deadline`` (the shell saw the call's deadline pass): :class:`DeadlineExceeded`;
    * an ``httpx`` transport failure: :func:`to_connection_error`;
    * anything else (``httpx.DecodingError`` for a ``Content-Encoding`` that does not decode,
      ``httpx.TooManyRedirects``, an answer httpx cannot parse): :class:`UnreadableResponseError`.
    """
    if deadline is not None:
        return deadline.exceeded("waiting for an answer", request, gateway)
    if isinstance(exc, httpx.TransportError):
        return to_connection_error(exc, request, gateway)
    what = "its Content-Encoding does not decode" if isinstance(exc, httpx.DecodingError) else type(exc).__name__
    return UnreadableResponseError(
        f"{request.method} {request.url.copy_with(query=None)}: unreadable answer ({what})",
        gateway=gateway,
        method=request.method,
        url=str(request.url),
    )


#: What sending may raise about the answer (caught by the shells and mapped by :func:`send_error`).
SEND_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict)


def to_connection_error(exc: Exception, request: httpx.Request, gateway: str | None) -> APIConnectionError:
    """Wrap an ``httpx`` transport exception (the message never holds headers)."""
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    what = "timed out" if cls is APITimeoutError else f"connection failed ({type(exc).__name__})"
    return cls(f"{request.method} {request.url.copy_with(query=None)} {what}", gateway=gateway, method=request.method, url=str(request.url))


def call(s: Settings, request: httpx.Request, *, validate: bool = True, raise_status: bool = True) -> Flow:
    """Send ``request`` with the retry policy, following redirects; return the final
    ``httpx.Response`` when it is 2xx (or, with ``raise_status=False``, whatever the last attempt answered).

    Raises:
        APIStatusError: (a subclass) for a 4xx/5xx that is not retried or whose retries ran out.
        APIConnectionError: when the transport failed and retries ran out.
        UnreadableResponseError: an answer that cannot be read, or more than
            :data:`clients.core.MAX_REDIRECTS` redirects.
        ContractViolation: strict mode, when a response breaks the contract.
    """
    request.read()  # make the body re-sendable across retries
    attempt = 0
    while True:
        try:
            response = yield from _follow(s, request)
        except APIConnectionError as exc:
            if s.retry.should_retry(exc, attempt):
                delay = s.retry.backoff(attempt)
                log.info("%s %s: %s; retry %d in %.2f s", request.method, request.url.path, type(exc).__name__, attempt + 1, delay)
                yield Sleep(delay)
                attempt += 1
                continue
            raise
        log.debug("%s %s -> %s (request id %s)", request.method, request.url.path, response.status_code, request_id(response.headers))
        if validate and s.validator is not None:
            s.validator(request, response)
        if response.status_code < 400:
            return response
        err = error_from_response(
            response.status_code, response.content, dict(response.headers), gateway=s.gateway, method=request.method, url=str(request.url)
        )
        if s.retry.should_retry(err, attempt):
            delay = s.retry.delay(err, attempt)
            log.info("%s %s -> %s; retry %d in %.2f s", request.method, request.url.path, response.status_code, attempt + 1, delay)
            yield Sleep(delay)
            attempt += 1
            continue
        if not raise_status:
            return response
        raise err


def _follow(s: Settings, request: httpx.Request) -> Flow:
    """Send ``request`` and follow its redirects (at most :data:`clients.core.MAX_REDIRECTS`)."""
    response = yield Send(request)
    hops = 0
    while response.next_request is not None:
        hops += 1
        if hops > core.MAX_REDIRECTS:
            raise UnreadableResponseError(
                f"{request.method} {request.url.copy_with(query=None)}: more than {core.MAX_REDIRECTS} redirects",
                gateway=s.gateway,
                method=request.method,
                url=str(request.url),
            )
        response = yield Send(core.redirect_request(request, response.next_request))
    return response


def download_all(s: Settings, result: ImageResponse) -> Flow:
    """Download every URL-only item of ``result`` (no credentials sent, no contract check: the
    file URLs are not gateway operations); failed downloads become item errors. Returns the
    completed :class:`ImageResponse`."""
    if not s.download:
        return result
    images: list[GeneratedImage] = []
    for im in result.images:
        if im.url and not im.data and im.error is None:
            try:
                req = core.build_download_request(im.url)
            except (httpx.InvalidURL, ValueError) as exc:  # the gateway sent a URL httpx cannot parse
                images.append(
                    GeneratedImage(url=im.url, error=ItemError("download_failed", f"invalid URL: {exc}"), revised_prompt=im.revised_prompt)
                )
                continue
            try:
                resp = yield from call(s, req, validate=False, raise_status=False)
            except DeadlineExceeded:
                raise
            except (APIConnectionError, UnreadableResponseError) as exc:
                images.append(GeneratedImage(url=im.url, error=ItemError("download_failed", str(exc)), revised_prompt=im.revised_prompt))
                continue
            images.append(core.attach_download(im, resp))
        else:
            images.append(im)
    return result.with_images(images)


def generate(s: Settings, request: httpx.Request, *, model: str | None = None) -> Flow:
    """Send a generation request; poll when the gateway answers a task; download URLs.
    ``model`` (the one asked for) fills :attr:`ImageResponse.model` when the answer names none."""
    response = yield from call(s, request)
    parsed = core.parse_response(s.gateway, response)
    if isinstance(parsed, TaskHandle):
        result = yield from wait(s, parsed)
    else:
        result = yield from download_all(s, parsed)
    if result.model is None and model is not None:
        result = replace(result, model=model)
    return result


def create_task(s: Settings, request: httpx.Request) -> Flow:
    """Send a PieBox create request and return its :class:`TaskHandle`."""
    response = yield from call(s, request)
    parsed = core.parse_response(s.gateway, response)
    if not isinstance(parsed, TaskHandle):
        raise ConfigurationError(f"{s.gateway} answered a result, not a task")
    return parsed


def poll_once(s: Settings, handle: TaskHandle) -> Flow:
    """One poll of ``handle`` -> :class:`TaskStatus`."""
    req = core.build_poll_request(handle, base_url=s.base_url, api_key=s.key.get(), headers=s.headers)
    response = yield from call(s, req)
    return core.parse_task(s.gateway, response)


def wait(s: Settings, handle: TaskHandle, *, timeout: float | None = None) -> Flow:
    """Poll ``handle`` with backoff until terminal; on ``succeeded`` download the images.

    The overall limit is ``timeout`` (default :attr:`PollPolicy.timeout`) seconds from now, on
    the injected monotonic clock; a last poll happens at the deadline.

    Raises:
        TaskFailed: the task ended ``failed``.
        TaskTimeout: it was not terminal by the deadline.
    """
    limit = s.poll.timeout if timeout is None else timeout
    start = yield Now()
    polls = 0
    last: TaskStatus | None = None
    while True:
        elapsed = (yield Now()) - start
        wait_s = min(s.poll.interval(polls), max(0.0, limit - elapsed))
        if wait_s > 0:
            yield Sleep(wait_s)
        status = yield from poll_once(s, handle)
        polls += 1
        if last is not None and _rank(status.state) < _rank(last.state):
            log.warning("task %s went back from %s to %s", handle.task_id[:24], last.state, status.state)
        last = status
        if status.state == "succeeded":
            images = [GeneratedImage(url=u) for u in status.urls]
            result = ImageResponse(
                images,
                raw=status.raw,
                request_id=status.request_id or handle.request_id,
                gateway=s.gateway,
                model=status.model or handle.model,
                task_id=handle.task_id,
            )
            return (yield from download_all(s, result))
        if status.state == "failed":
            err = status.error
            raise TaskFailed(
                handle.task_id, err.code if err else None, err.message if err else None, gateway=s.gateway, request_id=status.request_id
            )
        elapsed = (yield Now()) - start
        if elapsed >= limit:
            raise TaskTimeout(handle.task_id, status.state, elapsed, gateway=s.gateway, request_id=status.request_id)


def _rank(state: str) -> int:
    return {"pending": 0, "processing": 1, "succeeded": 2, "failed": 2}.get(state, -1)


def contract_validator(gateway: str, base_url: str) -> Validator:
    """A validator for strict mode: checks each response with ``contracts.load(gateway)``.

    Raises:
        ConfigurationError: when the ``contracts`` package (or this gateway's contract) is unavailable.
    """
    try:
        import contracts  # the shared contract API; clients never import mock_server

        contract = contracts.load(gateway)
    except Exception as exc:  # ImportError, missing file, invalid YAML
        raise ConfigurationError(f"strict=True needs the {gateway} contract: {type(exc).__name__}: {exc}") from None

    def validate(request: httpx.Request, response: httpx.Response) -> None:
        body = None
        if request.headers.get("content-type", "").startswith("application/json") and request.content:
            try:
                body = json.loads(request.content)
            except ValueError:
                body = None
        path = core.relative_path(base_url, request.url)
        findings = contract.validate_response(request.method, path, response, request_body=body)
        if findings:
            raise ContractViolation(
                findings,
                status_code=response.status_code,
                gateway=gateway,
                request_id=request_id(response.headers),
                method=request.method,
                url=str(request.url),
            )

    return validate
