"""Drift reports: JSON, Markdown and JUnit XML files, and the terminal summary (rich).

Files written by :func:`write_reports` into ``--report-dir``:

``drift-<gateway>.json``   :meth:`drift.model.DriftReport.as_dict` (``format: imagegw-drift-report``)
``drift-<gateway>.md``     a human summary: findings table, then one section per finding
``drift-<gateway>.xml``    JUnit: one ``testsuite`` per gateway, one ``testcase`` per probe; a probe with
                           failing drift is a ``failure`` (breaking drift, or any with ``--fail-on any``),
                           a run that could not happen is an ``error``

Reports never hold a key: the runner never puts one in a report, and :func:`write_reports`
scrubs the key values it is given from every file before writing.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from recordings import Redactor

from .model import KINDS, DriftReport, Finding


def _cell(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_markdown(report: DriftReport) -> str:
    """The Markdown report."""
    d = report.as_dict()
    lines = [f"# Drift report: {report.gateway}", ""]
    if report.status != "ok":
        lines += [f"**Could not run** (exit code 2): {report.reason}", ""]
    verdict = {0: "clean", 1: "drift that fails the run", 2: "could not run"}[report.exit_code]
    lines += [
        f"- Base URL: `{report.base_url}`",
        f"- Started: {report.started_at}; took {report.duration_s:.2f} s",
        f"- Contract: {report.contract or 'none'}; baseline: {report.baseline or 'none'}; mock: {report.mock or 'not compared'}",
        f"- Paid generations: {report.paid_used} of a budget of {report.budget}",
        f"- Findings: {d['summary']['findings']} ({d['summary']['breaking']} breaking); fail on: {report.fail_on}",
        f"- Result: **{verdict}** (exit code {report.exit_code})",
        "",
    ]
    for note in report.notes:
        lines.append(f"> {note}")
    if report.notes:
        lines.append("")
    ordered = sorted(report.findings, key=lambda f: (not f.breaking, f.kind, f.operation, f.location))
    if report.findings:
        lines += [
            "## Findings",
            "",
            "| id | severity | kind | operation | location | expected | observed | contract part |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for f in ordered:
            lines.append(
                f"| `{f.id}` | {f.severity} | {f.kind} | `{f.operation}` | `{f.location}` | {_cell(f.expected, 40)} | "
                f"{_cell(f.observed, 40)} | {f.provenance_kind} |"
            )
        lines.append("")
        for f in ordered:
            lines += [
                f"### `{f.id}` — {f.kind} ({f.severity})",
                "",
                f"- Probe: `{f.probe}` step `{f.step}`; operation `{f.operation}`; location `{f.location}`",
                f"- {f.message}",
                f"- Expected: `{_cell(f.expected, 200)}`",
                f"- Observed: `{_cell(f.observed, 200)}`",
                f"- Gateway request id: `{f.request_id or 'none'}`",
                f"- Contract part: {f.describe_provenance()}; found by: {f.source}",
                *([f"- To change: {f.fix}"] if f.fix else []),
                "",
            ]
    else:
        lines += ["No drift found.", ""]
    lines += ["## Probes", "", "| probe | paid | steps (status, ms) | findings |", "|---|---|---|---|"]
    for p in report.probes:
        steps = ", ".join(f"{s['step']} {s['status']} ({s['latency_ms']:.0f})" for s in p.steps)
        lines.append(f"| `{p.id}` | {'yes' if p.paid else 'no'} | {steps}{' — ' + p.note if p.note else ''} | {len(p.finding_ids)} |")
    lines.append("")
    return "\n".join(lines)


def render_junit(report: DriftReport) -> str:
    """The JUnit XML report (one testsuite, one testcase per probe)."""
    by_id: dict[str, Finding] = {f.id: f for f in report.findings}
    suite = ET.Element("testsuite", name=f"imagegw-drift.{report.gateway}", timestamp=report.started_at, time=f"{report.duration_s:.3f}")
    failures = errors = 0
    cases = 0
    if report.status != "ok":
        case = ET.SubElement(suite, "testcase", classname=f"drift.{report.gateway}", name="run")
        err = ET.SubElement(case, "error", message=report.reason, type="could_not_run")
        err.text = report.reason
        errors += 1
        cases += 1
    for p in report.probes:
        cases += 1
        total_ms = sum(float(s.get("latency_ms") or 0) for s in p.steps)
        case = ET.SubElement(suite, "testcase", classname=f"drift.{report.gateway}", name=p.id, time=f"{total_ms / 1000:.3f}")
        found = [by_id[i] for i in p.finding_ids if i in by_id]
        failing = [f for f in found if report.failing(f)]
        if failing:
            failures += 1
            text = "\n".join(
                f"{f.id} {f.kind} ({f.severity}) {f.operation} {f.location}: expected {json.dumps(f.expected)} "
                f"observed {json.dumps(f.observed)} request-id {f.request_id or '-'} [{f.provenance_kind}]"
                + (f" change: {f.fix}" if f.fix else "")
                for f in failing
            )
            fail = ET.SubElement(case, "failure", message=f"{len(failing)} drift finding(s)", type="drift")
            fail.text = text
        others = [f for f in found if f not in failing]
        if others or p.note:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join([*(f"{f.id} {f.kind} ({f.severity}) {f.location}" for f in others), *([p.note] if p.note else [])])
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    root = ET.Element("testsuites", name="imagegw drift")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_reports(report: DriftReport, folder: str | Path, secrets: Iterable[str] = ()) -> dict[str, Path]:
    """Write the JSON, Markdown and JUnit reports into ``folder`` (created if missing).

    Args:
        report: the run's report.
        folder: the report directory.
        secrets: key values to scrub from every file (belt and braces: reports hold none).

    Returns:
        ``{"json": path, "markdown": path, "junit": path}``.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    scrub = Redactor(secrets)
    paths = {
        "json": out / f"drift-{report.gateway}.json",
        "markdown": out / f"drift-{report.gateway}.md",
        "junit": out / f"drift-{report.gateway}.xml",
    }
    paths["json"].write_text(scrub.text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False)) + "\n", encoding="utf-8")
    paths["markdown"].write_text(scrub.text(render_markdown(report)), encoding="utf-8")
    paths["junit"].write_text(scrub.text(render_junit(report)), encoding="utf-8")
    return paths


def print_summary(report: DriftReport, console: Console) -> None:
    """The terminal summary: one row per finding, then the verdict."""
    if report.status != "ok":
        console.print(f"[bold red]drift: could not run[/]: {report.reason}")
        return
    if report.findings:
        table = Table(title=f"Drift on {report.gateway}", show_lines=False)
        for col in ("severity", "kind", "operation", "location", "expected", "observed", "contract"):
            table.add_column(col, overflow="fold")
        for f in sorted(report.findings, key=lambda f: (not f.breaking, f.kind)):
            style = "red" if f.breaking else "yellow"
            table.add_row(
                f"[{style}]{f.severity}[/]",
                f.kind,
                f.operation,
                f.location,
                _cell(f.expected, 40),
                _cell(f.observed, 40),
                f.provenance_kind,
            )
        console.print(table)
    n_b = len(report.breaking)
    colour = "green" if report.exit_code == 0 else "red"
    console.print(
        f"[{colour}]{report.gateway}: {len(report.probes)} probes, {len(report.findings)} findings "
        f"({n_b} breaking), {report.paid_used} paid generation(s), {report.duration_s:.1f} s[/]"
    )


__all__ = ["render_markdown", "render_junit", "write_reports", "print_summary", "KINDS"]
