"""``--save-baseline``: a run stores its own exchanges as a recordings folder that the next run
compares with — on every gateway, multipart requests included (TokenHub's edits probe)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from drift_support import KEY, files_containing, guarded_cli, mock_app, run_drift_on
from typer.testing import CliRunner

from contracts.registry import gateway_spec
from drift import PLANS
from mock_server import ManualClock
from mock_server.pytest_plugin import ServerHandle
from recordings import Recordings

GATEWAYS = sorted(PLANS)

cli = guarded_cli()  # imagegw drift, its mock's answers checked against the contracts


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_save_baseline_on_the_command_line(gateway: str, imagegw_server: ServerHandle, tmp_path: Path) -> None:
    saved, reports = tmp_path / "saved", tmp_path / "reports"
    # PieBox's paid probe polls a task in real time on the command line: its free probes only
    budget = "0" if PLANS[gateway].paid[0].lifecycle is not None else "1"
    env = {gateway_spec(gateway).api_key_env: KEY}
    args = ["drift", "--quiet", "--gateway", gateway, "--base-url", imagegw_server.gateway_url(gateway), "--budget", budget]
    first = CliRunner().invoke(cli, [*args, "--report-dir", str(reports), "--save-baseline", str(saved)], env=env)
    assert first.exit_code == 0, first.output
    report = json.loads((reports / f"drift-{gateway}.json").read_text())
    steps = sum(len(p["steps"]) for p in report["probes"])
    exchanges = Recordings(saved).exchanges(gateway)
    assert len(exchanges) == steps  # one exchange per request the probe made
    assert {e.probe.split("/")[0] for e in exchanges if e.probe} == {p["id"] for p in report["probes"]}
    assert not files_containing(saved, KEY)
    if gateway == "tokenhub":  # the multipart edits request is stored (its body as a blob)
        edits = [e for e in exchanges if e.path == "/v1/images/edits"]
        assert len(edits) == 1 and edits[0].request["body_blob"]["media_type"] == "multipart/form-data"
    # the saved folder is a baseline: the same mock compared with it shows no drift
    second = CliRunner().invoke(cli, [*args, "--report-dir", str(reports), "--baseline", str(saved)], env=env)
    assert second.exit_code == 0, second.output
    again = json.loads((reports / f"drift-{gateway}.json").read_text())
    assert again["baseline"] == str(saved) and again["findings"] == []


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_save_baseline_with_every_paid_probe(gateway: str, tmp_path: Path, imagegw_clock: ManualClock) -> None:
    app = mock_app(gateway, imagegw_clock)
    budget = len(PLANS[gateway].paid)
    first = run_drift_on(gateway, app, imagegw_clock, budget=budget, save_baseline=tmp_path)
    assert first.status == "ok" and first.findings == [], first.reason
    assert len(Recordings(tmp_path).exchanges(gateway)) == sum(len(p.steps) for p in first.probes)
    second = run_drift_on(gateway, app, imagegw_clock, budget=budget, baseline=tmp_path)
    assert second.status == "ok" and second.findings == [], [f.as_dict() for f in second.findings]
    assert not any("no baseline recording for" in n for n in second.notes)  # every step, downloads too, was recorded
