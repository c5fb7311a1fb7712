"""A bounded, redacted journal of the requests the mock received (like WireMock's request log).

Credentials are redacted at the door: ``Authorization``, ``X-API-Key``, ``Cookie``,
``Proxy-Authorization`` and ``key``/``api_key`` query parameters never reach an entry.
Long strings (base64 images) are shortened so the journal stays small; multipart files are
kept as metadata only.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

from contracts.registry import CREDENTIAL_HEADERS

#: The gateways' credential headers (:data:`contracts.registry.CREDENTIAL_HEADERS`) and other common ones.
SECRET_HEADERS = CREDENTIAL_HEADERS | {"cookie", "proxy-authorization", "api-key", "x-goog-api-key"}
SECRET_QUERY = frozenset({"key", "api_key", "apikey", "token", "access_token"})
SECRET_FIELDS = frozenset({"api_key", "apikey", "authorization", "password", "secret", "token", "access_token"})
REDACTED = "[REDACTED]"
MAX_STRING = 256


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a dict with secret values replaced by ``[REDACTED]`` (names lower-cased)."""
    out: dict[str, str] = {}
    for k, v in headers:
        k = k.lower()
        out[k] = REDACTED if k in SECRET_HEADERS else v
    return out


def redact_query(params: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Query parameters with credential-like values redacted."""
    return {k: (REDACTED if k.lower() in SECRET_QUERY else v) for k, v in params}


def shorten(value: Any, limit: int = MAX_STRING, _depth: int = 0) -> Any:
    """A copy of a JSON value with strings over ``limit`` characters cut to ``"<first 64>…(N chars)"``,
    credential-like keys redacted, and nesting beyond 20 levels dropped."""
    if _depth > 20:
        return "…"
    if isinstance(value, str):
        return value if len(value) <= limit else f"{value[:64]}…({len(value)} chars)"
    if isinstance(value, list):
        return [shorten(v, limit, _depth + 1) for v in value[:100]]
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and k.lower() in SECRET_FIELDS else shorten(v, limit, _depth + 1))
            for k, v in list(value.items())[:200]
        }
    return value


@dataclass
class JournalEntry:
    """One request and the answer it got.

    ``time`` is Unix seconds on the mock's clock; ``body`` is the parsed (shortened) JSON or
    form fields, or ``None``; ``status`` is the HTTP status sent.
    """

    id: int
    time: float
    gateway: str | None
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int
    request_id: str | None = None
    scenario: str | None = None
    operation: str | None = None
    error_code: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    """Keeps the last ``maxlen`` entries (thread-safe)."""

    def __init__(self, maxlen: int) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=maxlen)
        self._next = 1
        self._lock = threading.Lock()

    def record(self, *, time: float, gateway: str | None, method: str, path: str,
               query: Iterable[tuple[str, str]], headers: Iterable[tuple[str, str]], body: Any,
               status: int, **extra: Any) -> JournalEntry:
        """Append a redacted entry and return it."""
        with self._lock:
            entry = JournalEntry(
                id=self._next, time=time, gateway=gateway, method=method, path=path,
                query=redact_query(query), headers=redact_headers(headers), body=shorten(body),
                status=status, **extra,
            )
            self._next += 1
            self._entries.append(entry)
            return entry

    def entries(self, *, gateway: str | None = None, path: str | None = None) -> list[JournalEntry]:
        """Entries oldest first, optionally only one gateway's or one path's."""
        with self._lock:
            items = list(self._entries)
        return [e for e in items if (gateway is None or e.gateway == gateway) and (path is None or e.path == path)]

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Journal({len(self)} entries)"


def headers_items(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(name, value)`` pairs from a mapping or a pair list."""
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)
