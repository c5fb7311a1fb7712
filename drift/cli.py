"""``imagegw drift``: the command line of drift detection.

    imagegw drift --gateway ID [--base-url URL] [--budget N] [--baseline DIR] [--report-dir DIR]
                  [--fail-on breaking|any] [--save-baseline DIR] [--no-mock]

The key comes from ``IMAGEGW_<ID>_API_KEY``; the base URL from ``--base-url``, else
``IMAGEGW_<ID>_BASE_URL``, else the documented host (Image Series documents none: then one of
the first two is required). Variable names and hosts are the gateway registry's
(:mod:`contracts.registry`). Exit codes: 0 clean, 1 drift that fails the run (breaking; any with
``--fail-on any``), 2 the probe could not run (the message says which: no key, no base URL,
unreachable host, key rejected, time limit — or drift itself failed: a crash is never reported
as drift).

:func:`build_command` makes the command; ``imagegw.cli`` (the composition root) builds it with a
:data:`~drift.shell.MockFactory` so every answer is also compared with the mock in process.
Drift itself does not import the mock.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from contracts.registry import BY_ID
from recordings import Redactor

from .checks import LatencyRule
from .model import DriftReport, ProgressSink, could_not_run
from .plans import PLANS, Probe
from .probe import Limits
from .report import print_summary, write_reports
from .runner import DriftRun, Target
from .shell import MockFactory

__all__ = ["build_command", "drift", "resolve_base_url", "RichProgress", "main"]


class RichProgress(ProgressSink):
    """Draws the probe progress on ``console`` (stderr)."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task: TaskID | None = None

    def begin(self, total: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("probing", total=total)

    def probe_started(self, probe: Probe) -> None:
        if self.task is not None:
            self.progress.update(self.task, description=f"{probe.id}{' (paid)' if probe.paid else ''}")

    def step(self, probe: Probe, text: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, description=f"{probe.id}: {text}")

    def probe_done(self, probe: Probe, findings: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task)
            mark = "[green]ok[/]" if not findings else f"[yellow]{findings} finding(s)[/]"
            self.progress.console.print(f"  {probe.id}: {mark}")

    def end(self) -> None:
        self.progress.stop()


def resolve_base_url(gateway: str, base_url: str | None) -> str | None:
    """``--base-url``, else ``IMAGEGW_<ID>_BASE_URL``, else the documented host (``None`` for Image
    Series, and for an id outside the registry)."""
    spec = BY_ID.get(gateway)
    if spec is None:
        return base_url
    return base_url or os.environ.get(spec.base_url_env) or spec.host


def build_command(mock: MockFactory | None = None) -> Callable[..., None]:
    """The ``drift`` command function (for ``typer``), comparing with the mock ``mock`` builds
    unless ``--no-mock`` (``None``: no mock to compare with, the option is then refused)."""

    def drift(
        gateway: str = typer.Option(..., "--gateway", help=f"Gateway id ({', '.join(PLANS)})."),
        base_url: str | None = typer.Option(
            None, "--base-url", help="Gateway root (default: IMAGEGW_<ID>_BASE_URL, else the documented host)."
        ),
        budget: int = typer.Option(1, "--budget", min=0, help="Most paid generations (cheapest model and size first)."),
        baseline: Path | None = typer.Option(None, "--baseline", help="Recordings folder to compare with (imagegw record --out)."),
        report_dir: Path = typer.Option(Path("reports"), "--report-dir", help="Where the JSON, Markdown and JUnit reports go."),
        fail_on: str = typer.Option("breaking", "--fail-on", help="Exit 1 on 'breaking' drift (default) or on 'any' drift."),
        save_baseline: Path | None = typer.Option(
            None, "--save-baseline", help="Also store this run's exchanges (redacted) as a recordings folder."
        ),
        deadline: float = typer.Option(1800.0, "--deadline", help="Longest the whole run may take, seconds."),
        task_timeout: float = typer.Option(600.0, "--task-timeout", help="Longest a PieBox task may be polled, seconds."),
        latency_factor: float = typer.Option(3.0, "--latency-factor", help="Latency drift: slower than this many times the baseline..."),
        latency_min_delta: float = typer.Option(2.0, "--latency-min-delta", help="...and slower by more than this many seconds."),
        compare_mock: bool = typer.Option(
            mock is not None, "--mock/--no-mock", help="Also compare every answer with the mock's answer to the same request, in process."
        ),
        quiet: bool = typer.Option(False, "--quiet", help="No progress display."),
    ) -> None:
        """Probe a gateway cheaply and report drift from its contract, a baseline and the mock (exit 0 clean, 1 drift, 2 could not run)."""
        err, out = Console(stderr=True), Console()
        if fail_on not in ("breaking", "any"):
            err.print("[red]drift: could not run[/]: --fail-on must be 'breaking' or 'any'")
            raise typer.Exit(2)
        if compare_mock and mock is None:
            err.print("[red]drift: could not run[/]: no mock to compare with in this build of the command (use --no-mock)")
            raise typer.Exit(2)
        spec = BY_ID.get(gateway)
        key = os.environ.get(spec.api_key_env, "") if spec is not None else ""
        url = resolve_base_url(gateway, base_url)
        report: DriftReport
        try:
            if spec is None or gateway not in PLANS:
                report = could_not_run(
                    gateway, f"unknown gateway {gateway!r}; choose one of {', '.join(PLANS)}", budget=budget, fail_on=fail_on
                )
            elif url is None:
                report = could_not_run(
                    gateway, f"{gateway} documents no host: pass --base-url (or set {spec.base_url_env})", budget=budget, fail_on=fail_on
                )
            elif not key.strip():
                report = could_not_run(gateway, f"no API key: set {spec.api_key_env}", base_url=url, budget=budget, fail_on=fail_on)
            else:
                run = DriftRun(
                    gateway,
                    Target(url, key),
                    budget=budget,
                    baseline=baseline,
                    fail_on=fail_on,
                    save_baseline=save_baseline,
                    limits=Limits(deadline_s=deadline, task_timeout_s=task_timeout),
                    latency=LatencyRule(latency_factor, latency_min_delta),
                    mock=mock if compare_mock else None,
                    progress=ProgressSink() if quiet else RichProgress(err),
                )
                report = run.run()
        except Exception as exc:  # drift itself failed: "could not run" (2), never "drift" (1)
            reason = f"drift failed: {type(exc).__name__}: {Redactor([key]).text(str(exc))}"
            report = could_not_run(gateway, reason, base_url=url or "", budget=budget, fail_on=fail_on)
        try:
            paths = write_reports(report, report_dir, secrets=[key] if key else [])
        except OSError as exc:
            err.print(f"[red]drift: could not run[/]: cannot write the reports to {report_dir}: {exc}")
            raise typer.Exit(2) from None
        print_summary(report, err if report.status != "ok" else out)
        out.print(f"reports: {paths['json']}, {paths['markdown']}, {paths['junit']}")
        raise typer.Exit(report.exit_code)

    return drift


#: The command without a mock to compare with (``python -m drift.cli``); ``imagegw drift`` has one.
drift = build_command(None)


def main() -> None:
    """Run ``drift`` as a stand-alone command (``python -m drift.cli``, no mock comparison)."""
    typer.run(drift)


if __name__ == "__main__":
    main()
