"""A bounded, redacted journal of the requests the mock received (like WireMock's request log).

Credentials are redacted at the door: ``Authorization``, ``X-API-Key``, ``Cookie``,
``Proxy-Authorization`` and ``key``/``api_key`` query parameters never reach an entry (the same
lists redact the access log: :func:`redact_target`).

The journal is bounded in bytes, twice:

* **per entry** (``Settings.journal_entry_max_bytes``, 8 KiB by default), the request and the
  JSON answer alike: strings longer than 1024 characters (base64 images, long header or query
  values; URL results and task ids stay whole) are cut to their first 64 characters plus
  ``…(N chars)``; keys and names longer than 64 characters to their first 32
  plus the same marker; nesting beyond 20 levels becomes ``"…"``. When an entry's budget runs
  out, the rest of an object becomes one key ``"…"`` whose value says how many keys were
  dropped, the rest of an array one item ``"…(N more items)"``, and the entry's ``truncated``
  is ``true``. The budget counts the entry's JSON text as ``GET /__mock/requests`` sends it
  (an upper bound: characters are counted as ASCII-escaped JSON), headers, query and keys included.
* **in total** (``Settings.journal_max_bytes``, ``imagegw serve --journal-max-mb``, 4 MiB by
  default): the oldest entries are dropped until the sum of the entries' sizes fits, as they
  are when there are more than ``Settings.journal_size`` entries.

Multipart files are kept as metadata only. An entry also lists the images of the answer (signed
file tokens the inspector serves: a few hundred bytes each, at most one per returned image,
counted in the entry's size, at most half of it) and the latency.

The request path records with :meth:`Journal.record_request`, which does no decoding,
redaction or shortening: it packs what the request already holds (the server's header pairs, the
query string, the body's and the answer's raw JSON text) into one ``bytes`` object (``marshal``,
read back only by this module, in this process) and charges the entry an upper bound of its size
computed from their lengths. One object per entry, not the request's own: those are freed as
the request ends, while their memory is still in the processor's cache, and the memory the next
requests get is that memory, not the cold memory of an entry leaving the journal. The entry is built — by the same code as
:meth:`Journal.record`, so to the same redacted, byte-bounded result — when the journal is read,
and its charge is then corrected to its real size. A request whose bound does not fit an entry's
budget (a large body, long headers) is built at once instead, so what the journal holds is never
more than it is charged for, and nothing leaves it unredacted.
"""

from __future__ import annotations

import json
import marshal
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from json.encoder import encode_basestring_ascii as _json_str
from typing import Any

from contracts.registry import CREDENTIAL_HEADERS

#: The gateways' credential headers (:data:`contracts.registry.CREDENTIAL_HEADERS`) and other common ones.
SECRET_HEADERS = CREDENTIAL_HEADERS | {"cookie", "proxy-authorization", "api-key", "x-goog-api-key"}
SECRET_QUERY = frozenset({"key", "api_key", "apikey", "token", "access_token"})
SECRET_FIELDS = frozenset({"api_key", "apikey", "authorization", "password", "secret", "token", "access_token"})
REDACTED = "[REDACTED]"
#: strings longer than this (characters) are cut; a URL result or a task id (a few hundred) stays whole.
MAX_STRING = 1024
#: characters kept of a string cut for being over :data:`MAX_STRING`.
KEEP_CHARS = 64
#: keys (JSON object keys, header and query names) longer than this are cut to half of it.
MAX_KEY = 64
MAX_DEPTH = 20
#: bytes charged for an entry's fixed fields (id, time, status, field names, punctuation).
ENTRY_OVERHEAD_BYTES = 256
DEFAULT_ENTRY_MAX_BYTES = 8 * 1024
DEFAULT_JOURNAL_MAX_BYTES = 4 * 1024 * 1024
#: bytes of an entry's budget kept for truncation markers (at most one per nesting level).
MARKER_RESERVE_BYTES = (MAX_DEPTH + 4) * 64
#: the key that stands for the keys an object lost to the entry's budget.
MORE = "…"


class _Budget:
    """The bytes an entry may still spend; ``full`` turns true when something did not fit (the
    rest is dropped), ``cut`` when anything was dropped."""

    __slots__ = ("left", "cut", "full")

    def __init__(self, left: int) -> None:
        self.left = left
        self.cut = False
        self.full = False

    def take(self, cost: int) -> bool:
        if cost > self.left:
            self.cut = self.full = True
            return False
        self.left -= cost
        return True


def _clip_str(value: str) -> str:
    return value if len(value) <= MAX_STRING else f"{value[:KEEP_CHARS]}…({len(value)} chars)"


def _clip_key(key: str) -> str:
    return key if len(key) <= MAX_KEY else f"{key[: MAX_KEY // 2]}…({len(key)} chars)"


def _scalar(value: Any) -> tuple[Any, int]:
    """A JSON scalar (a non-JSON value becomes its clipped ``str``) and its JSON size in bytes."""
    if value is None or isinstance(value, bool):
        return value, 5
    if isinstance(value, int):
        return value, len(str(value))
    if isinstance(value, float):
        return value, 24
    text = _clip_str(value if isinstance(value, str) else str(value))
    return text, len(_json_str(text))


def _marker(budget: _Budget, text: str) -> str:
    """``text`` as a truncation marker, charged to ``budget`` (markers spend the reserve)."""
    budget.cut = True
    budget.left -= len(_json_str(text)) + 1
    return text


def _pairs(items: Iterable[tuple[str, Any]], budget: _Budget, secret: frozenset[str]) -> dict[str, Any]:
    """Clipped ``name -> value`` pairs, the values of names in ``secret`` redacted."""
    out: dict[str, Any] = {}
    costs: dict[str, int] = {}
    budget.left -= 2
    dropped = 0
    for k, v in items:
        if dropped:
            dropped += 1
            continue
        key = _clip_key(k)
        value, cost = _scalar(REDACTED if k.lower() in secret else v)
        if key in costs:  # a repeated name: the last value wins, as in a dict
            if not budget.take(max(0, cost - costs[key])):
                dropped = 1
                continue
        elif not budget.take(len(_json_str(key)) + cost + 2):
            dropped = 1
            continue
        out[key] = value
        costs[key] = max(cost, costs.get(key, 0))
    if dropped:
        out[MORE] = _marker(budget, f"{dropped} more (journal entry size limit)")
    return out


def _value(value: Any, budget: _Budget, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return _marker(budget, "…")
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        budget.left -= 2
        n = len(value)
        for i, (k, v) in enumerate(value.items()):
            key = _clip_key(k if isinstance(k, str) else str(k))
            if not budget.take(len(_json_str(key)) + 2):
                out[MORE] = _marker(budget, f"{n - i} more keys (journal entry size limit)")
                return out
            out[key] = _value(REDACTED if isinstance(k, str) and k.lower() in SECRET_FIELDS else v, budget, depth + 1)
            if budget.full and i + 1 < n:
                out[MORE] = _marker(budget, f"{n - i - 1} more keys (journal entry size limit)")
                return out
        return out
    if isinstance(value, (list, tuple)):
        arr: list[Any] = []
        budget.left -= 2
        n = len(value)
        for i, v in enumerate(value):
            if budget.full or not budget.take(1):
                arr.append(_marker(budget, f"…({n - i} more items)"))
                return arr
            arr.append(_value(v, budget, depth + 1))
        return arr
    text, cost = _scalar(value)
    if not budget.take(cost):
        return _marker(budget, "…")
    return text


class _Slow(Exception):
    """The fast path gave up: the entry may not fit, take the budgeted path."""


#: stands for a number in the fast path's tally (a JSON number takes at most 24 bytes).
_NUMBER = "0" * 24


def _tally(parts: list[str]) -> int:
    """An upper bound of the JSON size in bytes of the strings ``parts`` (each quoted and
    separated): printable ASCII at most doubles when escaped, anything else takes at most six
    bytes a character (``\\u0000``). One pass over the joined text, in C."""
    text = "".join(parts)
    per_char = 2 if text.isascii() and text.isprintable() else 6
    return per_char * len(text) + 4 * len(parts)


def _quick(value: Any, parts: list[str], depth: int) -> Any:
    """:func:`_value` for the common small entry: one pass that clips and redacts, collecting
    every string in ``parts`` for :func:`_tally`; raises :class:`_Slow` for anything unusual."""
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            value = f"{value[:KEEP_CHARS]}…({len(value)} chars)"
        parts.append(value)
        return value
    if value is None or isinstance(value, (bool, float)):
        parts.append(_NUMBER)
        return value
    if isinstance(value, int):
        if not -(10**20) < value < 10**20:
            raise _Slow
        parts.append(_NUMBER)
        return value
    if depth >= MAX_DEPTH:
        raise _Slow
    if isinstance(value, dict):
        if len(value) > 64:
            raise _Slow
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str) or len(k) > MAX_KEY:
                raise _Slow
            parts.append(k)
            out[k] = REDACTED if k.lower() in SECRET_FIELDS else _quick(v, parts, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        if len(value) > 64:
            raise _Slow
        parts.append("")
        return [_quick(v, parts, depth + 1) for v in value]
    raise _Slow


def _quick_pairs(items: Iterable[tuple[str, Any]], secret: frozenset[str], parts: list[str], lower: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in items:
        if lower:
            k = k.lower()
        if len(k) > MAX_KEY or not isinstance(v, str):
            raise _Slow
        if (k if lower else k.lower()) in secret:
            v = REDACTED
        elif len(v) > MAX_STRING:
            v = f"{v[:KEEP_CHARS]}…({len(v)} chars)"
        parts.append(k)
        parts.append(v)
        out[k] = v
    return out


#: JSON bytes charged for an image's fields besides its file token (width, height, format, punctuation).
_IMAGE_FIELDS_BYTES = 64


def _fitting_images(images: Iterable[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], int]:
    """The first ``images`` whose JSON fits in ``limit`` bytes, and their size."""
    kept: list[dict[str, Any]] = []
    used = 0
    for image in images:
        cost = len(_json_str(str(image.get("file", "")))) + _IMAGE_FIELDS_BYTES
        if used + cost > limit:
            break
        kept.append(image)
        used += cost
    return kept, used


def shorten(value: Any, limit_bytes: int = DEFAULT_ENTRY_MAX_BYTES) -> Any:
    """A copy of a JSON value fit for the journal: long strings and keys cut, credential-like
    keys redacted, nesting beyond 20 levels dropped, and no more than about ``limit_bytes`` of
    JSON text in all (the cut parts marked as in the module docstring)."""
    return _value(value, _Budget(max(0, limit_bytes - MARKER_RESERVE_BYTES)), 0)


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


def redact_target(target: str) -> str:
    """A request target (``/path?query``) with the values of credential query parameters
    (:data:`SECRET_QUERY`, names compared after percent-decoding) replaced by ``[REDACTED]``;
    everything else kept byte for byte. Used by the access log."""
    path, sep, query = target.partition("?")
    if not sep or not query:
        return target
    from urllib.parse import unquote_plus

    parts = query.split("&")
    changed = False
    for i, part in enumerate(parts):
        name, eq, _ = part.partition("=")
        if eq and unquote_plus(name).lower() in SECRET_QUERY:
            parts[i] = f"{name}={REDACTED}"
            changed = True
    return f"{path}?{'&'.join(parts)}" if changed else target


@dataclass
class JournalEntry:
    """One request and the answer it got.

    ``time`` is Unix seconds on the mock's clock; ``body`` is the parsed (shortened) JSON or
    form fields, or ``None``; ``status`` is the HTTP status sent; ``response`` the JSON answer
    (shortened the same way: base64 images become ``"<first 64>…(N chars)"``) or ``None``;
    ``images`` one ``{"file", "width", "height", "format"}`` per image the answer carried or
    linked, ``file`` being ``<signed token>.<ext>`` as served by ``GET /__mock/images/{file}``;
    ``latency_ms`` the time the mock took to answer (wall clock, milliseconds); ``truncated`` is
    ``true`` when the entry lost parts to its byte budget (module docstring).
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
    response: Any = None
    images: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    """Keeps the last ``maxlen`` entries, at most ``max_bytes`` of them in all, each at most
    ``entry_max_bytes`` (JSON bytes; thread-safe); ``maxlen`` 0 keeps none.

    Raises:
        ValueError: when ``entry_max_bytes`` cannot hold an entry's fixed fields (under 1 KiB) or
            ``max_bytes`` is smaller than ``entry_max_bytes``.
    """

    def __init__(self, maxlen: int, max_bytes: int = DEFAULT_JOURNAL_MAX_BYTES, entry_max_bytes: int = DEFAULT_ENTRY_MAX_BYTES) -> None:
        if entry_max_bytes < 1024 or max_bytes < entry_max_bytes:
            raise ValueError("journal sizes: entry_max_bytes >= 1024 and max_bytes >= entry_max_bytes")
        self._entries: deque[tuple[JournalEntry, int]] = deque()
        self._maxlen = maxlen
        self._max_bytes = max_bytes
        self._entry_max_bytes = entry_max_bytes
        self._bytes = 0
        self._next = 1
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether entries are kept (``maxlen`` > 0); callers skip gathering an entry's parts when not."""
        return self._maxlen > 0

    def record(
        self,
        *,
        time: float,
        gateway: str | None,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]],
        headers: Iterable[tuple[str, str]],
        body: Any,
        status: int,
        response: Any = None,
        images: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> JournalEntry:
        """Append a redacted, byte-bounded entry and return it (``response``: the JSON answer;
        ``images``: small dicts the mock made, kept whole and counted)."""
        fields, size = self._build(time, gateway, method, path, query, headers, body, status, extra, response, images or [])
        with self._lock:
            entry = JournalEntry(id=self._next, **fields)
            self._next += 1
            self._append(entry, size)
            return entry

    def record_request(
        self,
        *,
        time: float,
        gateway: str | None,
        method: str,
        path: str,
        query_string: bytes,
        headers: list[tuple[bytes, bytes]],
        body: Any,
        body_json: bytes | None,
        status: int,
        request_id: str | None = None,
        scenario: str | None = None,
        operation: str | None = None,
        error_code: str | None = None,
        response: Any = None,
        response_json: bytes | None = None,
        images: list[dict[str, Any]] | None = None,
        latency_ms: float | None = None,
    ) -> int:
        """Append an entry for one request as the ASGI server gave it; returns its id (0 when the
        journal keeps none). The entry is built when read (module docstring).

        Args:
            query_string: the raw query string.
            headers: the ASGI header pairs (``bytes``, latin-1).
            body: the parsed body (JSON value, form fields) or ``None``.
            body_json: the raw JSON text ``body`` was parsed from, if it was; then only the text
                is kept, and parsed again when read.
            response: the JSON answer as sent (a value), or ``None``.
            response_json: the answer's JSON text, if it has one; a small one is kept as text
                (and ``response`` dropped), a large one (base64 images) makes the entry be built
                at once from ``response`` (or from the text when ``response`` is ``None``).
            images: ``{"file", "width", "height", "format"}`` of the answer's images.
            latency_ms: the time the mock took to answer.
        """
        if not self._maxlen:
            return 0
        images = images or []
        # an upper bound of the entry's JSON: each character of a name, value or path at most 6
        # (\uXXXX) plus 6 a pair for quotes and separators; the body's JSON text at most triples
        # (\uXXXX for a 2-byte UTF-8 character, ", " for ","); the fixed strings as they are
        chars = len(path) + len(query_string)
        for name, value in headers:
            chars += len(name) + len(value) + 1
        size = ENTRY_OVERHEAD_BYTES + 6 * chars
        for v in (gateway, method, request_id, scenario, operation, error_code):
            if v:
                size += len(v) + 4
        for image in images:
            size += len(_json_str(str(image.get("file", "")))) + _IMAGE_FIELDS_BYTES
        if images:
            size += 24
        if body_json is not None:
            size += 3 * len(body_json)
        elif body is not None:
            size = self._entry_max_bytes + 1  # no text to measure: build it now
        if response_json is not None:
            size += 3 * len(response_json)
        elif response is not None:
            size = self._entry_max_bytes + 1
        if size > self._entry_max_bytes - MARKER_RESERVE_BYTES:  # it may not fit its budget: build it now
            from starlette.datastructures import QueryParams

            if body_json is not None:
                body = json.loads(body_json.decode("utf-8"))
            if response is None and response_json is not None:
                response = json.loads(response_json.decode("utf-8"))
            entry_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]
            query = QueryParams(query_string).multi_items() if query_string else []
            return self.record(
                time=time,
                gateway=gateway,
                method=method,
                path=path,
                query=query,
                headers=entry_headers,
                body=body,
                status=status,
                response=response,
                images=images,
                request_id=request_id,
                scenario=scenario,
                operation=operation,
                error_code=error_code,
                latency_ms=latency_ms,
            ).id
        # one bytes object per entry: the request's own objects are freed when it ends, while
        # their memory is still in the cache, instead of when the entry leaves the journal;
        # marshal format 2, the last without shared references (whose table costs more than the rest)
        extra = (request_id, scenario, operation, error_code, latency_ms)
        packed = marshal.dumps((time, gateway, method, path, query_string, headers, body_json, status, extra, response_json, images), 2)
        with self._lock:
            id_ = self._next
            self._next += 1
            self._append((id_, packed), size)
        return id_

    def _build(
        self,
        time: float,
        gateway: str | None,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]],
        headers: Iterable[tuple[str, str]],
        body: Any,
        status: int,
        extra: dict[str, Any],
        response: Any = None,
        images: list[dict[str, Any]] = [],  # noqa: B006 (never mutated)
    ) -> tuple[dict[str, Any], int]:
        """An entry's fields (all but ``id``), redacted and byte-bounded, and its size in bytes.
        The images take at most half the entry, the answer what the request leaves."""
        query = query if isinstance(query, (list, tuple)) else list(query)
        headers = headers if isinstance(headers, (list, tuple)) else list(headers)
        content = self._entry_max_bytes - ENTRY_OVERHEAD_BYTES - MARKER_RESERVE_BYTES
        kept, images_bytes = _fitting_images(images, content // 2)
        images_cut = len(kept) < len(images)
        content -= images_bytes
        fixed = {k: (v if v is None or not isinstance(v, str) else _clip_str(v)) for k, v in extra.items() if k != "extra"}
        try:  # one cheap pass for the usual small request; the budgeted pass only when it might not fit
            path_text = _clip_str(path)
            parts = [path_text, *(v for v in (gateway, method, *fixed.values()) if isinstance(v, str))]
            q = _quick_pairs(query, SECRET_QUERY, parts, False)
            h = _quick_pairs(headers, SECRET_HEADERS, parts, True)
            b = _quick(body, parts, 0)
            r = _quick(response, parts, 0)
            more = _quick(extra["extra"], parts, 0) if extra.get("extra") else {}
            used = _tally(parts)
            if used > content:
                raise _Slow
            size, cut = ENTRY_OVERHEAD_BYTES + images_bytes + used, images_cut
        except _Slow:
            path_text, spent = _scalar(path)
            spent += sum(len(_json_str(v)) for v in (gateway, method, *fixed.values()) if isinstance(v, str))
            # query and headers get at most a quarter of the budget each, so a flood of them cannot push the body out
            qb = _Budget(content // 4)
            q = _pairs(query, qb, SECRET_QUERY)
            hb = _Budget(content // 4)
            h = _pairs(((k.lower(), v) for k, v in headers), hb, SECRET_HEADERS)
            bb = _Budget(content - spent - (content // 4 - qb.left) - (content // 4 - hb.left))
            b = _value(body, bb, 0)
            r = _value(response, bb, 0)  # the answer gets what the request left
            more = _value(extra["extra"], bb, 0) if extra.get("extra") else {}
            size = self._entry_max_bytes - MARKER_RESERVE_BYTES - bb.left
            cut = qb.cut or hb.cut or bb.cut or images_cut
        return dict(
            time=time,
            gateway=gateway,
            method=_clip_str(method),
            path=path_text,
            query=q,
            headers=h,
            body=b,
            status=status,
            response=r,
            images=kept,
            extra=more,
            truncated=cut,
            **fixed,
        ), size

    def _append(self, item: Any, size: int) -> None:
        """Add ``item`` charged ``size`` bytes and drop the oldest past the bounds (lock held)."""
        self._entries.append((item, size))
        self._bytes += size
        while len(self._entries) > self._maxlen or (self._bytes > self._max_bytes and len(self._entries) > 1):
            self._bytes -= self._entries.popleft()[1]

    def _materialise(self, item: tuple[int, bytes]) -> tuple[JournalEntry, int]:
        """Build an entry recorded by :meth:`record_request`, and its real size."""
        from starlette.datastructures import QueryParams

        id_, packed = item
        (time, gateway, method, path, query_string, headers, body_json, status, extra, response_json, images) = marshal.loads(packed)
        request_id, scenario, operation, error_code, latency_ms = extra
        fixed = {"request_id": request_id, "scenario": scenario, "operation": operation, "error_code": error_code, "latency_ms": latency_ms}
        body = json.loads(body_json.decode("utf-8")) if body_json is not None else None
        response = json.loads(response_json.decode("utf-8")) if response_json is not None else None
        fields, size = self._build(
            time,
            gateway,
            method,
            path,
            QueryParams(query_string).multi_items() if query_string else [],
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
            body,
            status,
            fixed,
            response,
            images,
        )
        return JournalEntry(id=id_, **fields), size

    def entries(self, *, gateway: str | None = None, path: str | None = None) -> list[JournalEntry]:
        """Entries oldest first, optionally only one gateway's or one path's."""
        with self._lock:
            if any(not isinstance(e, JournalEntry) for e, _ in self._entries):
                built: deque[tuple[JournalEntry, int]] = deque()
                for item, charged in self._entries:
                    if not isinstance(item, JournalEntry):
                        item, size = self._materialise(item)
                        self._bytes += size - charged
                        charged = size
                    built.append((item, charged))
                self._entries = built
                while self._bytes > self._max_bytes and len(self._entries) > 1:
                    self._bytes -= self._entries.popleft()[1]
            items = [e for e, _ in self._entries]
        return [e for e in items if (gateway is None or e.gateway == gateway) and (path is None or e.path == path)]

    @property
    def last_id(self) -> int:
        """The id of the newest entry ever recorded (0 before the first); it grows with every request."""
        return self._next - 1

    @property
    def size_bytes(self) -> int:
        """The entries' JSON size in bytes, as charged against ``max_bytes`` (an upper bound)."""
        return self._bytes

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Journal({len(self)} entries, {self._bytes} bytes)"


def headers_items(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(name, value)`` pairs from a mapping or a pair list."""
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)
