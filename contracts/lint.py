"""House lint for the contracts, beyond what OpenAPI itself requires.

* :func:`spec_errors` — openapi-spec-validator (OpenAPI 3.1 structure and schemas);
* :func:`provenance_gaps` — operations, responses, headers and properties without ``x-provenance``;
* :func:`example_errors` — every example (media-type ``example``/``examples``, JSON Schema
  ``examples``) validates against its schema (Draft 2020-12; ``format`` as annotation, so a
  document's placeholders are judged by type and structure);
* :func:`quote_errors` — every documented quote occurs in the document it cites (whitespace
  and quoting normalised; ``…`` separates pieces that must each occur).

``imagegw contracts lint`` and ``tests/contracts/test_lint.py`` use these.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import provenance as prov
from .validate import Contract, expand_errors

__all__ = ["spec_errors", "provenance_gaps", "example_errors", "iter_examples", "quote_errors", "quote_missing",
           "all_problems"]


def spec_errors(contract: Contract) -> list[str]:
    """openapi-spec-validator's findings for ``contract`` (empty when valid)."""
    from openapi_spec_validator import OpenAPIV31SpecValidator

    out = []
    for err in OpenAPIV31SpecValidator(contract.spec).iter_errors():
        where = "/".join(str(p) for p in getattr(err, "absolute_path", []) or [])
        out.append(f"openapi: {where or '(root)'}: {str(getattr(err, 'message', err))[:300]}")
    return out


def provenance_gaps(contract: Contract) -> list[str]:
    """Pointers (with labels) of parts that need ``x-provenance`` and lack it."""
    return [f"x-provenance missing: {p} ({prov.label_for(p)})" for p in prov.missing(contract.spec)]


def iter_examples(contract: Contract) -> Iterator[tuple[str, str, Any]]:
    """Yield ``(example_pointer, schema_pointer, value)`` for every example in the contract.

    Covers media types of operations' request bodies and responses, ``components.responses`` and
    ``components.requestBodies`` (``example`` and ``examples.*.value``, ``$ref`` to
    ``components.examples`` followed), and JSON Schema ``examples`` arrays anywhere under
    ``components.schemas`` and inline media-type schemas.
    """
    spec = contract.spec

    def media(content: Any, parts: list[object]) -> Iterator[tuple[str, str, Any]]:
        if not isinstance(content, Mapping):
            return
        for mt, obj in content.items():
            if not isinstance(obj, Mapping) or "schema" not in obj:
                continue
            sptr = prov.pointer([*parts, mt, "schema"])
            if "example" in obj:
                yield prov.pointer([*parts, mt, "example"]), sptr, obj["example"]
            for name, ex in (obj.get("examples") or {}).items():
                ex = prov.resolve(spec, ex)
                if isinstance(ex, Mapping) and "value" in ex:
                    yield prov.pointer([*parts, mt, "examples", name, "value"]), sptr, ex["value"]
            yield from schema_examples(obj["schema"], [*parts, mt, "schema"])

    def schema_examples(node: Any, parts: list[object]) -> Iterator[tuple[str, str, Any]]:
        if isinstance(node, Mapping):
            if "$ref" not in node and isinstance(node.get("examples"), list):
                for i, value in enumerate(node["examples"]):
                    yield prov.pointer([*parts, "examples", i]), prov.pointer(parts), value
            for key, value in node.items():
                if key in ("examples", "x-provenance", "enum", "const", "default"):
                    continue
                yield from schema_examples(value, [*parts, key])
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from schema_examples(value, [*parts, i])

    def response(resp: Any, parts: list[object]) -> Iterator[tuple[str, str, Any]]:
        if isinstance(resp, Mapping) and "$ref" not in resp:
            yield from media(resp.get("content"), [*parts, "content"])

    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        for method in prov.HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            base: list[object] = ["paths", path, method]
            rb = op.get("requestBody")
            if isinstance(rb, Mapping) and "$ref" not in rb:
                yield from media(rb.get("content"), [*base, "requestBody", "content"])
            for status, resp in (op.get("responses") or {}).items():
                yield from response(resp, [*base, "responses", status])
    comps = spec.get("components") or {}
    for name, resp in (comps.get("responses") or {}).items():
        yield from response(resp, ["components", "responses", name])
    for name, rb in (comps.get("requestBodies") or {}).items():
        if isinstance(rb, Mapping):
            yield from media(rb.get("content"), ["components", "requestBodies", name, "content"])
    for name, s in (comps.get("schemas") or {}).items():
        yield from schema_examples(s, ["components", "schemas", name])


def example_errors(contract: Contract) -> list[str]:
    """One line per example that does not validate against its schema."""
    out = []
    for ex_ptr, schema_ptr, value in iter_examples(contract):
        validator = contract.schema_validator(schema_ptr, formats=False)
        for err in expand_errors(validator.iter_errors(value)):
            where = prov.pointer(list(err.absolute_path))
            out.append(f"example {ex_ptr}{(' at ' + where) if where else ''}: {err.message[:200]}")
    return out


def _norm(text: str) -> str:
    text = text.replace("\\\"", "\"").replace("\u00a0", " ")
    text = re.sub(r"[“”]", "\"", text)
    text = re.sub(r"[‘’]", "'", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def quote_errors(contract: Contract, docs_dir: Path) -> list[str]:
    """Documented parts whose ``quote`` is not found in the ``doc`` they cite (under ``docs_dir``)."""
    cache: dict[str, str | None] = {}
    out = []
    for ptr, p in prov.walk(contract.spec):
        if p.kind != "documented":
            continue
        if not p.doc or not p.quote:
            out.append(f"{ptr}: documented provenance needs both doc and quote")
            continue
        if p.doc not in cache:
            f = docs_dir / p.doc
            cache[p.doc] = _norm(f.read_text(encoding="utf-8")) if f.is_file() else None
        text = cache[p.doc]
        if text is None:
            out.append(f"{ptr}: cites {p.doc}, which is not in {docs_dir}")
            continue
        missing = _missing_piece(p.quote, text)
        if missing is not None:
            out.append(f"{ptr}: quote not found in {p.doc}: {missing[:100]!r}")
    return out


def _missing_piece(quote: str, normalised_text: str) -> str | None:
    pieces = [q for q in re.split(r"…|\.\.\.(?=\s)", quote) if q.strip()]
    return next((q for q in pieces if _norm(q) not in normalised_text), None)


def quote_missing(quote: str, document_text: str) -> str | None:
    """The first piece of ``quote`` (pieces separated by ``…`` or ``... ``) that does not occur in
    ``document_text`` (whitespace and quoting normalised), or ``None`` when every piece occurs.
    The same test :func:`quote_errors` applies to the contracts; the model catalog's quotes use it too."""
    return _missing_piece(quote, _norm(document_text))


def all_problems(contract: Contract, docs_dir: Path | None = None) -> list[str]:
    """Every lint problem of ``contract`` (quotes are checked only when ``docs_dir`` is given)."""
    problems = spec_errors(contract) + provenance_gaps(contract) + example_errors(contract)
    if docs_dir is not None and docs_dir.is_dir():
        problems += quote_errors(contract, docs_dir)
    return problems
