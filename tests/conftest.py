"""Shared fixtures — the suite speaks the shipped plugin's vocabulary (``mock_server/pytest_plugin.py``):
``imagegw_clock``, ``imagegw_settings`` / ``imagegw_settings_factory``, ``imagegw_app_factory``,
``imagegw_app``, ``imagegw_mock``, ``imagegw_client``, ``imagegw_server``. This conftest overrides
two of them: ``imagegw_contract_guard`` (every app's answers are checked against its contract:
``tests/contract_guard.py``) and ``imagegw_settings`` (a fixed signing secret). Helper modules that
build an app outside a fixture use :func:`mock_apps.build_app`, the same guard. Also here: the
Hypothesis profiles and the Schemathesis case-count summary.

Every test talks to the mock through ASGI (no socket) or to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# Test-mode contract check (tests/contract_guard.py): every app the suite builds (mock_apps.build_app,
# the imagegw_* plugin fixtures) reports its contract violations there; a violation fails the test.
from contract_guard import pytest_runtest_call, pytest_runtest_setup, pytest_runtest_teardown  # noqa: F401
from contract_guard import record as _record_violation
from hypothesis import HealthCheck
from hypothesis import settings as hsettings

import contracts
from mock_server import Settings

# The tool x gateway table of `pytest -m contract_tools` (tests/tools): a plugin of this conftest, so
# that it also runs in the pytest-xdist controller, which does not load tests/tools/conftest.py.
pytest_plugins = ["contract_tools_summary"]

BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="session")
def imagegw_contract_guard() -> Callable[[Any], None]:
    """The plugin's apps (``imagegw_app``, ``imagegw_server``) report to the suite's contract check."""
    return _record_violation


@pytest.fixture
def imagegw_settings(imagegw_settings_factory: Callable[..., Settings]) -> Settings:
    """The suite's apps sign with a fixed secret (task ids and file tokens are the same on every run)."""
    return imagegw_settings_factory(secret=b"test-secret-0123456789abcdef")


# -- Hypothesis profiles: dev (quick), ci (default; fits the 2-minute budget), nightly (deep) ------------

hsettings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
hsettings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
hsettings.register_profile("nightly", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
hsettings.load_profile(os.environ.get("IMAGEGW_PROFILE", "ci"))


# -- Schemathesis case counts: gathered from the test reports (so the runs made in every pytest-xdist
#    worker reach the controller), printed in the terminal summary and written to
#    reports/schemathesis-<profile>.json (/reports/ is git-ignored), so the budget a profile buys
#    can be quoted.
ROOT = Path(__file__).resolve().parents[1]
_SCHEMATHESIS_PROPERTY = "schemathesis_run"
#: gateway id -> RunResult.as_dict() of the Schemathesis run in this session
SCHEMATHESIS_RUNS: dict[str, dict[str, Any]] = {}


@pytest.fixture
def report_schemathesis_run(record_property: Any) -> Any:
    """``report(result_dict)``: attach one gateway's run counts to this test's report."""
    return lambda result: record_property(_SCHEMATHESIS_PROPERTY, result)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The opt-in tests leave the run unless selected (:func:`_deselect_opt_in`); the Schemathesis
    runs (the suite's longest tests, 5 to 45 s each) go first, so pytest-xdist hands them out to
    its workers in turn at the start instead of leaving one at the end."""
    _deselect_opt_in(config, items)
    items.sort(key=lambda item: "report_schemathesis_run" not in getattr(item, "fixturenames", ()))


#: tool -> version or count, from the end-to-end tests (tests/e2e/conftest.py)
E2E_TOOLS: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:
        if name == _SCHEMATHESIS_PROPERTY:
            SCHEMATHESIS_RUNS[value["gateway"]] = value
        elif name == "e2e_tools":
            E2E_TOOLS.update(value)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if E2E_TOOLS:
        terminalreporter.section("end-to-end tools")
        for name, value in E2E_TOOLS.items():
            terminalreporter.write_line(f"{name}: {value}")
    if not SCHEMATHESIS_RUNS:
        return
    profile = os.environ.get("IMAGEGW_PROFILE", "ci")
    tr = terminalreporter
    tr.section(f"Schemathesis cases per gateway (profile {profile})")
    for gid in sorted(SCHEMATHESIS_RUNS, key=list(contracts.GATEWAY_IDS).index):
        run = SCHEMATHESIS_RUNS[gid]
        phases = ", ".join(f"{k} {v}" for k, v in run["cases"].items())
        states = f"; task polls {run['task_states']}" if run.get("task_states") else ""
        mislabelled = f", {run['mislabelled']} schema-valid 'negative' cases accepted" if run.get("mislabelled") else ""
        tr.write_line(
            f"{gid:12} {run['total_cases']:6} cases ({phases}); "
            f"{run['failures']} failures, {run['errors']} errors{mislabelled}; {run['seconds']} s{states}"
        )
    out = ROOT / "reports" / f"schemathesis-{profile}.json"
    try:
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(SCHEMATHESIS_RUNS, indent=2) + "\n", encoding="utf-8")
        tr.write_line(f"written to {out.relative_to(ROOT)}")
    except OSError as exc:  # a read-only checkout still gets the summary
        tr.write_line(f"(could not write {out}: {exc})")


# -- opt-in markers ------------------------------------------------------------------------------------
# `live` (the real gateways: money, a network, keys) and `slow` (outside tools: Schemathesis CLI,
# Chromium, Tesseract, a fresh venv; more than the default run's two-minute budget) run only when `-m`
# names them (`pytest -m live`, `pytest -m slow`; .ci/run runs the slow ones); any other run deselects them.
OPT_IN_MARKERS = ("live", "slow")


def _marker_selected(config: pytest.Config, marker: str) -> bool:
    expr = (config.getoption("markexpr", default="") or "").replace(" ", "")
    return marker in expr and f"not{marker}" not in expr


def _deselect_opt_in(config: pytest.Config, items: list[pytest.Item]) -> None:
    for marker in OPT_IN_MARKERS:
        if _marker_selected(config, marker):
            continue
        opted_in = [i for i in items if i.get_closest_marker(marker) is not None]
        if opted_in:
            config.hook.pytest_deselected(items=opted_in)
            items[:] = [i for i in items if i.get_closest_marker(marker) is None]
