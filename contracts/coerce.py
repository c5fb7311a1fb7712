"""A message's text parts read as the JSON their schema asks for (OpenAPI 3.1 §4.8.12
Parameter Object, §4.8.14 Encoding Object): header, query and form strings coerced to the
schema's ``integer`` / ``number`` / ``boolean``, a form's repeated ``name[]`` fields gathered into
its array property, and ``multipart/form-data`` (RFC 7578) parsed into ``{name: str | list}``.
Used by :class:`contracts.validate.Contract` before the schema check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from . import provenance as prov_mod
from .provenance import resolve


def schema_types(schema: Mapping[str, Any]) -> set[str]:
    t = schema.get("type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return set(t)
    return set()


def coerce(value: str, schema: Mapping[str, Any]) -> Any:
    """A header/query/form string as the JSON type its schema asks for (when it parses)."""
    if not isinstance(value, str):
        return value
    types = schema_types(schema)
    if "string" in types or not types:
        return value
    if "integer" in types and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if "number" in types:
        try:
            return float(value)
        except ValueError:
            pass
    if "boolean" in types and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def merged_properties(spec: Mapping[str, Any], schema: Any) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for s in prov_mod._expand(spec, schema):
        for name, sub in (s.get("properties") or {}).items():
            props.setdefault(name, resolve(spec, sub))
    return props


def coerce_form(spec: Mapping[str, Any], form: dict[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in form.items():
        key = name[:-2] if name.endswith("[]") and name[:-2] in props else name
        schema = props.get(key) or {}
        values = value if isinstance(value, list) else [value]
        if "array" in schema_types(schema):
            items = resolve(spec, schema.get("items")) if isinstance(schema.get("items"), Mapping) else {}
            out[key] = [coerce(v, items) if isinstance(v, str) else v for v in values]
        else:
            conv = [coerce(v, schema) if isinstance(v, str) else v for v in values]
            out[key] = conv[0] if len(conv) == 1 else conv
    return out


def parse_multipart(raw: bytes, ctype: str) -> dict[str, Any]:
    """``multipart/form-data`` -> ``{name: str | list}``; file parts become their bytes decoded as latin-1."""
    msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + raw)
    fields: dict[str, list[Any]] = {}
    if not msg.is_multipart():
        return {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        if part.get_param("filename", header="content-disposition") is not None:
            value: Any = payload.decode("latin-1")
        else:
            charset = part.get_content_charset() or "utf-8"
            value = payload.decode(charset, "replace")
        fields.setdefault(name, []).append(value)
    return {k: (v[0] if len(v) == 1 else v) for k, v in fields.items()}
