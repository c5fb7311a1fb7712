"""Structural comparison of a JSON value with a contract's schema: *what* differs, not only *whether*.

``jsonschema`` (used by :meth:`contracts.Contract.validate_response`) answers "is this valid?";
drift detection needs "what changed": a field added or removed, a type changed, a value now
``null``, a value outside an enum. :class:`SchemaDiff` walks an OpenAPI 3.1 schema of one
contract — ``$ref`` (siblings kept, :func:`contracts.provenance.resolve_schema`), ``allOf``,
``oneOf``/``anyOf`` (the best branch), ``if``/``then``/``else``, ``properties``, ``required``,
``additionalProperties``, ``items``/``prefixItems``, ``type`` lists, ``enum``, ``const`` — beside the
observed value and reports :class:`Diff` items at JSON-pointer locations inside the value.
Keywords that have no structural meaning (``pattern``, ``format``, ranges) are left to the
validator.

It also answers the lookups a comparison needs: the schemas at a pointer (:meth:`SchemaDiff.lookup`),
whether a property is declared and whether the object is closed (:meth:`SchemaDiff.declared`), the
values an enum allows there (:meth:`SchemaDiff.enum_at`), each with the ``x-provenance`` of the part
of the contract concerned.

Locations use RFC 6901 pointers built with :func:`contracts.provenance.pointer`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .provenance import Provenance, resolve_schema
from .wire import pointer, unpointer

__all__ = ["Diff", "SchemaDiff", "json_type", "join"]

#: The structural kinds a :class:`Diff` can have.
DIFF_KINDS = ("field_added", "field_removed", "type_changed", "now_nullable", "enum_value_new")


def join(base: str, token: str | int) -> str:
    """``base`` + ``/`` + the escaped ``token`` (RFC 6901)."""
    return base + pointer([token])


_JSON_TYPES: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value: null, boolean, integer, number, string, array, object
    (another Python type: its own name)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _type_ok(value: Any, types: set[str]) -> bool:
    t = json_type(value)
    if t in types:
        return True
    if t == "integer" and "number" in types:
        return True
    return t == "number" and "integer" in types and float(value).is_integer()


def _cost(diffs: list[Diff]) -> tuple[int, int]:
    """How bad a branch's differences are: breaking ones first, then how many."""
    return sum(1 for d in diffs if d.breaking), len(diffs)


def _prov(node: Any) -> Provenance | None:
    return Provenance.from_obj(node.get("x-provenance")) if isinstance(node, Mapping) else None


@dataclass
class Diff:
    """One structural difference between an observed value and a schema.

    Attributes:
        kind: one of :data:`DIFF_KINDS`.
        location: JSON pointer into the value.
        expected / observed: what the schema allows, what the value holds (short, JSON-able).
        breaking: whether a client written against the schema can break.
        provenance: ``x-provenance`` of the schema part involved, when known.
        note: a short explanation (e.g. "the contract allows other fields").
    """

    kind: str
    location: str
    expected: Any
    observed: Any
    breaking: bool
    provenance: Provenance | None = None
    note: str = ""


class SchemaDiff:
    """Compares JSON values with the schemas of one OpenAPI document.

    Args:
        spec: the contract document (:attr:`contracts.Contract.spec`); ``$ref`` resolve inside it.
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec

    def resolve(self, node: Any) -> Any:
        """``node`` with local ``$ref`` followed (siblings laid over the target)."""
        return resolve_schema(self.spec, node)

    # -- structure --------------------------------------------------------------------------------
    def _subschemas(self, s: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
        for key in ("allOf", "oneOf", "anyOf"):
            for sub in s.get(key, []) or []:
                r = self.resolve(sub)
                if isinstance(r, Mapping):
                    yield r
        for key in ("then", "else"):
            r = self.resolve(s.get(key))
            if isinstance(r, Mapping):
                yield r

    def declared(self, schema: Any, _depth: int = 0) -> tuple[set[str] | None, bool]:
        """``(names, closed)``: every property name declared at this level (through ``allOf``,
        ``oneOf``, ``anyOf``, ``then``/``else``), ``None`` when none is or the object is a map;
        ``closed`` when ``additionalProperties``/``unevaluatedProperties`` is ``false``."""
        s = self.resolve(schema)
        if not isinstance(s, Mapping) or _depth > 16:
            return None, False
        names: set[str] | None = set(s["properties"]) if isinstance(s.get("properties"), Mapping) else None
        closed = s.get("additionalProperties") is False or s.get("unevaluatedProperties") is False
        if isinstance(s.get("additionalProperties"), Mapping) or s.get("patternProperties"):
            return None, False  # a map: any key is declared
        for sub in self._subschemas(s):
            sub_names, sub_closed = self.declared(sub, _depth + 1)
            if sub_names is not None:
                names = (names or set()) | sub_names
            closed = closed or (sub_closed and sub is not s)
        return names, closed

    @staticmethod
    def _types(s: Mapping[str, Any]) -> set[str] | None:
        t = s.get("type")
        if isinstance(t, str):
            return {t}
        if isinstance(t, list):
            return {str(x) for x in t}
        return None

    # -- comparison -------------------------------------------------------------------------------
    def compare(self, value: Any, schema: Any, location: str = "") -> list[Diff]:
        """Differences between ``value`` and ``schema`` (one per kind and location).

        ``field_added`` is breaking only when the object is closed; every other kind is breaking.
        Of several ``oneOf``/``anyOf`` branches, the one with the fewest breaking differences counts.
        """
        seen: set[tuple[str, str]] = set()
        unique: list[Diff] = []
        for d in self._compare(value, schema, location, True, 0, None):
            if (d.kind, d.location) not in seen:
                seen.add((d.kind, d.location))
                unique.append(d)
        return unique

    def _compare(self, value: Any, schema: Any, loc: str, entry: bool, depth: int, prov: Provenance | None) -> list[Diff]:
        s = self.resolve(schema)
        if depth > 48 or not isinstance(s, Mapping) or not s:
            return []
        prov = _prov(s) or prov
        types = self._types(s)
        if types is not None and not _type_ok(value, types):
            if value is None:
                return [Diff("now_nullable", loc, sorted(types), None, True, prov)]
            return [Diff("type_changed", loc, sorted(types), json_type(value), True, prov)]
        out: list[Diff] = []
        allowed = [s["const"]] if "const" in s else (list(s["enum"]) if isinstance(s.get("enum"), list) else None)
        if allowed is not None and value not in allowed and not isinstance(value, (dict, list)):
            allowed_types = {json_type(a) for a in allowed}
            if value is None:
                out.append(Diff("now_nullable", loc, allowed, None, True, prov))
            elif not _type_ok(value, allowed_types):  # "400" where 400 is the only value: a type change
                out.append(Diff("type_changed", loc, sorted(allowed_types), json_type(value), True, prov))
            else:
                out.append(Diff("enum_value_new", loc, allowed, value, True, prov))
        for sub in s.get("allOf", []) or []:
            out += self._compare(value, sub, loc, False, depth + 1, prov)
        for key in ("oneOf", "anyOf"):
            branches = s.get(key)
            if isinstance(branches, list) and branches:
                results: list[list[Diff]] = [self._compare(value, b, loc, False, depth + 1, prov) for b in branches]
                best: list[Diff] = min(results, key=_cost)
                out += best
        if "if" in s:
            cond = self._compare(value, s["if"], loc, False, depth + 1, prov)
            branch = s.get("then") if not cond else s.get("else")
            if branch is not None:
                out += self._compare(value, branch, loc, False, depth + 1, prov)
        if isinstance(value, dict):
            out += self._compare_object(value, s, loc, entry, depth, prov)
        elif isinstance(value, list):
            items = s.get("items")
            prefix: list[Any] = s["prefixItems"] if isinstance(s.get("prefixItems"), list) else []
            for i, item in enumerate(value):
                sub = prefix[i] if i < len(prefix) else items
                if sub is not None and sub is not False:
                    out += self._compare(item, sub, join(loc, i), True, depth + 1, prov)
        return out

    def _compare_object(
        self, value: dict[str, Any], s: Mapping[str, Any], loc: str, entry: bool, depth: int, prov: Provenance | None
    ) -> list[Diff]:
        out: list[Diff] = []
        props: Mapping[str, Any] = s["properties"] if isinstance(s.get("properties"), Mapping) else {}
        for name in s.get("required", []) or []:
            if name not in value:
                p = _prov(self.resolve(props.get(name))) or prov
                out.append(Diff("field_removed", join(loc, name), "present (required)", "absent", True, p))
        ap = self.resolve(s.get("additionalProperties"))
        for k, v in value.items():
            if k in props:
                out += self._compare(v, props[k], join(loc, k), True, depth + 1, prov)
            elif isinstance(ap, Mapping) and ap:
                out += self._compare(v, ap, join(loc, k), True, depth + 1, prov)
        if entry:
            names, closed = self.declared(s)
            if names is not None:
                for k in value:
                    if k not in names:
                        out.append(
                            Diff(
                                "field_added",
                                join(loc, k),
                                "not in the contract",
                                json_type(value[k]),
                                closed,
                                prov,
                                note="the contract forbids other fields" if closed else "the contract allows other fields",
                            )
                        )
        return out

    # -- lookups ----------------------------------------------------------------------------------
    def _children(self, s: Mapping[str, Any], token: str) -> list[tuple[Mapping[str, Any], bool]]:
        """Schemas for ``token`` one level below ``s``: ``(schema, required_in_parent)``."""
        found: list[tuple[Mapping[str, Any], bool]] = []

        def visit(node: Any, depth: int) -> None:
            n = self.resolve(node)
            if not isinstance(n, Mapping) or depth > 16:
                return
            props = n.get("properties")
            if isinstance(props, Mapping) and token in props:
                child = self.resolve(props[token])
                if isinstance(child, Mapping):
                    found.append((child, token in (n.get("required") or [])))
            if (token.isdigit() or token == "-") and isinstance(n.get("items"), Mapping):
                child = self.resolve(n["items"])
                if isinstance(child, Mapping):
                    found.append((child, True))
            for sub in self._subschemas(n):
                visit(sub, depth + 1)

        visit(s, 0)
        return found

    def lookup(self, schema: Any, location: str) -> tuple[list[Mapping[str, Any]], bool | None, Provenance | None]:
        """``(schemas, required, provenance)`` at ``location`` below ``schema``: the schemas found
        there (every branch), whether the last token is required by its parent (``None`` when the
        location leaves the schema), and the deepest ``x-provenance`` on the way."""
        root = self.resolve(schema)
        current: list[Mapping[str, Any]] = [root] if isinstance(root, Mapping) else []
        prov = _prov(root) if current else None
        required: bool | None = None
        for tok in unpointer(location):
            nxt: list[Mapping[str, Any]] = []
            req_any = False
            for node in current:
                for child, req in self._children(node, tok):
                    nxt.append(child)
                    req_any = req_any or req
            if not nxt:
                return [], None, prov
            current, required = nxt, req_any
            prov = next((p for p in map(_prov, nxt) if p is not None), prov)
        return current, required, prov

    def enum_at(self, schema: Any, location: str) -> set[Any] | None:
        """The values an ``enum``/``const`` allows at ``location`` (union over branches), or ``None``."""
        nodes, _, _ = self.lookup(schema, location)
        values: set[Any] = set()
        found = False

        def visit(n: Any, depth: int) -> None:
            nonlocal found
            n = self.resolve(n)
            if not isinstance(n, Mapping) or depth > 8:
                return
            if isinstance(n.get("enum"), list):
                found = True
                values.update(v for v in n["enum"] if not isinstance(v, (dict, list)))
            if "const" in n and not isinstance(n["const"], (dict, list)):
                found = True
                values.add(n["const"])
            for key in ("allOf", "oneOf", "anyOf"):
                for sub in n.get(key, []) or []:
                    visit(sub, depth + 1)

        for n in nodes:
            visit(n, 0)
        return values if found else None

    def types_at(self, schema: Any, location: str) -> set[str]:
        """The JSON types the schemas at ``location`` allow (``integer`` counted as ``number``); empty when unknown."""
        allowed: set[str] = set()
        for n in self.lookup(schema, location)[0]:
            t = n.get("type")
            allowed.update("number" if x == "integer" else str(x) for x in ([t] if isinstance(t, str) else (t or [])))
        return allowed
