"""Mock divergence: where the mock answers the same request differently from the gateway.

Every probe is also run against the mock, in process (:class:`drift.shell.MockTarget`), and each
answer of the gateway is compared with the mock's answer to the same step — structurally, never
by value (ids, times, URLs and image bytes differ by nature):

=================  =================================================================  ==============
what               when                                                               severity
=================  =================================================================  ==============
status             another status                                                     breaking
media type         another media type (downloads: another major type)                 breaking
error shape        one answer is in the gateway's error shape, the other is not       breaking
field              the mock sends a field the gateway does not                        breaking
field              the gateway sends a field the mock does not                        non-breaking
type               the gateway sends a type the mock never does                       breaking
type               the mock sends a type the gateway does not (and no other change)   non-breaking
value              a categorical value (error type/code/param, envelope code, a       breaking
                   task's model or state, …) differs
header             the mock sends a tracked header the gateway does not               breaking
header             the gateway sends a tracked header the mock does not               non-breaking
=================  =================================================================  ==============

A field the mock sends and the gateway does not is breaking *even when the contract marks it
optional*: an app built and tested against the mock reads it and breaks in production. The
other direction (the gateway sends more) breaks nothing built against the mock, so it is
reported as non-breaking. Every finding is of kind ``mock_divergence``, with ``expected`` = the
mock's answer, ``observed`` = the gateway's, and ``fix`` naming the contract part (operation,
status, media type, location) and the mock's rule (:attr:`drift.plans.Probe.mock_rule`) to change.

Poll answers are paired by task state (a ``processing`` poll with the mock's ``processing``
poll); a state the mock never reaches is compared as a value only.
"""

from __future__ import annotations

from typing import Any

from ..jsonshape import MISSING, get_pointer, parent, shape_of
from ..model import Finding, Observation
from ..plans import Probe
from .baseline import categorical_pointers, tracked
from .common import Context, error_shape_ok
from .lifecycle import known_states, states_seen

__all__ = ["compare", "pair"]

KIND = "mock_divergence"


def pair(probe: Probe, live: list[Observation], mock: list[Observation]) -> list[tuple[Observation, Observation | None]]:
    """Each gateway answer with the mock's answer to the same step (``None`` when the mock has none)."""
    lc = probe.lifecycle
    out: list[tuple[Observation, Observation | None]] = []
    for obs in live:
        same = [m for m in mock if m.step == obs.step]
        if obs.step == "poll" and lc is not None:
            state = get_pointer(obs.body, lc.status_pointer)
            same = [m for m in same if get_pointer(m.body, lc.status_pointer) == state]
        out.append((obs, same[0] if same else None))
    return out


def compare(ctx: Context, probe: Probe, live: list[Observation], mock: list[Observation]) -> list[Finding]:
    """``mock_divergence`` findings for one probe (one per step and location)."""
    out: list[Finding] = []
    for obs, twin in pair(probe, live, mock):
        if twin is not None:
            out.extend(_compare(ctx, probe, obs, twin))
    if probe.lifecycle is not None:
        out.extend(_states(ctx, probe, live, mock))
    unique: dict[tuple[str, str], Finding] = {}
    for f in out:
        unique.setdefault((f.step, f.location), f)
    return list(unique.values())


def _states(ctx: Context, probe: Probe, live: list[Observation], mock: list[Observation]) -> list[Finding]:
    """Task states the gateway went through that the mock neither reached nor may send."""
    lc = probe.lifecycle
    assert lc is not None
    live_polls = [o for o in live if o.step == "poll"]
    mock_polls = [o for o in mock if o.step == "poll"]
    if not live_polls or not mock_polls:
        return []
    mock_states = states_seen(lc, mock_polls)
    allowed = set(mock_states) | known_states(ctx, lc, mock_polls)
    out: list[Finding] = []
    for state in states_seen(lc, live_polls):
        if state in allowed:
            continue
        where = next(o for o in live_polls if get_pointer(o.body, lc.status_pointer) == state)
        out.append(
            _finding(
                ctx,
                probe,
                where,
                "/body" + lc.status_pointer,
                mock_states,
                state,
                True,
                f"the gateway's task reaches state {state!r}, which the mock never sends",
                "the task states the contract lists and the mock's task engine walks through",
            )
        )
    return out


def _compare(ctx: Context, probe: Probe, obs: Observation, twin: Observation) -> list[Finding]:
    if obs.status != twin.status:
        return [
            _finding(
                ctx,
                probe,
                obs,
                "/status",
                twin.status,
                obs.status,
                True,
                f"the mock answers {twin.status} where the gateway answers {obs.status}",
                probe.mock_rule if obs.step in ("send", "create") else "",
            )
        ]
    download = obs.step == "download"
    same_media = (obs.content_type.split("/")[0] == twin.content_type.split("/")[0]) if download else obs.content_type == twin.content_type
    if not same_media:
        return [
            _finding(
                ctx,
                probe,
                obs,
                "/content_type",
                twin.content_type or "(none)",
                obs.content_type or "(none)",
                True,
                "the mock answers another media type",
            )
        ]
    out = _headers(ctx, probe, obs, twin)
    if download or obs.body is None or twin.body is None:
        return out
    if obs.status >= 400:
        shape = probe.error_shape or ctx.plan.shape
        if error_shape_ok(obs.body, shape) != error_shape_ok(twin.body, shape):
            return out + [
                _finding(
                    ctx,
                    probe,
                    obs,
                    "/body",
                    _keys(twin.body),
                    _keys(obs.body),
                    True,
                    f"one answer is in the {shape} error shape and the other is not",
                )
            ]
    out.extend(_shape(ctx, probe, obs, twin))
    out.extend(_values(ctx, probe, obs, twin))
    return out


def _headers(ctx: Context, probe: Probe, obs: Observation, twin: Observation) -> list[Finding]:
    _, resp = ctx.response(obs)
    declared = ctx.contract.response_headers(resp) if (ctx.contract is not None and resp) else {}
    out: list[Finding] = []
    for name in sorted(set(obs.headers) | set(twin.headers)):
        if not tracked(name, declared) or (name in obs.headers) == (name in twin.headers):
            continue
        mock_only = name in twin.headers
        out.append(
            _finding(
                ctx,
                probe,
                obs,
                "/headers/" + name,
                "present" if mock_only else "absent",
                "absent" if mock_only else "present",
                mock_only,
                f"the mock sends the {name} header, the gateway does not"
                if mock_only
                else f"the gateway sends the {name} header, the mock does not",
            )
        )
    return out


def _shape(ctx: Context, probe: Probe, obs: Observation, twin: Observation) -> list[Finding]:
    L, M = shape_of(obs.body), shape_of(twin.body)
    out: list[Finding] = []
    for only, mock_only in ((set(M) - set(L), True), (set(L) - set(M), False)):
        for ptr in sorted(only):
            up = parent(ptr)
            if up in only or "object" not in L.get(up, set()) or "object" not in M.get(up, set()):
                continue  # the parent is missing too (reported once, there), or is not an object on both sides
            seen = sorted((M if mock_only else L)[ptr])
            if mock_only:
                required = _required(ctx, obs, ptr)
                note = " (the contract marks it optional)" if required is False else ""
                out.append(
                    _finding(
                        ctx,
                        probe,
                        obs,
                        "/body" + ptr,
                        seen,
                        "absent",
                        True,
                        f"the mock sends {ptr}, the gateway does not{note}: an app built against the mock reads it",
                    )
                )
            else:
                out.append(_finding(ctx, probe, obs, "/body" + ptr, "absent", seen, False, f"the gateway sends {ptr}, the mock does not"))
    for ptr in sorted(set(L) & set(M)):
        tl, tm = L[ptr], M[ptr]
        if tl == tm:
            continue
        out.append(
            _finding(
                ctx,
                probe,
                obs,
                "/body" + ptr,
                sorted(tm),
                sorted(tl),
                bool(tl - tm),
                "the gateway sends a type here the mock never does" if tl - tm else "the mock sends a type here the gateway does not",
            )
        )
    return out


def _values(ctx: Context, probe: Probe, obs: Observation, twin: Observation) -> list[Finding]:
    out: list[Finding] = []
    for ptr in categorical_pointers(ctx, probe, obs):
        a, b = get_pointer(obs.body, ptr), get_pointer(twin.body, ptr)
        if a is MISSING or b is MISSING or isinstance(a, (dict, list)) or isinstance(b, (dict, list)) or a == b:
            continue
        if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            continue  # a type difference, reported by the shape comparison
        out.append(
            _finding(
                ctx,
                probe,
                obs,
                "/body" + ptr,
                b,
                a,
                True,
                f"an app that switches on {ptr} sees {a!r} from the gateway, {b!r} from the mock",
            )
        )
    return out


def _required(ctx: Context, obs: Observation, ptr: str) -> bool | None:
    schema = ctx.body_schema(obs)
    return ctx.schemas.lookup(schema, ptr)[1] if (ctx.schemas is not None and schema is not None) else None


def _keys(body: Any) -> list[str] | str:
    return sorted(body) if isinstance(body, dict) else type(body).__name__


def _contract_part(ctx: Context, obs: Observation, location: str) -> str:
    """``createImage, response 400, application/json /error/code``: where in the contract ``location`` is."""
    op_name = ctx.op_name(obs)
    if location == "/status":
        return f"{op_name}, its responses"
    media = obs.content_type or "application/json"
    if location.startswith("/headers/"):
        return f"{op_name}, response {obs.status}, header {location[len('/headers/') :]}"
    if location == "/content_type":
        return f"{op_name}, response {obs.status}, content"
    return f"{op_name}, response {obs.status}, {media} {location[len('/body') :] or '(the body)'}"


def _finding(
    ctx: Context, probe: Probe, obs: Observation, location: str, mock: Any, live: Any, breaking: bool, message: str, rule: str = ""
) -> Finding:
    contract = f"contract: {_contract_part(ctx, obs, location)}" if ctx.contract is not None else "contract: (none loaded)"
    mock_side = f"mock: {rule or 'the ' + ctx.gateway + ' gateway module that builds this answer'}"
    return ctx.finding(
        probe, obs, KIND, location, mock, live, breaking=breaking, source="mock", message=message, fix=f"{contract}; {mock_side}"
    )
