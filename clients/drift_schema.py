"""The contract as drift sees it: find the operation and response for a request, compare a body
with a schema structurally, and say whether a part of the contract is documented or inferred.

``jsonschema`` answers "is this valid?"; drift needs "*what changed*": a field added or removed,
a type changed, a value now ``null``, a value outside an enum. :class:`SchemaComparer` walks an
OpenAPI 3.1 schema (``$ref``, ``allOf``, ``oneOf``/``anyOf`` — best branch —, ``if``/``then``/``else``,
``properties``, ``required``, ``additionalProperties``, ``items``, ``type`` lists, ``enum``,
``const``) beside the observed JSON and reports :class:`Diff` items with JSON-pointer locations.
Keywords that drift has no kind for (``pattern``, ``format``, ranges) are left to
``contracts.Contract.validate_response``.

Contracts are ``contracts/<id>.openapi.yaml`` (issue 3 conventions: ``x-provenance`` on every
operation, response and property).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import yaml

_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


def escape(token: str) -> str:
    """Escape one JSON-pointer reference token (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Inverse of :func:`escape`."""
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, token: str | int) -> str:
    """``pointer`` + ``/`` + the escaped ``token``."""
    return f"{pointer}/{escape(str(token))}"


def split(pointer: str) -> list[str]:
    """The unescaped tokens of ``pointer`` (``""`` -> ``[]``)."""
    if not pointer:
        return []
    return [unescape(t) for t in pointer.lstrip("/").split("/")]


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value: null, boolean, integer, number, string, array, object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _type_ok(value: Any, types: set[str]) -> bool:
    t = json_type(value)
    if t in types:
        return True
    if t == "integer" and "number" in types:
        return True
    if t == "number" and "integer" in types and float(value).is_integer():
        return True
    return False


@dataclass(frozen=True)
class Provenance:
    """Where a part of the contract comes from: ``kind`` documented | inferred | unknown, with the
    document file and quote (documented) or what it was inferred from."""

    kind: str = "unknown"
    doc: str | None = None
    quote: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, node: Any) -> "Provenance | None":
        p = node.get("x-provenance") if isinstance(node, dict) else None
        if not isinstance(p, dict) or p.get("kind") not in ("documented", "inferred"):
            return None
        return cls(kind=str(p["kind"]), doc=p.get("doc"), quote=p.get("quote"), source=p.get("from"))

    @property
    def documented(self) -> bool | None:
        return None if self.kind == "unknown" else self.kind == "documented"

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind}
        if self.doc:
            d["doc"] = self.doc
        if self.quote:
            d["quote"] = self.quote
        if self.source:
            d["from"] = self.source
        return d

    def describe(self) -> str:
        if self.kind == "documented":
            return f"documented ({self.doc}: \"{self.quote}\")" if self.doc else "documented"
        if self.kind == "inferred":
            return f"inferred (from {self.source})" if self.source else "inferred"
        return "unknown (no contract)"


UNKNOWN = Provenance()


@dataclass
class Diff:
    """One structural difference between an observed value and what was expected.

    ``kind`` is a drift kind (``field_added``, ``field_removed``, ``type_changed``,
    ``now_nullable``, ``enum_value_new``); ``location`` a JSON pointer into the value;
    ``breaking`` whether a client written against the expectation can break;
    ``provenance`` of the contract part involved (when known).
    """

    kind: str
    location: str
    expected: Any
    observed: Any
    breaking: bool
    provenance: Provenance | None = None
    note: str = ""


class SchemaComparer:
    """Compares JSON values with schemas of one OpenAPI document (``$ref`` resolved inside it)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document

    # -- refs -------------------------------------------------------------------------------------
    def resolve(self, node: Any) -> Any:
        """Follow local ``$ref`` chains (``#/components/...``); the referring node's siblings are
        merged over the target (OpenAPI 3.1 allows siblings beside ``$ref``)."""
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                return {}
            target: Any = self.doc
            for tok in split(ref[1:]):
                target = target.get(tok) if isinstance(target, dict) else None
            if not isinstance(target, dict):
                return {}
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **siblings} if siblings else target
            seen += 1
        return node

    # -- structure --------------------------------------------------------------------------------
    def _subschemas(self, s: dict[str, Any]) -> Iterable[dict[str, Any]]:
        for key in ("allOf", "oneOf", "anyOf"):
            for sub in s.get(key, []) or []:
                r = self.resolve(sub)
                if isinstance(r, dict):
                    yield r
        for key in ("then", "else"):
            r = self.resolve(s.get(key))
            if isinstance(r, dict):
                yield r

    def declared(self, schema: Any, _depth: int = 0) -> tuple[set[str] | None, bool]:
        """``(names, closed)``: every property name declared at this level (through ``allOf``,
        ``oneOf``, ``anyOf``, ``then``/``else``), ``None`` when none is; ``closed`` when
        ``additionalProperties``/``unevaluatedProperties`` is ``false``."""
        s = self.resolve(schema)
        if not isinstance(s, dict) or _depth > 16:
            return None, False
        names: set[str] | None = set(s["properties"]) if isinstance(s.get("properties"), dict) else None
        closed = s.get("additionalProperties") is False or s.get("unevaluatedProperties") is False
        if isinstance(s.get("additionalProperties"), dict) or s.get("patternProperties"):
            return None, False  # a map: any key is declared
        for sub in self._subschemas(s):
            sub_names, sub_closed = self.declared(sub, _depth + 1)
            if sub_names is not None:
                names = (names or set()) | sub_names
            closed = closed or (sub_closed and sub is not s)
        return names, closed

    def _types(self, s: dict[str, Any]) -> set[str] | None:
        t = s.get("type")
        if isinstance(t, str):
            return {t}
        if isinstance(t, list):
            return {str(x) for x in t}
        return None

    # -- comparison -------------------------------------------------------------------------------
    def compare(self, value: Any, schema: Any, location: str = "", *, entry: bool = True,
                _depth: int = 0, _prov: Provenance | None = None) -> list[Diff]:
        """Differences between ``value`` and ``schema`` (see the module docstring), deduplicated."""
        out = self._compare(value, schema, location, entry, _depth, _prov)
        seen: set[tuple[str, str]] = set()
        unique: list[Diff] = []
        for d in out:
            key = (d.kind, d.location)
            if key not in seen:
                seen.add(key)
                unique.append(d)
        return unique

    def _compare(self, value: Any, schema: Any, loc: str, entry: bool, depth: int, prov: Provenance | None) -> list[Diff]:
        s = self.resolve(schema)
        if depth > 48 or not isinstance(s, dict) or not s:
            return []
        prov = Provenance.of(s) or prov
        types = self._types(s)
        if types is not None and not _type_ok(value, types):
            expected = sorted(types)
            if value is None:
                return [Diff("now_nullable", loc, expected, None, True, prov)]
            return [Diff("type_changed", loc, expected, json_type(value), True, prov)]
        out: list[Diff] = []
        allowed: list[Any] | None = [s["const"]] if "const" in s else (list(s["enum"]) if isinstance(s.get("enum"), list) else None)
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
                results = [self._compare(value, b, loc, False, depth + 1, prov) for b in branches]
                out += min(results, key=lambda r: (sum(1 for d in r if d.breaking), len(r)))
        if "if" in s:
            cond = self._compare(value, s["if"], loc, False, depth + 1, prov)
            branch = s.get("then") if not cond else s.get("else")
            if branch is not None:
                out += self._compare(value, branch, loc, False, depth + 1, prov)
        if isinstance(value, dict):
            props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
            for name in s.get("required", []) or []:
                if name not in value:
                    p = Provenance.of(self.resolve(props.get(name))) or prov
                    out.append(Diff("field_removed", join(loc, name), "present (required)", "absent", True, p))
            ap = self.resolve(s.get("additionalProperties"))
            for k, v in value.items():
                if k in props:
                    out += self._compare(v, props[k], join(loc, k), True, depth + 1, prov)
                elif isinstance(ap, dict) and ap:
                    out += self._compare(v, ap, join(loc, k), True, depth + 1, prov)
            if entry:
                names, closed = self.declared(s)
                if names is not None:
                    for k in value:
                        if k not in names:
                            out.append(Diff("field_added", join(loc, k), "not in the contract", json_type(value[k]), closed, prov,
                                            note="the contract forbids other fields" if closed else "the contract allows other fields"))
        elif isinstance(value, list):
            items = s.get("items")
            prefix = s.get("prefixItems") if isinstance(s.get("prefixItems"), list) else []
            for i, item in enumerate(value):
                sub = prefix[i] if i < len(prefix) else items
                if sub is not None and sub is not False:
                    out += self._compare(item, sub, join(loc, i), True, depth + 1, prov)
        return out

    # -- lookups ----------------------------------------------------------------------------------
    def _children(self, s: dict[str, Any], token: str) -> list[tuple[dict[str, Any], bool]]:
        """Schemas for ``token`` one level below ``s``: ``(schema, required_in_parent)``."""
        found: list[tuple[dict[str, Any], bool]] = []

        def visit(node: Any, depth: int) -> None:
            n = self.resolve(node)
            if not isinstance(n, dict) or depth > 16:
                return
            props = n.get("properties")
            if isinstance(props, dict) and token in props:
                child = self.resolve(props[token])
                if isinstance(child, dict):
                    found.append((child, token in (n.get("required") or [])))
            if token.isdigit() or token == "-":
                items = n.get("items")
                if isinstance(items, (dict,)):
                    child = self.resolve(items)
                    if isinstance(child, dict):
                        found.append((child, True))
            for sub in self._subschemas(n):
                visit(sub, depth + 1)

        visit(s, 0)
        return found

    def lookup(self, schema: Any, pointer: str) -> tuple[list[dict[str, Any]], bool | None, Provenance | None]:
        """Schemas found at ``pointer`` below ``schema``, whether the last token is required by
        its parent (``None`` when the pointer leaves the schema), and the deepest provenance."""
        current = [self.resolve(schema)] if isinstance(self.resolve(schema), dict) else []
        prov = Provenance.of(current[0]) if current else None
        required: bool | None = None
        for tok in split(pointer):
            nxt: list[dict[str, Any]] = []
            req_any = False
            for node in current:
                for child, req in self._children(node, tok):
                    nxt.append(child)
                    req_any = req_any or req
            if not nxt:
                return [], None, prov
            current = nxt
            required = req_any
            for node in nxt:
                p = Provenance.of(node)
                if p is not None:
                    prov = p
                    break
        return current, required, prov

    def enum_at(self, schema: Any, pointer: str) -> set[Any] | None:
        """Values an ``enum``/``const`` allows at ``pointer`` (union over branches), or ``None``."""
        nodes, _, _ = self.lookup(schema, pointer)
        values: set[Any] = set()
        found = False

        def visit(n: Any, depth: int) -> None:
            nonlocal found
            n = self.resolve(n)
            if not isinstance(n, dict) or depth > 8:
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


# -- the contract document ------------------------------------------------------------------------


@dataclass
class OperationRef:
    """An operation of the contract: ``operation_id``, ``method`` (upper case), path ``template`` and its object."""

    operation_id: str
    method: str
    template: str
    node: dict[str, Any]
    regex: re.Pattern[str] = field(repr=False, default=re.compile(""))


class ContractDoc:
    """One gateway's OpenAPI document, parsed once.

    Args:
        gateway: gateway id (``contracts/<id>.openapi.yaml``).
        document: an already-parsed document (tests); otherwise it is read from the package.

    Raises:
        FileNotFoundError: when the contract file does not exist.
    """

    def __init__(self, gateway: str, document: dict[str, Any] | None = None, path: str | None = None) -> None:
        self.gateway = gateway
        if document is None:
            text, path = _read_contract(gateway)
            document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
        self.doc: dict[str, Any] = document or {}
        self.path = path
        self.schemas = SchemaComparer(self.doc)
        self.operations: list[OperationRef] = []
        for template, item in (self.doc.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            item = self.schemas.resolve(item)
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            for m in _METHODS:
                op = item.get(m)
                if isinstance(op, dict):
                    self.operations.append(OperationRef(str(op.get("operationId") or f"{m.upper()} {template}"), m.upper(),
                                                        template, op, re.compile(pattern)))
        # literal templates first, so /tasks/x does not lose to /{id}
        self.operations.sort(key=lambda o: o.template.count("{"))

    @property
    def version(self) -> str:
        return str((self.doc.get("info") or {}).get("version", ""))

    def find(self, method: str, path: str) -> OperationRef | None:
        """The operation answering ``method path`` (path relative to the server, no query)."""
        for op in self.operations:
            if op.method == method.upper() and op.regex.match(path):
                return op
        return None

    def has_path(self, path: str) -> list[str]:
        """Methods the contract declares for ``path``."""
        return [op.method for op in self.operations if op.regex.match(path)]

    def response(self, op: OperationRef, status: int) -> tuple[str | None, dict[str, Any] | None]:
        """``(key, response)`` declared for ``status`` (exact, then ``4XX``, then ``default``)."""
        responses = op.node.get("responses") or {}
        for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
            if key in responses:
                r = self.schemas.resolve(responses[key])
                return key, r if isinstance(r, dict) else {}
        return None, None

    def media(self, response: dict[str, Any], content_type: str) -> tuple[str | None, Any]:
        """``(media type, schema)`` of ``response`` for ``content_type`` (``None`` when not declared)."""
        content = response.get("content") or {}
        ctype = content_type.split(";")[0].strip().lower()
        if ctype in content:
            return ctype, (content[ctype] or {}).get("schema")
        major = ctype.split("/")[0] + "/*"
        if major in content:
            return major, (content[major] or {}).get("schema")
        if "*/*" in content:
            return "*/*", (content["*/*"] or {}).get("schema")
        return None, None

    def declared_media(self, response: dict[str, Any]) -> list[str]:
        return list((response.get("content") or {}).keys())

    def headers(self, response: dict[str, Any]) -> dict[str, tuple[bool, Provenance | None]]:
        """Declared response headers (lower-case) -> ``(required, provenance)``."""
        out: dict[str, tuple[bool, Provenance | None]] = {}
        for name, h in (response.get("headers") or {}).items():
            h = self.schemas.resolve(h)
            if isinstance(h, dict):
                out[name.lower()] = (bool(h.get("required", False)), Provenance.of(h))
        return out

    def request_schema(self, op: OperationRef, content_type: str = "application/json") -> Any:
        body = self.schemas.resolve(op.node.get("requestBody"))
        if not isinstance(body, dict):
            return None
        return (self.media(body, content_type)[1])


def _read_contract(gateway: str) -> tuple[str, str]:
    name = f"{gateway}.openapi.yaml"
    try:
        res = resources.files("contracts").joinpath(name)
        if res.is_file():
            return res.read_text(encoding="utf-8"), str(res)
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    local = Path(__file__).resolve().parent.parent / "contracts" / name
    if local.is_file():
        return local.read_text(encoding="utf-8"), str(local)
    raise FileNotFoundError(f"no contract for gateway {gateway!r} ({name})")


_DOCS: dict[tuple[str, int], ContractDoc] = {}


def load_contract(gateway: str) -> ContractDoc | None:
    """The gateway's contract, or ``None`` when it has none yet.

    The document is the one ``contracts.load`` parsed and cached (one parse per process); when
    that API is missing the file is read here (libyaml when available).
    """
    try:
        import contracts

        loaded = contracts.load(gateway)
        spec, source = loaded.spec, str(getattr(loaded, "source", "") or f"{gateway}.openapi.yaml")
    except Exception:  # contracts API absent or no contract: read the file ourselves
        try:
            text, source = _read_contract(gateway)
        except FileNotFoundError:
            return None
        spec = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    key = (gateway, id(spec))
    doc = _DOCS.get(key)
    if doc is None:
        doc = _DOCS[key] = ContractDoc(gateway, spec, source)
    return doc
