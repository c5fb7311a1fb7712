"""Drift detection: probe a live gateway cheaply and report how it differs from its contract and
from a baseline recording of the same probes (``imagegw drift``).

A run (:class:`DriftRunner`) sends the gateway's probe plan (:mod:`clients.drift_plans`): free
probes that exercise the error shapes, then at most ``budget`` paid generations (on PieBox a full
task lifecycle). Every answer is checked three ways:

* against the **plan** — the status it should have, JSON (or an image for downloads), the
  gateway's error shape for errors, decodable base64 images;
* against the **contract** (``contracts/<id>.openapi.yaml``) — the status is declared, required
  headers are present, the content type is declared, the body matches the schema
  (:class:`clients.drift_schema.SchemaComparer`), plus ``contracts``' own validator when present;
* against the **baseline** (a recordings folder, :mod:`clients.recordings`) — the same probe's
  recorded answer: status, content type, headers, body shape, categorical values, latency.

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

Each :class:`Finding` has a stable id (hash of gateway, probe, step, operation, location and
kind), a JSON-pointer location rooted at the exchange (``/status``, ``/content_type``,
``/headers/x-request-id``, ``/body/data/0/url``, ``/latency_ms``, ``/request/body/quality``),
the evidence (expected, observed, the gateway's request id) and the provenance of that part of
the contract (documented / inferred, from ``x-provenance``).

Time is injected: ``timer`` measures latency, ``sleep`` waits between polls; every request has a
timeout, polling a budget of seconds, the whole run a deadline. :class:`DriftCouldNotRun` (exit
code 2) says why a run could not happen: no key, no base URL, host unreachable, key rejected,
no answer in time.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Literal

import httpx

from contracts.registry import ERROR_SHAPE_BODIES, gateway_spec

from . import drift_plans
from .drift_plans import GatewayPlan, Lifecycle, Probe, Send
from .drift_schema import UNKNOWN, ContractDoc, Diff, OperationRef, Provenance, join, json_type, load_contract, split
from .recordings import PROBE_HEADER, Exchange, Recordings, RecordingWriter, Redactor, sniff_image

__all__ = [
    "KINDS", "BREAKING_BY_DEFAULT", "DriftCouldNotRun", "Observation", "Finding", "ProbeResult", "DriftReport",
    "ProgressSink", "DriftRunner", "run_drift", "could_not_run", "api_key_variable",
]

USER_AGENT = "imagegw-drift/0.1"

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
}
#: Kinds that are breaking unless the contract says otherwise (see the module docstring).
BREAKING_BY_DEFAULT = frozenset(KINDS) - {"field_added", "latency_shifted"}

Severity = Literal["breaking", "non-breaking"]
TRACKED_HEADERS = frozenset({"x-request-id", "request-id", "x-req-id", "x-trace-id", "retry-after", "retry-after-ms", "allow"})
#: Busy answers: retried once after Retry-After, then the run stops with exit code 2 (not drift).
RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_WAIT_S = 30.0
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-req-id", "x-trace-id", "x-tokenhub-request-id")
_MISSING = object()
_DATA_URL = re.compile(r"data:(image/[A-Za-z0-9.+-]+);base64,([A-Za-z0-9+/=]+)")


class DriftCouldNotRun(Exception):
    """The probe could not run (exit code 2); the message says why (no key, unreachable host, …)."""


def api_key_variable(gateway: str) -> str:
    """The environment variable holding ``gateway``'s key (:attr:`contracts.registry.GatewaySpec.api_key_env`).

    Raises:
        KeyError: for an id outside the registry.
    """
    return gateway_spec(gateway).api_key_env


# -- JSON helpers -----------------------------------------------------------------------------------


def get_pointer(value: Any, pointer: str) -> Any:
    """The value at ``pointer`` in ``value`` (``_MISSING`` when absent)."""
    cur = value
    for tok in split(pointer):
        if isinstance(cur, dict) and tok in cur:
            cur = cur[tok]
        elif isinstance(cur, list) and tok.isdigit() and int(tok) < len(cur):
            cur = cur[int(tok)]
        else:
            return _MISSING
    return cur


def glob_pointer(value: Any, pattern: str) -> list[tuple[str, Any]]:
    """``(pointer, value)`` pairs matching ``pattern``, where ``*`` matches every array item."""
    results: list[tuple[str, Any]] = [("", value)]
    for tok in split(pattern):
        nxt: list[tuple[str, Any]] = []
        for ptr, cur in results:
            if tok == "*" and isinstance(cur, list):
                nxt.extend((join(ptr, i), item) for i, item in enumerate(cur))
            elif isinstance(cur, dict) and tok in cur:
                nxt.append((join(ptr, tok), cur[tok]))
            elif isinstance(cur, list) and tok.isdigit() and int(tok) < len(cur):
                nxt.append((join(ptr, tok), cur[int(tok)]))
        results = nxt
    return results


def _norm_type(value: Any) -> str:
    t = json_type(value)
    return "number" if t == "integer" else t


def shape_of(value: Any, pointer: str = "", out: dict[str, set[str]] | None = None, depth: int = 0) -> dict[str, set[str]]:
    """Pointer -> JSON types seen there; array items are merged under index ``0``; integers and
    other numbers are both ``number`` (a JSON number may be written either way)."""
    out = {} if out is None else out
    out.setdefault(pointer, set()).add(_norm_type(value))
    if depth > 32:
        return out
    if isinstance(value, dict):
        for k, v in value.items():
            shape_of(v, join(pointer, k), out, depth + 1)
    elif isinstance(value, list):
        for item in value:
            shape_of(item, join(pointer, 0), out, depth + 1)
    return out


def _parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0] if "/" in pointer else ""


def stub_blobs(value: Any) -> Any:
    """A recorded body with blob references replaced by placeholder strings (types kept, bytes not read)."""
    if isinstance(value, dict):
        if "$blob" in value and "$encoding" in value:
            return "<image:base64>"
        if "$text" in value and "$blobs" in value:
            return str(value["$text"])
        return {k: stub_blobs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [stub_blobs(v) for v in value]
    return value


def error_shape_ok(body: Any, shape: str) -> bool:
    """Whether ``body`` is in the error ``shape``: ``openai`` ``{"error": {"message", ...}}``,
    ``dashscope`` ``{"code", "message"}``, ``envelope`` ``{"code", "msg", "data"}`` (errors.py)."""
    if not isinstance(body, dict):
        return False
    if shape == "openai":
        return isinstance(body.get("error"), dict) and "message" in body["error"]
    if shape == "dashscope":
        return "code" in body and "message" in body and "error" not in body
    if shape == "envelope":
        return "code" in body and "msg" in body and "data" in body
    return True


def _media(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _is_json_media(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the data ----------------------------------------------------------------------------------------


@dataclass
class Observation:
    """One request the probe made and what came back.

    ``path`` is relative to the gateway root (filled in), ``template`` the plan's path;
    ``body`` the parsed JSON (``None`` if not JSON); ``latency_s`` seconds from send to the end
    of the body (injected timer); ``image_mime`` the sniffed type of a binary body.
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
    parent_operation: OperationRef | None = None
    raw: bytes = field(default=b"", repr=False)  # the body as received; dropped once analysed
    retried: bool = False

    def summary(self) -> dict[str, Any]:
        return {"step": self.step, "method": self.method, "path": self.path if self.step != "download" else "(result URL)",
                "status": self.status, "content_type": self.content_type, "latency_ms": round(self.latency_s * 1000, 1),
                "request_id": self.request_id, **({"retried": True} if self.retried else {})}


@dataclass
class Finding:
    """One drift finding (see the module docstring for kinds and severity)."""

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
    provenance: Provenance
    source: str
    message: str

    @property
    def breaking(self) -> bool:
        return self.severity == "breaking"

    @property
    def documented(self) -> bool | None:
        """``True`` documented, ``False`` inferred, ``None`` unknown (no contract part)."""
        return self.provenance.documented

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "gateway": self.gateway, "probe": self.probe, "step": self.step, "operation": self.operation,
            "location": self.location, "kind": self.kind, "severity": self.severity,
            "evidence": {"expected": self.expected, "observed": self.observed, "request_id": self.request_id},
            "provenance": self.provenance.as_dict(), "documented": self.documented, "source": self.source,
            "message": self.message,
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
        return {"id": self.id, "title": self.title, "paid": self.paid, "steps": self.steps,
                "findings": self.finding_ids, "note": self.note}


@dataclass
class DriftReport:
    """The result of one run. ``status`` is ``ok`` (ran) or ``could_not_run`` (then ``reason``)."""

    gateway: str
    base_url: str
    started_at: str
    finished_at: str = ""
    duration_s: float = 0.0
    budget: int = 1
    paid_used: int = 0
    baseline: str | None = None
    contract: str | None = None
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
            "format": "imagegw-drift-report", "version": 1, "gateway": self.gateway, "base_url": self.base_url,
            "status": self.status, "reason": self.reason, "exit_code": self.exit_code,
            "started_at": self.started_at, "finished_at": self.finished_at, "duration_s": round(self.duration_s, 3),
            "budget": self.budget, "paid_generations": self.paid_used, "baseline": self.baseline, "contract": self.contract,
            "fail_on": self.fail_on,
            "summary": {"findings": len(self.findings), "breaking": len(self.breaking),
                        "non_breaking": len(self.findings) - len(self.breaking),
                        "by_kind": {k: sum(1 for f in self.findings if f.kind == k) for k in KINDS
                                    if any(f.kind == k for f in self.findings)}},
            "probes": [p.as_dict() for p in self.probes],
            "findings": [f.as_dict() for f in self.findings],
            "notes": self.notes,
        }


class ProgressSink:
    """Receives progress while probing (the CLI draws it with rich; the default does nothing)."""

    def begin(self, total: int) -> None:
        """``total`` probes are about to run."""

    def probe_started(self, probe: Probe) -> None:
        """``probe`` starts."""

    def step(self, probe: Probe, text: str) -> None:
        """Something happened inside ``probe`` (a poll, a download)."""

    def probe_done(self, probe: Probe, findings: int) -> None:
        """``probe`` finished with ``findings`` findings."""

    def end(self) -> None:
        """The run is over."""


# -- the baseline ------------------------------------------------------------------------------------


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
        for ex in exchanges:
            if ex.probe:
                self.by_step.setdefault(ex.probe, []).append(ex)

    def get(self, probe: str, step: str) -> list[Exchange]:
        return self.by_step.get(f"{probe}/{step}", [])

    @staticmethod
    def body(ex: Exchange) -> Any:
        b = ex.response.get("body")
        return stub_blobs(b) if b is not None else None


# -- the runner ---------------------------------------------------------------------------------------


class DriftRunner:
    """Runs one gateway's probe plan and analyses the answers.

    Args:
        gateway: gateway id.
        base_url: the gateway root (its documented host, ``http://127.0.0.1:8000/tokenhub``).
        api_key: the key (never logged, stored or reported).
        budget: most paid generations (>= 0).
        baseline: a recordings folder to compare with (``None``: contract and plan only).
        contract: a :class:`ContractDoc` (default: ``contracts/<id>.openapi.yaml`` if present;
            pass ``False`` to skip contract checks).
        transport: an ``httpx`` transport (tests: ``SyncASGITransport(app)``).
        timer: seconds, monotonic (latency and the deadline); ``sleep``: waits between polls.
        request_timeout_s / paid_timeout_s: per-request read timeouts (free / generating).
        task_timeout_s: polling budget for a task (sum of waits and request times).
        deadline_s: the whole run.
        poll_interval_s / poll_max_interval_s: first wait between polls, growing x1.5 to the max.
        latency_factor / latency_min_delta_s: a step is ``latency_shifted`` when it is slower
            than ``factor`` x the baseline *and* slower by more than ``min_delta`` seconds.
        fail_on: ``"breaking"`` or ``"any"`` (sets :attr:`DriftReport.exit_code`).
        save_baseline: also store every exchange (redacted) in this recordings folder.
        progress: a :class:`ProgressSink`.
        plan: override the gateway's :class:`GatewayPlan` (tests).
    """

    def __init__(self, gateway: str, *, base_url: str, api_key: str, budget: int = 1, baseline: str | Path | None = None,
                 contract: ContractDoc | None | Literal[False] = None, transport: httpx.BaseTransport | None = None,
                 timer: Callable[[], float] = time.perf_counter, sleep: Callable[[float], Any] = time.sleep,
                 request_timeout_s: float = 30.0, paid_timeout_s: float = 180.0, task_timeout_s: float = 600.0,
                 deadline_s: float = 1800.0, poll_interval_s: float = 1.0, poll_max_interval_s: float = 10.0,
                 latency_factor: float = 3.0, latency_min_delta_s: float = 2.0, fail_on: str = "breaking",
                 save_baseline: str | Path | None = None, progress: ProgressSink | None = None,
                 plan: GatewayPlan | None = None) -> None:
        if gateway not in drift_plans.PLANS and plan is None:
            raise DriftCouldNotRun(f"unknown gateway {gateway!r}; choose one of {', '.join(drift_plans.PLANS)}")
        if not api_key or not api_key.strip():
            raise DriftCouldNotRun(f"no API key: set {api_key_variable(gateway)}")
        if not base_url or not re.match(r"^https?://", base_url):
            raise DriftCouldNotRun(f"invalid base URL {base_url!r}: expected http(s)://host[/prefix]")
        if budget < 0:
            raise DriftCouldNotRun("--budget must be >= 0")
        if fail_on not in ("breaking", "any"):
            raise DriftCouldNotRun("--fail-on must be 'breaking' or 'any'")
        self.gateway = gateway
        self.plan = plan or drift_plans.plan_for(gateway)
        self.base_url = base_url.rstrip("/")
        self._key = api_key.strip()
        self.budget = budget
        self.contract: ContractDoc | None = None if contract is False else (contract or load_contract(gateway))
        self.baseline = Baseline(baseline, gateway) if baseline is not None else None
        self.transport = transport
        self.timer = timer
        self.sleep = sleep
        self.request_timeout_s = request_timeout_s
        self.paid_timeout_s = paid_timeout_s
        self.task_timeout_s = task_timeout_s
        self.deadline_s = deadline_s
        self.poll_interval_s = poll_interval_s
        self.poll_max_interval_s = poll_max_interval_s
        self.latency_factor = latency_factor
        self.latency_min_delta_s = latency_min_delta_s
        self.fail_on = fail_on
        self.progress = progress or ProgressSink()
        self.writer = RecordingWriter(save_baseline, gateway, self.base_url, Redactor([self._key])) if save_baseline else None
        self._redactor = Redactor([self._key])
        self._start = 0.0
        self._client: httpx.Client | None = None
        self._unmatched: set[str] = set()  # probe steps the baseline has no recording of

    def __repr__(self) -> str:
        return f"DriftRunner(gateway={self.gateway!r}, base_url={self.base_url!r}, budget={self.budget})"

    # -- running -------------------------------------------------------------------------------------
    def run(self) -> DriftReport:
        """Probe, analyse and return the report (``status='could_not_run'`` when it could not)."""
        report = DriftReport(gateway=self.gateway, base_url=self.base_url, started_at=_now_iso(), budget=self.budget,
                             baseline=self.baseline.root if self.baseline else None,
                             contract=(f"contracts/{self.gateway}.openapi.yaml (info.version {self.contract.version or '?'})"
                                       if self.contract else None),
                             fail_on=self.fail_on)
        if self.contract is None:
            report.notes.append(f"no contract for {self.gateway}: contract checks skipped")
        if self.baseline is None:
            report.notes.append("no baseline: compared with the contract and the probe plan only (latency is not checked)")
        probes = self.plan.probes(self.budget)
        self._start = self.timer()
        self.progress.begin(len(probes))
        try:
            with httpx.Client(base_url=self.base_url, transport=self.transport, follow_redirects=False,
                              headers={"User-Agent": USER_AGENT}) as client:
                self._client = client
                for probe in probes:
                    self.progress.probe_started(probe)
                    result = ProbeResult(probe.id, probe.title, probe.paid)
                    observations = self._run_probe(probe, result, report)
                    findings = self._analyse(probe, observations)
                    for o in observations:
                        o.raw = b""
                    result.steps = [o.summary() for o in observations]
                    result.finding_ids = [f.id for f in findings]
                    report.probes.append(result)
                    report.findings.extend(findings)
                    self.progress.probe_done(probe, len(findings))
        except DriftCouldNotRun as exc:
            report.status = "could_not_run"
            report.reason = str(exc)
        finally:
            self._client = None
            self.progress.end()
        if self.baseline is not None and not self.baseline.by_step:
            report.notes.append(f"the baseline {self.baseline.root} has no exchanges from drift probes "
                                "(no X-Imagegw-Probe header): record it by running imagegw drift through imagegw record")
        elif self._unmatched:
            report.notes.append("no baseline recording for " + ", ".join(sorted(self._unmatched))
                                + ": those steps were compared with the contract and the plan only")
        report.finished_at = _now_iso()
        report.duration_s = self.timer() - self._start
        return report

    def _elapsed(self) -> float:
        return self.timer() - self._start

    def _auth_headers(self) -> dict[str, str]:
        return self.plan.spec.auth.headers(self._key)

    def _send(self, probe: Probe, step: str, send: Send, path: str, *, absolute_url: str | None = None,
              timeout: float | None = None) -> Observation:
        """Send once; on a busy answer (429/502/503/504) wait ``Retry-After`` (at most 30 s, injected
        sleep) and send once more. Still busy: :class:`DriftCouldNotRun` — a busy gateway is not drift."""
        obs = self._send_once(probe, step, send, path, absolute_url=absolute_url, timeout=timeout)
        if obs.status not in RETRY_STATUSES or absolute_url is not None:
            return obs
        wait = _retry_after(obs.headers)
        self.progress.step(probe, f"{obs.status}: retrying in {wait:g} s")
        self.sleep(wait)
        again = self._send_once(probe, step, send, path, absolute_url=absolute_url, timeout=timeout)
        again.retried = True
        if again.status in RETRY_STATUSES:
            what = "rate limited or out of quota" if again.status == 429 else "unavailable"
            raise DriftCouldNotRun(f"the gateway is {what} ({again.status} twice on probe {probe.id}, "
                                   f"request id {again.request_id or '-'}); try again later")
        return again

    def _send_once(self, probe: Probe, step: str, send: Send, path: str, *, absolute_url: str | None = None,
                   timeout: float | None = None) -> Observation:
        if self._elapsed() > self.deadline_s:
            raise DriftCouldNotRun(f"the run exceeded its deadline of {self.deadline_s:g} s (at probe {probe.id})")
        assert self._client is not None
        headers = {PROBE_HEADER: f"{probe.id}/{step}", **dict(send.headers)}
        if send.auth and absolute_url is None:
            headers.update(self._auth_headers())
        read_timeout = timeout or (self.paid_timeout_s if probe.paid else self.request_timeout_s)
        t = httpx.Timeout(connect=10.0, read=read_timeout, write=30.0, pool=10.0)
        kwargs: dict[str, Any] = {"headers": headers, "timeout": t}
        if send.json is not None:
            kwargs["json"] = send.json
        elif send.form is not None:
            kwargs["files"] = [(k, (None, v)) for k, v in send.form]  # multipart text fields, no file
        target = absolute_url or path
        started = self.timer()
        try:
            response = self._client.request(send.method, target, **kwargs)
            content = response.content
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            where = "the result URL" if absolute_url else self.base_url
            raise DriftCouldNotRun(f"cannot reach {where}: {type(exc).__name__}: {self._redactor.text(str(exc)) or 'connection failed'}") from None
        except httpx.TimeoutException as exc:
            raise DriftCouldNotRun(f"no answer within {read_timeout:g} s from {send.method} {path} (probe {probe.id}): {type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise DriftCouldNotRun(f"request failed for {send.method} {path} (probe {probe.id}): {type(exc).__name__}: {self._redactor.text(str(exc))}") from None
        latency = max(0.0, self.timer() - started)
        resp_headers = {k.lower(): v for k, v in response.headers.items()}
        ctype = resp_headers.get("content-type", "")
        media = _media(ctype)
        body: Any = None
        if content and (_is_json_media(media) or content[:1] in (b"{", b"[")):
            try:
                body = json.loads(content.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                body = None
        obs = Observation(
            probe=probe.id, step=step, method=send.method, path=path, template=send.path, url=str(response.request.url),
            request_body=send.json if send.json is not None else (dict(send.form) if send.form else None),
            status=response.status_code, headers=resp_headers, content_type=media, body=body, latency_s=latency,
            request_id=_request_id(resp_headers, body), image_mime=sniff_image(content[:16]) if body is None else None,
            size=len(content), raw=content,
        )
        if self.writer is not None:
            rel = path if absolute_url is None else httpx.URL(absolute_url).path
            self.writer.record(method=send.method, path=rel, query=list(response.request.url.params.multi_items()),
                               request_headers=list(response.request.headers.items()), request_body=response.request.content,
                               status=response.status_code, response_headers=list(response.headers.items()),
                               response_body=content, latency_s=latency, probe=f"{probe.id}/{step}")
        return obs

    def _run_probe(self, probe: Probe, result: ProbeResult, report: DriftReport) -> list[Observation]:
        first_step = "create" if probe.lifecycle else "send"
        obs = self._send(probe, first_step, probe.send, probe.send.path)
        if probe.paid:
            report.paid_used += 1
        observations = [obs]
        if obs.status == 401 and probe.send.auth and probe.status != 401:
            raise DriftCouldNotRun(f"the gateway rejected the API key from {api_key_variable(self.gateway)} "
                                   f"(401 on probe {probe.id}); check the key")
        if not (200 <= obs.status < 300) or probe.status >= 300:
            return observations
        final = obs
        if probe.lifecycle is not None:
            polls, note = self._poll(probe, probe.lifecycle, obs)
            observations.extend(polls)
            if note:
                result.note = note
            final = polls[-1] if polls else obs
            patterns = probe.lifecycle.images
        else:
            patterns = probe.images
        url = self._first_url(final.body, patterns)
        if url is not None and final.status == 200:
            ptr, link = url
            self.progress.step(probe, "downloading the result")
            dl = self._send(probe, "download", Send("GET", link, auth=False), link, absolute_url=link)
            dl.source_pointer = ptr
            dl.parent_operation = self._operation(final)
            dl.path = final.path
            observations.append(dl)
        return observations

    def _poll(self, probe: Probe, lc: Lifecycle, created: Observation) -> tuple[list[Observation], str]:
        task_id = get_pointer(created.body, lc.id_pointer)
        if not isinstance(task_id, str) or not task_id:
            return [], f"no task id at {lc.id_pointer}: polling skipped"
        path = lc.poll_path.replace("{task_id}", task_id)
        polls: list[Observation] = []
        waited = 0.0
        interval = self.poll_interval_s
        while True:
            obs = self._send(probe, "poll", Send("GET", lc.poll_path), path, timeout=self.request_timeout_s)
            polls.append(obs)
            waited += obs.latency_s
            state = get_pointer(obs.body, lc.status_pointer) if isinstance(obs.body, dict) else _MISSING
            self.progress.step(probe, f"task {state if isinstance(state, str) else '?'}")
            if obs.status != 200 or state is _MISSING:
                return polls, ""
            if state in lc.terminal:
                return polls, ""
            if state not in lc.states and any(k in obs.body for k in ("result", "error")):
                return polls, ""  # an unknown state that carries a result or an error: treat as terminal
            if waited >= self.task_timeout_s or len(polls) >= 500:
                unknown = state not in lc.states
                if unknown:
                    return polls, f"the task did not reach a known terminal state within {self.task_timeout_s:g} s (last state {state!r})"
                raise DriftCouldNotRun(f"the task of probe {probe.id} was still {state!r} after {self.task_timeout_s:g} s")
            self.sleep(interval)
            waited += interval
            interval = min(interval * 1.5, self.poll_max_interval_s)

    @staticmethod
    def _first_url(body: Any, patterns: Iterable[str]) -> tuple[str, str] | None:
        for pattern in patterns:
            for ptr, value in glob_pointer(body, pattern):
                if isinstance(value, str) and value.startswith(("http://", "https://")):
                    return ptr, value
        return None

    # -- analysis ------------------------------------------------------------------------------------
    def _operation(self, obs: Observation) -> OperationRef | None:
        if self.contract is None or obs.step == "download":
            return None
        return self.contract.find(obs.method, obs.path)

    def _op_name(self, obs: Observation) -> str:
        if obs.step == "download":
            parent = obs.parent_operation.operation_id if obs.parent_operation else f"{obs.method} {obs.template}"
            return f"{parent}.download"
        op = self._operation(obs)
        return op.operation_id if op else f"{obs.method} {obs.template}"

    def _analyse(self, probe: Probe, observations: list[Observation]) -> list[Finding]:
        out: list[Finding] = []
        for obs in observations:
            out.extend(self._check(probe, obs))
        if probe.lifecycle is not None:
            out.extend(self._check_lifecycle(probe, probe.lifecycle, [o for o in observations if o.step == "poll"]))
        # one finding per (step, location, kind): polls repeat; the first source (plan, contract, baseline) wins,
        # the severity is breaking if any source says so
        merged: dict[tuple[str, str, str], Finding] = {}
        for f in out:
            key = (f.step, f.location, f.kind)
            if key in merged:
                if f.breaking:
                    merged[key].severity = "breaking"
                continue
            merged[key] = f
        return list(merged.values())

    def _finding(self, probe: Probe, obs: Observation, kind: str, location: str, expected: Any, observed: Any, *,
                 breaking: bool | None = None, provenance: Provenance | None = None, source: str, message: str = "") -> Finding:
        op = self._op_name(obs)
        brk = (kind in BREAKING_BY_DEFAULT) if breaking is None else breaking
        prov = provenance or self._provenance(obs, location) or UNKNOWN
        return Finding(
            id=finding_id(self.gateway, probe.id, obs.step, op, location, kind), gateway=self.gateway, probe=probe.id,
            step=obs.step, operation=op, location=location, kind=kind, severity="breaking" if brk else "non-breaking",
            expected=self._redactor.json(_jsonable(expected)), observed=self._redactor.json(_jsonable(observed)),
            request_id=obs.request_id, provenance=prov,
            source=source, message=message or KINDS[kind],
        )

    def _response(self, obs: Observation, status: int | None = None) -> tuple[OperationRef | None, dict[str, Any] | None]:
        op = self._operation(obs)
        if op is None or self.contract is None:
            return op, None
        return op, self.contract.response(op, status if status is not None else obs.status)[1]

    def _body_schema(self, obs: Observation, status: int | None = None) -> Any:
        op, resp = self._response(obs, status)
        if resp is None or self.contract is None:
            return None
        return self.contract.media(resp, obs.content_type or "application/json")[1]

    def _provenance(self, obs: Observation, location: str) -> Provenance | None:
        """x-provenance of the contract part at ``location`` for this observation."""
        if self.contract is None:
            return None
        c = self.contract
        if obs.step == "download":
            parent = obs.parent_operation
            if parent is None or obs.source_pointer is None:
                return None
            resp = c.response(parent, 200)[1]
            schema = c.media(resp, "application/json")[1] if resp else None
            return c.schemas.lookup(schema, obs.source_pointer)[2] if schema is not None else Provenance.of(parent.node)
        op = self._operation(obs)
        if op is None:
            return None
        op_prov = Provenance.of(op.node)
        if location.startswith("/request/body"):
            schema = c.request_schema(op)
            return (c.schemas.lookup(schema, location[len("/request/body"):])[2] if schema is not None else None) or op_prov
        resp = c.response(op, obs.status)[1]
        resp_prov = Provenance.of(resp) if resp else None
        if location == "/status":
            expected = c.response(op, self._expected_status_for(obs))[1]
            return (Provenance.of(expected) if expected else None) or op_prov
        if location.startswith("/headers/") and resp:
            h = c.headers(resp).get(split(location)[1])
            return (h[1] if h else None) or resp_prov or op_prov
        if location.startswith("/body") and resp:
            schema = c.media(resp, obs.content_type or "application/json")[1]
            if schema is not None:
                return c.schemas.lookup(schema, location[len("/body"):])[2] or resp_prov or op_prov
        return resp_prov or op_prov

    def _expected_status_for(self, obs: Observation) -> int:
        probe = next((p for p in self.plan.probes(len(self.plan.paid)) if p.id == obs.probe), None)
        if obs.step in ("send", "create") and probe is not None:
            return probe.status
        return 200

    def _check(self, probe: Probe, obs: Observation) -> list[Finding]:
        F: list[Finding] = []
        download = obs.step == "download"
        expected_status = probe.status if obs.step in ("send", "create") else 200
        baseline = self._baseline_for(probe, obs)
        status_ref = baseline.status if baseline is not None else expected_status
        status_ok = obs.status == status_ref
        # -- status (the baseline's when there is one: it is what clients saw; else the plan's)
        if not status_ok:
            gone = self._enum_gone(probe, obs) if probe.paid and 400 <= obs.status < 500 and 200 <= status_ref < 300 else None
            if gone is not None:
                F.append(gone)
            else:
                F.append(self._finding(probe, obs, "status_code_changed", "/status", status_ref, obs.status,
                                       source="baseline" if baseline is not None else "plan"))
        # -- content type
        media_ok = (obs.content_type.startswith("image/") and obs.image_mime is not None) if download else \
            (_is_json_media(obs.content_type) and obs.body is not None)
        if not media_ok:
            expected_media = "image/*" if download else "application/json"
            observed_media = obs.content_type or "(none)"
            if download and obs.content_type.startswith("image/") and obs.image_mime is None:
                observed_media = f"{obs.content_type} (bytes are not an image)"
            if not download and _is_json_media(obs.content_type) and obs.body is None:
                F.append(self._finding(probe, obs, "error_shape_changed" if obs.status >= 400 else "type_changed", "/body",
                                       "a JSON body", "not parseable as JSON", source="plan"))
            elif status_ok or download:
                F.append(self._finding(probe, obs, "content_type_changed", "/content_type", expected_media, observed_media,
                                       source="plan"))
        # -- error shape
        shape = probe.error_shape or self.plan.shape
        shape_ok = True
        if not download and obs.status >= 400 and obs.body is not None:
            if not error_shape_ok(obs.body, shape):
                shape_ok = False
                F.append(self._finding(probe, obs, "error_shape_changed", "/body", f"the {shape} error shape ({ERROR_SHAPE_BODIES[shape]})",
                                       _top_keys(obs.body), source="plan"))
        # -- contract
        if not download and self.contract is not None:
            F.extend(self._check_contract(probe, obs, status_ok and media_ok and shape_ok))
        # -- images in the answer
        if status_ok and media_ok and not download and 200 <= obs.status < 300:
            F.extend(self._check_inline_images(probe, obs))
        # -- baseline
        if baseline is not None and status_ok:
            F.extend(self._compare_baseline(probe, obs, baseline, media_ok and shape_ok))
        return F

    def _enum_gone(self, probe: Probe, obs: Observation) -> Finding | None:
        """A paid probe refused with a 4xx that names a field sent with a documented enum value."""
        if not probe.enum_params or not isinstance(probe.send.json, dict):
            return None
        named: str | None = None
        body = obs.body
        if isinstance(body, dict):
            err = body.get("error") if isinstance(body.get("error"), dict) else body
            param = err.get("param") if isinstance(err, dict) else None
            message = " ".join(str(err.get(k, "")) for k in ("message", "msg") if isinstance(err, dict)) + " " + str(body.get("msg", ""))
            for p in probe.enum_params:
                if param == p or (isinstance(param, str) and param.endswith("." + p)):
                    named = p
                    break
            if named is None:
                for p in probe.enum_params:
                    if re.search(rf"\b{re.escape(p)}\b", message):
                        named = p
                        break
        if named is None:
            return None
        value = probe.send.json.get(named)
        return self._finding(probe, obs, "enum_value_gone", join("/request/body", named), value, f"{obs.status}: refused",
                             source="plan", message=f"the gateway now refuses {named}={value!r}, a documented value")

    def _check_contract(self, probe: Probe, obs: Observation, body_comparable: bool) -> list[Finding]:
        c = self.contract
        assert c is not None
        F: list[Finding] = []
        op = c.find(obs.method, obs.path)
        if op is None:
            return F
        key, resp = c.response(op, obs.status)
        if resp is None:
            declared = sorted((op.node.get("responses") or {}).keys())
            F.append(self._finding(probe, obs, "status_code_changed", "/status", declared, obs.status, source="contract",
                                   provenance=Provenance.of(op.node), message="the contract declares no such status for this operation"))
            return F
        for name, (required, prov) in c.headers(resp).items():
            if required and name not in obs.headers:
                F.append(self._finding(probe, obs, "header_dropped", join("/headers", name), f"{name} (required)", "absent",
                                       breaking=True, provenance=prov, source="contract"))
        declared_media = c.declared_media(resp)
        media, schema = c.media(resp, obs.content_type)
        if declared_media and media is None:
            F.append(self._finding(probe, obs, "content_type_changed", "/content_type", declared_media, obs.content_type or "(none)",
                                   provenance=Provenance.of(resp), source="contract"))
            return F
        if not body_comparable or schema is None or obs.body is None:
            return F
        lc = probe.lifecycle
        state_ptr = lc.status_pointer if (lc is not None and obs.step == "poll") else None
        for d in c.schemas.compare(obs.body, schema, ""):
            if state_ptr is not None and d.location == state_ptr and d.kind == "enum_value_new":
                continue  # task states are judged over the whole lifecycle
            F.append(self._from_diff(probe, obs, d, "contract"))
        F.extend(self._validator_findings(probe, obs, F))
        return F

    def _validator_findings(self, probe: Probe, obs: Observation, have: list[Finding]) -> list[Finding]:
        """Findings of ``contracts``' own validator that the structural comparison did not explain."""
        try:
            import contracts  # the shared contract API (issue 3)

            contract = contracts.load(self.gateway)
        except Exception:  # not written yet, or no contract: the structural comparison stands alone
            return []
        response = httpx.Response(obs.status, headers=obs.headers, content=obs.raw)
        try:
            found = contract.validate_response(obs.method, obs.path, response, request_body=obs.request_body)
        except Exception as exc:  # a validator bug must not hide the drift report
            return [self._finding(probe, obs, "contract_violation", "/body", "validator ran", f"{type(exc).__name__}", breaking=False,
                                  source="contract", message=f"contracts validator failed: {type(exc).__name__}")]
        known = [f.location for f in have]
        out: list[Finding] = []
        for f in found or []:
            body_loc = _exchange_pointer(str(getattr(f, "location", "") or ""))
            if any(body_loc == k or body_loc.startswith(k + "/") or k.startswith(body_loc + "/") for k in known):
                continue
            if body_loc.startswith(("/status", "/headers", "/content_type")):
                continue  # covered by the checks above
            kind = str(getattr(f, "kind", "") or "")
            if kind not in ("schema_violation", "invalid_header"):
                continue  # the structural comparison owns the other kinds (contracts.validate.FindingKind)
            out.append(self._finding(probe, obs, "contract_violation", body_loc, getattr(f, "expected", None),
                                     getattr(f, "observed", None), source="contract",
                                     message=f"the contract's validator: {kind or 'violation'}"))
        return out

    def _from_diff(self, probe: Probe, obs: Observation, d: Diff, source: str) -> Finding:
        return self._finding(probe, obs, d.kind, "/body" + d.location, d.expected, d.observed, breaking=d.breaking,
                             provenance=d.provenance, source=source, message=d.note or KINDS[d.kind])

    def _check_inline_images(self, probe: Probe, obs: Observation) -> list[Finding]:
        F: list[Finding] = []
        patterns = probe.lifecycle.images if (probe.lifecycle and obs.step == "poll") else probe.images
        for pattern in patterns:
            for ptr, value in glob_pointer(obs.body, pattern):
                if not isinstance(value, str) or not value or value.startswith(("http://", "https://")):
                    continue  # URLs are downloaded; an empty string is the documented "url": "" beside b64_json (002)
                if "base64," in value:
                    m = _DATA_URL.search(value)
                    if m is None:
                        continue
                    mime = _b64_mime(m.group(2))
                    declared = m.group(1)
                else:
                    mime = _b64_mime(value)
                    declared = "image/*"
                if mime is None:
                    F.append(self._finding(probe, obs, "content_type_changed", "/body" + ptr, f"base64 of an {declared} image",
                                           "not a decodable image", source="plan"))
        return F

    # -- baseline ----------------------------------------------------------------------------------------
    def _baseline_for(self, probe: Probe, obs: Observation) -> Exchange | None:
        if self.baseline is None:
            return None
        candidates = [ex for ex in self.baseline.get(probe.id, obs.step) if ex.status not in RETRY_STATUSES]
        if not candidates:
            self._unmatched.add(f"{probe.id}/{obs.step}")
            return None
        if obs.step == "poll" and probe.lifecycle is not None:
            state = get_pointer(obs.body, probe.lifecycle.status_pointer)
            for ex in candidates:
                if get_pointer(Baseline.body(ex), probe.lifecycle.status_pointer) == state:
                    return ex
            return None  # no recorded poll in this state: the lifecycle check judges it
        return candidates[0]

    def _compare_baseline(self, probe: Probe, obs: Observation, ex: Exchange, body_comparable: bool) -> list[Finding]:
        F: list[Finding] = []
        b_media = _media(ex.response.get("content_type") or ex.response.get("headers", {}).get("content-type"))
        if b_media and b_media != obs.content_type:
            F.append(self._finding(probe, obs, "content_type_changed", "/content_type", b_media, obs.content_type or "(none)",
                                   source="baseline"))
            return F
        op, resp = self._response(obs)
        declared_headers = self.contract.headers(resp) if (self.contract is not None and resp) else {}
        for name in (ex.response.get("headers") or {}):
            if name in obs.headers or not (name in TRACKED_HEADERS or name.startswith("x-ratelimit") or name in declared_headers):
                continue
            required = declared_headers.get(name, (None, None))[0]
            F.append(self._finding(probe, obs, "header_dropped", join("/headers", name), name, "absent",
                                   breaking=required is not False, source="baseline"))
        b_latency = ex.latency_ms
        if b_latency is not None:
            base_s = b_latency / 1000.0
            if obs.latency_s > base_s * self.latency_factor and obs.latency_s - base_s > self.latency_min_delta_s:
                F.append(self._finding(probe, obs, "latency_shifted", "/latency_ms", round(b_latency, 1), round(obs.latency_s * 1000, 1),
                                       breaking=False, source="baseline",
                                       message=f"slower than {self.latency_factor:g}x the baseline and by more than {self.latency_min_delta_s:g} s"))
        b_body = Baseline.body(ex)
        if not body_comparable or b_body is None or obs.body is None:
            return F
        schema = self._body_schema(obs)
        F.extend(self._shape_diff(probe, obs, b_body, schema))
        F.extend(self._categorical_diff(probe, obs, b_body, schema))
        return F

    def _shape_diff(self, probe: Probe, obs: Observation, b_body: Any, schema: Any) -> list[Finding]:
        c = self.contract
        B, O = shape_of(b_body), shape_of(obs.body)
        F: list[Finding] = []

        def contract_at(ptr: str) -> tuple[list[dict[str, Any]], bool | None]:
            if c is None or schema is None:
                return [], None
            nodes, required, _ = c.schemas.lookup(schema, ptr)
            return nodes, required

        for ptr in sorted(set(O) - set(B)):
            parent = _parent(ptr)
            if "object" not in B.get(parent, set()) or "object" not in O.get(parent, set()):
                continue
            nodes, _ = contract_at(ptr)
            if nodes:
                continue  # the contract declares it: the gateway now sends an optional field
            closed = False
            if c is not None and schema is not None:
                pnodes, _ = contract_at(parent)
                closed = any(c.schemas.declared(n)[1] for n in pnodes)
            F.append(self._finding(probe, obs, "field_added", "/body" + ptr, "absent in the baseline", sorted(O[ptr]),
                                   breaking=closed, source="baseline"))
        for ptr in sorted(set(B) - set(O)):
            parent = _parent(ptr)
            if "object" not in O.get(parent, set()) or "object" not in B.get(parent, set()):
                continue
            if _parent(ptr) in (set(B) - set(O)):
                continue
            _, required = contract_at(ptr)
            F.append(self._finding(probe, obs, "field_removed", "/body" + ptr, sorted(B[ptr]), "absent",
                                   breaking=required is not False, source="baseline",
                                   message="the contract marks this field optional" if required is False else ""))
        for ptr in sorted(set(B) & set(O)):
            tb, to = B[ptr], O[ptr]
            if tb == to or to <= tb:
                continue
            nodes, _ = contract_at(ptr)
            allowed: set[str] = set()
            for n in nodes:
                t = n.get("type")
                allowed.update({"number" if x == "integer" else x for x in ([t] if isinstance(t, str) else (t or []))})
            if allowed and to <= allowed:
                continue  # the contract allows what is observed
            if "null" in to and "null" not in tb and (to - {"null"}) <= tb:
                F.append(self._finding(probe, obs, "now_nullable", "/body" + ptr, sorted(tb), sorted(to), source="baseline"))
            else:
                F.append(self._finding(probe, obs, "type_changed", "/body" + ptr, sorted(tb), sorted(to), source="baseline"))
        return F

    def _categorical_diff(self, probe: Probe, obs: Observation, b_body: Any, schema: Any) -> list[Finding]:
        pointers = list(probe.categorical)
        if obs.status >= 400:
            pointers += drift_plans.ERROR_CATEGORICAL.get(probe.error_shape or self.plan.shape, ())
        if probe.lifecycle is not None and obs.step == "poll":
            pointers = [p for p in (*probe.lifecycle.categorical, *pointers) if p != probe.lifecycle.status_pointer]
        F: list[Finding] = []
        for ptr in dict.fromkeys(pointers):
            b, o = get_pointer(b_body, ptr), get_pointer(obs.body, ptr)
            if b is _MISSING or o is _MISSING or isinstance(b, (dict, list)) or isinstance(o, (dict, list)) or b == o:
                continue
            if json_type(b) != json_type(o) and not (isinstance(b, (int, float)) and isinstance(o, (int, float))):
                continue  # a type change, reported by the shape comparison
            allowed = self.contract.schemas.enum_at(schema, ptr) if (self.contract is not None and schema is not None) else None
            if allowed is not None and o in allowed:
                continue
            known = sorted({b, *(allowed or set())}, key=str)
            F.append(self._finding(probe, obs, "enum_value_new", "/body" + ptr, known, o, source="baseline"))
        return F

    # -- the task lifecycle --------------------------------------------------------------------------
    def _check_lifecycle(self, probe: Probe, lc: Lifecycle, polls: list[Observation]) -> list[Finding]:
        if not polls:
            return []
        observed: list[str] = []
        for p in polls:
            s = get_pointer(p.body, lc.status_pointer) if isinstance(p.body, dict) else _MISSING
            if isinstance(s, str) and s not in observed:
                observed.append(s)
        known = set(lc.states)
        if self.contract is not None:
            op = self.contract.find("GET", polls[0].path)
            if op is not None:
                resp = self.contract.response(op, 200)[1]
                schema = self.contract.media(resp, "application/json")[1] if resp else None
                allowed = self.contract.schemas.enum_at(schema, lc.status_pointer) if schema is not None else None
                if allowed:
                    known = {str(a) for a in allowed if a is not None}
        reference: list[str] = []
        if self.baseline is not None:
            for ex in self.baseline.get(probe.id, "poll"):
                s = get_pointer(Baseline.body(ex), lc.status_pointer)
                if isinstance(s, str) and s not in reference:
                    reference.append(s)
        if not reference:
            reference = [lc.success]
        missing = [s for s in reference if s not in observed]
        F: list[Finding] = []
        for pos, state in enumerate(observed):
            if state in known:
                continue
            where = next(p for p in polls if isinstance(p.body, dict) and get_pointer(p.body, lc.status_pointer) == state)
            if missing:
                # the known state closest in position is the one it replaced
                ref = min(missing, key=lambda s: (abs(reference.index(s) - pos) if s in reference else 99))
                missing.remove(ref)
                F.append(self._finding(probe, where, "task_state_renamed", "/body" + lc.status_pointer, ref, state,
                                       source="baseline" if self.baseline is not None else "plan",
                                       message=f"task state {ref!r} is now {state!r}"))
            else:
                F.append(self._finding(probe, where, "task_state_new", "/body" + lc.status_pointer, sorted(known), state,
                                       source="contract" if self.contract is not None else "plan",
                                       message=f"unknown task state {state!r} besides {', '.join(sorted(known))}"))
        return F


def _top_keys(body: Any) -> str:
    if isinstance(body, dict):
        return "{" + ", ".join(f'"{k}"' for k in list(body)[:12]) + "}"
    return json_type(body)


def _exchange_pointer(location: str) -> str:
    """A ``contracts`` finding location (``/response/body/x``, ``/response/status``,
    ``/response/headers/h``, ``/response/content-type``) as a drift location (``/body/x`` …)."""
    for prefix, repl in (("/response/body", "/body"), ("/response/status", "/status"), ("/response/headers", "/headers"),
                         ("/response/content-type", "/content_type"), ("/response", "/body")):
        if location == prefix or location.startswith(prefix + "/"):
            return repl + location[len(prefix):]
    return location


def _b64_mime(value: str) -> str | None:
    try:
        head = base64.b64decode(value[:64] + "=" * (-len(value[:64]) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None
    return sniff_image(head[:16])


def _retry_after(headers: dict[str, str]) -> float:
    """Seconds to wait from ``Retry-After`` / ``retry-after-ms`` (default 5, capped at 30)."""
    try:
        if "retry-after-ms" in headers:
            return min(MAX_RETRY_WAIT_S, max(0.0, float(headers["retry-after-ms"]) / 1000.0))
        if "retry-after" in headers:
            return min(MAX_RETRY_WAIT_S, max(0.0, float(headers["retry-after"])))
    except ValueError:
        pass
    return 5.0


def _request_id(headers: dict[str, str], body: Any) -> str | None:
    for h in _REQUEST_ID_HEADERS:
        if headers.get(h):
            return headers[h][:200]
    if isinstance(body, dict):
        for k in ("request_id", "requestId"):
            if isinstance(body.get(k), str):
                return body[k][:200]
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    return value


def could_not_run(gateway: str, reason: str, *, base_url: str = "", budget: int = 1, fail_on: str = "breaking") -> DriftReport:
    """A report for a run that could not happen (exit code 2), saying why."""
    report = DriftReport(gateway=gateway, base_url=base_url, started_at=_now_iso(), budget=budget, fail_on=fail_on,
                         status="could_not_run", reason=reason)
    report.finished_at = report.started_at
    return report


def run_drift(gateway: str, **kwargs: Any) -> DriftReport:
    """Build a :class:`DriftRunner` with ``kwargs`` and run it; a configuration problem becomes a
    ``could_not_run`` report (exit code 2) instead of an exception."""
    try:
        runner = DriftRunner(gateway, **kwargs)
    except DriftCouldNotRun as exc:
        return could_not_run(gateway, str(exc), base_url=str(kwargs.get("base_url") or ""),
                             budget=int(kwargs.get("budget", 1) or 0), fail_on=str(kwargs.get("fail_on", "breaking")))
    return runner.run()
