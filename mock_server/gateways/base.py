"""What every gateway module shares: the request context, auth, body parsing and the sub-app.

A gateway module declares a :class:`Gateway` — its id and a list of :class:`Operation`; the
title, auth scheme and default error shape come from the gateway registry
(:mod:`contracts.registry`) — and writes handlers ``async def handler(ctx: Ctx) -> Response``.
:func:`build_app` wraps every handler so that, for every request:

* a request id is assigned (``X-Request-Id`` on every answer);
* credentials are checked (401 in the gateway's shape when missing or empty);
* the body is read once, bounded by ``Settings.max_body_bytes`` (413 past it);
* a :class:`~mock_server.errors.GatewayError` becomes the gateway's own error body; an
  unexpected exception becomes a 500 in that shape with no traceback (or is re-raised when
  ``Settings.raise_server_exceptions`` is set, so tests catch the bug);
* the exchange lands in the journal, redacted;
* unknown routes answer 404 and known routes with the wrong method 405, in the gateway's shape.

It also serves ``/files/{token}`` (URL results) under every gateway.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import logging
import math
import re
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from PIL import Image, UnidentifiedImageError
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from contracts.registry import GATEWAYS, Auth, AuthScheme, GatewaySpec, gateway_spec
from contracts.wire import is_json_media, media_type

from ..catalog import Model
from ..engine import BodyTicket, Mock
from ..errors import ErrorShape, GatewayError, clip, json_response, new_request_id, render_error
from ..faults import SCENARIO_HEADER, check_name, generic_error, scenario_in_prompt
from ..guard import trusted_base_url
from ..images import EXT, MIME, ImageFormat, ImageSpec, RenderedImage, spec_for
from ..routing import GatewayRouter

log = logging.getLogger("imagegw.mock")

Handler = Callable[["Ctx"], Awaitable[Response]]
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@dataclass(frozen=True)
class Operation:
    """One documented operation: ``path`` (Starlette syntax, relative to the gateway root),
    ``methods``, the ``handler``, an ``operation_id`` (as in the contract) and whether it needs auth."""

    path: str
    methods: tuple[str, ...]
    handler: Handler
    operation_id: str
    auth: bool = True


@dataclass(frozen=True)
class Gateway:
    """A gateway: its registry ``id``, its ``operations`` and the ``models`` it serves (its id for
    each -> :class:`~mock_server.catalog.Model`).

    Raises:
        KeyError: on construction, for an id outside :data:`contracts.registry.GATEWAY_IDS`.
    """

    id: str
    operations: tuple[Operation, ...]
    models: Mapping[str, Model] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        gateway_spec(self.id)

    @property
    def spec(self) -> GatewaySpec:
        """The registry entry: title, document, documented host, auth scheme, error shapes."""
        return gateway_spec(self.id)

    @property
    def shape(self) -> ErrorShape:
        """The default error shape (the registry's first ``error_shapes``)."""
        return self.spec.default_error_shape

    @property
    def auth(self) -> AuthScheme:
        """The auth scheme (``"bearer"`` or ``"x-api-key"``)."""
        return self.spec.auth.scheme


class Plan(NamedTuple):
    """What to render for one request: ``count`` images of ``width`` x ``height`` pixels in
    ``fmt``, returned as ``response_format`` (``url`` | ``b64_json``), from ``seed`` (``None``:
    random). A named tuple: one is built for every request."""

    prompt: str
    width: int
    height: int
    count: int  # type: ignore[assignment]  # the field shadows tuple.count(), which no caller uses
    fmt: ImageFormat
    response_format: str
    seed: int | None = None


#: ASGI header keys of the headers the request path reads on every request.
_HEADER_KEYS = {
    n: n.lower().encode("latin-1")
    for n in ("content-length", "content-type", "host", SCENARIO_HEADER, *(a.header for a in (s.auth for s in GATEWAYS)))
}


@dataclass(slots=True)
class Ctx:
    """Everything a handler needs about one request.

    ``shape`` may be changed by the handler (TokenHub switches to ``dashscope`` for the
    passthrough body); ``journal_body`` and ``scenario`` are recorded in the journal.
    """

    request: Request
    mock: Mock
    gateway: Gateway
    prefix: str
    operation_id: str
    request_id: str = field(default_factory=new_request_id)
    shape: ErrorShape = "openai"
    body: bytes = b""
    journal_body: Any = None
    scenario: str | None = None
    body_is_json: bool = False  # set by json(): journal_body was parsed from body (the journal keeps the text)
    #: every image this request answered with (rendered or linked), for the journal
    images_out: list[ImageSpec] = field(default_factory=list)
    #: the JSON body of a success answer (set by :func:`ok`), for the journal
    response_body: Any = None
    _headers: dict[bytes, bytes] | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        """The request's first ``name`` header (any case), or ``None``.

        Looked up in a dict built once per request from the ASGI header list (whose names are
        lower-case): Starlette's ``Headers.get`` scans the list on every call, and a header
        that is absent costs it an exception.
        """
        if self._headers is None:
            self._headers = dict(reversed(self.request.scope["headers"]))  # reversed: the first one wins
        key = _HEADER_KEYS.get(name)
        if key is None:
            key = name.lower().encode("latin-1")
        value = self._headers.get(key)
        return value.decode("latin-1") if value is not None else None

    # -- time, urls, images ---------------------------------------------------------------
    def now(self) -> float:
        """Current time on the mock's clock (Unix seconds)."""
        return self.mock.clock.now()

    @property
    def base_url(self) -> str:
        """Absolute URL of this gateway's root on the mock (``…/tokenhub`` or the root)."""
        root = self.mock.settings.public_base_url or _request_base_url(self)
        return root.rstrip("/") + self.prefix

    def image(self, spec: ImageSpec) -> RenderedImage:
        """The rendered image for ``spec`` (cached), labelled with this gateway when the spec names none."""
        spec = self._stamped(spec)
        self.images_out.append(spec)
        return self.mock.images.get(spec)

    def image_url(self, spec: ImageSpec) -> str:
        """A URL on the mock serving ``spec`` (labelled as in :meth:`image`) until ``now + url_ttl_seconds``."""
        spec = self._stamped(spec)
        self.images_out.append(spec)
        return self.mock.images.url_for(spec, self.base_url, self.now() + self.mock.settings.url_ttl_seconds)

    def _stamped(self, spec: ImageSpec) -> ImageSpec:
        return spec if spec.gateway else spec._replace(gateway=self.gateway.id)

    # -- body ------------------------------------------------------------------------------
    def json(self) -> dict[str, Any]:
        """The body as a JSON object.

        Raises:
            GatewayError: 415 when the content type is not JSON, 400 ``invalid_json`` when the
                body is empty, malformed, not UTF-8, or not an object.
        """
        ctype = media_type(self.header("content-type"))
        if not is_json_media(ctype):
            raise GatewayError(415, "unsupported_media_type", f"Unsupported Content-Type {ctype or '(none)'!r}: send application/json")
        if not self.body.strip():
            raise GatewayError(400, "invalid_json", "Request body is empty: send a JSON object")
        try:
            text = self.body.decode("utf-8")
            if text.startswith("\ufeff"):  # as json.loads says
                raise ValueError("Unexpected UTF-8 BOM (decode using utf-8-sig)")
            data = _JSON.decode(text)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise GatewayError(400, "invalid_json", f"Request body is not valid JSON: {str(exc)[:120]}") from None
        if not isinstance(data, dict):
            raise GatewayError(400, "invalid_json", "Request body must be a JSON object")
        self.journal_body = data
        self.body_is_json = True
        return data

    async def form(self, *, max_files: int = 8) -> FormData:
        """The body as ``multipart/form-data`` (python-multipart via Starlette), with at most
        ``max_files`` file parts and 64 text fields.

        Raises:
            GatewayError: 415 when the content type is not multipart, 400 when it cannot be parsed
                or holds more parts than those bounds.
        """
        ctype = media_type(self.header("content-type"))
        if ctype != "multipart/form-data":
            raise GatewayError(
                415,
                "unsupported_media_type",
                f"Unsupported Content-Type {ctype or '(none)'!r}: this endpoint takes multipart/form-data (upload files with -F)",
            )
        try:
            form = await self.request.form(max_files=max_files, max_fields=64, max_part_size=self.mock.settings.max_body_bytes)
        except Exception as exc:  # python-multipart / Starlette raise several types for bad input
            # Starlette wraps its own limits ("Too many files. Maximum number of files is 17.") in an HTTPException
            detail = str(getattr(exc, "detail", "") or exc) or type(exc).__name__
            raise GatewayError(400, "invalid_multipart", f"Multipart body refused: {detail[:160]}") from None

        # the journal keeps every part: a repeated name (``image[]``) becomes a list, in order
        def part(v: Any) -> Any:
            return {"filename": v.filename, "content_type": v.content_type, "size": v.size} if isinstance(v, UploadFile) else v

        journal = {k: [part(v) for v in vs] if len(vs := form.getlist(k)) > 1 else part(vs[0]) for k in form.keys()}
        self.journal_body = journal
        return form

    # -- scenarios -------------------------------------------------------------------------
    def pick_scenario(self, prompt: object = None) -> str | None:
        """The scenario for this request: header, then ``[mock:NAME]`` in ``prompt``, then the admin queue.

        Raises:
            GatewayError: 400 ``unknown_scenario`` for an unknown name in the header or prompt.
        """
        name = self.header(SCENARIO_HEADER) or scenario_in_prompt(prompt)
        if name:
            self.scenario = check_name(name.strip())
        else:
            self.scenario = self.mock.faults.pop_for(self.gateway.id)
        return self.scenario

    def raise_generic_fault(self) -> None:
        """Raise the gateway-independent error of the current scenario, if it has one."""
        if self.scenario:
            err = generic_error(self.scenario)
            if err is not None:
                raise err


_BASE_URLS: dict[tuple[Any, ...], str] = {}


def _request_base_url(ctx: Ctx) -> str:
    """:func:`~mock_server.guard.trusted_base_url`, remembered per (scheme, Host header, server,
    root path, trusted host names): the parts it is built from. At most 256 are kept (the Host
    header is the client's)."""
    scope = ctx.request.scope
    server = scope.get("server")
    settings = ctx.mock.settings
    key = (
        scope.get("scheme"),
        ctx.header("host"),
        tuple(server) if server else None,
        scope.get("app_root_path", scope.get("root_path", "")),
        settings.allowed_hosts,
        settings.public_base_url,
    )
    url = _BASE_URLS.get(key)
    if url is None:
        url = trusted_base_url(ctx.request, settings)
        if len(_BASE_URLS) >= 256:
            _BASE_URLS.clear()
        _BASE_URLS[key] = url
    return url


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


#: Request bodies' decoder: NaN and Infinity are not JSON (built once; ``json.loads`` with an
#: option builds a decoder per call).
_JSON = json.JSONDecoder(parse_constant=_reject_constant)


# -- shared validation helpers -----------------------------------------------------------------

_DATA_URL = re.compile(r"^data:(image/[a-zA-Z0-9.+-]+);base64,(.*)$", re.DOTALL)


#: ISO-BMFF ``ftyp`` brands of HEIC/HEIF stills (ISO/IEC 23008-12), accepted where an upstream lists HEIC/HEIF.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"})


def _is_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def decode_image_bytes(
    data: bytes, param: str, *, max_bytes: int | None = None, formats: frozenset[str] | None = None
) -> tuple[str, int, int]:
    """Check that ``data`` is an image Pillow can open (or a HEIC/HEIF file, recognised by its
    brand); returns ``(pillow_format, width, height)`` (``0, 0`` for HEIF: Pillow cannot read it).

    Raises:
        GatewayError: 400 naming ``param`` when it is too large, not an image, or of a format
            outside ``formats`` (Pillow names: ``"PNG"``, ``"JPEG"``, ``"WEBP"``, …).
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise GatewayError(400, "image_too_large", f"{param}: image is {len(data)} bytes; the limit is {max_bytes}", param=param)
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, (w, h) = img.format or "", img.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        if not _is_heif(data):
            raise GatewayError(400, "invalid_image", f"{param}: not a decodable image", param=param) from None
        fmt, w, h = "HEIF", 0, 0  # Pillow cannot decode HEIC/HEIF; recognised by its ISO-BMFF brand, size unknown
    if formats is not None and fmt not in formats:
        raise GatewayError(
            400,
            "invalid_image_format",
            f"{param}: {fmt or 'unknown'} images are not supported; use one of {', '.join(sorted(formats))}",
            param=param,
        )
    return fmt, w, h


def check_image_ref(
    value: object, param: str, *, max_bytes: int | None = None, formats: frozenset[str] | None = None, allow_raw_base64: bool = True
) -> tuple[int, int] | None:
    """Validate one input image given as an ``http(s)`` URL, a ``data:image/...;base64,`` URL or raw base64.

    URLs are not fetched (offline mock); data URLs and base64 are decoded and opened with Pillow.
    Returns the image's ``(width, height)`` in pixels for inline images, ``None`` for URLs (and
    HEIC/HEIF data, whose size Pillow cannot read).

    Raises:
        GatewayError: 400 naming ``param`` for a non-string, bad base64, a non-image payload,
            or one over ``max_bytes``.
    """
    if not isinstance(value, str) or not value:
        raise GatewayError(400, "invalid_image", f"{param}: expected an image URL or base64 string", param=param)
    if value.startswith(("http://", "https://")):
        if len(value) > 4096 or any(c.isspace() for c in value):
            raise GatewayError(400, "invalid_image", f"{param}: malformed image URL", param=param)
        return None
    m = _DATA_URL.match(value)
    if m:
        payload = m.group(2)
    elif allow_raw_base64 and not value.startswith("data:"):
        payload = value
    else:
        raise GatewayError(400, "invalid_image", f"{param}: expected an http(s) URL or a data:image/...;base64 URL", param=param)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise GatewayError(400, "invalid_image", f"{param}: invalid base64 image data", param=param) from None
    _, width, height = decode_image_bytes(data, param, max_bytes=max_bytes, formats=formats)
    return (width, height) if width else None


# -- the sub-app -------------------------------------------------------------------------------


class _Deadline:
    """``asyncio.timeout(seconds)`` as a plain ``with`` block, for the body read of every request.

    The same rule as the standard library's (``asyncio/timeouts.py``, Python 3.11): at the
    deadline the task is cancelled, and that cancellation, when no other cancel request came
    since the block was entered, leaves the block as ``TimeoutError``; ``None`` seconds: no
    deadline. Nearly every body arrives long before its deadline, so a read does not get a timer
    of its own (``loop.call_at``, then its cancellation: most of ``asyncio.timeout``'s cost): it
    is entered in its event loop's :class:`_DeadlineWatch`.
    """

    __slots__ = ("_seconds", "_task", "_cancelling", "_watch", "_expired")

    def __init__(self, seconds: float | None) -> None:
        self._seconds = seconds
        self._watch: _DeadlineWatch | None = None
        self._expired = False

    def __enter__(self) -> None:
        if self._seconds is not None:
            task = asyncio.current_task()
            if task is None:
                raise RuntimeError("a deadline needs a task")
            self._task = task
            self._cancelling = task.cancelling()
            loop = task.get_loop()
            watch = _WATCHES.get(loop)
            if watch is None:
                watch = _WATCHES[loop] = _DeadlineWatch()
            self._watch = watch
            watch.add(loop, self, loop.time() + self._seconds)

    def expire(self) -> None:
        """Cancel the task (the deadline has passed)."""
        self._expired = True
        self._task.cancel()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if self._watch is not None:
            self._watch.pending.pop(self, None)
            self._watch = None
        if self._expired:
            self._expired = False
            if self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
                raise TimeoutError from exc


class _DeadlineWatch:
    """The pending :class:`_Deadline` of one event loop (-> when, in loop time) under one timer,
    armed for the earliest: when it fires it expires those that are due and is armed again for
    the earliest left. It holds no reference to its loop (the timer carries it)."""

    __slots__ = ("pending", "armed_at", "__weakref__")

    def __init__(self) -> None:
        self.pending: dict[_Deadline, float] = {}
        self.armed_at = math.inf  # when the earliest armed timer fires

    def add(self, loop: asyncio.AbstractEventLoop, deadline: _Deadline, when: float) -> None:
        self.pending[deadline] = when
        if when < self.armed_at:
            self.armed_at = when
            loop.call_at(when, self._fire, loop, when)

    def _fire(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if when == self.armed_at:
            self.armed_at = math.inf
        now = loop.time()
        for deadline in [d for d, w in self.pending.items() if w <= now]:
            del self.pending[deadline]
            deadline.expire()
        if self.pending:
            earliest = min(self.pending.values())
            if earliest < self.armed_at:
                self.armed_at = earliest
                loop.call_at(earliest, self._fire, loop, earliest)


#: Each event loop's deadline watch (the mock may serve from several loops: one per thread).
_WATCHES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _DeadlineWatch] = weakref.WeakKeyDictionary()


async def read_body(request: Request, limit: int, *, timeout_s: float | None = None, ticket: BodyTicket | None = None) -> bytes:
    """The request body, read once and bounded.

    Args:
        limit: the largest body accepted, bytes.
        timeout_s: the whole body must arrive within this many seconds (waiting for a
            large-body slot included); ``None``: no bound.
        ticket: a claim on the mock's :class:`~mock_server.engine.BodyGate`; a body over its
            ``large_bytes`` (declared or read so far) waits for a slot.

    Raises:
        GatewayError: 413 past ``limit``; 400 for a bad ``Content-Length`` or a client that
            disconnected; 408 (``Connection: close``) when the body stalls past ``timeout_s``;
            503 (``Retry-After``) when no large-body slot freed up in that time.
    """
    raw_headers = request.scope["headers"]  # Starlette's Headers, as it reads them: the first of a (lower-case) name
    declared = next((v.decode("latin-1") for k, v in raw_headers if k == b"content-length"), None)
    expected = 0
    if declared is not None:
        try:
            expected = int(declared)
        except ValueError:
            raise GatewayError(400, "invalid_request", "Invalid Content-Length header") from None
        if expected > limit:
            raise GatewayError(413, "request_too_large", f"Request body of {clip(declared)} bytes exceeds the limit of {limit} bytes")
    elif not any(k == b"transfer-encoding" for k, _ in raw_headers):
        timeout_s = None  # no body: the server hands over an empty one at once
    if expected == 0 and declared is not None:
        timeout_s = None
    chunks: list[bytes] = []
    size = 0
    large = ticket.large_bytes if ticket is not None else limit
    receive = request.receive  # the ASGI messages themselves: Starlette's stream() generator costs more than the rest
    try:
        with _Deadline(timeout_s):  # the mock runs on asyncio (uvicorn)
            if expected > large:
                await ticket.need(expected)  # type: ignore[union-attr]
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise GatewayError(400, "client_disconnected", "Client disconnected before the body was read")
                if message["type"] != "http.request":
                    continue
                chunk = message.get("body", b"")
                if chunk:
                    size += len(chunk)
                    if size > limit:
                        raise GatewayError(413, "request_too_large", f"Request body exceeds the limit of {limit} bytes")
                    if size > large:
                        await ticket.need(size)  # type: ignore[union-attr]
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
    except TimeoutError:
        close = {"Connection": "close"}
        if ticket is not None and ticket.waiting:
            raise GatewayError(
                503, "service_unavailable", "Too many large request bodies at once; retry later", headers={"Retry-After": "1", **close}
            ) from None
        raise GatewayError(408, "request_timeout", f"The request body did not arrive within {timeout_s:g} s", headers=close) from None
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    request._body = body  # Starlette's own cache: request.form()/json() reuse it
    return body


_BEARER = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.IGNORECASE)


#: Keys read from credential headers, by (scheme, header value): the last 256 (see :func:`_check_auth`).
_PRESENTED: dict[tuple[str, str], str] = {}


def _check_auth(ctx: Ctx) -> None:
    """401 unless the request carries a key in the gateway's auth scheme (and, when
    ``Settings.api_keys`` pins one for the gateway, that key).

    The key a header value presents depends on nothing else, so the last 256 read are
    remembered (in memory only, like the request itself); a refused value is read again."""
    gw = ctx.gateway
    auth = gw.spec.auth
    raw = ctx.header(auth.header) or ""
    key = _PRESENTED.get((auth.scheme, raw))
    if key is None:
        key = _presented_key(auth, raw)
        if len(_PRESENTED) >= 256:
            _PRESENTED.clear()
        _PRESENTED[(auth.scheme, raw)] = key
    expected = ctx.mock.settings.api_keys.get(gw.id)
    if expected is not None and key != expected:
        raise GatewayError(401, "invalid_api_key", "Incorrect API key provided")


def _presented_key(auth: Auth, raw: str) -> str:
    """The key in credential header value ``raw`` for ``auth`` (a registry auth entry).

    Raises:
        GatewayError: 401 ``missing_api_key`` or ``invalid_api_key``.
    """
    if auth.scheme == "bearer":
        m = _BEARER.match(raw)
        if not raw.strip() or raw.strip().lower() == "bearer":
            raise GatewayError(401, "missing_api_key", f"Missing credentials: send '{auth.header}: Bearer <API key>'")
        if not m:
            raise GatewayError(401, "invalid_api_key", f"Malformed {auth.header} header: expected 'Bearer <API key>'")
        key = m.group(1)
    else:
        key = raw.strip()
        if not key:
            raise GatewayError(401, "missing_api_key", f"Missing credentials: send '{auth.header}: <API key>'")
    return key


def _wrap(
    gw: Gateway, mock: Mock, prefix: str, handler: Handler, operation_id: str, auth: bool
) -> Callable[[Request], Awaitable[Response]]:
    journal = mock.journal
    shape = gw.shape

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        ctx = Ctx(request=request, mock=mock, gateway=gw, prefix=prefix, operation_id=operation_id, shape=shape)
        error_code = None
        ticket = mock.large_bodies.ticket()
        try:
            ctx.body = await read_body(request, mock.settings.max_body_bytes, timeout_s=mock.settings.body_timeout_seconds, ticket=ticket)
            replayed = mock.replay.lookup(gw.id, request.method, request.url.path[len(prefix) :] or "/", ctx.body) if mock.replay else None
            if replayed is not None:
                response = replayed
            else:
                if auth:
                    _check_auth(ctx)
                response = await handler(ctx)
        except GatewayError as err:
            error_code = err.code
            response = render_error(err, ctx.shape, ctx.request_id)
        except Exception as exc:  # a bug: never leak a traceback, but make it visible
            mock.internal_errors.append(f"{operation_id}: {type(exc).__name__}: {exc}")
            log.exception("internal error in %s", operation_id)
            if mock.settings.raise_server_exceptions:
                raise
            error_code = "internal_error"
            response = render_error(
                GatewayError(500, "internal_error", "The server had an error while processing your request"), ctx.shape, ctx.request_id
            )
        finally:
            ticket.release()
        if not any(name == b"x-request-id" for name, _ in response.raw_headers):  # what ok() and render_error() set
            response.raw_headers.append((b"x-request-id", ctx.request_id.encode("latin-1")))
        if journal.enabled:
            scope = request.scope
            journal.record_request(
                time=mock.clock.now(),
                gateway=gw.id,
                method=scope["method"],
                path=scope["path"],
                query_string=scope.get("query_string", b""),
                headers=scope["headers"],
                body=ctx.journal_body
                if ctx.journal_body is not None
                else ({"bytes": len(ctx.body), "content_type": ctx.header("content-type")} if ctx.body else None),
                body_json=ctx.body if ctx.body_is_json else None,
                status=response.status_code,
                request_id=ctx.request_id,
                scenario=ctx.scenario,
                operation=operation_id,
                error_code=error_code,
                response=ctx.response_body,
                response_json=_json_text(ctx, response),
                images=_journal_images(ctx),
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        return response

    endpoint.__name__ = operation_id
    return endpoint


#: answers up to this size without a value kept by :func:`ok` (errors, replays) are parsed back for the journal
_JOURNAL_PARSE_BYTES = 64 * 1024


def _json_text(ctx: Ctx, response: Response) -> bytes | None:
    """The answer's JSON text for the journal (:meth:`Journal.record_request` keeps a small one as
    it is, and shortens a large one from the value :func:`ok` kept); ``None`` for an answer that
    is not JSON, or a large one with no value (it would be parsed back just to be cut)."""
    body = getattr(response, "body", None)
    if not body:
        return None
    kind = response.media_type
    if kind != "application/json" and not is_json_media(media_type(kind)):  # the first: every ok() and error
        return None
    if ctx.response_body is None and len(body) > _JOURNAL_PARSE_BYTES:
        return None
    return bytes(body)


def _journal_images(ctx: Ctx) -> list[dict[str, Any]]:
    """One ``{"file", "width", "height", "format"}`` per distinct image of the answer; ``file``
    is a signed token the inspector serves (valid as long as a URL result)."""
    out = ctx.images_out
    if not out:
        return []
    images = ctx.mock.images
    expires = ctx.now() + ctx.mock.settings.url_ttl_seconds
    return [
        {"file": f"{images.token_for(spec, expires)}.{EXT[spec.fmt]}", "width": spec.width, "height": spec.height, "format": spec.fmt}
        for spec in (out if len(out) == 1 else dict.fromkeys(out))
    ]


async def _serve_file(ctx: Ctx) -> Response:
    spec = ctx.mock.images.resolve(ctx.request.path_params["token"], ctx.now())
    img = ctx.image(spec)
    return Response(img.data, media_type=MIME[spec.fmt], headers={"Cache-Control": "private, max-age=86400"})


class _Endpoint:
    """ASGI app of a wrapped endpoint (``Request -> Response``).

    Starlette's ``request_response`` adds an exception-handling layer per request; every
    wrapped endpoint already turns every exception into the gateway's own error, so this calls
    it directly. As a class instance, its ``Route`` matches every method unless ``methods`` is given.
    """

    __slots__ = ("_endpoint",)

    def __init__(self, endpoint: Callable[[Request], Awaitable[Response]]) -> None:
        self._endpoint = endpoint

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        response = await self._endpoint(Request(scope, receive))
        await response(scope, receive, send)


def build_app(gw: Gateway, mock: Mock, prefix: str, extra_routes: list[Route] | None = None) -> GatewayRouter:
    """The ASGI sub-app (a :class:`~mock_server.routing.GatewayRouter`) for ``gw``, to be mounted at ``prefix`` (``"/tokenhub"`` or ``""``)."""
    routes: list[Route] = []
    for op in gw.operations:
        routes.append(Route(op.path, _Endpoint(_wrap(gw, mock, prefix, op.handler, op.operation_id, op.auth)), methods=list(op.methods)))
    routes.append(Route("/files/{token}", _Endpoint(_wrap(gw, mock, prefix, _serve_file, "getFile", False)), methods=["GET"]))
    routes.extend(extra_routes or [])
    known = list(routes)

    async def fallback(ctx: Ctx) -> Response:
        scope = dict(ctx.request.scope)
        for route in known:
            match, _ = route.matches(scope)
            if match == Match.PARTIAL:
                allowed = ", ".join(sorted(route.methods or ()))
                raise GatewayError(
                    405,
                    "method_not_allowed",
                    f"Method {clip(ctx.request.method)} not allowed on {clip(ctx.request.url.path, 200)}; allowed: {allowed}",
                    headers={"Allow": allowed},
                )
        raise GatewayError(404, "not_found", f"Unknown route {clip(ctx.request.method)} {clip(ctx.request.url.path, 200)}")

    # an ASGI endpoint (not a function) makes Starlette match every method, TRACE and QUERY included,
    # so no request falls through to Starlette's own plain-text 405
    routes.append(Route("/{path:path}", _Endpoint(_wrap(gw, mock, prefix, fallback, "notFound", False))))
    return GatewayRouter(routes)


def ok(body: Any, status: int = 200, ctx: Ctx | None = None, headers: dict[str, str] | None = None) -> Response:
    """A JSON success response (with ``X-Request-Id`` when ``ctx`` is given)."""
    h = dict(headers or {})
    if ctx is not None:
        h.setdefault("X-Request-Id", ctx.request_id)
        ctx.response_body = body
    return json_response(body, status=status, headers=h)


def openai_item(ctx: Ctx, spec: ImageSpec, response_format: str, **extra: Any) -> dict[str, Any]:
    """One OpenAI-style ``data[]`` item: ``{"url": …}`` or ``{"b64_json": …}`` plus ``extra``."""
    if response_format == "url":
        item: dict[str, Any] = {"url": ctx.image_url(spec)}
    else:
        item = {"b64_json": ctx.image(spec).b64}
    item.update(extra)
    return item


def prompt_digest_specs(
    prompt: str, model: str, width: int, height: int, fmt: str, n: int, seed: object = None, transparent: bool = False, inputs: str = ""
) -> list[ImageSpec]:
    """``n`` deterministic :class:`ImageSpec` for one request (index 0..n-1 of n); ``prompt`` is the
    user's text (drawn on the images), ``inputs`` any other material (input-image digests) that
    makes the answer differ. See :func:`mock_server.images.spec_for`."""
    return [
        spec_for(
            prompt,
            width,
            height,
            fmt,  # type: ignore[arg-type]
            seed=seed,  # type: ignore[arg-type]
            index=i,
            count=n,
            model=model,
            transparent=transparent,
            inputs=inputs,
        )
        for i in range(n)
    ]
