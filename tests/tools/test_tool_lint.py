"""Spectral (``spectral:oas``, ``.spectral.yaml``) finds no error in any served contract, and
Redocly CLI (``recommended-strict``, ``redocly.yaml``) finds no problem in any contract file.

Each linter runs once per session on all five documents; each gateway's test reads its own part
of the findings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from toolrun import IDS, ROOT, Run, run_tool

SEVERITY = {0: "error", 1: "warning", 2: "info", 3: "hint"}


@pytest.fixture(scope="session")
def spectral_findings(served_contracts: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """gateway id -> Spectral's findings on its served document; plus ``"run"`` -> the :class:`Run`."""
    out = tmp_path_factory.mktemp("spectral") / "findings.json"
    run = run_tool(
        "spectral",
        "lint",
        "--ruleset",
        ROOT / ".spectral.yaml",
        "--format",
        "json",
        "--output",
        out,
        "--fail-severity",
        "error",
        "--quiet",
        *served_contracts.values(),
    )
    by_file = {str(p): gid for gid, p in served_contracts.items()}
    found: dict[str, Any] = {gid: [] for gid in IDS}
    for f in json.loads(out.read_text(encoding="utf-8") or "[]") if out.exists() else []:
        found[by_file.get(f["source"], "?")] = [*found.get(by_file.get(f["source"], "?"), []), f]
    found["run"] = run
    return found


@pytest.mark.tool("spectral")
@pytest.mark.parametrize("gid", IDS)
def test_spectral_finds_no_error(gid: str, spectral_findings: dict[str, Any]) -> None:
    run: Run = spectral_findings["run"]
    assert run.returncode in (0, 1), run.explain()  # 1: errors found (listed below); anything else: it broke
    assert not spectral_findings.get("?"), f"findings in an unknown file: {spectral_findings['?']}"
    errors = [
        f"{'.'.join(map(str, f['path']))}: {f['code']}: {f['message']}"
        for f in spectral_findings[gid]
        if SEVERITY[f["severity"]] == "error"
    ]
    assert errors == [], f"{gid}: {len(errors)} Spectral errors\n" + "\n".join(errors[:40])


@pytest.fixture(scope="session")
def redocly_reports() -> dict[str, Any]:
    """gateway id -> Redocly's JSON report for its contract (``redocly lint`` on the ``apis`` of
    ``redocly.yaml``, one JSON document per API, in that order); plus ``"run"`` -> the :class:`Run`."""
    run = run_tool("redocly", "lint", "--config", ROOT / "redocly.yaml", "--format", "json")
    apis = list(yaml.safe_load((ROOT / "redocly.yaml").read_text(encoding="utf-8"))["apis"])
    decoder, text, pos, reports = json.JSONDecoder(), run.output, 0, []
    while (start := text.find("{", pos)) != -1:
        try:
            obj, pos = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            pos = start + 1
            continue
        if isinstance(obj, dict) and "totals" in obj:
            reports.append(obj)
    out: dict[str, Any] = dict(zip(apis, reports, strict=False))  # the counts are compared by the test
    out["run"] = run
    out["count"] = (len(apis), len(reports))
    return out


@pytest.mark.tool("redocly")
@pytest.mark.parametrize("gid", IDS)
def test_redocly_lint_finds_no_problem(gid: str, redocly_reports: dict[str, Any]) -> None:
    run: Run = redocly_reports["run"]
    apis, reports = redocly_reports["count"]
    assert apis == reports, f"redocly.yaml lists {apis} APIs, Redocly reported on {reports}\n{run.explain()}"
    assert gid in redocly_reports, f"redocly.yaml does not list {gid}"
    report = redocly_reports[gid]
    problems = [f"{p['ruleId']}: {p['message']} at {[loc.get('pointer') for loc in p.get('location', [])]}" for p in report["problems"]]
    assert problems == [], f"{gid}: Redocly\n" + "\n".join(problems[:40])
