"""House lint for the contracts, beyond what OpenAPI itself requires.

* :func:`spec_errors` — openapi-spec-validator (OpenAPI 3.1 structure and schemas);
* :func:`provenance_gaps` — operations, responses, headers and properties without ``x-provenance``;
* :func:`example_errors` — every example (media-type ``example``/``examples``, JSON Schema
  ``examples``) validates against its schema (Draft 2020-12; ``format`` as annotation, so a
  document's placeholders are judged by type and structure);
* :func:`quote_errors` — every documented quote occurs in the document it cites (whitespace
  and quoting normalised; ``…`` separates pieces that must each occur);
* :func:`tool_errors` — the contract is written so that the standard OpenAPI tools (client and
  type generators, Prism, Spectral) read it as it validates:

  - ``jsonSchemaDialect`` names OpenAPI 3.1's dialect (JSON Schema 2020-12), so a tool that
    defaults to draft-07 (Prism) honours ``minContains`` and friends;
  - every success response's JSON media type carries an example (a mock answers it, instead of
    a generated ``"string"`` that breaks the schema's own patterns);
  - every schema of ``type: array`` has ``items``, conditions included (Spectral ``array-items``);
  - an object nested in another (a property's value, an array's items, an ``anyOf``/``oneOf``
    branch) is a named component (``$ref``), so generators name its model once and never twice;
  - ``anyOf``/``oneOf`` are unions of types: every branch is a ``$ref`` or states a ``type``
    (or ``const``/``enum``); a rule across fields is a condition instead (``if``/``then``/``else``,
    ``dependentRequired``, ``not``), which generators ignore and validators apply;
  - an ``allOf`` holds ``$ref`` s, conditions, or a narrowing of the referenced object's
    properties; a narrowing to one value is written ``enum: [value]``, never ``const``
    (generators cannot merge a ``const`` into the base property's type);
  - no ``enum`` of booleans (openapi-python-client cannot build it): ``const`` or ``type: boolean``
    in a typed union; an ``enum`` that lists ``null`` stands alone, without ``type: [X, "null"]``
    (it accepts the same values, and openapi-python-client then builds one enum class, not three);
  - beside ``properties``, what other keys may hold is ``unevaluatedProperties``, not an
    ``additionalProperties`` schema, which openapi-typescript turns into an index signature that
    every declared property must also match (``additionalProperties: false`` is fine);
  - no two property names of one object that differ only in punctuation (``image``, ``image[]``):
    generators give them one field name; declare the rarer one where it applies (a condition),
    with ``unevaluatedProperties`` so that the declaration counts;
  - a schema with its own ``properties`` never has a single ``$ref`` as its only
    ``allOf``/``anyOf``/``oneOf`` member: openapi-python-client then reads it as that ``$ref`` and
    drops the properties (attach a condition component with ``dependentSchemas`` instead, or
    write the narrowing as a second ``allOf`` member).

  Conditions (``if``/``then``/``else``/``not``/``contains``/``dependentSchemas``/
  ``propertyNames``) restate constraints on properties declared elsewhere; only the ``items``
  rule looks inside them.

``imagegw contracts lint`` and ``tests/contracts/test_lint.py`` use these.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import provenance as prov
from .validate import Contract, expand_errors

__all__ = [
    "spec_errors",
    "provenance_gaps",
    "example_errors",
    "iter_examples",
    "quote_errors",
    "quote_missing",
    "tool_errors",
    "iter_schemas",
    "all_problems",
    "JSON_SCHEMA_DIALECT",
]

#: OpenAPI 3.1's own JSON Schema dialect (2020-12 plus the OAS vocabulary); ``jsonSchemaDialect``
#: must name it so that tools with another default (Prism: draft-07) validate as we do.
JSON_SCHEMA_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"

#: Keywords whose subschemas restate constraints (conditions), not declarations.
CONDITION_KEYWORDS = ("if", "then", "else", "not", "contains", "dependentSchemas", "propertyNames")


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
    text = text.replace('\\"', '"').replace("\u00a0", " ")
    text = re.sub(r"[“”]", '"', text)
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


def iter_schemas(spec: Mapping[str, Any]) -> Iterator[tuple[list[object], Mapping[str, Any], str, bool]]:
    """Yield ``(parts, schema, via, in_condition)`` for every inline schema of ``spec``.

    Roots are ``components.schemas`` entries and the schemas of media types, parameters and
    headers (under ``paths`` and ``components``); below them every subschema is visited.
    ``parts`` is the JSON-pointer path; ``via`` how the schema was reached from its parent:
    ``"root"``, ``"property"`` (a ``properties``/``patternProperties``/``additionalProperties``
    value), ``"items"`` (``items``/``prefixItems``), ``"allOf"``, ``"union"`` (an ``anyOf``/``oneOf``
    branch) or ``"condition"`` (see :data:`CONDITION_KEYWORDS`); ``in_condition`` is true anywhere
    below a condition. ``$ref`` objects are yielded but not followed.
    """

    def walk(node: Any, parts: list[object], via: str, cond: bool) -> Iterator[tuple[list[object], Mapping[str, Any], str, bool]]:
        if not isinstance(node, Mapping):
            return
        yield parts, node, via, cond
        if "$ref" in node:
            return
        for key in ("properties", "patternProperties"):
            for name, sub in (node.get(key) or {}).items():
                yield from walk(sub, [*parts, key, name], "property", cond)
        if isinstance(node.get("additionalProperties"), Mapping):
            yield from walk(node["additionalProperties"], [*parts, "additionalProperties"], "property", cond)
        if isinstance(node.get("items"), Mapping):
            yield from walk(node["items"], [*parts, "items"], "items", cond)
        for i, sub in enumerate(node.get("prefixItems") or []):
            yield from walk(sub, [*parts, "prefixItems", i], "items", cond)
        for i, sub in enumerate(node.get("allOf") or []):
            yield from walk(sub, [*parts, "allOf", i], "allOf", cond)
        for key in ("anyOf", "oneOf"):
            for i, sub in enumerate(node.get(key) or []):
                yield from walk(sub, [*parts, key, i], "union", cond)
        for key in CONDITION_KEYWORDS:
            sub = node.get(key)
            if key == "dependentSchemas" and isinstance(sub, Mapping):
                for name, dep in sub.items():
                    yield from walk(dep, [*parts, key, name], "condition", True)
            elif isinstance(sub, Mapping):
                yield from walk(sub, [*parts, key], "condition", True)

    def media(content: Any, parts: list[object]) -> Iterator[tuple[list[object], Mapping[str, Any], str, bool]]:
        for mt, obj in (content or {}).items() if isinstance(content, Mapping) else ():
            if isinstance(obj, Mapping) and "schema" in obj:
                yield from walk(obj["schema"], [*parts, mt, "schema"], "root", False)

    def holder(obj: Any, parts: list[object]) -> Iterator[tuple[list[object], Mapping[str, Any], str, bool]]:
        """A parameter, header, request body or response (not a ``$ref``)."""
        if not isinstance(obj, Mapping) or "$ref" in obj:
            return
        if "schema" in obj:
            yield from walk(obj["schema"], [*parts, "schema"], "root", False)
        yield from media(obj.get("content"), [*parts, "content"])
        for name, h in (obj.get("headers") or {}).items():
            yield from holder(h, [*parts, "headers", name])

    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        for i, param in enumerate(item.get("parameters") or []):
            yield from holder(param, ["paths", path, "parameters", i])
        for method in prov.HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            base: list[object] = ["paths", path, method]
            for i, param in enumerate(op.get("parameters") or []):
                yield from holder(param, [*base, "parameters", i])
            yield from holder(op.get("requestBody"), [*base, "requestBody"])
            for status, resp in (op.get("responses") or {}).items():
                yield from holder(resp, [*base, "responses", status])
    comps = spec.get("components") or {}
    for kind in ("parameters", "headers", "requestBodies", "responses"):
        for name, obj in (comps.get(kind) or {}).items():
            yield from holder(obj, ["components", kind, name])
    for name, schema in (comps.get("schemas") or {}).items():
        yield from walk(schema, ["components", "schemas", name], "root", False)


def _types(schema: Mapping[str, Any]) -> set[str]:
    t = schema.get("type")
    return {t} if isinstance(t, str) else set(t) if isinstance(t, list) else set()


def _success_example_gaps(spec: Mapping[str, Any]) -> list[str]:
    out = []
    for path, item in (spec.get("paths") or {}).items():
        for method in prov.HTTP_METHODS:
            op = item.get(method) if isinstance(item, Mapping) else None
            if not isinstance(op, Mapping):
                continue
            for status, raw in (op.get("responses") or {}).items():
                if not str(status).startswith("2"):
                    continue
                resp = prov.resolve(spec, raw)
                for mt, media in (resp.get("content") or {}).items():
                    if (
                        (mt == "application/json" or mt.endswith("+json"))
                        and isinstance(media, Mapping)
                        and "example" not in media
                        and not media.get("examples")
                    ):
                        where = (
                            raw["$ref"]
                            if isinstance(raw, Mapping) and "$ref" in raw
                            else prov.pointer(["paths", path, method, "responses", status])
                        )
                        out.append(
                            f"tools: {where} ({op.get('operationId')} {status}) {mt}: a success answer needs an example (mocks answer it)"
                        )
    return out


#: Keywords that make an inline allOf member a second type rather than a narrowing or a condition.
_DECLARING = frozenset(
    {"type", "items", "prefixItems", "additionalProperties", "patternProperties", "anyOf", "oneOf", "allOf", "enum", "const", "$defs"}
)


def _allof_base_properties(spec: Mapping[str, Any], node: Mapping[str, Any]) -> set[str]:
    """Names of the properties that ``node``'s ``allOf`` ``$ref`` s declare (their own ``allOf`` ``$ref`` s included)."""
    names: set[str] = set()
    seen: set[str] = set()
    todo = [m["$ref"] for m in node.get("allOf") or [] if isinstance(m, Mapping) and "$ref" in m]
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        target = prov.resolve(spec, {"$ref": ref})
        if isinstance(target, Mapping):
            names |= set(target.get("properties") or {})
            todo += [m["$ref"] for m in target.get("allOf") or [] if isinstance(m, Mapping) and "$ref" in m]
    return names


def tool_errors(contract: Contract) -> list[str]:
    """Where ``contract`` is written in a way the standard OpenAPI tools misread (see the module
    docstring for the rules); empty when there is none."""
    spec = contract.spec
    out = []
    if spec.get("jsonSchemaDialect") != JSON_SCHEMA_DIALECT:
        out.append(f"tools: jsonSchemaDialect must be {JSON_SCHEMA_DIALECT} (found {spec.get('jsonSchemaDialect')!r})")
    out += _success_example_gaps(spec)
    for parts, node, via, cond in iter_schemas(spec):
        where = prov.pointer(parts)
        if "array" in _types(node) and "items" not in node:
            out.append(f"tools: {where}: an array schema needs items")
        if cond or "$ref" in node:
            continue
        if via in ("property", "items", "union") and node.get("properties"):
            out.append(f"tools: {where}: a nested object needs a named component ($ref)")
        for key in ("anyOf", "oneOf"):
            for i, branch in enumerate(node.get(key) or []):
                if isinstance(branch, Mapping) and not ({"$ref", "type", "const", "enum"} & branch.keys()):
                    out.append(
                        f"tools: {where}/{key}/{i}: a {key} branch must be a $ref or state a type; "
                        "write a rule across fields as a condition (if/then/else, dependentRequired, not)"
                    )
        if any(isinstance(v, bool) for v in node.get("enum") or []):
            out.append(f"tools: {where}: an enum of booleans; write const or a typed anyOf (generators cannot build a boolean enum)")
        idents: dict[str, str] = {}
        for name in node.get("properties") or {}:
            ident = re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")
            if ident in idents:
                out.append(f"tools: {where}: properties {idents[ident]!r} and {name!r} get one name in generated code")
            idents.setdefault(ident, str(name))
        if None in (node.get("enum") or []) and isinstance(node.get("type"), list):
            out.append(
                f"tools: {where}: an enum that lists null beside type {node['type']}; drop the type "
                "(the enum accepts the same; generators build three enum classes otherwise)"
            )
        if node.get("properties") and isinstance(node.get("additionalProperties"), Mapping):
            out.append(
                f"tools: {where}: additionalProperties is a schema beside properties; write "
                "unevaluatedProperties (type generators make it an index signature every property must match)"
            )
        members = [m for key in ("allOf", "anyOf", "oneOf") for m in node.get(key) or []]
        if node.get("properties") and len(members) == 1 and isinstance(members[0], Mapping) and "$ref" in members[0]:
            out.append(
                f"tools: {where}: its only allOf/anyOf/oneOf member is a $ref, so generators read it as "
                f"{members[0]['$ref']} and drop its own properties"
            )
        base = _allof_base_properties(spec, node)
        holders = [node] if node.get("allOf") else []
        for i, member in enumerate(node.get("allOf") or []):
            if not isinstance(member, Mapping) or "$ref" in member:
                continue
            holders.append(member)
            declared = sorted(member.keys() & _DECLARING)
            if declared:
                out.append(
                    f"tools: {where}/allOf/{i}: an allOf member is a $ref, a condition or a narrowing of properties (found {declared})"
                )
        for holder_node in holders:
            for name, prop in (holder_node.get("properties") or {}).items():
                if name in base and isinstance(prop, Mapping) and "const" in prop:
                    out.append(
                        f"tools: {where}: property {name!r} of the allOf base narrowed with const; "
                        f"write enum: [{json.dumps(prop['const'])}]"
                    )
    return out


def all_problems(contract: Contract, docs_dir: Path | None = None) -> list[str]:
    """Every lint problem of ``contract`` (quotes are checked only when ``docs_dir`` is given)."""
    problems = spec_errors(contract) + provenance_gaps(contract) + example_errors(contract) + tool_errors(contract)
    if docs_dir is not None and docs_dir.is_dir():
        problems += quote_errors(contract, docs_dir)
    return problems
