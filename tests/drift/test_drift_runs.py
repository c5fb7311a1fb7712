"""Drift runs against the unmodified mock: nothing to report, run after run; budgets, bounds and ids."""

from __future__ import annotations

import pytest
from drift_mutations import FakeTimer, Rule, set_at
from drift_support import HOST, KEY, Baselines, Mutated, mock_app, run_drift_on

from drift import PLANS, DriftRun, Target, finding_id
from mock_server import ManualClock
from mock_server.testing import SyncASGITransport

GATEWAYS = sorted(PLANS)


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_unmodified_mock_reports_nothing_over_repeated_runs(gateway: str, baselines: Baselines, imagegw_clock: ManualClock) -> None:
    app = mock_app(gateway, imagegw_clock)
    for baseline in (None, baselines(gateway), baselines(gateway), None):
        report = run_drift_on(gateway, app, imagegw_clock, budget=1, baseline=baseline)
        assert report.status == "ok", report.reason
        assert report.findings == [], [f.as_dict() for f in report.findings]
        assert report.exit_code == 0
        assert report.contract is not None  # the contract was checked, not skipped
    assert not app.state.mock.internal_errors


@pytest.mark.parametrize("gateway,budget", [("powertokens", 0), ("powertokens", 2), ("piebox", 1), ("tokenhub", 0)])
def test_paid_generations_never_exceed_the_budget(gateway: str, budget: int, imagegw_clock: ManualClock) -> None:
    app = mock_app(gateway, imagegw_clock)
    report = run_drift_on(gateway, app, imagegw_clock, budget=budget)
    paid = [p for p in report.probes if p.paid]
    assert len(paid) == budget == report.paid_used
    # the mock's journal: requests that were answered 2xx by a generating operation
    generated = [e for e in app.state.mock.journal.entries() if e.method == "POST" and 200 <= e.status < 300]
    assert len(generated) == budget
    # free probes ran regardless: each got the status the plan expects
    free = {p.id: p.steps[0]["status"] for p in report.probes if not p.paid}
    assert free == {p.id: p.status for p in PLANS[gateway].free}


def test_piebox_lifecycle_runs_create_poll_download(imagegw_clock: ManualClock) -> None:
    app = mock_app("piebox", imagegw_clock)
    report = run_drift_on("piebox", app, imagegw_clock, budget=1)
    lifecycle = next(p for p in report.probes if p.id == "task_lifecycle")
    steps = [s["step"] for s in lifecycle.steps]
    assert steps[0] == "create" and steps[-1] == "download" and steps.count("poll") >= 3
    # document 000: pending -> processing -> succeeded; the mock takes 2 s + 8 s by default
    assert imagegw_clock.now() - 1_767_225_600.0 >= 10.0


def test_finding_ids_are_stable_across_runs(mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer) -> None:
    rules = [Rule(path=r"^/v1/images/generations$", status=400, body=set_at(["error", "code"], 7))]
    app = mutated("powertokens", rules)
    first = run_drift_on("powertokens", app, imagegw_clock, timer=fake_timer, budget=0)
    second = run_drift_on("powertokens", app, imagegw_clock, timer=fake_timer, budget=0)
    assert first.findings and [f.id for f in first.findings] == [f.id for f in second.findings]
    f = first.findings[0]
    assert f.id == finding_id("powertokens", f.probe, f.step, f.operation, f.location, f.kind)
    assert f.operation == "createImage"  # the contract's operationId


def test_a_task_that_never_finishes_is_bounded_by_the_injected_clock(
    mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer
) -> None:
    app = mutated(
        "piebox",
        [
            Rule(
                path=r"/tasks/",
                status=200,
                body=lambda b, _h: {k: v for k, v in {**b, "status": "processing"}.items() if k not in ("result", "error")},
            )
        ],
    )
    report = run_drift_on("piebox", app, imagegw_clock, timer=fake_timer, budget=1, task_timeout_s=120.0)
    assert report.status == "could_not_run" and report.exit_code == 2
    assert "still 'processing' after 120 s" in report.reason
    assert 120.0 <= imagegw_clock.now() - 1_767_225_600.0 <= 120.0 + 10.0  # polls stopped once the budget was spent


def test_an_unknown_state_that_never_ends_is_reported_not_hung(mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer) -> None:
    app = mutated(
        "piebox", [Rule(path=r"/tasks/", status=200, body=lambda b, _h: {"task_id": b["task_id"], "status": "queued", "model": b["model"]})]
    )
    report = run_drift_on("piebox", app, imagegw_clock, timer=fake_timer, budget=1, task_timeout_s=60.0)
    assert report.status == "ok"
    kinds = {(f.kind, f.location) for f in report.findings}
    assert ("task_state_renamed", "/body/status") in kinds
    note = next(p.note for p in report.probes if p.id == "task_lifecycle")
    assert "did not reach a known terminal state within 60 s" in note


def test_the_whole_run_has_a_deadline(mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer) -> None:
    app = mutated("powertokens", [Rule(delay_s=50.0)])
    report = run_drift_on("powertokens", app, imagegw_clock, timer=fake_timer, budget=1, deadline_s=120.0)
    assert report.status == "could_not_run"
    assert "deadline of 120 s" in report.reason
    assert len(report.probes) == 3  # 0, 50, 100 s: the fourth request would start past the deadline


def test_a_rejected_key_stops_the_run_with_exit_2(imagegw_clock: ManualClock) -> None:
    app = mock_app("gravitex", imagegw_clock)
    transport = SyncASGITransport(app)
    try:
        report = DriftRun(
            "gravitex", Target(HOST, "sk-wrong-key-000000", transport), timer=FakeTimer().now, sleep=imagegw_clock.advance
        ).run()
    finally:
        transport.close()
    assert report.exit_code == 2
    assert "rejected the API key from IMAGEGW_GRAVITEX_API_KEY" in report.reason
    assert "sk-wrong" not in report.reason and KEY not in str(report.as_dict())


def test_a_busy_answer_is_retried_once_after_retry_after(mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer) -> None:
    busy = Rule(
        path=r"^/v1/images/generations$",
        times=1,
        set_status=503,
        body=lambda b, _h: {"error": {"message": "overloaded", "type": "server_error", "param": None, "code": "overloaded"}},
    )
    app = mutated("powertokens", [busy])
    start = imagegw_clock.now()
    report = run_drift_on("powertokens", app, imagegw_clock, timer=fake_timer, budget=0)
    assert report.status == "ok" and report.findings == []
    assert report.probes[0].steps[0].get("retried") is True
    assert imagegw_clock.now() - start == 5.0  # no Retry-After header: the default wait, on the injected clock


def test_a_gateway_that_stays_busy_means_could_not_run(mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer) -> None:
    app = mutated("gravitex", [Rule(status=401, set_status=429, body=lambda b, _h: {**b, "code": 429})])
    report = run_drift_on("gravitex", app, imagegw_clock, timer=fake_timer, budget=0)
    assert report.exit_code == 2
    assert "rate limited or out of quota (429 twice on probe no_credentials" in report.reason


def test_the_contracts_validator_catches_what_drift_has_no_kind_for(
    mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer
) -> None:
    # gravitex ImageItem: "exactly one of url / b64_json is non-empty" (inferred from 002's example), written
    # as a condition: with an empty url, b64_json must be non-empty, so the finding names b64_json
    app = mutated(
        "gravitex",
        [
            Rule(
                path=r"^/v1/images/generations$",
                status=200,
                body=lambda b, _h: {**b, "data": {**b["data"], "data": [{**i, "url": "", "b64_json": ""} for i in b["data"]["data"]]}},
            )
        ],
    )
    report = run_drift_on("gravitex", app, imagegw_clock, timer=fake_timer, budget=1)
    got = {(f.kind, f.severity, f.location, f.source) for f in report.findings}
    assert got == {("contract_violation", "breaking", "/body/data/data/0/b64_json", "contract")}
