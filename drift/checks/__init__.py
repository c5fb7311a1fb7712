"""The checks a drift run applies to what a probe observed.

=============  ==========================================================================
plan           :mod:`drift.checks.plan` — expected status, JSON/image, error shape, base64 images
contract       :mod:`drift.checks.contract` — declared status, headers, media type, body schema
baseline       :mod:`drift.checks.baseline` — the recording of the same probe step
lifecycle      :mod:`drift.checks.lifecycle` — task states over all polls
mock           :mod:`drift.checks.mock` — the mock's answer to the same request
=============  ==========================================================================

:func:`analyse` runs the first four on one probe's observations; :func:`drift.checks.mock.compare`
the fifth, when a mock is there to compare with.
"""

from __future__ import annotations

from ..model import Finding, Observation
from ..plans import Probe
from . import baseline as baseline_check
from . import contract as contract_check
from . import lifecycle as lifecycle_check
from . import plan as plan_check
from .baseline import Baseline
from .common import Context, LatencyRule

__all__ = ["Context", "LatencyRule", "Baseline", "analyse", "merge"]


def analyse(ctx: Context, baseline: Baseline | None, probe: Probe, observations: list[Observation]) -> list[Finding]:
    """Plan, contract, baseline and lifecycle findings for one probe, merged (:func:`merge`).

    With a baseline the status is judged against it (what clients saw), otherwise against the
    plan; bodies are compared only when the status, media type and error shape are as expected.
    """
    out: list[Finding] = []
    for obs in observations:
        download = obs.step == "download"
        ex = baseline.match(probe, obs) if baseline is not None else None
        expected = probe.status if obs.step in ("send", "create") else 200
        v = plan_check.check(ctx, probe, obs, ex.status if ex is not None else expected, ex is not None)
        out.extend(v.findings)
        if not download and ctx.contract is not None:
            out.extend(contract_check.check(ctx, probe, obs, v.status_ok and v.media_ok and v.shape_ok))
        if v.status_ok and v.media_ok and not download and 200 <= obs.status < 300:
            out.extend(plan_check.inline_images(ctx, probe, obs))
        if ex is not None and v.status_ok:
            out.extend(baseline_check.compare(ctx, probe, obs, ex, v.media_ok and v.shape_ok))
    if probe.lifecycle is not None:
        out.extend(lifecycle_check.check(ctx, baseline, probe, probe.lifecycle, [o for o in observations if o.step == "poll"]))
    return merge(out)


def merge(findings: list[Finding]) -> list[Finding]:
    """One finding per (step, location, kind): polls repeat; the first source (plan, contract,
    baseline) wins, and the severity is breaking if any source says so."""
    merged: dict[tuple[str, str, str], Finding] = {}
    for f in findings:
        key = (f.step, f.location, f.kind)
        if key in merged:
            if f.breaking:
                merged[key].severity = "breaking"
            continue
        merged[key] = f
    return list(merged.values())
