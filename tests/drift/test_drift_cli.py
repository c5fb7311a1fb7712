"""``imagegw drift`` end to end against a mock on 127.0.0.1: exit codes, messages and report files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import Result
from drift_mutations import Mutator, Rule, each_item
from drift_support import KEY, LiveServer, closed_port_url, files_containing, mock_app
from typer.testing import CliRunner

from imagegw.cli import app as cli
from mock_server import ManualClock
from mock_server.pytest_plugin import ServerHandle

ENV = {"IMAGEGW_POWERTOKENS_API_KEY": KEY}


def invoke(args: list[str], env: dict[str, str] | None = None, quiet: bool = True) -> Result:
    return CliRunner().invoke(
        cli, ["drift", *args, *(["--quiet"] if quiet else [])], env={"IMAGEGW_POWERTOKENS_API_KEY": "", **(env or {})}
    )


def test_clean_run_exits_0_and_writes_three_reports(tmp_path: Path) -> None:
    with LiveServer(mock_app("powertokens", ManualClock())) as server:
        result = invoke(["--gateway", "powertokens", "--base-url", server.url, "--report-dir", str(tmp_path)], ENV, quiet=False)
    assert result.exit_code == 0, result.output
    assert "no_credentials: ok" in result.output  # the progress display's per-probe line
    assert KEY not in result.output and not files_containing(tmp_path, KEY)
    data = json.loads((tmp_path / "drift-powertokens.json").read_text())
    assert data["status"] == "ok" and data["findings"] == [] and data["paid_generations"] == 1
    assert "No drift found." in (tmp_path / "drift-powertokens.md").read_text()
    suite = ET.parse(tmp_path / "drift-powertokens.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0" and int(suite.get("tests", "0")) == 4


def test_breaking_drift_exits_1(tmp_path: Path) -> None:
    app = Mutator(mock_app("powertokens", ManualClock()), [Rule(status=400, drop_headers=("X-Request-Id",))])
    with LiveServer(app) as server:
        result = invoke(["--gateway", "powertokens", "--base-url", server.url, "--report-dir", str(tmp_path), "--budget", "0"], ENV)
    assert result.exit_code == 1, result.output
    data = json.loads((tmp_path / "drift-powertokens.json").read_text())
    # the contract requires the header; and the mock (compared in process) sends it where the gateway does not
    assert {(f["kind"], f["severity"], f["location"]) for f in data["findings"]} == {
        ("header_dropped", "breaking", "/headers/x-request-id"),
        ("mock_divergence", "breaking", "/headers/x-request-id"),
    }
    assert {f["probe"] for f in data["findings"]} == {"unknown_model", "invalid_size"}
    suite = ET.parse(tmp_path / "drift-powertokens.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "2"
    assert not files_containing(tmp_path, KEY)


@pytest.mark.parametrize("fail_on,code", [("breaking", 0), ("any", 1)])
def test_non_breaking_drift_fails_only_with_fail_on_any(tmp_path: Path, fail_on: str, code: int) -> None:
    rules = [Rule(path=r"^/v1/images/generations$", status=200, body=each_item("data", lambda i: i.__setitem__("seed_used", 5)))]
    with LiveServer(Mutator(mock_app("powertokens", ManualClock()), rules)) as server:
        result = invoke(["--gateway", "powertokens", "--base-url", server.url, "--report-dir", str(tmp_path), "--fail-on", fail_on], ENV)
    assert result.exit_code == code, result.output
    data = json.loads((tmp_path / "drift-powertokens.json").read_text())
    # the gateway sends a field the mock does not: that breaks nothing built against the mock either
    assert [(f["kind"], f["severity"]) for f in data["findings"]] == [("field_added", "non-breaking"), ("mock_divergence", "non-breaking")]


def test_no_key_exits_2_naming_the_variable(tmp_path: Path) -> None:
    result = invoke(["--gateway", "powertokens", "--report-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "no API key: set IMAGEGW_POWERTOKENS_API_KEY" in result.output
    assert json.loads((tmp_path / "drift-powertokens.json").read_text())["status"] == "could_not_run"


def test_unreachable_host_exits_2_naming_the_host(tmp_path: Path) -> None:
    url = closed_port_url()
    result = invoke(["--gateway", "powertokens", "--base-url", url, "--report-dir", str(tmp_path)], ENV)
    assert result.exit_code == 2
    assert f"cannot reach {url}" in result.output
    junit = ET.parse(tmp_path / "drift-powertokens.xml").getroot()
    assert junit.find("testsuite/testcase/error") is not None


def test_imageseries_needs_a_base_url(tmp_path: Path) -> None:
    result = invoke(["--gateway", "imageseries", "--report-dir", str(tmp_path)], {"IMAGEGW_IMAGESERIES_API_KEY": KEY})
    assert result.exit_code == 2
    assert "imageseries documents no host: pass --base-url" in result.output


def test_unknown_gateway_exits_2(tmp_path: Path) -> None:
    result = invoke(["--gateway", "nosuch", "--report-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown gateway 'nosuch'" in result.output


def test_record_and_drift_are_mounted_on_imagegw() -> None:
    out = CliRunner().invoke(cli, ["--help"]).output
    assert "drift" in out and "record" in out
    rec = CliRunner().invoke(cli, ["record", "--help"]).output
    assert "--upstream" in rec and "--out" in rec


def test_record_refuses_an_unknown_gateway_or_upstream() -> None:
    bad = CliRunner().invoke(cli, ["record", "--gateway", "nosuch", "--upstream", "https://tokenhub.link"])
    assert bad.exit_code == 2 and "unknown gateway 'nosuch'" in bad.output
    bad = CliRunner().invoke(cli, ["record", "--gateway", "tokenhub", "--upstream", "tokenhub.link"])
    assert bad.exit_code == 2 and "upstream must be an http(s) URL" in bad.output


def test_the_mock_under_its_prefix_is_a_valid_target(imagegw_server: ServerHandle, tmp_path: Path) -> None:
    # the shared session server (pytest plugin) serves every gateway under /{id}, any key accepted
    result = invoke(
        ["--gateway", "tokenhub", "--base-url", imagegw_server.gateway_url("tokenhub"), "--report-dir", str(tmp_path), "--budget", "2"],
        {"IMAGEGW_TOKENHUB_API_KEY": KEY},
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "drift-tokenhub.json").read_text())
    assert data["findings"] == [] and data["paid_generations"] == 2
    steps = {p["id"]: [s["step"] for s in p["steps"]] for p in data["probes"]}
    assert steps["generation_url"] == ["send", "download"]  # the url result, fetched from the mock itself


def test_a_crash_in_drift_exits_2_not_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import drift.runner

    def broken(*_args: object, **_kwargs: object) -> list[object]:
        raise RuntimeError(f"a bug in a check (key {KEY})")

    monkeypatch.setattr(drift.runner, "analyse", broken)
    with LiveServer(mock_app("powertokens", ManualClock())) as server:
        result = invoke(["--gateway", "powertokens", "--base-url", server.url, "--report-dir", str(tmp_path), "--budget", "0"], ENV)
    assert result.exit_code == 2, result.output  # "could not run", never "breaking drift"
    assert "drift failed: RuntimeError: a bug in a check" in result.output
    data = json.loads((tmp_path / "drift-powertokens.json").read_text())
    assert data["status"] == "could_not_run" and data["exit_code"] == 2 and data["findings"] == []
    assert KEY not in result.output and not files_containing(tmp_path, KEY)
