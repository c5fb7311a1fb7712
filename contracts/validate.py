"""Validate requests and responses against one gateway's OpenAPI 3.1 contract.

Built on ``jsonschema`` (Draft 2020-12, the dialect of OpenAPI 3.1 Schema Objects) with a
``referencing`` registry holding the whole contract, so ``$ref: "#/components/…"`` resolves
inside it. Why not openapi-core: we need every violation (not the first), each with a JSON
pointer into the message, the rule it broke and whether that rule is documented or inferred
(the drift report names inferred parts), plus checks openapi-core does not make (an undeclared
status is a finding; unknown routes and wrong methods are checked against the contract's 404 and
405 answers). Doing the OpenAPI part ourselves — path matching, status lookup, headers,
media types — is a few dozen lines; the schema work stays with jsonschema.

A :class:`Contract` is immutable after load and safe to share between threads; compiled
validators are cached per schema location. What a check reports (:class:`Finding`, its kinds, the
reading of jsonschema's errors) is :mod:`contracts.findings`; how text parts become JSON before
the schema check is :mod:`contracts.coerce`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from . import provenance as prov_mod
from .coerce import coerce, coerce_form, merged_properties, parse_multipart
from .diff import json_type
from .findings import SENSITIVE_HEADERS, Finding, FindingKind, expand_errors, redact_headers, selected_branch, short
from .formats import format_checker
from .provenance import HTTP_METHODS, Provenance, resolve
from .wire import is_json_media, media_type, pointer

__all__ = ["Finding", "FindingKind", "Contract", "Operation", "expand_errors", "redact_headers", "selected_branch"]


@dataclass(frozen=True)
class Operation:
    """One operation of a contract: ``method`` (upper case), ``path`` template, ``operation_id`` and
    ``pointer`` (JSON pointer of the operation object in the contract)."""

    method: str
    path: str
    operation_id: str | None
    pointer: str
    regex: re.Pattern[str] = field(repr=False, compare=False)
    param_names: tuple[str, ...] = field(default=(), repr=False, compare=False)


def _media_matches(declared: str, actual: str) -> bool:
    declared = media_type(declared)
    if declared in ("*/*", actual):
        return True
    if declared.endswith("/*"):
        return actual.split("/")[0] == declared[:-2]
    return False


class Contract:
    """One gateway's contract, parsed once.

    Use :func:`contracts.load` to get the shared, cached instance; construct directly only for a
    modified copy (tests, drift variants).

    Args:
        spec: the OpenAPI 3.1 document as a ``dict``.
        gateway_id: the gateway it describes (``"powertokens"`` …).
        source: where it was read from (a path), for messages.
    """

    def __init__(self, spec: dict[str, Any], gateway_id: str, source: str | None = None) -> None:
        self.spec = spec
        self.gateway_id = gateway_id
        self.source = source
        self._uri = f"urn:imagegw:contract:{gateway_id}"
        resource = DRAFT202012.create_resource(spec)
        self._registry: Registry = Registry().with_resource(self._uri, resource)
        self._validators: dict[str, Draft202012Validator] = {}
        self._format_checker = format_checker(spec)
        self._lock = threading.Lock()
        self.operations: tuple[Operation, ...] = tuple(self._collect_operations())
        servers = spec.get("servers") or []
        server_url = servers[0].get("url", "") if servers and isinstance(servers[0], Mapping) else ""
        self.server_url: str = server_url
        #: path part of the first server URL (e.g. ``"/v1"``) that request paths may carry.
        self.base_path: str = urlsplit(server_url).path.rstrip("/") if "://" in server_url else server_url.rstrip("/")

    def __repr__(self) -> str:
        return f"Contract({self.gateway_id!r}, operations={len(self.operations)})"

    # -- structure -------------------------------------------------------------------------------
    def _collect_operations(self) -> list[Operation]:
        ops: list[Operation] = []
        for path, item in (self.spec.get("paths") or {}).items():
            if not isinstance(item, Mapping):
                continue
            names = tuple(re.findall(r"{([^}/]+)}", path))
            pattern = (
                "^"
                + "".join("([^/]+)" if part.startswith("{") else re.escape(part) for part in re.split(r"({[^}/]+})", path) if part)
                + "/?$"
            )
            rx = re.compile(pattern)
            for method in HTTP_METHODS:
                op = item.get(method)
                if isinstance(op, Mapping):
                    ops.append(Operation(method.upper(), path, op.get("operationId"), pointer(["paths", path, method]), rx, names))
        # literal paths win over templated ones; then longer templates first
        ops.sort(key=lambda o: (len(o.param_names), -len(o.path)))
        return ops

    def operation(self, operation_id: str) -> Operation:
        """The operation whose ``operationId`` is ``operation_id``.

        Raises:
            KeyError: when there is none.
        """
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def operation_object(self, op: Operation) -> dict[str, Any]:
        """The raw OpenAPI operation object of ``op``."""
        return self.spec["paths"][op.path][op.method.lower()]

    def _split(self, path: str) -> tuple[str, list[tuple[str, str]]]:
        parts = urlsplit(path)
        p = parts.path or "/"
        if self.base_path and p.startswith(self.base_path + "/"):
            stripped = p[len(self.base_path) :]
            if any(o.regex.match(stripped) for o in self.operations):
                p = stripped
        return p, parse_qsl(parts.query, keep_blank_values=True)

    def match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str], bool]:
        """Find the operation for ``method`` and ``path`` (relative to the gateway root, query allowed).

        Returns:
            ``(operation or None, path parameters, path_known)``; ``path_known`` is ``True`` when
            some operation has this path with another method.
        """
        p, _ = self._split(path)
        method = method.upper()
        path_known = False
        for op in self.operations:
            m = op.regex.match(p)
            if m:
                if op.method == method:
                    return op, dict(zip(op.param_names, m.groups(), strict=True)), True
                path_known = True
        return None, {}, path_known

    def with_servers(self, url: str) -> dict[str, Any]:
        """A deep copy of :attr:`spec` whose ``servers`` is ``[{url}]`` (the mock serves this)."""
        import copy

        spec = copy.deepcopy(self.spec)
        spec["servers"] = [{"url": url, "description": "this imagegw mock"}]
        return spec

    def inferred_parts(self) -> list[prov_mod.InferredPart]:
        """Every part of this contract marked ``x-provenance: {kind: inferred}``."""
        return prov_mod.inferred(self.spec, self.gateway_id)

    def provenance(self, contract_pointer: str) -> Provenance | None:
        """The ``x-provenance`` of the object at ``contract_pointer`` (``$ref`` followed), if any."""
        node: Any = self.spec
        try:
            for token in prov_mod.unpointer(contract_pointer):
                node = resolve(self.spec, node)
                node = node[int(token)] if isinstance(node, list) else node[token]
            node = resolve(self.spec, node)
        except (KeyError, IndexError, ValueError, TypeError):
            return None
        return Provenance.from_obj(node.get("x-provenance")) if isinstance(node, Mapping) else None

    # -- lookups -------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        """``info.version`` of the contract (``""`` when absent)."""
        return str((self.spec.get("info") or {}).get("version", ""))

    def response_for(self, op: Operation, status: int) -> tuple[str | None, dict[str, Any] | None]:
        """``(key, response object)`` that ``op`` declares for ``status``: the exact code, else its
        ``4XX``-style range, else ``default`` (``$ref`` followed); ``(None, None)`` when none applies."""
        responses = self.operation_object(op).get("responses") or {}
        key = _response_key(responses, status)
        if key is None:
            return None, None
        resp = prov_mod.resolve_schema(self.spec, responses[key])
        return key, dict(resp) if isinstance(resp, Mapping) else {}

    @staticmethod
    def media_for(response: Mapping[str, Any], content_type: str | None) -> tuple[str | None, Any]:
        """``(declared media type, its schema)`` of ``response`` for ``content_type`` (parameters
        ignored; ``image/*`` and ``*/*`` match too); ``(None, None)`` when none is declared."""
        media = media_type(content_type)
        content = response.get("content") or {}
        declared = next((mt for mt in content if _media_matches(mt, media)), None)
        if declared is None:
            return None, None
        return declared, (content[declared] or {}).get("schema")

    def response_headers(self, response: Mapping[str, Any]) -> dict[str, tuple[bool, Provenance | None]]:
        """Headers ``response`` declares (lower-case names) -> ``(required, provenance)``."""
        out: dict[str, tuple[bool, Provenance | None]] = {}
        for name, raw in (response.get("headers") or {}).items():
            h = prov_mod.resolve_schema(self.spec, raw)
            if isinstance(h, Mapping):
                out[str(name).lower()] = (bool(h.get("required", False)), Provenance.from_obj(h.get("x-provenance")))
        return out

    def request_schema(self, op: Operation, content_type: str = "application/json") -> Any:
        """The request body schema of ``op`` for ``content_type``, or ``None``."""
        body = prov_mod.resolve_schema(self.spec, self.operation_object(op).get("requestBody"))
        return self.media_for(body, content_type)[1] if isinstance(body, Mapping) else None

    # -- schema validation ---------------------------------------------------------------------
    def schema_validator(self, schema_pointer: str, *, formats: bool = True) -> Draft202012Validator:
        """A compiled (cached) Draft 2020-12 validator for the schema at ``schema_pointer`` in this
        contract (``$ref`` inside it resolve within the contract). ``format`` is asserted with
        :func:`contracts.formats.format_checker` (the house formats included); ``formats=False``
        treats it as an annotation only (the 2020-12 default)."""
        key = schema_pointer + ("" if formats else "\x00")
        v = self._validators.get(key)
        if v is None:
            with self._lock:
                v = self._validators.get(key)
                if v is None:
                    v = Draft202012Validator(
                        {"$ref": self._uri + "#" + schema_pointer},
                        registry=self._registry,
                        format_checker=self._format_checker if formats else None,
                    )
                    self._validators[key] = v
        return v

    _validator = schema_validator

    def validate_instance(self, schema_pointer: str, instance: Any, location: str = "", *, operation: str | None = None) -> list[Finding]:
        """Findings for ``instance`` against the schema at ``schema_pointer`` (JSON pointer into the
        contract); finding locations are ``location`` + the pointer inside ``instance``."""
        return self._schema_findings(instance, schema_pointer, location, operation)

    def _schema_at(self, schema_pointer: str) -> Any:
        node: Any = self.spec
        for token in prov_mod.unpointer(schema_pointer):
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def _schema_findings(self, instance: Any, schema_pointer: str, where: str, op: str | None) -> list[Finding]:
        validator = self._validator(schema_pointer)
        schema = self._schema_at(schema_pointer)
        out: list[Finding] = []
        for err in expand_errors(validator.iter_errors(instance)):
            path = list(err.absolute_path)
            kw = err.validator
            expected, observed = f"{kw}: {short(err.validator_value)}", short(err.instance)
            kind = "schema_violation"
            if kw == "required":
                missing_names = [n for n in err.validator_value if isinstance(err.instance, Mapping) and n not in err.instance]
                for name in missing_names or ["?"]:
                    p = prov_mod.at_instance_path(self.spec, schema, [*path, name])
                    out.append(
                        Finding(
                            where + pointer([*path, name]),
                            f"property {name!r} present",
                            "absent",
                            "missing_property",
                            p.documented if p else None,
                            op,
                            message=err.message,
                        )
                    )
                continue
            if kw == "type":
                kind = "unexpected_null" if err.instance is None else "type_mismatch"
                expected, observed = f"type {short(err.validator_value)}", f"{json_type(err.instance)} {short(err.instance, 40)}"
            elif kw in ("enum", "const"):
                kind = "enum_mismatch"
                expected = ("one of " if kw == "enum" else "") + short(err.validator_value, 160)
            elif kw in ("additionalProperties", "unevaluatedProperties") and err.validator_value is False:
                kind = "unexpected_property"
                extra = sorted(set(err.instance) - set(err.schema.get("properties", {}))) if isinstance(err.instance, Mapping) else []
                expected, observed = "no other properties", ", ".join(map(str, extra)) or short(err.instance)
            elif kw in ("anyOf", "oneOf") and err.context:
                # the closest alternative: prefer a failure other than a bare type mismatch
                best = jsonschema.exceptions.best_match([e for e in err.context if e.validator != "type"] or err.context)
                expected = f"{kw} of {len(err.validator_value)} alternatives (closest: {best.message[:120]})"
            p = prov_mod.at_instance_path(self.spec, schema, path)
            out.append(Finding(where + pointer(path), expected, observed, kind, p.documented if p else None, op, message=err.message[:300]))
        return out

    # -- requests ------------------------------------------------------------------------------
    def validate_request(self, method: str, path: str, headers: Mapping[str, str] | None = None, body: Any = None) -> list[Finding]:
        """Check a request against the matching operation.

        Args:
            method: HTTP method.
            path: path relative to the gateway root (``"/v1/images/generations"``), query allowed.
            headers: request headers (any case); used for security, header parameters and the
                body's content type (default ``application/json`` when ``body`` is a ``dict``/``list``).
            body: ``None`` (no body), ``bytes``/``str`` (raw body, parsed by content type: JSON,
                ``multipart/form-data``, ``application/x-www-form-urlencoded``), or an already
                parsed ``dict``/``list`` (a form as a ``dict``: files as ``bytes``).

        Returns:
            The findings; an empty list means the request conforms.
        """
        h = {k.lower(): v for k, v in (headers or {}).items()}
        op, params, path_known = self.match(method, path)
        if op is None:
            return [
                Finding(
                    "/request",
                    "a declared operation",
                    f"{method.upper()} {urlsplit(path).path}",
                    "unknown_operation",
                    None,
                    message="the contract declares this path with other methods" if path_known else "the contract has no such path",
                )
            ]
        obj = self.operation_object(op)
        oid = op.operation_id
        out: list[Finding] = []
        out += self._check_security(obj, h, oid, op)
        _, query = self._split(path)
        qdict: dict[str, Any] = {}
        for k, v in query:
            qdict.setdefault(k, v)
        item = self.spec["paths"][op.path]
        for i, raw_param in enumerate(list(item.get("parameters") or []) + list(obj.get("parameters") or [])):
            param = resolve(self.spec, raw_param)
            loc, name = param.get("in"), param.get("name")
            source = {"path": params, "query": qdict, "header": h}.get(loc)
            if source is None or not isinstance(name, str):
                continue
            key = name.lower() if loc == "header" else name
            where = f"/request/{'headers' if loc == 'header' else loc}/{key}"
            pprov = Provenance.from_obj(param.get("x-provenance"))
            documented = pprov.documented if pprov else None
            if key not in source:
                if param.get("required"):
                    out.append(
                        Finding(
                            where,
                            f"{loc} parameter {name!r} present",
                            "absent",
                            "missing_header" if loc == "header" else "missing_property",
                            documented,
                            oid,
                        )
                    )
                continue
            if isinstance(param.get("schema"), Mapping):
                value = coerce(source[key], resolve(self.spec, param["schema"]))
                sp = self._param_schema_pointer(op, raw_param, i, item)
                for f in self._schema_findings(value, sp, where, oid):
                    f = _replace(
                        f,
                        kind="invalid_header" if loc == "header" else f.kind,
                        documented=documented if f.documented is None else f.documented,
                    )
                    if loc == "header" and key in SENSITIVE_HEADERS:  # a credential never reaches a finding
                        f = _replace(f, observed="<redacted>", message=f"{name} does not match its schema")
                    out.append(f)
        rb = resolve(self.spec, obj.get("requestBody")) if obj.get("requestBody") is not None else None
        if rb is None:
            return out
        content = rb.get("content") or {}
        rb_ptr = op.pointer + "/requestBody" if "$ref" not in obj["requestBody"] else obj["requestBody"]["$ref"][1:]
        rprov = Provenance.from_obj(rb.get("x-provenance"))
        if body is None or body == b"" or body == "":
            if rb.get("required"):
                out.append(Finding("/request/body", "a request body", "none", "missing_body", rprov.documented if rprov else None, oid))
            return out
        ctype = h.get("content-type") or ("application/json" if isinstance(body, (dict, list)) else "")
        media = media_type(ctype)
        declared = next((mt for mt in content if _media_matches(mt, media)), None)
        if declared is None:
            return out + [
                Finding(
                    "/request/content-type",
                    "one of " + ", ".join(content),
                    media or "(none)",
                    "content_type_mismatch",
                    rprov.documented if rprov else None,
                    oid,
                )
            ]
        instance: Any = body
        if isinstance(body, (bytes, str)):
            raw = body.encode("utf-8") if isinstance(body, str) else body
            if is_json_media(media):
                try:
                    instance = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    return out + [
                        Finding("/request/body", "JSON", "unparseable body", "invalid_json", rprov.documented if rprov else None, oid)
                    ]
            elif media == "multipart/form-data":
                instance = parse_multipart(raw, ctype)
            elif media == "application/x-www-form-urlencoded":
                instance = {}
                for k, v in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
                    instance.setdefault(k, []).append(v)
                instance = {k: (v[0] if len(v) == 1 else v) for k, v in instance.items()}
            else:
                instance = raw.decode("latin-1")
        schema = (content[declared] or {}).get("schema")
        if schema is None:
            return out
        if media in ("multipart/form-data", "application/x-www-form-urlencoded") and isinstance(instance, dict):
            instance = coerce_form(self.spec, instance, merged_properties(self.spec, schema))
        sp = pointer([*prov_mod.unpointer(rb_ptr), "content", declared, "schema"])
        return out + [
            f if f.contract_pointer else _replace(f, contract_pointer=sp) for f in self._schema_findings(instance, sp, "/request/body", oid)
        ]

    def _param_schema_pointer(self, op: Operation, raw_param: Any, index: int, item: Mapping[str, Any]) -> str:
        if isinstance(raw_param, Mapping) and isinstance(raw_param.get("$ref"), str):
            return raw_param["$ref"][1:] + "/schema"
        path_params = list(item.get("parameters") or [])
        if index < len(path_params):
            return pointer(["paths", op.path, "parameters", index, "schema"])
        return op.pointer + pointer(["parameters", index - len(path_params), "schema"])

    def _check_security(self, obj: Mapping[str, Any], h: Mapping[str, str], oid: str | None, op: Operation) -> list[Finding]:
        requirements = obj.get("security", self.spec.get("security")) or []
        if not requirements:
            return []
        schemes = (self.spec.get("components") or {}).get("securitySchemes") or {}
        names: list[str] = []
        for req in requirements:
            if not req:  # {} : anonymous allowed
                return []
            ok = True
            for name in req:
                scheme = resolve(self.spec, schemes.get(name) or {})
                names.append(name)
                if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                    value = h.get("authorization", "")
                    ok &= bool(re.match(r"^\s*bearer\s+\S+\s*$", value, re.IGNORECASE))
                elif scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "basic":
                    ok &= h.get("authorization", "").lower().startswith("basic ")
                elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                    ok &= bool(h.get(str(scheme.get("name", "")).lower(), "").strip())
            if ok:
                return []
        prov = None
        for name in names:
            prov = prov or Provenance.from_obj((resolve(self.spec, schemes.get(name) or {})).get("x-provenance"))
        return [
            Finding(
                "/request/headers",
                "credentials for " + " or ".join(dict.fromkeys(names)),
                "none usable",
                "missing_credentials",
                prov.documented if prov else None,
                oid,
            )
        ]

    # -- responses -----------------------------------------------------------------------------
    def _route_error_response(self, status: int, path_known: bool, method: str, path: str) -> tuple[str | None, str | None]:
        """For a request that matched no operation: the contract's 404/405 answer to check it against."""
        p, _ = self._split(path)
        candidates = [o for o in self.operations if o.regex.match(p)] if path_known else list(self.operations)
        for op in candidates + list(self.operations):
            responses = self.operation_object(op).get("responses") or {}
            if str(status) in responses:
                return op.pointer + pointer(["responses", str(status)]), op.operation_id
        return None, None

    def validate_response(self, method: str, path: str, response: Any, request_body: Any = None) -> list[Finding]:
        """Check a response to ``method path`` against the contract.

        Args:
            method: the request's HTTP method.
            path: the request path relative to the gateway root (``"/v1/images/generations"``).
            response: an ``httpx.Response`` (anything with ``status_code``, ``headers`` and
                ``content`` works, e.g. ``requests.Response``).
            request_body: the parsed request body, when known. Used to pick the response variant
                when the response schema is a ``oneOf``/``anyOf`` whose branches carry
                ``x-imagegw-when-request`` (a JSON Schema the request body must match for that
                branch to apply, e.g. TokenHub's flat vs DashScope bodies); ignored otherwise.

        Checks, in order: the operation exists (a request matching no operation must get the
        contract's 404, or its 405 when the path exists with other methods); the status is declared
        (exact, ``4XX``-style range, or ``default``); declared headers are present and valid
        (``Content-Type`` excepted); the media type is declared; a JSON body parses and matches its
        schema.

        Returns:
            The findings; an empty list means the response conforms.
        """
        status = int(response.status_code)
        headers = {k.lower(): v for k, v in response.headers.items()}
        op, _, path_known = self.match(method, path)
        oid = op.operation_id if op else None
        if op is None:
            want = 405 if path_known else 404
            resp_ptr, oid = self._route_error_response(want, path_known, method, path) if status == want else (None, None)
            if resp_ptr is None:
                what = "method" if path_known else "path"
                if status == want:  # the right status, but the contract never declares it
                    return [
                        Finding(
                            "/response/status",
                            f"a declared {want} response (for an undeclared {what})",
                            str(status),
                            "undeclared_status",
                            None,
                            None,
                            message=f"the {self.gateway_id} contract declares no {want} response on any operation",
                        )
                    ]
                return [
                    Finding(
                        "/response/status",
                        f"{want} for an undeclared {what}",
                        str(status),
                        "unknown_operation",
                        None,
                        None,
                        message=f"{method.upper()} {urlsplit(path).path} is not an operation of the {self.gateway_id} contract",
                    )
                ]
        else:
            responses = self.operation_object(op).get("responses") or {}
            key = _response_key(responses, status)
            if key is None:
                return [
                    Finding(
                        "/response/status",
                        "one of " + ", ".join(map(str, responses)),
                        str(status),
                        "undeclared_status",
                        None,
                        oid,
                        op.pointer + "/responses",
                        message=f"{op.method} {op.path} does not declare status {status}",
                    )
                ]
            resp_ptr = op.pointer + pointer(["responses", key])
        raw = self._schema_at(resp_ptr)
        if isinstance(raw, Mapping) and isinstance(raw.get("$ref"), str):
            resp_ptr = raw["$ref"][1:]
        resp = resolve(self.spec, raw)
        rprov = Provenance.from_obj(resp.get("x-provenance"))
        rdoc = rprov.documented if rprov else None
        out: list[Finding] = []
        for hname, hraw in (resp.get("headers") or {}).items():
            if hname.lower() == "content-type":
                continue
            hobj = resolve(self.spec, hraw)
            hprov = Provenance.from_obj(hobj.get("x-provenance"))
            hdoc = hprov.documented if hprov else rdoc
            hptr = hraw["$ref"][1:] if isinstance(hraw, Mapping) and "$ref" in hraw else resp_ptr + pointer(["headers", hname])
            loc = "/response/headers/" + hname.lower()
            if hname.lower() not in headers:
                if hobj.get("required"):
                    out.append(Finding(loc, f"header {hname} present", "absent", "missing_header", hdoc, oid, hptr))
                continue
            if isinstance(hobj.get("schema"), Mapping):
                value = coerce(headers[hname.lower()], resolve(self.spec, hobj["schema"]))
                for f in self._schema_findings(value, hptr + "/schema", loc, oid):
                    out.append(_replace(f, kind="invalid_header", documented=hdoc, contract_pointer=hptr))
        content = resp.get("content") or {}
        body = getattr(response, "content", b"") or b""
        if not content or method.upper() == "HEAD":  # HEAD answers carry no body to check
            return out
        media = media_type(headers.get("content-type"))
        declared = next((mt for mt in content if _media_matches(mt, media)), None)
        if declared is None:
            if not body and not media:
                return out
            return out + [
                Finding(
                    "/response/content-type",
                    "one of " + ", ".join(content),
                    media or "(none)",
                    "content_type_mismatch",
                    rdoc,
                    oid,
                    resp_ptr + "/content",
                )
            ]
        media_obj = content[declared] or {}
        if not isinstance(media_obj.get("schema"), Mapping) or not is_json_media(media):
            return out
        try:
            instance = json.loads(body.decode("utf-8")) if isinstance(body, (bytes, bytearray)) else json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return out + [
                Finding("/response/body", "JSON", f"unparseable ({len(body)} bytes)", "invalid_json", rdoc, oid, resp_ptr + "/content")
            ]
        sp = resp_ptr + pointer(["content", declared, "schema"])
        sp = self._pick_variant(sp, request_body)
        for f in self._schema_findings(instance, sp, "/response/body", oid):
            out.append(f if f.contract_pointer else _replace(f, contract_pointer=sp))
        return out

    def _pick_variant(self, schema_pointer: str, request_body: Any) -> str:
        if request_body is None:
            return schema_pointer
        node = self._schema_at(schema_pointer)
        base = schema_pointer
        if isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            base = node["$ref"][1:]
            node = self._schema_at(base)
        for key in ("oneOf", "anyOf"):
            branches = node.get(key) if isinstance(node, Mapping) else None
            if not isinstance(branches, list):
                continue
            for i, branch in enumerate(branches):
                b = resolve(self.spec, branch)
                cond = b.get("x-imagegw-when-request") if isinstance(b, Mapping) else None
                if isinstance(cond, Mapping):
                    try:
                        if Draft202012Validator(cond).is_valid(request_body):
                            return base + pointer([key, i])
                    except jsonschema.exceptions.SchemaError:
                        continue
        return schema_pointer


# -- helpers -----------------------------------------------------------------------------------------


def _response_key(responses: Mapping[str, Any], status: int) -> str | None:
    """The key of ``responses`` that answers ``status``: exact, then ``4XX``/``4xx``, then ``default``."""
    for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
        if key in responses:
            return key
    return None


def _replace(f: Finding, **changes: Any) -> Finding:
    from dataclasses import replace

    return replace(f, **changes)
