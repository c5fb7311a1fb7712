"""Typed getters for JSON request bodies, shared by every gateway module.

Each returns the value of ``body[key]`` checked against its type and range, ``None`` (or the
default) when the key is absent or JSON ``null`` ("not sent"), and raises a
:class:`~mock_server.errors.GatewayError` 400 naming the parameter otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import GatewayError

if TYPE_CHECKING:
    from .rules import Param


def get_str(
    body: dict,
    key: str,
    *,
    required: bool = False,
    choices: tuple[str, ...] | None = None,
    param: str | None = None,
    max_len: int | None = None,
) -> str | None:
    """``body[key]`` as a string, checked.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``) when required and missing/empty,
            not a string, longer than ``max_len``, or outside ``choices``.
    """
    p = param or key
    v = body.get(key)
    if v is None:
        if required:
            raise GatewayError(400, "missing_parameter", f"{p} is required", param=p)
        return None
    if not isinstance(v, str):
        raise GatewayError(400, "invalid_type", f"{p} must be a string", param=p)
    if required and not v.strip():
        raise GatewayError(400, "missing_parameter", f"{p} must not be empty", param=p)
    if max_len is not None and len(v) > max_len:
        raise GatewayError(400, "invalid_parameter", f"{p} is longer than {max_len} characters", param=p)
    if choices is not None and v not in choices:
        raise GatewayError(400, "invalid_parameter", f"{p}: {v[:40]!r} is not one of {', '.join(choices)}", param=p)
    return v


def get_int(
    body: dict,
    key: str,
    *,
    lo: int | None = None,
    hi: int | None = None,
    default: int | None = None,
    param: str | None = None,
    allow_numeric_string: bool = False,
) -> int | None:
    """``body[key]`` as an int in ``[lo, hi]`` (booleans and floats with a fraction rejected).

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``).
    """
    p = param or key
    v = body.get(key)
    if v is None:
        return default
    if allow_numeric_string and isinstance(v, str) and v.strip().lstrip("-").isdigit():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise GatewayError(400, "invalid_type", f"{p} must be an integer", param=p)
    v = int(v)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise GatewayError(400, "invalid_parameter", f"{p} must be between {lo} and {hi}; got {v}", param=p)
    return v


def get_float(body: dict, key: str, *, lo: float | None = None, hi: float | None = None, param: str | None = None) -> float | None:
    """``body[key]`` as a finite number in ``[lo, hi]``.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``).
    """
    p = param or key
    v = body.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v in (float("inf"), float("-inf")):
        raise GatewayError(400, "invalid_type", f"{p} must be a number", param=p)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise GatewayError(400, "invalid_parameter", f"{p} must be between {lo} and {hi}; got {v}", param=p)
    return float(v)


def get_bool(body: dict, key: str, *, default: bool | None = None, param: str | None = None) -> bool | None:
    """``body[key]`` as a JSON boolean.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``) when present and not a boolean.
    """
    p = param or key
    v = body.get(key)
    if v is None:
        return default
    if not isinstance(v, bool):
        raise GatewayError(400, "invalid_type", f"{p} must be a boolean", param=p)
    return v


def get_obj(body: dict, key: str, *, required: bool = False, param: str | None = None) -> dict | None:
    """``body[key]`` as a JSON object.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``).
    """
    p = param or key
    v = body.get(key)
    if v is None:
        if required:
            raise GatewayError(400, "missing_parameter", f"{p} is required", param=p)
        return None
    if not isinstance(v, dict):
        raise GatewayError(400, "invalid_type", f"{p} must be an object", param=p)
    return v


def get_list(
    body: dict, key: str, *, required: bool = False, max_items: int | None = None, min_items: int = 0, param: str | None = None
) -> list | None:
    """``body[key]`` as a JSON array with ``min_items``..``max_items`` items.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``).
    """
    p = param or key
    v = body.get(key)
    if v is None:
        if required:
            raise GatewayError(400, "missing_parameter", f"{p} is required", param=p)
        return None
    if not isinstance(v, list):
        raise GatewayError(400, "invalid_type", f"{p} must be an array", param=p)
    if len(v) < min_items or (max_items is not None and len(v) > max_items):
        raise GatewayError(400, "invalid_parameter", f"{p} must hold {min_items} to {max_items} items; got {len(v)}", param=p)
    return v


#: JSON type name -> test of a value that is not a number (numbers are checked by range above).
_TYPE_CHECKS: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "integer": lambda v: False,
    "number": lambda v: False,
}


def check_param(body: dict, p: Param, *, prefix: str = "") -> object:
    """Check ``body[p.name]`` against a catalog :class:`~mock_server.catalog.rules.Param`
    (type, choices, range); ``None`` when absent or ``null``.

    Raises:
        GatewayError: 400 naming ``prefix + p.name``.
    """
    name = prefix + p.name
    value = body.get(p.name)
    if value is None:
        if p.name in body and not p.nullable:
            raise GatewayError(400, "invalid_type", f"{name} must not be null", param=name)
        return None
    kinds = p.type.split("|")
    if p.choices:
        if value not in p.choices or isinstance(value, bool) != any(isinstance(c, bool) for c in p.choices):
            shown = repr(value[:40]) if isinstance(value, str) else repr(value)[:40]
            raise GatewayError(
                400,
                "invalid_value",
                f"Invalid value for {name}: {shown}. Supported values are: " + ", ".join(repr(c) for c in p.choices) + ".",
                param=name,
            )
        return value
    if "integer" in kinds and not isinstance(value, bool) and isinstance(value, int | float):
        return get_int(body, p.name, lo=_int(p.lo), hi=_int(p.hi), param=name)
    if "number" in kinds and not isinstance(value, bool) and isinstance(value, int | float):
        return get_float(body, p.name, lo=p.lo, hi=p.hi, param=name)
    if not any(_TYPE_CHECKS[k](value) for k in kinds):
        article = "an" if kinds[0][0] in "aeiou" else "a"
        raise GatewayError(400, "invalid_type", f"{name} must be {article} {' or '.join(kinds)}", param=name)
    return value


def _int(v: float | None) -> int | None:
    return None if v is None else int(v)
