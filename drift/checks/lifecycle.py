"""The task lifecycle (PieBox): the states a task went through, judged over all its polls —
an unknown state that took the place of a known one is ``task_state_renamed``, an unknown state
besides all the known ones is ``task_state_new``. Known states are the contract's enum at the
plan's status pointer (else the plan's list); the reference order is the baseline's (else the
plan's success state)."""

from __future__ import annotations

from ..jsonshape import MISSING, get_pointer
from ..model import Finding, Observation
from ..plans import Lifecycle, Probe
from .baseline import Baseline
from .common import Context

__all__ = ["check", "states_seen"]


def states_seen(lc: Lifecycle, polls: list[Observation]) -> list[str]:
    """The task states in ``polls``, in the order first seen."""
    seen: list[str] = []
    for p in polls:
        s = get_pointer(p.body, lc.status_pointer) if isinstance(p.body, dict) else MISSING
        if isinstance(s, str) and s not in seen:
            seen.append(s)
    return seen


def known_states(ctx: Context, lc: Lifecycle, polls: list[Observation]) -> set[str]:
    """The states the contract allows at the status pointer (else the plan's)."""
    known = set(lc.states)
    if ctx.contract is not None and ctx.schemas is not None and polls:
        op = ctx.contract.match("GET", polls[0].path)[0]
        resp = ctx.contract.response_for(op, 200)[1] if op is not None else None
        schema = ctx.contract.media_for(resp, "application/json")[1] if resp else None
        allowed = ctx.schemas.enum_at(schema, lc.status_pointer) if schema is not None else None
        if allowed:
            known = {str(a) for a in allowed if a is not None}
    return known


def check(ctx: Context, baseline: Baseline | None, probe: Probe, lc: Lifecycle, polls: list[Observation]) -> list[Finding]:
    """Lifecycle findings for one task's ``polls``."""
    if not polls:
        return []
    observed = states_seen(lc, polls)
    known = known_states(ctx, lc, polls)
    reference: list[str] = []
    if baseline is not None:
        for ex in baseline.get(probe.id, "poll"):
            s = get_pointer(Baseline.body(ex), lc.status_pointer)
            if isinstance(s, str) and s not in reference:
                reference.append(s)
    if not reference:
        reference = [lc.success]
    missing = [s for s in reference if s not in observed]
    out: list[Finding] = []
    for pos, state in enumerate(observed):
        if state in known:
            continue
        where = next(p for p in polls if isinstance(p.body, dict) and get_pointer(p.body, lc.status_pointer) == state)
        if missing:
            # the known state closest in position is the one it replaced
            ref = min(missing, key=lambda s: abs(reference.index(s) - pos) if s in reference else 99)
            missing.remove(ref)
            out.append(
                ctx.finding(
                    probe,
                    where,
                    "task_state_renamed",
                    "/body" + lc.status_pointer,
                    ref,
                    state,
                    source="baseline" if baseline is not None else "plan",
                    message=f"task state {ref!r} is now {state!r}",
                )
            )
        else:
            out.append(
                ctx.finding(
                    probe,
                    where,
                    "task_state_new",
                    "/body" + lc.status_pointer,
                    sorted(known),
                    state,
                    source="contract" if ctx.contract is not None else "plan",
                    message=f"unknown task state {state!r} besides {', '.join(sorted(known))}",
                )
            )
    return out
