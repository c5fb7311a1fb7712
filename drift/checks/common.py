"""What every check shares: the run's context, the contract lookups for an observation, and
how a finding is made (stable id, provenance, redacted evidence)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts import Contract, Operation, Provenance
from contracts.diff import Diff, SchemaDiff, json_type
from contracts.wire import unpointer
from recordings import Redactor

from ..model import BREAKING_BY_DEFAULT, KINDS, Finding, Observation, finding_id
from ..plans import GatewayPlan, Probe

__all__ = ["Context", "LatencyRule", "error_shape_ok", "top_keys", "node_provenance"]


@dataclass(frozen=True)
class LatencyRule:
    """A step is ``latency_shifted`` when it is slower than ``factor`` x the baseline *and* slower
    by more than ``min_delta_s`` seconds."""

    factor: float = 3.0
    min_delta_s: float = 2.0


def error_shape_ok(body: Any, shape: str) -> bool:
    """Whether ``body`` is in the error ``shape`` (:data:`contracts.registry.ERROR_SHAPE_BODIES`):
    ``openai`` ``{"error": {"message", ...}}``, ``dashscope`` ``{"code", "message"}``, ``envelope``
    ``{"code", "msg", "data"}``."""
    if not isinstance(body, dict):
        return False
    if shape == "openai":
        return isinstance(body.get("error"), dict) and "message" in body["error"]
    if shape == "dashscope":
        return "code" in body and "message" in body and "error" not in body
    if shape == "envelope":
        return "code" in body and "msg" in body and "data" in body
    return True


def top_keys(body: Any) -> str:
    """``{"a", "b"}``: the top-level keys of a body (its JSON type when not an object)."""
    if isinstance(body, dict):
        return "{" + ", ".join(f'"{k}"' for k in list(body)[:12]) + "}"
    return json_type(body)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass
class Context:
    """One run's view of the gateway: its plan, its contract (``None``: not checked) and how
    findings are scrubbed. :meth:`finding` is the one way findings are made."""

    plan: GatewayPlan
    contract: Contract | None
    redactor: Redactor
    latency: LatencyRule = field(default_factory=LatencyRule)

    def __post_init__(self) -> None:
        self.schemas = SchemaDiff(self.contract.spec) if self.contract is not None else None

    @property
    def gateway(self) -> str:
        return self.plan.gateway

    # -- the contract, for one observation -------------------------------------------------------
    def operation(self, obs: Observation) -> Operation | None:
        """The contract operation ``obs`` exercised (``None`` for a download, or no contract)."""
        if self.contract is None or obs.step == "download":
            return None
        return self.contract.match(obs.method, obs.path)[0]

    def op_name(self, obs: Observation) -> str:
        """The ``operationId`` (``<parent>.download`` for a result download)."""
        if obs.step == "download":
            parent = self.contract.match(obs.parent_method or "GET", obs.path)[0] if self.contract is not None else None
            return f"{_name(parent, obs.parent_method or 'GET', obs.template)}.download"
        return _name(self.operation(obs), obs.method, obs.template)

    def response(self, obs: Observation, status: int | None = None) -> tuple[Operation | None, dict[str, Any] | None]:
        """The operation and its response object for ``status`` (default: the observed one)."""
        op = self.operation(obs)
        if op is None or self.contract is None:
            return op, None
        return op, self.contract.response_for(op, obs.status if status is None else status)[1]

    def body_schema(self, obs: Observation, status: int | None = None) -> Any:
        """The schema of ``obs``'s body as the contract declares it, or ``None``."""
        _, resp = self.response(obs, status)
        if resp is None or self.contract is None:
            return None
        return self.contract.media_for(resp, obs.content_type or "application/json")[1]

    def op_provenance(self, op: Operation) -> Provenance | None:
        assert self.contract is not None
        return Provenance.from_obj(self.contract.operation_object(op).get("x-provenance"))

    def provenance(self, probe: Probe, obs: Observation, location: str) -> Provenance | None:
        """``x-provenance`` of the contract part at ``location`` for ``obs`` (the deepest one on the
        way: property, header, response, operation)."""
        c, schemas = self.contract, self.schemas
        if c is None or schemas is None:
            return None
        if obs.step == "download":
            parent = c.match(obs.parent_method or "GET", obs.path)[0]
            if parent is None or obs.source_pointer is None:
                return None
            resp = c.response_for(parent, 200)[1]
            schema = c.media_for(resp, "application/json")[1] if resp else None
            return schemas.lookup(schema, obs.source_pointer)[2] if schema is not None else self.op_provenance(parent)
        op = self.operation(obs)
        if op is None:
            return None
        op_prov = self.op_provenance(op)
        if location.startswith("/request/body"):
            schema = c.request_schema(op)
            return (schemas.lookup(schema, location[len("/request/body") :])[2] if schema is not None else None) or op_prov
        resp = c.response_for(op, obs.status)[1]
        resp_prov = node_provenance(resp)
        if location == "/status":
            expected = probe.status if obs.step in ("send", "create") else 200
            return node_provenance(c.response_for(op, expected)[1]) or op_prov
        if location.startswith("/headers/") and resp:
            h = c.response_headers(resp).get(unpointer(location)[1])
            return (h[1] if h else None) or resp_prov or op_prov
        if location.startswith("/body") and resp:
            schema = c.media_for(resp, obs.content_type or "application/json")[1]
            if schema is not None:
                return schemas.lookup(schema, location[len("/body") :])[2] or resp_prov or op_prov
        return resp_prov or op_prov

    # -- findings ------------------------------------------------------------------------------------
    def finding(
        self,
        probe: Probe,
        obs: Observation,
        kind: str,
        location: str,
        expected: Any,
        observed: Any,
        *,
        breaking: bool | None = None,
        provenance: Provenance | None = None,
        source: str,
        message: str = "",
        fix: str = "",
    ) -> Finding:
        """A finding of ``kind`` at ``location``; breaking by the kind's default unless told;
        provenance looked up unless given; evidence scrubbed of the key."""
        op = self.op_name(obs)
        brk = (kind in BREAKING_BY_DEFAULT) if breaking is None else breaking
        return Finding(
            id=finding_id(self.gateway, probe.id, obs.step, op, location, kind),
            gateway=self.gateway,
            probe=probe.id,
            step=obs.step,
            operation=op,
            location=location,
            kind=kind,
            severity="breaking" if brk else "non-breaking",
            expected=self.redactor.json(_jsonable(expected)),
            observed=self.redactor.json(_jsonable(observed)),
            request_id=obs.request_id,
            provenance=provenance or self.provenance(probe, obs, location),
            source=source,
            message=message or KINDS[kind],
            fix=fix,
        )

    def from_diff(self, probe: Probe, obs: Observation, d: Diff, source: str) -> Finding:
        """A :class:`contracts.diff.Diff` of the body as a finding."""
        return self.finding(
            probe,
            obs,
            d.kind,
            "/body" + d.location,
            d.expected,
            d.observed,
            breaking=d.breaking,
            provenance=d.provenance,
            source=source,
            message=d.note or KINDS[d.kind],
        )


def _name(op: Operation | None, method: str, template: str) -> str:
    return (op.operation_id if op is not None else None) or f"{method} {template}"


def node_provenance(node: Any) -> Provenance | None:
    """The ``x-provenance`` of a contract object (``None`` when it has none)."""
    return Provenance.from_obj(node.get("x-provenance")) if isinstance(node, dict) else None
