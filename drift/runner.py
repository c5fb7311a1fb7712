"""A drift run: probe a gateway, check every answer, compare with the mock, report.

:class:`DriftRun` is the configuration of one run (where to send — :class:`Target` —, the budget,
the baseline, the time bounds — :class:`~drift.probe.Limits` —, the latency rule, the mock to
compare with) and :meth:`DriftRun.run` carries it out:

1. each probe of the plan (:mod:`drift.plans`; free ones, then at most ``budget`` paid ones) runs
   as a sans-IO flow (:func:`drift.probe.probe_flow`) driven by :class:`drift.shell.HttpShell`;
2. its answers are checked against the plan, the contract, the baseline and the task lifecycle
   (:func:`drift.checks.analyse`);
3. when a mock is given, the same probe runs against it in process and every answer is compared
   with the mock's (:func:`drift.checks.mock.compare`);
4. everything lands in a :class:`~drift.model.DriftReport`.

A run that cannot happen — bad configuration, no key, an unreachable host, a rejected key, a
busy gateway, a time limit — ends with ``status="could_not_run"`` and the reason (exit code 2);
it is never reported as drift.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

import contracts
from contracts import Contract
from recordings import RecordingWriter, Redactor

from . import plans
from .checks import Baseline, Context, LatencyRule, analyse
from .checks import mock as mock_check
from .model import DriftCouldNotRun, DriftReport, Finding, Observation, ProbeResult, ProgressSink, could_not_run, now_iso
from .plans import GatewayPlan, Probe
from .probe import Endpoint, Limits, ProbeOutcome, probe_flow
from .shell import HttpShell, MockFactory, MockTarget, VirtualTime

__all__ = ["Target", "DriftRun", "run_drift"]


@dataclass(frozen=True)
class Target:
    """The gateway to probe: its root URL (its documented host, or ``http://127.0.0.1:8000/tokenhub``),
    the key (never logged, stored or reported) and, for tests, an ``httpx`` transport."""

    base_url: str
    api_key: str = field(repr=False)
    transport: httpx.BaseTransport | None = None


@dataclass
class DriftRun:
    """One drift run.

    Attributes:
        gateway: gateway id.
        target: where the probes go (:class:`Target`).
        budget: most paid generations (>= 0).
        baseline: a recordings folder to compare with (``None``: contract and plan only).
        contract: the contract (default: ``contracts.load(gateway)``; ``False`` skips contract checks).
        limits: time bounds (:class:`~drift.probe.Limits`).
        latency: when a slower answer is ``latency_shifted`` (:class:`~drift.checks.LatencyRule`).
        fail_on: ``"breaking"`` or ``"any"`` (sets :attr:`DriftReport.exit_code`).
        save_baseline: also store every exchange with the gateway (redacted) in this recordings folder.
        mock: builds the mock to compare every answer with (``None``: no mock comparison).
        timer: monotonic seconds (latency, the deadline); sleep: waits between polls and retries.
        progress: a :class:`~drift.model.ProgressSink`.
        plan: another :class:`~drift.plans.GatewayPlan` than the gateway's (tests).
    """

    gateway: str
    target: Target
    budget: int = 1
    baseline: str | Path | None = None
    contract: Contract | None | Literal[False] = None
    limits: Limits = field(default_factory=Limits)
    latency: LatencyRule = field(default_factory=LatencyRule)
    fail_on: str = "breaking"
    save_baseline: str | Path | None = None
    mock: MockFactory | None = None
    timer: Callable[[], float] = time.perf_counter
    sleep: Callable[[float], Any] = time.sleep
    progress: ProgressSink = field(default_factory=ProgressSink)
    plan: GatewayPlan | None = None

    def __repr__(self) -> str:
        return f"DriftRun(gateway={self.gateway!r}, base_url={self.target.base_url!r}, budget={self.budget})"

    def run(self) -> DriftReport:
        """Probe, check and return the report (``status='could_not_run'`` when it could not)."""
        base_url = self.target.base_url.rstrip("/") if self.target.base_url else ""
        try:
            plan, contract, baseline = self._prepare()
        except DriftCouldNotRun as exc:
            return could_not_run(self.gateway, str(exc), base_url=base_url, budget=max(self.budget, 0), fail_on=self.fail_on)
        report = DriftReport(
            gateway=self.gateway,
            base_url=base_url,
            started_at=now_iso(),
            budget=self.budget,
            baseline=baseline.root if baseline else None,
            fail_on=self.fail_on,
            contract=(f"contracts/{self.gateway}.openapi.yaml (info.version {contract.version or '?'})" if contract else None),
        )
        if contract is None:
            report.notes.append(f"no contract for {self.gateway}: contract checks skipped")
        if baseline is None:
            report.notes.append("no baseline: compared with the contract and the probe plan only (latency is not checked)")
        key = self.target.api_key.strip()
        ctx = Context(plan, contract, Redactor([key]), self.latency)
        writer = RecordingWriter(self.save_baseline, self.gateway, base_url, Redactor([key])) if self.save_baseline else None
        endpoint = Endpoint(plan, base_url, key)
        mock = _MockSide(self.mock(self.gateway), plan, self.limits) if self.mock is not None else None
        if mock is not None:
            report.mock = mock.target.description
        start = self.timer()
        self.progress.begin(len(plan.probes(self.budget)))
        try:
            with httpx.Client(transport=self.target.transport, follow_redirects=False) as client:
                shell = HttpShell(client, timer=self.timer, sleep=self.sleep, progress=self.progress, writer=writer, base_url=base_url)
                for probe in plan.probes(self.budget):
                    self._probe(probe, shell, endpoint, start + self.limits.deadline_s, ctx, baseline, mock, report)
        except DriftCouldNotRun as exc:
            report.status, report.reason = "could_not_run", str(exc)
        finally:
            self.progress.end()
            if mock is not None:
                mock.close()
        if baseline is not None and not baseline.by_step:
            report.notes.append(
                f"the baseline {baseline.root} has no exchanges from drift probes "
                "(no X-Imagegw-Probe header): record it by running imagegw drift through imagegw record"
            )
        elif baseline is not None and baseline.unmatched:
            report.notes.append(
                "no baseline recording for "
                + ", ".join(sorted(baseline.unmatched))
                + ": those steps were compared with the contract and the plan only"
            )
        if mock is not None:
            report.notes.extend(mock.notes)
        report.finished_at = now_iso()
        report.duration_s = self.timer() - start
        return report

    def _prepare(self) -> tuple[GatewayPlan, Contract | None, Baseline | None]:
        """The plan, contract and baseline, after checking the configuration.

        Raises:
            DriftCouldNotRun: unknown gateway, no key, a bad base URL, budget or ``fail_on``, an
                unreadable contract or baseline.
        """
        if self.plan is None and self.gateway not in plans.PLANS:
            raise DriftCouldNotRun(f"unknown gateway {self.gateway!r}; choose one of {', '.join(plans.PLANS)}")
        plan = self.plan or plans.plan_for(self.gateway)
        if not self.target.api_key or not self.target.api_key.strip():
            raise DriftCouldNotRun(f"no API key: set {plan.spec.api_key_env}")
        if not self.target.base_url or not re.match(r"^https?://", self.target.base_url):
            raise DriftCouldNotRun(f"invalid base URL {self.target.base_url!r}: expected http(s)://host[/prefix]")
        if self.budget < 0:
            raise DriftCouldNotRun("--budget must be >= 0")
        if self.fail_on not in ("breaking", "any"):
            raise DriftCouldNotRun("--fail-on must be 'breaking' or 'any'")
        contract: Contract | None = None
        if self.contract is None:
            try:
                contract = contracts.load(self.gateway)
            except contracts.ContractNotFound:
                contract = None
            except contracts.ContractError as exc:
                raise DriftCouldNotRun(f"the {self.gateway} contract cannot be read: {exc}") from None
        elif self.contract is not False:
            contract = self.contract
        baseline = Baseline(self.baseline, self.gateway) if self.baseline is not None else None
        return plan, contract, baseline

    def _probe(
        self,
        probe: Probe,
        shell: HttpShell,
        endpoint: Endpoint,
        deadline_at: float,
        ctx: Context,
        baseline: Baseline | None,
        mock: _MockSide | None,
        report: DriftReport,
    ) -> None:
        """Run one probe, check it, and add its result to ``report``."""
        self.progress.probe_started(probe)
        outcome = ProbeOutcome()
        try:
            shell.run(probe_flow(endpoint, probe, self.limits, deadline_at, outcome), probe)
        finally:
            report.paid_used += 1 if outcome.paid else 0
        observations = outcome.observations
        findings = analyse(ctx, baseline, probe, observations)
        if mock is not None:
            findings += mock.compare(ctx, probe, observations)
        for o in observations:
            o.raw = b""
        report.probes.append(
            ProbeResult(
                probe.id,
                probe.title,
                probe.paid,
                steps=[o.summary() for o in observations],
                finding_ids=[f.id for f in findings],
                note=outcome.note,
            )
        )
        report.findings.extend(findings)
        self.progress.probe_done(probe, len(findings))


class _MockSide:
    """The mock in process: runs each probe against it (time moves only by the probe's waits)."""

    def __init__(self, target: MockTarget, plan: GatewayPlan, limits: Limits) -> None:
        self.target = target
        self.limits = limits
        self.endpoint = Endpoint(plan, target.base_url.rstrip("/"), target.api_key)
        self.time = VirtualTime(target.advance)
        self.client = httpx.Client(transport=target.transport, follow_redirects=False)
        self.shell = HttpShell(self.client, timer=self.time.now, sleep=self.time.sleep)
        self.notes: list[str] = []

    def compare(self, ctx: Context, probe: Probe, live: list[Observation]) -> list[Finding]:
        """Run ``probe`` on the mock and compare the gateway's answers ``live`` with the mock's."""
        outcome = ProbeOutcome()
        try:
            self.shell.run(probe_flow(self.endpoint, probe, self.limits, math.inf, outcome), probe)
        except DriftCouldNotRun as exc:
            self.notes.append(f"the mock could not answer probe {probe.id} ({exc}): its answers were compared up to there")
        return mock_check.compare(ctx, probe, live, outcome.observations)

    def close(self) -> None:
        self.client.close()
        self.target.close()


def run_drift(gateway: str, *, base_url: str, api_key: str, transport: httpx.BaseTransport | None = None, **options: Any) -> DriftReport:
    """``DriftRun(gateway, Target(base_url, api_key, transport), **options).run()``; the time
    bounds may be given flat too (``task_timeout_s=…``: the fields of :class:`~drift.probe.Limits`).

    Raises:
        TypeError: for an option :class:`DriftRun` and :class:`~drift.probe.Limits` do not have.
    """
    limit_names = set(Limits.__dataclass_fields__)
    flat = {k: options.pop(k) for k in list(options) if k in limit_names}
    if flat:
        options["limits"] = Limits(**flat)
    return DriftRun(gateway, Target(base_url, api_key, transport), **options).run()
