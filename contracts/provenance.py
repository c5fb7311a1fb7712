"""Provenance: which parts of a contract the documents state and which we only inferred.

Every operation, response, header and schema property of a contract carries an
``x-provenance`` object (OpenAPI extension; conventions in ARCHITECTURE.md, "Provenance")::

    {kind: documented, doc: "004_7b73b03c392231b5.txt", quote: "short quote"}
    {kind: inferred,   from: "upstream Ark error body"}

Inferred parts are where drift is most likely, so drift reports name them. This module walks a
contract (a plain ``dict`` as parsed from YAML) and answers three questions:

* :func:`walk` — every ``x-provenance`` object and where it sits (JSON pointer);
* :func:`missing` — the operations, responses, headers and properties that lack one (a lint);
* :func:`at_instance_path` — the provenance governing a location inside a request or response
  body, given the schema that validates it (used to mark findings documented or inferred).

It imports nothing from ``mock_server``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .wire import pointer, unpointer

__all__ = ["Provenance", "InferredPart", "walk", "missing", "at_instance_path", "label_for", "resolve", "resolve_schema"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Provenance:
    """One ``x-provenance`` object.

    Attributes:
        kind: ``"documented"`` or ``"inferred"`` (anything else is kept as written).
        doc: the document file name (documented parts).
        quote: a short quote from that document (documented parts).
        source: what an inferred part is inferred from (the ``from`` key).
    """

    kind: str
    doc: str | None = None
    quote: str | None = None
    source: str | None = None

    @property
    def documented(self) -> bool:
        return self.kind == "documented"

    def as_dict(self) -> dict[str, Any]:
        """``{"kind", "doc"?, "quote"?, "from"?}``: the ``x-provenance`` object as the contract spells it."""
        d: dict[str, Any] = {"kind": self.kind}
        if self.doc:
            d["doc"] = self.doc
        if self.quote:
            d["quote"] = self.quote
        if self.source:
            d["from"] = self.source
        return d

    def describe(self) -> str:
        """One line for reports: ``documented (004_….txt: "quote")`` or ``inferred (from …)``."""
        if self.kind == "documented":
            return f'documented ({self.doc}: "{self.quote}")' if self.doc else "documented"
        if self.kind == "inferred":
            return f"inferred (from {self.source})" if self.source else "inferred"
        return self.kind

    @classmethod
    def from_obj(cls, obj: object) -> Provenance | None:
        """Parse an ``x-provenance`` value; ``None`` when it is not an object with a ``kind``."""
        if not isinstance(obj, Mapping) or not isinstance(obj.get("kind"), str):
            return None
        return cls(kind=obj["kind"], doc=obj.get("doc"), quote=obj.get("quote"), source=obj.get("from"))


@dataclass(frozen=True)
class InferredPart:
    """An inferred part of a contract.

    Attributes:
        gateway: gateway id (``"powertokens"`` …).
        pointer: JSON pointer of the object carrying the ``x-provenance`` inside the contract.
        label: a short human name, e.g. ``"POST /v1/images/generations"``,
            ``"response TooManyRequests"``, ``"schema CreateImageRequest.seed"``.
        source: what it is inferred from.
    """

    gateway: str
    pointer: str
    label: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"gateway": self.gateway, "pointer": self.pointer, "label": self.label, "from": self.source}


def resolve(spec: Mapping[str, Any], obj: Any, *, depth: int = 0) -> Any:
    """Follow local ``$ref`` (``"#/components/…"``) in ``obj`` until a non-reference; other refs stay.

    Raises:
        KeyError: a local reference that points nowhere.
    """
    while isinstance(obj, Mapping) and isinstance(obj.get("$ref"), str) and obj["$ref"].startswith("#") and depth < 32:
        target: Any = spec
        for token in unpointer(obj["$ref"]):
            target = target[int(token)] if isinstance(target, list) else target[token]
        obj, depth = target, depth + 1
    return obj


def resolve_schema(spec: Mapping[str, Any], node: Any) -> Any:
    """Like :func:`resolve`, for schemas and other objects whose ``$ref`` may have siblings (OpenAPI
    3.1 allows them, e.g. an ``x-provenance`` or a ``description`` beside the reference): the
    siblings are laid over the target. A reference that points nowhere, or outside the document,
    gives ``{}`` (a schema that says nothing) instead of an error."""
    for _ in range(32):
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            return node
        ref = node["$ref"]
        try:
            target = resolve(spec, {"$ref": ref}) if ref.startswith("#") else None
        except (KeyError, IndexError, ValueError, TypeError):
            target = None
        if not isinstance(target, Mapping):
            return {}
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **siblings} if siblings else target
    return node


# -- walking ---------------------------------------------------------------------------------------


def walk(spec: Mapping[str, Any]) -> Iterator[tuple[str, Provenance]]:
    """Yield ``(pointer, provenance)`` for every ``x-provenance`` in ``spec`` (document order)."""

    def rec(node: Any, parts: list[object]) -> Iterator[tuple[str, Provenance]]:
        if isinstance(node, Mapping):
            prov = Provenance.from_obj(node.get("x-provenance"))
            if prov is not None:
                yield pointer(parts), prov
            for key, value in node.items():
                if key == "x-provenance":
                    continue
                yield from rec(value, [*parts, key])
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from rec(value, [*parts, i])

    yield from rec(spec, [])


def label_for(ptr: str) -> str:
    """A short human name for the contract part at ``ptr`` (see :class:`InferredPart`)."""
    t = unpointer(ptr)
    if not t:
        return "contract"
    if t[0] == "paths" and len(t) >= 2:
        path = t[1]
        if len(t) == 2:
            return f"path {path}"
        method = t[2].upper() if t[2] in HTTP_METHODS else t[2]
        rest = t[3:]
        head = f"{method} {path}"
        if not rest:
            return head
        if rest[0] == "responses" and len(rest) >= 2:
            tail = f" response {rest[1]}" + (" " + _schema_tail(rest[2:]) if len(rest) > 2 else "")
            return head + tail.rstrip()
        if rest[0] == "requestBody":
            return head + " request body" + (" " + _schema_tail(rest[1:]) if len(rest) > 1 else "")
        if rest[0] == "parameters" and len(rest) >= 2:
            return head + f" parameter #{rest[1]}"
        return head + " " + "/".join(rest)
    if t[0] == "components" and len(t) >= 3:
        section, name, rest = t[1], t[2], t[3:]
        kind = {
            "schemas": "schema",
            "responses": "response",
            "headers": "header",
            "parameters": "parameter",
            "requestBodies": "request body",
            "securitySchemes": "security scheme",
            "examples": "example",
            "links": "link",
        }.get(section, section)
        if section == "schemas":
            return f"schema {name}" + _props_tail(rest)
        return f"{kind} {name}" + (" " + _schema_tail(rest) if rest else "")
    if t[0] == "servers":
        return "servers[" + "][".join(t[1:]) + "]"
    return "/".join(t)


def _props_tail(rest: Sequence[str]) -> str:
    names: list[str] = []
    other: list[str] = []
    i = 0
    while i < len(rest):
        if rest[i] in ("properties", "patternProperties") and i + 1 < len(rest):
            names.append(rest[i + 1])
            i += 2
        elif rest[i] in ("items", "additionalProperties"):
            names.append("[]" if rest[i] == "items" else "*")
            i += 1
        else:
            other.append(rest[i])
            i += 1
    out = "".join(("." + n if n not in ("[]",) else n) for n in names)
    if other:
        out += " (" + "/".join(other) + ")"
    return out


def _schema_tail(rest: Sequence[str]) -> str:
    if not rest:
        return ""
    if rest[0] == "headers" and len(rest) >= 2:
        return f"header {rest[1]}"
    if rest[0] == "content" and len(rest) >= 2:
        media = rest[1]
        sub = rest[2:]
        if sub and sub[0] == "schema":
            return f"{media}" + _props_tail(sub[1:])
        if sub and sub[0] == "examples" and len(sub) >= 2:
            return f"{media} example {sub[1]}"
        return media + ("/" + "/".join(sub) if sub else "")
    if rest[0] == "links" and len(rest) >= 2:
        return f"link {rest[1]}"
    return "/".join(rest)


def inferred(spec: Mapping[str, Any], gateway: str) -> list[InferredPart]:
    """Every inferred part of ``spec`` as :class:`InferredPart` (document order)."""
    return [
        InferredPart(gateway, ptr, label_for(ptr), prov.source or "(no source given)")
        for ptr, prov in walk(spec)
        if prov.kind == "inferred"
    ]


# -- lint: where provenance is required -------------------------------------------------------------


def missing(spec: Mapping[str, Any]) -> list[str]:
    """Pointers of operations, responses, headers and schema properties without ``x-provenance``.

    A ``$ref`` stands for its target (the target is checked where it is defined). Schema
    properties are checked everywhere a schema can appear: ``components.schemas``, request
    bodies, responses and parameters, including inside ``allOf``/``anyOf``/``oneOf``/``items``;
    not inside ``if``/``then``/``else``/``not``/``contains``, which only restate constraints on
    properties declared elsewhere, nor for a property an ``allOf``/``anyOf``/``oneOf`` branch
    narrows that the enclosing schema declares itself.
    """
    out: list[str] = []

    def need(node: Any, parts: list[object]) -> None:
        if isinstance(node, Mapping) and "$ref" not in node and Provenance.from_obj(node.get("x-provenance")) is None:
            out.append(pointer(parts))

    def schema(node: Any, parts: list[object], declared: frozenset[str] = frozenset(), restating: bool = False) -> None:
        if not isinstance(node, Mapping) or "$ref" in node:
            return
        for key in ("properties", "patternProperties"):
            props = node.get(key)
            if isinstance(props, Mapping):
                for name, sub in props.items():
                    again = restating or (key == "properties" and name in declared)
                    if not again:
                        need(sub, [*parts, key, name])
                    schema(sub, [*parts, key, name], restating=again)
        # ``if``/``then``/``else``/``not``/``contains`` restate constraints on properties declared
        # elsewhere (conditions, not declarations): their ``properties`` need no provenance of their own
        for key in ("items", "additionalProperties", "unevaluatedProperties"):
            if isinstance(node.get(key), Mapping):
                schema(node[key], [*parts, key], restating=restating)
        # a branch of allOf/anyOf/oneOf that names a property its parent declares only narrows it
        # (e.g. one branch per model with that model's sizes): the declaration carries the provenance
        own = frozenset(node["properties"]) if isinstance(node.get("properties"), Mapping) else frozenset()
        for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
            if isinstance(node.get(key), list):
                for i, sub in enumerate(node[key]):
                    schema(sub, [*parts, key, i], own if key != "prefixItems" else frozenset(), restating)

    def media(content: Any, parts: list[object]) -> None:
        if isinstance(content, Mapping):
            for mt, obj in content.items():
                if isinstance(obj, Mapping) and isinstance(obj.get("schema"), Mapping):
                    schema(obj["schema"], [*parts, mt, "schema"])

    def response(node: Any, parts: list[object]) -> None:
        need(node, parts)
        if not isinstance(node, Mapping) or "$ref" in node:
            return
        for hname, h in (node.get("headers") or {}).items():
            need(h, [*parts, "headers", hname])
        media(node.get("content"), [*parts, "content"])

    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            base: list[object] = ["paths", path, method]
            need(op, base)
            body = op.get("requestBody")
            if isinstance(body, Mapping) and "$ref" not in body:
                media(body.get("content"), [*base, "requestBody", "content"])
            for i, param in enumerate(op.get("parameters") or []):
                need(param, [*base, "parameters", i])
            for status, resp in (op.get("responses") or {}).items():
                response(resp, [*base, "responses", status])
    comps = spec.get("components") or {}
    for name, resp in (comps.get("responses") or {}).items():
        response(resp, ["components", "responses", name])
    for name, h in (comps.get("headers") or {}).items():
        need(h, ["components", "headers", name])
    for name, p in (comps.get("parameters") or {}).items():
        need(p, ["components", "parameters", name])
    for name, rb in (comps.get("requestBodies") or {}).items():
        if isinstance(rb, Mapping):
            media(rb.get("content"), ["components", "requestBodies", name, "content"])
    for name, s in (comps.get("schemas") or {}).items():
        need(s, ["components", "schemas", name])
        schema(s, ["components", "schemas", name])
    return out


# -- provenance of a location inside a body ----------------------------------------------------------


def _expand(spec: Mapping[str, Any], node: Any, seen: int = 0) -> list[Mapping[str, Any]]:
    """``node`` and every schema it applies in place (``$ref``, ``allOf``/``anyOf``/``oneOf``, ``then``/``else``)."""
    out: list[Mapping[str, Any]] = []
    stack = [node]
    while stack and seen < 256:
        cur = stack.pop()
        seen += 1
        if not isinstance(cur, Mapping):
            continue
        if isinstance(cur.get("$ref"), str) and cur["$ref"].startswith("#"):
            try:
                stack.append(resolve(spec, {"$ref": cur["$ref"]}))
            except (KeyError, IndexError, ValueError):
                pass
        out.append(cur)
        for key in ("allOf", "anyOf", "oneOf"):
            if isinstance(cur.get(key), list):
                stack.extend(reversed(cur[key]))
        for key in ("then", "else"):
            if isinstance(cur.get(key), Mapping):
                stack.append(cur[key])
    return out


def at_instance_path(spec: Mapping[str, Any], schema: Any, path: Sequence[object]) -> Provenance | None:
    """The provenance governing ``path`` (instance path tokens) in data validated by ``schema``.

    Walks ``properties`` / ``patternProperties`` / ``additionalProperties`` / ``items`` /
    ``prefixItems`` along ``path`` (through ``$ref`` and combinators) and returns the deepest
    ``x-provenance`` met, or ``None`` when there is none.
    """
    import re

    found: Provenance | None = None
    current = _expand(spec, schema)
    for s in current:
        found = Provenance.from_obj(s.get("x-provenance")) or found
        if found:
            break
    for token in path:
        nxt: list[Any] = []
        for s in current:
            if isinstance(token, int) or (isinstance(token, str) and token.isdigit() and "items" in s):
                idx = int(token)
                prefix = s.get("prefixItems")
                if isinstance(prefix, list) and idx < len(prefix):
                    nxt.append(prefix[idx])
                elif isinstance(s.get("items"), Mapping):
                    nxt.append(s["items"])
                continue
            props = s.get("properties")
            if isinstance(props, Mapping) and token in props:
                nxt.append(props[token])
                continue
            matched = False
            for pat, sub in (s.get("patternProperties") or {}).items():
                try:
                    if re.search(pat, str(token)):
                        nxt.append(sub)
                        matched = True
                except re.error:
                    pass
            if not matched and isinstance(s.get("additionalProperties"), Mapping):
                nxt.append(s["additionalProperties"])
        if not nxt:
            break
        current = [e for n in nxt for e in _expand(spec, n)]
        for s in current:
            prov = Provenance.from_obj(s.get("x-provenance"))
            if prov is not None:
                found = prov
                break
    return found
