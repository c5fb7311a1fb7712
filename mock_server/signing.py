"""Compact signed tokens: ``base64url(json) + "." + base64url(hmac_sha256[:12])``.

Used for stateless task ids and expiring file URLs (DESIGN.md, "Stateless task ids").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(payload: dict[str, Any], secret: bytes) -> str:
    """Serialise ``payload`` (JSON-able dict) and sign it with ``secret``; URL-safe string."""
    body = _b64e(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    mac = _b64e(hmac.new(secret, body.encode(), hashlib.sha256).digest()[:12])
    return f"{body}.{mac}"


def verify(token: str, secret: bytes) -> dict[str, Any] | None:
    """The payload of ``token`` if its signature is valid for ``secret``, else ``None``.

    Never raises: malformed, truncated or forged tokens all give ``None``.
    """
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 4096:
        return None
    body, mac = token.split(".")
    try:
        expected = _b64e(hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()[:12])
        if not hmac.compare_digest(expected, mac):
            return None
        payload = json.loads(_b64d(body))
    except (UnicodeError, binascii.Error, ValueError, TypeError):  # TypeError: non-ASCII mac in compare_digest
        return None
    return payload if isinstance(payload, dict) else None
