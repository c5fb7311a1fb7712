"""docs/drift.md: the CI recipe it shows is the workflow file, and it calls ``imagegw drift`` only
with options the command has."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main
import yaml

from contracts.registry import GATEWAY_IDS
from imagegw.cli import app as imagegw_app

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_documented_workflow_is_the_workflow_file() -> None:
    text = (DOCS / "drift.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    workflow = yaml.safe_load((DOCS / "drift-workflow.yml").read_text())
    assert any(yaml.safe_load(b) == workflow for b in blocks)


def test_the_workflow_runs_nightly_per_gateway_with_secrets_and_artifacts() -> None:
    wf = yaml.safe_load((DOCS / "drift-workflow.yml").read_text())
    assert wf[True]["schedule"][0]["cron"]  # PyYAML reads the key `on` as True
    job = wf["jobs"]["drift"]
    assert [m["gateway"] for m in job["strategy"]["matrix"]["include"]] == list(GATEWAY_IDS)
    probe = next(s for s in job["steps"] if "imagegw drift" in s.get("run", ""))
    assert "secrets[" in probe["env"]["KEY"]
    assert any(s.get("uses", "").startswith("actions/upload-artifact") and s.get("if") == "always()" for s in job["steps"])
    command = typer.main.get_command(imagegw_app).get_command(None, "drift")  # type: ignore[attr-defined]
    assert command is not None
    known = {o for p in command.params for o in p.opts}
    used = set(re.findall(r"(--[a-z-]+)", probe["run"].split("imagegw drift", 1)[1].split("code=$?")[0]))
    assert used and used <= known, used - known
