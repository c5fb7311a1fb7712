"""Fixtures for the contract tests; prints the Schemathesis case counts at the end of the run.

The counts (cases per phase, checks run) of each gateway's Schemathesis run are shown in the
terminal summary and written to ``reports/schemathesis-<profile>.json`` (``/reports/`` is
git-ignored), so the budget a profile buys can be quoted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: gateway id -> RunResult.as_dict() of the Schemathesis run in this session
SCHEMATHESIS_RUNS: dict[str, dict[str, Any]] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SCHEMATHESIS_RUNS:
        return
    profile = os.environ.get("IMAGEGW_PROFILE", "ci")
    tr = terminalreporter
    tr.section(f"Schemathesis cases per gateway (profile {profile})")
    for gid, run in SCHEMATHESIS_RUNS.items():
        phases = ", ".join(f"{k} {v}" for k, v in run["cases"].items())
        states = f"; task polls {run['task_states']}" if run.get("task_states") else ""
        tr.write_line(f"{gid:12} {run['total_cases']:6} cases ({phases}); "
                      f"{run['failures']} failures, {run['errors']} errors; {run['seconds']} s{states}")
    out = ROOT / "reports" / f"schemathesis-{profile}.json"
    try:
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(SCHEMATHESIS_RUNS, indent=2) + "\n", encoding="utf-8")
        tr.write_line(f"written to {out.relative_to(ROOT)}")
    except OSError as exc:  # a read-only checkout still gets the summary
        tr.write_line(f"(could not write {out}: {exc})")


@pytest.fixture(scope="session")
def schemathesis_runs() -> dict[str, dict[str, Any]]:
    return SCHEMATHESIS_RUNS
