"""The tool x gateway table of the contract-tool tests (``pytest -m contract_tools``, tests/tools).

A pytest plugin loaded by ``tests/conftest.py``, so that it runs in the process that prints the
summary: with pytest-xdist the tests run in worker processes, and what they found reaches the
controller only through their reports. ``tests/tools/conftest.py`` attaches to every report the
tool and gateway its test checks (user property ``contract_tool``: ``[tool, gateway id]``);
(a test that runs two tools names both: ``openapi-typescript + typescript``);
``test_tool_versions.py`` attaches the version each tool reported (``contract_tool_version``:
``[tool, version]``). The terminal summary prints the table (``pass`` when every test of the pair
passed, ``FAIL`` when one failed, ``skip`` otherwise, ``-`` when none ran; then how many of the
pair's tests passed) and each tool's version, and writes both to ``reports/contract-tools.json``
(/reports/ is git-ignored).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import contracts

ROOT = Path(__file__).resolve().parents[1]
TOOL_PROPERTY = "contract_tool"
VERSION_PROPERTY = "contract_tool_version"

#: (tool, gateway id) -> outcomes of the reports of the tests that check that pair
RESULTS: dict[tuple[str, str], list[str]] = {}
#: tool -> the version it reported
VERSIONS: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == TOOL_PROPERTY and (report.when == "call" or report.outcome != "passed"):
            tool, gid = value
            RESULTS.setdefault((tool, gid), []).append(report.outcome)
        elif name == VERSION_PROPERTY and report.when == "call":
            tool, version = value
            VERSIONS[tool] = version


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS and not VERSIONS:
        return
    tr = terminalreporter
    ids = contracts.GATEWAY_IDS
    tools = sorted({t for t, _ in RESULTS})
    tr.section("OpenAPI tools x gateways (pytest -m contract_tools)")
    table: dict[str, dict[str, str]] = {}
    width = max([len(t) for t in tools] + [10]) + 2
    tr.write_line(" " * width + "".join(f"{g:>13}" for g in ids) + "   version")
    for tool in tools:
        row = {}
        for gid in ids:
            outcomes = RESULTS.get((tool, gid)) or []
            verdict = (
                "-" if not outcomes else "pass" if all(o == "passed" for o in outcomes) else "FAIL" if "failed" in outcomes else "skip"
            )
            row[gid] = f"{verdict} {outcomes.count('passed')}/{len(outcomes)}" if outcomes else verdict
        table[tool] = row
        tr.write_line(
            f"{tool:<{width}}"
            + "".join(f"{row[g]:>13}" for g in ids)
            + f"   {' + '.join(VERSIONS.get(part, '?') for part in tool.split(' + '))}"
        )
    if VERSIONS:
        tr.write_line("versions: " + ", ".join(f"{t} {v}" for t, v in sorted(VERSIONS.items())))
    out = ROOT / "reports" / "contract-tools.json"
    try:
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"versions": VERSIONS, "results": table}, indent=2) + "\n", encoding="utf-8")
        tr.write_line(f"written to {out.relative_to(ROOT)}")
    except OSError as exc:  # a read-only checkout still gets the summary
        tr.write_line(f"(could not write {out}: {exc})")
