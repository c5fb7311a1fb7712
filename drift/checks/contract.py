"""Checks against the contract (``contracts/<id>.openapi.yaml``): the status is declared for the
operation, required headers are present, the media type is declared, and the body matches the
schema — structurally (:class:`contracts.diff.SchemaDiff`: what changed, with a drift kind) and
then by the contract's validator (:meth:`contracts.Contract.validate_response`) for keywords drift
has no kind for (``pattern``, bounds, …), reported as ``contract_violation``."""

from __future__ import annotations

import httpx

from contracts.diff import join

from ..model import Finding, Observation
from ..plans import Probe
from .common import Context, node_provenance

__all__ = ["check"]


def check(ctx: Context, probe: Probe, obs: Observation, body_comparable: bool) -> list[Finding]:
    """Contract findings for one (non-download) answer; the body is compared only when
    ``body_comparable`` (status, media type and error shape as the plan expects)."""
    c, schemas = ctx.contract, ctx.schemas
    assert c is not None and schemas is not None
    out: list[Finding] = []
    op = ctx.operation(obs)
    if op is None:
        return out
    key, resp = c.response_for(op, obs.status)
    if resp is None:
        declared = sorted((c.operation_object(op).get("responses") or {}).keys())
        out.append(
            ctx.finding(
                probe,
                obs,
                "status_code_changed",
                "/status",
                declared,
                obs.status,
                source="contract",
                provenance=ctx.op_provenance(op),
                message="the contract declares no such status for this operation",
            )
        )
        return out
    for name, (required, prov) in c.response_headers(resp).items():
        if required and name not in obs.headers:
            out.append(
                ctx.finding(
                    probe,
                    obs,
                    "header_dropped",
                    join("/headers", name),
                    f"{name} (required)",
                    "absent",
                    breaking=True,
                    provenance=prov,
                    source="contract",
                )
            )
    declared_media = list((resp.get("content") or {}).keys())
    media, schema = c.media_for(resp, obs.content_type)
    if declared_media and media is None:
        out.append(
            ctx.finding(
                probe,
                obs,
                "content_type_changed",
                "/content_type",
                declared_media,
                obs.content_type or "(none)",
                provenance=node_provenance(resp),
                source="contract",
            )
        )
        return out
    if not body_comparable or schema is None or obs.body is None:
        return out
    lc = probe.lifecycle
    state_ptr = lc.status_pointer if (lc is not None and obs.step == "poll") else None
    for d in schemas.compare(obs.body, schema, ""):
        if state_ptr is not None and d.location == state_ptr and d.kind == "enum_value_new":
            continue  # task states are judged over the whole lifecycle
        out.append(ctx.from_diff(probe, obs, d, "contract"))
    out.extend(_validator_findings(ctx, probe, obs, out))
    return out


def _validator_findings(ctx: Context, probe: Probe, obs: Observation, have: list[Finding]) -> list[Finding]:
    """Findings of the contract's validator that the structural comparison did not explain."""
    assert ctx.contract is not None
    response = httpx.Response(obs.status, headers=obs.headers, content=obs.raw)
    try:
        found = ctx.contract.validate_response(obs.method, obs.path, response, request_body=obs.request_body)
    except Exception as exc:  # a validator bug must not hide the drift report
        return [
            ctx.finding(
                probe,
                obs,
                "contract_violation",
                "/body",
                "validator ran",
                type(exc).__name__,
                breaking=False,
                source="contract",
                message=f"contracts validator failed: {type(exc).__name__}",
            )
        ]
    known = [f.location for f in have]
    out: list[Finding] = []
    for f in found:
        loc = _exchange_pointer(f.location)
        if any(loc == k or loc.startswith(k + "/") or k.startswith(loc + "/") for k in known):
            continue
        if loc.startswith(("/status", "/headers", "/content_type")):
            continue  # covered by the checks above
        if f.kind not in ("schema_violation", "invalid_header"):
            continue  # the structural comparison owns the other kinds (contracts.findings.FindingKind)
        out.append(
            ctx.finding(
                probe,
                obs,
                "contract_violation",
                loc,
                f.expected,
                f.observed,
                source="contract",
                message=f"the contract's validator: {f.kind}",
            )
        )
    return out


def _exchange_pointer(location: str) -> str:
    """A ``contracts`` finding location (``/response/body/x``, ``/response/status``,
    ``/response/headers/h``, ``/response/content-type``) as a drift location (``/body/x`` …)."""
    for prefix, repl in (
        ("/response/body", "/body"),
        ("/response/status", "/status"),
        ("/response/headers", "/headers"),
        ("/response/content-type", "/content_type"),
        ("/response", "/body"),
    ):
        if location == prefix or location.startswith(prefix + "/"):
            return repl + location[len(prefix) :]
    return location
