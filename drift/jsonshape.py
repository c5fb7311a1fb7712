"""JSON helpers of the checks: values at pointers, the shape of a body, recorded bodies without their bytes.

Pointers are RFC 6901 (:func:`contracts.wire.pointer` / ``unpointer``); ``*`` in a glob
pointer matches every array item.
"""

from __future__ import annotations

from typing import Any

from contracts.diff import join, json_type
from contracts.wire import unpointer

__all__ = ["MISSING", "get_pointer", "glob_pointer", "shape_of", "parent", "stub_blobs", "norm_type"]

#: What :func:`get_pointer` answers for a location the value does not have.
MISSING: Any = object()


def get_pointer(value: Any, pointer: str) -> Any:
    """The value at ``pointer`` in ``value`` (:data:`MISSING` when absent)."""
    cur = value
    for tok in unpointer(pointer):
        if isinstance(cur, dict) and tok in cur:
            cur = cur[tok]
        elif isinstance(cur, list) and tok.isdigit() and int(tok) < len(cur):
            cur = cur[int(tok)]
        else:
            return MISSING
    return cur


def glob_pointer(value: Any, pattern: str) -> list[tuple[str, Any]]:
    """``(pointer, value)`` pairs matching ``pattern``, where ``*`` matches every array item."""
    results: list[tuple[str, Any]] = [("", value)]
    for tok in unpointer(pattern):
        nxt: list[tuple[str, Any]] = []
        for ptr, cur in results:
            if tok == "*" and isinstance(cur, list):
                nxt.extend((join(ptr, i), item) for i, item in enumerate(cur))
            elif isinstance(cur, dict) and tok in cur:
                nxt.append((join(ptr, tok), cur[tok]))
            elif isinstance(cur, list) and tok.isdigit() and int(tok) < len(cur):
                nxt.append((join(ptr, tok), cur[int(tok)]))
        results = nxt
    return results


def norm_type(value: Any) -> str:
    """:func:`contracts.diff.json_type`, with integers counted as ``number`` (JSON writes either)."""
    t = json_type(value)
    return "number" if t == "integer" else t


def shape_of(value: Any, pointer: str = "", out: dict[str, set[str]] | None = None, depth: int = 0) -> dict[str, set[str]]:
    """Pointer -> JSON types seen there; array items are merged under index ``0``; integers and
    other numbers are both ``number``."""
    out = {} if out is None else out
    out.setdefault(pointer, set()).add(norm_type(value))
    if depth > 32:
        return out
    if isinstance(value, dict):
        for k, v in value.items():
            shape_of(v, join(pointer, k), out, depth + 1)
    elif isinstance(value, list):
        for item in value:
            shape_of(item, join(pointer, 0), out, depth + 1)
    return out


def parent(pointer: str) -> str:
    """The pointer one level up (``""`` for a top-level one)."""
    return pointer.rsplit("/", 1)[0] if "/" in pointer else ""


def stub_blobs(value: Any) -> Any:
    """A recorded body with blob references replaced by placeholder strings (types kept, bytes not read)."""
    if isinstance(value, dict):
        if "$blob" in value and "$encoding" in value:
            return "<image:base64>"
        if "$text" in value and "$blobs" in value:
            return str(value["$text"])
        return {k: stub_blobs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stub_blobs(v) for v in value]
    return value
