"""Checks against a baseline: an earlier recording of the same probe step (a recordings folder,
:mod:`recordings`). Compared: status (by the plan check, against the baseline's), media type,
tracked headers (request id, ``Retry-After``, rate-limit headers, any the contract declares), the
body's shape (every JSON pointer and its types), categorical values and latency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contracts.diff import join, json_type
from contracts.wire import REQUEST_ID_HEADERS, media_type
from recordings import Exchange, Recordings

from ..jsonshape import MISSING, get_pointer, parent, shape_of, stub_blobs
from ..model import DriftCouldNotRun, Finding, Observation
from ..plans import ERROR_CATEGORICAL, Probe
from ..probe import RETRY_STATUSES
from .common import Context

__all__ = ["Baseline", "TRACKED_HEADERS", "tracked", "compare", "categorical_pointers"]

#: Response headers whose presence is compared (besides ``x-ratelimit-*`` and the contract's).
TRACKED_HEADERS = frozenset({*REQUEST_ID_HEADERS, "retry-after", "retry-after-ms", "allow"})


def tracked(name: str, declared: dict[str, Any]) -> bool:
    """Whether a response header's presence is compared: :data:`TRACKED_HEADERS`, rate limits, or declared."""
    return name in TRACKED_HEADERS or name.startswith("x-ratelimit") or name in declared


class Baseline:
    """A recordings folder's exchanges for one gateway, indexed by ``probe/step``.

    Raises:
        DriftCouldNotRun: when the folder cannot be read or holds nothing for the gateway.
    """

    def __init__(self, root: str | Path, gateway: str) -> None:
        try:
            self.recordings = Recordings(root)
            exchanges = self.recordings.exchanges(gateway)
        except (OSError, ValueError) as exc:
            raise DriftCouldNotRun(f"cannot read the baseline {root}: {exc}") from None
        if not exchanges:
            raise DriftCouldNotRun(f"the baseline {root} holds no recordings for {gateway} (expected {Path(root) / gateway}/*.json)")
        self.root = str(root)
        self.by_step: dict[str, list[Exchange]] = {}
        self.unmatched: set[str] = set()  # probe steps this run made that the baseline has no recording of
        for ex in exchanges:
            if ex.probe:
                self.by_step.setdefault(ex.probe, []).append(ex)

    def get(self, probe: str, step: str) -> list[Exchange]:
        return self.by_step.get(f"{probe}/{step}", [])

    @staticmethod
    def body(ex: Exchange) -> Any:
        """The recorded JSON body, blobs as placeholder strings (``None``: not JSON)."""
        b = ex.response.get("body")
        return stub_blobs(b) if b is not None else None

    def match(self, probe: Probe, obs: Observation) -> Exchange | None:
        """The recording to compare ``obs`` with: the same probe step (a poll: in the same task state)."""
        candidates = [ex for ex in self.get(probe.id, obs.step) if ex.status not in RETRY_STATUSES]
        if not candidates:
            self.unmatched.add(f"{probe.id}/{obs.step}")
            return None
        if obs.step == "poll" and probe.lifecycle is not None:
            state = get_pointer(obs.body, probe.lifecycle.status_pointer)
            return next((ex for ex in candidates if get_pointer(self.body(ex), probe.lifecycle.status_pointer) == state), None)
        return candidates[0]


def categorical_pointers(ctx: Context, probe: Probe, obs: Observation) -> list[str]:
    """Body pointers whose values clients switch on, for this answer (a task's state excluded:
    it is judged over the whole lifecycle)."""
    pointers = list(probe.categorical)
    if obs.status >= 400:
        pointers += ERROR_CATEGORICAL.get(probe.error_shape or ctx.plan.shape, ())
    if probe.lifecycle is not None and obs.step == "poll":
        pointers = [p for p in (*probe.lifecycle.categorical, *pointers) if p != probe.lifecycle.status_pointer]
    return list(dict.fromkeys(pointers))


def compare(ctx: Context, probe: Probe, obs: Observation, ex: Exchange, body_comparable: bool) -> list[Finding]:
    """Findings of ``obs`` against its recording ``ex`` (the status was compared by the plan check)."""
    out: list[Finding] = []
    b_media = media_type(ex.response.get("content_type") or ex.response.get("headers", {}).get("content-type"))
    if b_media and b_media != obs.content_type:
        out.append(
            ctx.finding(probe, obs, "content_type_changed", "/content_type", b_media, obs.content_type or "(none)", source="baseline")
        )
        return out
    _, resp = ctx.response(obs)
    declared = ctx.contract.response_headers(resp) if (ctx.contract is not None and resp) else {}
    for name in ex.response.get("headers") or {}:
        if name in obs.headers or not tracked(name, declared):
            continue
        required = declared.get(name, (None, None))[0]
        out.append(
            ctx.finding(
                probe, obs, "header_dropped", join("/headers", name), name, "absent", breaking=required is not False, source="baseline"
            )
        )
    if ex.latency_ms is not None:
        base_s, rule = ex.latency_ms / 1000.0, ctx.latency
        if obs.latency_s > base_s * rule.factor and obs.latency_s - base_s > rule.min_delta_s:
            out.append(
                ctx.finding(
                    probe,
                    obs,
                    "latency_shifted",
                    "/latency_ms",
                    round(ex.latency_ms, 1),
                    round(obs.latency_s * 1000, 1),
                    breaking=False,
                    source="baseline",
                    message=f"slower than {rule.factor:g}x the baseline and by more than {rule.min_delta_s:g} s",
                )
            )
    b_body = Baseline.body(ex)
    if not body_comparable or b_body is None or obs.body is None:
        return out
    schema = ctx.body_schema(obs)
    out.extend(_shape_diff(ctx, probe, obs, b_body, schema))
    out.extend(_categorical_diff(ctx, probe, obs, b_body, schema))
    return out


def _shape_diff(ctx: Context, probe: Probe, obs: Observation, b_body: Any, schema: Any) -> list[Finding]:
    schemas = ctx.schemas if schema is not None else None
    was, now = shape_of(b_body), shape_of(obs.body)
    out: list[Finding] = []
    for ptr in sorted(set(now) - set(was)):
        up = parent(ptr)
        if "object" not in was.get(up, set()) or "object" not in now.get(up, set()):
            continue
        if schemas is not None and schemas.lookup(schema, ptr)[0]:
            continue  # the contract declares it: the gateway now sends an optional field
        closed = schemas is not None and any(schemas.declared(n)[1] for n in schemas.lookup(schema, up)[0])
        out.append(
            ctx.finding(
                probe, obs, "field_added", "/body" + ptr, "absent in the baseline", sorted(now[ptr]), breaking=closed, source="baseline"
            )
        )
    gone = set(was) - set(now)
    for ptr in sorted(gone):
        up = parent(ptr)
        if "object" not in now.get(up, set()) or "object" not in was.get(up, set()) or up in gone:
            continue
        required = schemas.lookup(schema, ptr)[1] if schemas is not None else None
        out.append(
            ctx.finding(
                probe,
                obs,
                "field_removed",
                "/body" + ptr,
                sorted(was[ptr]),
                "absent",
                breaking=required is not False,
                source="baseline",
                message="the contract marks this field optional" if required is False else "",
            )
        )
    for ptr in sorted(set(was) & set(now)):
        tb, to = was[ptr], now[ptr]
        if to <= tb:
            continue
        allowed = schemas.types_at(schema, ptr) if schemas is not None else set()
        if allowed and to <= allowed:
            continue  # the contract allows what is observed
        kind = "now_nullable" if "null" in to and "null" not in tb and (to - {"null"}) <= tb else "type_changed"
        out.append(ctx.finding(probe, obs, kind, "/body" + ptr, sorted(tb), sorted(to), source="baseline"))
    return out


def _categorical_diff(ctx: Context, probe: Probe, obs: Observation, b_body: Any, schema: Any) -> list[Finding]:
    out: list[Finding] = []
    for ptr in categorical_pointers(ctx, probe, obs):
        b, o = get_pointer(b_body, ptr), get_pointer(obs.body, ptr)
        if b is MISSING or o is MISSING or isinstance(b, (dict, list)) or isinstance(o, (dict, list)) or b == o:
            continue
        if json_type(b) != json_type(o) and not (isinstance(b, (int, float)) and isinstance(o, (int, float))):
            continue  # a type change, reported by the shape comparison
        allowed = ctx.schemas.enum_at(schema, ptr) if (ctx.schemas is not None and schema is not None) else None
        if allowed is not None and o in allowed:
            continue
        known = sorted({b, *(allowed or set())}, key=str)
        out.append(ctx.finding(probe, obs, "enum_value_new", "/body" + ptr, known, o, source="baseline"))
    return out
