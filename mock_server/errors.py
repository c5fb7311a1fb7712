"""Gateway errors and one renderer per error shape.

Raise :class:`GatewayError` anywhere on the request path; the gateway's renderer turns it
into that gateway's own body. The shapes (:data:`contracts.registry.ErrorShape`; which gateway
answers which, and why, is each :class:`~contracts.registry.GatewaySpec`'s ``error_shapes`` and
``error_source``):

``openai``     ``{"error": {"message", "type", "param", "code"}}`` (upstream OpenAI's error body).
``dashscope``  ``{"code", "message", "request_id"}`` (upstream DashScope's error body).
``envelope``   ``{"code": <http status>, "msg", "data": null}`` (the documented success envelope
               ``{"code","msg","data"}``, document 002 "Response Format").

Only two error texts are documented: TokenHub edits' ``image file is required`` (001, "Image
edits"). Everything else about error bodies is inferred and marked so in the contracts.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from contracts.registry import ErrorShape

#: OpenAI ``error.type`` by HTTP status (inferred from upstream OpenAI).
_OPENAI_TYPE = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    408: "timeout_error",
    409: "conflict_error",
    410: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "server_error",
    502: "server_error",
    503: "server_error",
    504: "server_error",
}

#: DashScope ``code`` by HTTP status (inferred from upstream DashScope error codes).
_DASHSCOPE_CODE = {
    400: "InvalidParameter",
    401: "InvalidApiKey",
    403: "AccessDenied",
    404: "NotFound",
    405: "InvalidParameter",
    413: "InvalidParameter",
    415: "InvalidParameter",
    429: "Throttling",
    500: "InternalError",
    503: "ServiceUnavailable",
}


class GatewayError(Exception):
    """An error answer, independent of any gateway's shape.

    Args:
        status: HTTP status code (4xx or 5xx).
        code: machine-readable code, e.g. ``"invalid_size"``, ``"rate_limit_exceeded"``.
        message: human-readable text; names the offending parameter when there is one.
        param: the request parameter at fault (dotted path, e.g. ``"parameters.n"``), if any.
        type: OpenAI-style ``error.type``; derived from ``status`` when omitted.
        headers: extra response headers (e.g. ``{"Retry-After": "2"}``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        param: str | None = None,
        type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        message = clip(message, MAX_MESSAGE_CHARS)
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.type = type or _OPENAI_TYPE.get(status, "server_error" if status >= 500 else "invalid_request_error")
        self.headers = dict(headers or {})

    def __repr__(self) -> str:
        return f"GatewayError({self.status}, {self.code!r}, {self.message!r}, param={self.param!r})"


#: characters of a caller's input an error message repeats at most (:func:`clip`).
ECHO_CHARS = 64
#: the longest message an error body carries; longer ones are cut (a bound on every echo).
MAX_MESSAGE_CHARS = 1024


def clip(value: object, limit: int = ECHO_CHARS) -> str:
    """``value`` as text of at most about ``limit`` characters, for repeating a caller's input
    in an error message: ``"abc…(10240 chars)"`` when cut."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


def invalid(param: str, message: str, code: str = "invalid_parameter") -> GatewayError:
    """A 400 naming ``param``."""
    return GatewayError(400, code, message, param=param)


def new_request_id() -> str:
    """A fresh request id: a random UUID4 string (``xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx``).

    An id names a request, it guards nothing: the bits come from ``random`` (seeded from the OS
    per process, and again in a forked child) and are formatted directly, half the cost of
    ``str(uuid.uuid4())`` (a system call for the bytes, then a ``UUID`` object), on every request.
    """
    h = f"{random.getrandbits(128) & _UUID4_KEEP | _UUID4_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


#: The version (4) and variant (``10``) bits of a UUID4 (RFC 9562, section 5.4), as masks on its 128-bit integer.
_UUID4_SET = (0x4 << 76) | (0x2 << 62)
_UUID4_KEEP = ~((0xF << 76) | (0x3 << 62))


def json_bytes(body: Any) -> bytes:
    """``body`` as compact UTF-8 JSON (non-ASCII kept as is, as the upstreams do).

    orjson writes the same bytes as ``json.dumps(body, ensure_ascii=False, separators=(",", ":"))``
    for strings, integers, lists and dicts, tens of times faster (a 2048x2048 ``b64_json`` answer
    is 80 KB of text); what orjson refuses (non-string keys, integers past 64 bits) goes to the
    standard library, so nothing that encoded before fails now.
    """
    try:
        return orjson.dumps(body)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A compact UTF-8 JSON response (:func:`json_bytes`) with ``headers`` besides its own
    ``content-length`` and ``content-type`` (which ``headers`` must not name).

    The extra headers are appended to the raw list: handing them to ``Response`` costs it two
    list passes to learn whether they name the two it sets itself, on every answer.
    """
    return _JSONResponse(json_bytes(body), status, headers)


class _JSONResponse(Response):
    """A Starlette ``Response`` with a JSON body, its headers set as ``Response.init_headers``
    sets them (``content-length``, then ``content-type``, then ``headers``) in one step:
    handing them to ``Response`` costs it two list passes to learn whether they name the two it
    sets itself, on every answer."""

    media_type = "application/json"

    def __init__(self, body: bytes, status: int, headers: Mapping[str, str] | None) -> None:
        self.status_code = status
        self.background = None
        self.body = body
        raw = [] if status < 200 or status in (204, 304) else [(b"content-length", str(len(body)).encode("latin-1"))]
        raw.append((b"content-type", b"application/json"))
        if headers:
            raw.extend([(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()])
        self.raw_headers = raw


def error_body(err: GatewayError, shape: ErrorShape, request_id: str) -> dict[str, Any]:
    """The JSON body of ``err`` in ``shape``."""
    if shape == "openai":
        return {"error": {"message": err.message, "type": err.type, "param": err.param, "code": err.code}}
    if shape == "dashscope":
        code = _DASHSCOPE_CODE.get(err.status, "InternalError" if err.status >= 500 else "InvalidParameter")
        if err.code in {"data_inspection_failed"}:
            code = "DataInspectionFailed"
        elif err.code == "insufficient_quota":
            code = "Arrearage"
        return {"code": code, "message": err.message, "request_id": request_id}
    if shape == "envelope":
        return {"code": err.status, "msg": err.message, "data": None}
    raise ValueError(f"unknown error shape {shape!r}")


def render_error(err: GatewayError, shape: ErrorShape, request_id: str) -> Response:
    """Render ``err`` as a response in ``shape`` with ``X-Request-Id`` and its own headers."""
    headers = {"X-Request-Id": request_id, **err.headers}
    return json_response(error_body(err, shape, request_id), status=err.status, headers=headers)
