"""Small wire helpers shared by the mock, the contracts, the client, drift and the recordings format.

Each helper reads one HTTP or JSON fact the same way everywhere; no other module re-implements
them (``tests/contracts/test_wire.py``)::

    from contracts.wire import media_type, is_json_media, parse_retry_after, request_id, pointer, sniff_image

    media_type("Application/JSON; charset=utf-8")    # "application/json"
    is_json_media("application/problem+json")         # True
    parse_retry_after({"Retry-After": "2"})           # 2.0 (seconds)
    request_id({"x-request-id": "r-1"}, None)         # "r-1"
    pointer(["paths", "/v1/x"])                       # "/paths/~1v1~1x"
    unpointer("/paths/~1v1~1x")                       # ["paths", "/v1/x"]
    sniff_image(b"\\x89PNG\\r\\n\\x1a\\n...")              # "image/png"

Sources: media types RFC 9110 §8.3.1 (type/subtype case-insensitive, parameters after ``;``) and
RFC 6839 §3.1 (``+json`` suffix); ``Retry-After`` RFC 9110 §10.2.3 (seconds or an HTTP date) and
OpenAI's ``retry-after-ms`` (openai-python ``_base_client._parse_retry_after_header``); JSON
pointers RFC 6901 §3-4; image signatures from each format's specification (PNG §5.2, JFIF SOI,
GIF87a/89a, RIFF/WEBP, BMP ``BM``, TIFF ``II*\\0``/``MM\\0*``).

This module imports only the standard library.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any

__all__ = [
    "media_type",
    "is_json_media",
    "parse_retry_after",
    "REQUEST_ID_HEADERS",
    "REQUEST_ID_FIELDS",
    "REQUEST_ID_MAX_CHARS",
    "request_id",
    "escape_token",
    "unescape_token",
    "pointer",
    "unpointer",
    "IMAGE_SIGNATURES",
    "sniff_image",
]


# -- media types -----------------------------------------------------------------------------------


def media_type(content_type: str | None) -> str:
    """The media type of a ``Content-Type`` value, lower case and without parameters:
    ``"application/json"`` from ``"Application/JSON; charset=utf-8"``; ``""`` for none (RFC 9110 §8.3.1)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_media(media: str) -> bool:
    """Whether ``media`` (a :func:`media_type` result) is JSON: ``application/json`` or a
    ``+json`` structured-syntax suffix (RFC 6839 §3.1)."""
    return media == "application/json" or media.endswith("+json")


# -- Retry-After -------------------------------------------------------------------------------------


def parse_retry_after(headers: Mapping[str, str], *, now: _dt.datetime | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` (milliseconds, OpenAI) or ``Retry-After`` (seconds
    or an HTTP date, RFC 9110 §10.2.3); ``None`` when absent or unreadable. Never negative.

    Header names match case-insensitively. ``now`` (UTC; default: the system clock) is the
    instant an HTTP date is measured from.
    """
    h = {k.lower(): v for k, v in headers.items()}
    ms = h.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
            if value == value and 0 <= value < float("inf"):
                return value
        except ValueError:
            pass
    ra = h.get("retry-after")
    if ra is None:
        return None
    try:
        value = float(ra)
        return value if value == value and 0 <= value < float("inf") else None
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(ra)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.UTC)
    return max(0.0, (when - (now or _dt.datetime.now(_dt.UTC))).total_seconds())


# -- request ids -----------------------------------------------------------------------------------

#: Headers that carry a gateway's request id, in order of preference (lower case). The mock sends
#: ``X-Request-Id``; OpenAI sends ``x-request-id``; Azure-style gateways ``request-id``; the others
#: are siblings some gateways' proxies add.
REQUEST_ID_HEADERS: tuple[str, ...] = ("x-request-id", "request-id", "x-req-id", "x-trace-id", "x-tokenhub-request-id")
#: Body fields that carry it when no header does (DashScope: ``request_id``).
REQUEST_ID_FIELDS: tuple[str, ...] = ("request_id", "requestId")
#: A request id is cut to this many characters (an id is an opaque token; a longer one is noise).
REQUEST_ID_MAX_CHARS = 200


def request_id(headers: Mapping[str, str], body: Any = None) -> str | None:
    """The gateway's request id: the first non-empty :data:`REQUEST_ID_HEADERS` header (names
    matched case-insensitively), else the first string :data:`REQUEST_ID_FIELDS` field of a JSON
    object ``body``; at most :data:`REQUEST_ID_MAX_CHARS` characters; ``None`` when there is none."""
    h = {k.lower(): v for k, v in headers.items()}
    for name in REQUEST_ID_HEADERS:
        if h.get(name):
            return h[name][:REQUEST_ID_MAX_CHARS]
    if isinstance(body, Mapping):
        for key in REQUEST_ID_FIELDS:
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:REQUEST_ID_MAX_CHARS]
    return None


# -- JSON pointers (RFC 6901) -------------------------------------------------------------------------


def escape_token(token: object) -> str:
    """One reference token, escaped: ``~`` -> ``~0`` then ``/`` -> ``~1`` (RFC 6901 §3)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """Inverse of :func:`escape_token`: ``~1`` -> ``/`` then ``~0`` -> ``~`` (RFC 6901 §4)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer(parts: Sequence[object]) -> str:
    """RFC 6901 pointer for ``parts``: ``["paths", "/v1/x", "post"]`` -> ``"/paths/~1v1~1x/post"``."""
    return "".join("/" + escape_token(p) for p in parts)


def unpointer(ptr: str) -> list[str]:
    """Inverse of :func:`pointer` (tokens as strings); ``""`` and ``"#"`` give ``[]``; a leading
    ``#`` (URI fragment form) is dropped."""
    ptr = ptr[1:] if ptr.startswith("#") else ptr
    if not ptr:
        return []
    return [unescape_token(t) for t in ptr.split("/")[1:]]


# -- image sniffing ----------------------------------------------------------------------------------

#: Leading bytes of each image format the gateways take or return, with its media type.
IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def sniff_image(data: bytes) -> str | None:
    """The image media type of ``data`` from its leading bytes (PNG, JPEG, GIF, WebP, BMP, TIFF),
    else ``None``. Reads at most the first 12 bytes; does not decode the image."""
    for magic, mime in IMAGE_SIGNATURES:
        if data.startswith(magic):
            return mime
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
