"""Drift detection: probe a gateway cheaply and report how it differs from its contract, from a
baseline recording of the same probes, and from the mock (``imagegw drift``).

Layout (each module's docstring is its specification):

=====================  ======================================================================
:mod:`drift.plans`     the probe plan of each gateway: requests, expected statuses, error shapes
:mod:`drift.probe`     one probe as a sans-IO flow over the client's flows (retry, Retry-After, polling)
:mod:`drift.shell`     drives probe flows over ``httpx``; the in-process mock as drift sees it
:mod:`drift.checks`    plan, contract, baseline, lifecycle and mock-divergence checks
:mod:`drift.model`     observations, findings (kinds and severity), probe results, the report
:mod:`drift.runner`    :class:`DriftRun`: one run, start to finish
:mod:`drift.report`    JSON, Markdown and JUnit reports; the terminal summary
:mod:`drift.cli`       the ``imagegw drift`` command
=====================  ======================================================================

::

    from contracts.registry import gateway_spec
    from drift import DriftRun, Target

    report = DriftRun("tokenhub", Target(gateway_spec("tokenhub").host, api_key), budget=1).run()
    report.exit_code        # 0 clean, 1 breaking drift, 2 could not run
    for f in report.findings:
        print(f.kind, f.severity, f.location, f.expected, f.observed)

Drift imports the contracts (:mod:`contracts`: the contract model, :mod:`contracts.diff`, the
registry), the recordings format (:mod:`recordings`) and the reference client's flows
(:mod:`clients.flow`); never the mock: the mock to compare with is handed in
(:data:`drift.shell.MockFactory`) by the composition root, ``imagegw.cli``.
"""

from __future__ import annotations

from .checks import Baseline, LatencyRule
from .model import (
    BREAKING_BY_DEFAULT,
    KINDS,
    DriftCouldNotRun,
    DriftReport,
    Finding,
    Observation,
    ProbeResult,
    ProgressSink,
    could_not_run,
    finding_id,
)
from .plans import PLANS, GatewayPlan, Probe, plan_for
from .probe import Limits
from .runner import DriftRun, Target, run_drift
from .shell import MockFactory, MockTarget

__all__ = [
    "DriftRun",
    "Target",
    "Limits",
    "LatencyRule",
    "run_drift",
    "MockTarget",
    "MockFactory",
    "Baseline",
    "KINDS",
    "BREAKING_BY_DEFAULT",
    "DriftCouldNotRun",
    "DriftReport",
    "Finding",
    "Observation",
    "ProbeResult",
    "ProgressSink",
    "could_not_run",
    "finding_id",
    "PLANS",
    "GatewayPlan",
    "Probe",
    "plan_for",
]
