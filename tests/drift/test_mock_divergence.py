"""Mock divergence (``drift.checks.mock``): every probe also runs against the mock in process, and
where the mock answers the same request differently from the gateway drift says so — with the
severity the rule in ``docs/drift.md`` gives and what to change.

The "gateway" here is the mock wrapped in injected changes (``drift_mutations.Mutator``); the
mock to compare with is the unmodified mock (``drift_support.InProcessMocks``, or the composition
root's ``imagegw.cli.in_process_mock`` through the command line). Only findings of kind
``mock_divergence`` are asserted here; the other kinds are ``test_drift_kinds.py``'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from drift_mutations import FakeTimer, Mutator, Rule, body_has, drop_at, each_item, set_at
from drift_support import KEY, InProcessMocks, LiveServer, Mutated, guarded_cli, mock_app, run_drift_on
from typer.testing import CliRunner

from drift import PLANS
from drift.plans import NO_SUCH_MODEL
from mock_server import ManualClock

GEN = r"^/v1/images/generations$"
CHAT = r"^/v1/chat/completions$"
PB_GPT = r"^/v2/extend/image/gpt_image/generations$"
PB_GPT_POLL = r"^/v2/extend/image/gpt_image/tasks/"

cli = guarded_cli()  # imagegw drift, its mock's answers checked against the contracts


@pytest.mark.parametrize("gateway", sorted(PLANS))
def test_the_unmodified_mock_does_not_diverge_from_itself(gateway: str, imagegw_clock: ManualClock) -> None:
    live = mock_app(gateway, imagegw_clock)
    mocks = InProcessMocks()
    report = run_drift_on(gateway, live, imagegw_clock, budget=len(PLANS[gateway].paid), mock=mocks)
    assert report.status == "ok", report.reason
    assert report.mock == f"the test mock ({gateway})"
    assert report.findings == [], [f.as_dict() for f in report.findings]
    assert report.exit_code == 0
    # the mock answered the same requests: as many as the gateway, every probe included
    assert len(mocks.apps) == 1
    assert len(mocks.apps[0].state.mock.journal.entries()) == len(live.state.mock.journal.entries()) > len(report.probes)
    assert not mocks.apps[0].state.mock.internal_errors


@dataclass
class Case:
    """An injected change at the gateway and the mock divergences it must produce: ``(severity, step, location)``."""

    name: str
    gateway: str
    rules: list[Rule]
    expect: set[tuple[str, str, str]]
    budget: int = 0


CASES = [
    # the mock sends a field the gateway does not: breaking although the contract marks ImageItem.size optional
    Case(
        "mock_sends_optional_field",
        "powertokens",
        [Rule(path=GEN, status=200, body=each_item("data", lambda i: i.pop("size")))],
        {("breaking", "send", "/body/data/0/size")},
        budget=1,
    ),
    Case(
        "mock_sends_error_field",
        "powertokens",
        [Rule(path=GEN, status=400, body=drop_at(["error", "param"]))],
        {("breaking", "send", "/body/error/param")},
    ),
    # the gateway sends more than the mock: nothing built against the mock breaks
    Case(
        "gateway_sends_more",
        "powertokens",
        [Rule(path=GEN, status=200, body=each_item("data", lambda i: i.__setitem__("revised_prompt", "x")))],
        {("non-breaking", "send", "/body/data/0/revised_prompt")},
        budget=1,
    ),
    Case(
        "gateway_sends_a_header",
        "imageseries",
        [Rule(path=GEN, status=401, add_headers=(("X-RateLimit-Remaining", "0"),))],
        {("non-breaking", "send", "/headers/x-ratelimit-remaining")},
    ),
    # the mock accepts or answers otherwise what the gateway refuses: another status
    Case(
        "status",
        "powertokens",
        [Rule(path=GEN, status=400, when=body_has("size", "1x1"), set_status=422)],
        {("breaking", "send", "/status")},
    ),
    Case(
        "status_paid",
        "gravitex",
        [Rule(path=GEN, status=200, set_status=400, body=lambda b, _h: {"code": 400, "msg": "quality low is gone", "data": None})],
        {("breaking", "send", "/status")},
        budget=1,
    ),
    # a value clients switch on
    Case(
        "error_code",
        "powertokens",
        [Rule(path=GEN, status=400, when=body_has("model", NO_SUCH_MODEL), body=set_at(["error", "code"], "imagegw_other_code"))],
        {("breaking", "send", "/body/error/code")},
    ),
    Case(
        "dashscope_code",
        "tokenhub",
        [Rule(path=GEN, status=400, when=lambda r: isinstance(r, dict) and "input" in r, body=set_at(["code"], "InvalidSize"))],
        {("breaking", "send", "/body/code")},
    ),
    # another error shape, another type, null where the mock sends a string
    Case(
        "error_shape",
        "gravitex",
        [
            Rule(
                path=GEN,
                status=401,
                body=lambda b, _h: {"error": {"message": b["msg"], "type": "authentication_error", "param": None, "code": None}},
            )
        ],
        {("breaking", "send", "/body")},
    ),
    Case(
        "type",
        "gravitex",
        [Rule(path=GEN, status=400, body=lambda b, _h: {**b, "code": str(b["code"])})],
        {("breaking", "send", "/body/code")},
    ),
    Case(
        "now_null",
        "piebox",
        [Rule(path=PB_GPT, status=200, body=set_at(["model"], None))],
        {("breaking", "create", "/body/model")},
        budget=1,
    ),
    # a header the mock sends and the gateway does not (both TokenHub chat error probes)
    Case(
        "header", "tokenhub", [Rule(path=CHAT, status=400, drop_headers=("X-Request-Id",))], {("breaking", "send", "/headers/x-request-id")}
    ),
    # a task state the mock never sends; a download of another media type
    Case(
        "task_state",
        "piebox",
        [Rule(path=PB_GPT_POLL, status=200, times=1, body=set_at(["status"], "queued"))],
        {("breaking", "poll", "/body/status")},
        budget=1,
    ),
    Case(
        "download",
        "powertokens",
        [Rule(path=r"^/files/", status=200, content_type="application/octet-stream")],
        {("breaking", "download", "/content_type")},
        budget=1,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}-{c.gateway}" for c in CASES])
def test_a_mock_divergence_is_reported_with_what_to_change(
    case: Case, mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer
) -> None:
    app = mutated(case.gateway, case.rules)
    report = run_drift_on(case.gateway, app, imagegw_clock, timer=fake_timer, budget=case.budget, mock=InProcessMocks())
    assert report.status == "ok", report.reason
    assert all(r.applied for r in case.rules), "the injected change never applied"
    got = {(f.severity, f.step, f.location) for f in report.findings if f.kind == "mock_divergence"}
    assert got == case.expect, [f.as_dict() for f in report.findings]
    for f in report.findings:
        if f.kind == "mock_divergence":
            assert f.source == "mock" and f.fix.startswith("contract: ") and "; mock: " in f.fix, f.as_dict()
            assert f.operation in f.fix  # the contract part is named by its operation
    if any(sev == "breaking" for sev, _, _ in case.expect):
        assert report.exit_code == 1


def test_a_status_divergence_names_the_catalog_rule(mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer) -> None:
    app = mutated("powertokens", [Rule(path=GEN, status=400, when=body_has("size", "1x1"), set_status=422)])
    report = run_drift_on("powertokens", app, imagegw_clock, timer=fake_timer, budget=0, mock=InProcessMocks())
    (f,) = [f for f in report.findings if f.kind == "mock_divergence"]
    assert (f.probe, f.expected, f.observed) == ("invalid_size", 400, 422)
    assert f.fix == "contract: createImage, its responses; mock: the catalog's size rule for seedream-4-0-250828"
    assert f.as_dict()["fix"] == f.fix


def test_without_a_mock_nothing_is_compared(mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer) -> None:
    app = mutated("powertokens", [Rule(path=GEN, status=200, body=each_item("data", lambda i: i.pop("size")))])
    report = run_drift_on("powertokens", app, imagegw_clock, timer=fake_timer, budget=1)
    assert report.mock is None and report.exit_code == 0
    assert [f.kind for f in report.findings] == []  # the contract marks size optional: no drift from the contract


# -- through the command line: the composition root's in-process mock --------------------------------


def _drift(args: list[str]) -> Result:
    return CliRunner().invoke(cli, ["drift", "--quiet", *args], env={"IMAGEGW_POWERTOKENS_API_KEY": KEY})


def test_a_removed_optional_field_the_mock_sends_exits_1(tmp_path: Path) -> None:
    rules = [Rule(path=GEN, status=200, body=each_item("data", lambda i: i.pop("size")))]
    with LiveServer(Mutator(mock_app("powertokens", ManualClock()), rules)) as server:
        result = _drift(["--gateway", "powertokens", "--base-url", server.url, "--report-dir", str(tmp_path)])
        without = _drift(["--gateway", "powertokens", "--base-url", server.url, "--report-dir", str(tmp_path / "no-mock"), "--no-mock"])
    assert result.exit_code == 1, result.output  # the default --fail-on breaking
    data = json.loads((tmp_path / "drift-powertokens.json").read_text())
    assert data["mock"] == "the imagegw mock (powertokens), in process"
    assert [(f["kind"], f["severity"], f["location"]) for f in data["findings"]] == [("mock_divergence", "breaking", "/body/data/0/size")]
    finding = data["findings"][0]
    assert "the contract marks it optional" in finding["message"]
    assert finding["fix"].startswith("contract: createImage, response 200, application/json /data/0/size; mock: ")
    assert "To change: contract: createImage" in (tmp_path / "drift-powertokens.md").read_text()
    assert "change: contract: createImage" in (tmp_path / "drift-powertokens.xml").read_text()
    # the same run without the mock: the contract allows the change, so nothing fails
    assert without.exit_code == 0, without.output
    assert json.loads((tmp_path / "no-mock" / "drift-powertokens.json").read_text())["findings"] == []
