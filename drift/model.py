"""What a drift run produces: observations, findings, probe results and the report.

Kinds of drift (:data:`KINDS`) and their severity. The rule: *narrowing what a request may send
and widening what a response may hold break clients*; a response that stays inside what the
contract promises does not::

    field_added           a response field not in the contract/baseline    non-breaking (breaking if the schema is closed)
    field_removed         a field the contract requires / the baseline had  breaking (non-breaking if the contract says optional)
    type_changed          a value of another JSON type                      breaking
    now_nullable          a value is now null                               breaking
    enum_value_new        a categorical value outside the known set         breaking
    enum_value_gone       a documented request value is now refused         breaking
    status_code_changed   another HTTP status                               breaking
    error_shape_changed   an error body not in the gateway's error shape    breaking
    task_state_renamed    a task state replaced by an unknown one           breaking
    task_state_new        an unknown task state in addition to the known    breaking
    header_dropped        a header the contract requires / baseline had     breaking (non-breaking if the contract says optional)
    content_type_changed  another media type, or undecodable image data     breaking
    latency_shifted       slower than the baseline beyond the threshold     non-breaking
    contract_violation    anything else ``contracts``' validator rejects    breaking
    mock_divergence       the mock answers the same request differently     breaking when an app built against the mock
                                                                            can break in production (see drift.checks.mock)

Each :class:`Finding` has a stable id (hash of gateway, probe, step, operation, location and
kind), a JSON-pointer location rooted at the exchange (``/status``, ``/content_type``,
``/headers/x-request-id``, ``/body/data/0/url``, ``/latency_ms``, ``/request/body/quality``),
the evidence (expected, observed, the gateway's request id), the provenance of that part of the
contract (``x-provenance``: documented or inferred) and, for a mock divergence, what to change.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from contracts import Provenance

from .plans import Probe

__all__ = [
    "KINDS",
    "BREAKING_BY_DEFAULT",
    "Severity",
    "FailOn",
    "DriftCouldNotRun",
    "Observation",
    "Finding",
    "finding_id",
    "ProbeResult",
    "DriftReport",
    "ProgressSink",
    "could_not_run",
    "now_iso",
]

KINDS: dict[str, str] = {
    "field_added": "a response field that the contract or the baseline does not have",
    "field_removed": "a field the contract requires or the baseline had is missing",
    "type_changed": "a value now has another JSON type",
    "now_nullable": "a value that was never null is now null",
    "enum_value_new": "a categorical value outside the known set",
    "enum_value_gone": "a documented request value is refused now",
    "status_code_changed": "the HTTP status differs",
    "error_shape_changed": "an error body is no longer in the gateway's error shape",
    "task_state_renamed": "a task state was replaced by an unknown one",
    "task_state_new": "an unknown task state appears besides the known ones",
    "header_dropped": "a response header is missing",
    "content_type_changed": "the media type differs, or image data does not decode",
    "latency_shifted": "the answer is slower than the baseline beyond the threshold",
    "contract_violation": "the contract's validator rejects the response",
    "mock_divergence": "the mock answers the same request differently from the gateway",
}
#: Kinds that are breaking unless a check says otherwise (see the module docstring).
BREAKING_BY_DEFAULT = frozenset(KINDS) - {"field_added", "latency_shifted"}

Severity = Literal["breaking", "non-breaking"]
FailOn = Literal["breaking", "any"]


class DriftCouldNotRun(Exception):
    """The probe could not run (exit code 2); the message says why (no key, unreachable host, …)."""


def now_iso() -> str:
    """The current UTC time as ``2026-01-01T03:17:00Z`` (report timestamps)."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Observation:
    """One request the probe made and what came back.

    ``path`` is relative to the gateway root (filled in), ``template`` the plan's path;
    ``body`` the parsed JSON (``None`` if not JSON); ``latency_s`` seconds from send to the end
    of the body (injected timer); ``image_mime`` the sniffed type of a binary body; ``raw`` the
    body as received (dropped once analysed); ``retried`` whether a busy answer was sent again.
    """

    probe: str
    step: str
    method: str
    path: str
    template: str
    url: str
    request_body: Any
    status: int
    headers: dict[str, str]
    content_type: str
    body: Any
    latency_s: float
    request_id: str | None = None
    image_mime: str | None = None
    size: int = 0
    source_pointer: str | None = None  # download: where the URL came from in the parent answer
    parent_method: str | None = None  # download: the method of the answer that held the URL (its path is ``path``)
    raw: bytes = field(default=b"", repr=False)
    retried: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "method": self.method,
            "path": self.path if self.step != "download" else "(result URL)",
            "status": self.status,
            "content_type": self.content_type,
            "latency_ms": round(self.latency_s * 1000, 1),
            "request_id": self.request_id,
            **({"retried": True} if self.retried else {}),
        }


@dataclass
class Finding:
    """One drift finding (see the module docstring for kinds and severity).

    ``provenance`` is the ``x-provenance`` of the contract part at ``location`` (``None``: no
    contract part there); ``source`` the check that found it (``plan``, ``contract``,
    ``baseline``, ``mock``); ``fix`` what to change, for a mock divergence (a contract part or a
    catalog rule of the mock).
    """

    id: str
    gateway: str
    probe: str
    step: str
    operation: str
    location: str
    kind: str
    severity: Severity
    expected: Any
    observed: Any
    request_id: str | None
    provenance: Provenance | None
    source: str
    message: str
    fix: str = ""

    @property
    def breaking(self) -> bool:
        return self.severity == "breaking"

    @property
    def documented(self) -> bool | None:
        """``True`` documented, ``False`` inferred, ``None`` unknown (no contract part)."""
        return None if self.provenance is None else self.provenance.documented

    @property
    def provenance_kind(self) -> str:
        """``documented``, ``inferred`` or ``unknown``."""
        return "unknown" if self.provenance is None else self.provenance.kind

    def describe_provenance(self) -> str:
        return "unknown (no contract)" if self.provenance is None else self.provenance.describe()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "gateway": self.gateway,
            "probe": self.probe,
            "step": self.step,
            "operation": self.operation,
            "location": self.location,
            "kind": self.kind,
            "severity": self.severity,
            "evidence": {"expected": self.expected, "observed": self.observed, "request_id": self.request_id},
            "provenance": self.provenance.as_dict() if self.provenance is not None else {"kind": "unknown"},
            "documented": self.documented,
            "source": self.source,
            "message": self.message,
            **({"fix": self.fix} if self.fix else {}),
        }


def finding_id(gateway: str, probe: str, step: str, operation: str, location: str, kind: str) -> str:
    """Stable id: the same drift at the same place gets the same id on every run."""
    digest = hashlib.sha256("|".join((gateway, probe, step, operation, location, kind)).encode()).hexdigest()
    return f"DRIFT-{digest[:12]}"


@dataclass
class ProbeResult:
    """What one probe did: its steps (status, latency, request id) and its findings' ids."""

    id: str
    title: str
    paid: bool
    steps: list[dict[str, Any]] = field(default_factory=list)
    finding_ids: list[str] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "paid": self.paid, "steps": self.steps, "findings": self.finding_ids, "note": self.note}


@dataclass
class DriftReport:
    """The result of one run. ``status`` is ``ok`` (ran) or ``could_not_run`` (then ``reason``).

    ``mock`` says what the answers were also compared with (``None``: no mock comparison).
    """

    gateway: str
    base_url: str
    started_at: str
    finished_at: str = ""
    duration_s: float = 0.0
    budget: int = 1
    paid_used: int = 0
    baseline: str | None = None
    contract: str | None = None
    mock: str | None = None
    fail_on: str = "breaking"
    probes: list[ProbeResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: Literal["ok", "could_not_run"] = "ok"
    reason: str = ""

    @property
    def breaking(self) -> list[Finding]:
        return [f for f in self.findings if f.breaking]

    @property
    def exit_code(self) -> int:
        """0 clean, 1 drift that fails the run (breaking, or any with ``fail_on='any'``), 2 could not run."""
        if self.status != "ok":
            return 2
        failing = self.findings if self.fail_on == "any" else self.breaking
        return 1 if failing else 0

    def failing(self, f: Finding) -> bool:
        return self.fail_on == "any" or f.breaking

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": "imagegw-drift-report",
            "version": 1,
            "gateway": self.gateway,
            "base_url": self.base_url,
            "status": self.status,
            "reason": self.reason,
            "exit_code": self.exit_code,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_s": round(self.duration_s, 3),
            "budget": self.budget,
            "paid_generations": self.paid_used,
            "baseline": self.baseline,
            "contract": self.contract,
            "mock": self.mock,
            "fail_on": self.fail_on,
            "summary": {
                "findings": len(self.findings),
                "breaking": len(self.breaking),
                "non_breaking": len(self.findings) - len(self.breaking),
                "by_kind": {k: sum(1 for f in self.findings if f.kind == k) for k in KINDS if any(f.kind == k for f in self.findings)},
            },
            "probes": [p.as_dict() for p in self.probes],
            "findings": [f.as_dict() for f in self.findings],
            "notes": self.notes,
        }


def could_not_run(gateway: str, reason: str, *, base_url: str = "", budget: int = 1, fail_on: str = "breaking") -> DriftReport:
    """A report for a run that could not happen (exit code 2), saying why."""
    report = DriftReport(
        gateway=gateway, base_url=base_url, started_at=now_iso(), budget=budget, fail_on=fail_on, status="could_not_run", reason=reason
    )
    report.finished_at = report.started_at
    return report


class ProgressSink:
    """Receives progress while probing (the CLI draws it with rich; the default does nothing)."""

    def begin(self, total: int) -> None:
        """``total`` probes are about to run."""

    def probe_started(self, probe: Probe) -> None:
        """``probe`` starts."""

    def step(self, probe: Probe, text: str) -> None:
        """Something happened inside ``probe`` (a poll, a download, a retry)."""

    def probe_done(self, probe: Probe, findings: int) -> None:
        """``probe`` finished with ``findings`` findings."""

    def end(self) -> None:
        """The run is over."""
