"""Compact signed tokens: ``base64url(json) + "." + base64url(hmac_sha256[:12])``.

Used for stateless task ids and expiring file URLs (DESIGN.md, "Stateless task ids").
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
from typing import Any

import orjson


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(payload: dict[str, Any], secret: bytes) -> str:
    """Serialise ``payload`` (a dict of strings, integers and floats) and sign it with ``secret``; URL-safe string.

    Task ids and file URLs are signed on every request, so the JSON comes from orjson (keys
    sorted, compact) and the HMAC from a keyed object copied per token (``hmac.HMAC.copy``).
    """
    body = _b64e(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS))
    return f"{body}.{_mac(body.encode('ascii'), secret)}"


@functools.lru_cache(maxsize=8)
def _keyed(secret: bytes) -> hmac.HMAC:
    return hmac.new(secret, digestmod=hashlib.sha256)


def _mac(data: bytes, secret: bytes) -> str:
    """The first 12 bytes of HMAC-SHA256(secret, data), base64url."""
    h = _keyed(secret).copy()
    h.update(data)
    return _b64e(h.digest()[:12])


def verify(token: str, secret: bytes) -> dict[str, Any] | None:
    """The payload of ``token`` if its signature is valid for ``secret``, else ``None``.

    Never raises: malformed, truncated or forged tokens all give ``None``.
    """
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        return None
    body, mac = token.split(".")
    try:
        expected = _mac(body.encode("ascii"), secret)
        if not hmac.compare_digest(expected, mac):
            return None
        payload = orjson.loads(_b64d(body))  # our own JSON, once the MAC matched
    except (UnicodeError, binascii.Error, ValueError, TypeError):  # TypeError: non-ASCII mac in compare_digest
        return None
    return payload if isinstance(payload, dict) else None
