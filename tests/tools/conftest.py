"""The standard OpenAPI tools, run on every served contract as a new user would run them.

Selected with ``pytest -m contract_tools`` (``.ci/run`` runs it as its own step); any other run
deselects these tests, because they need the tools that ``tools/contract-tools/install.sh``
installs (npm: openapi-typescript, typescript, Stoplight Prism 5, Spectral, Redocly CLI; pip, in
its own virtualenv: openapi-python-client). With ``-m contract_tools`` a missing tool FAILS the
test that needs it (it is not skipped): the run exists to prove the contracts work with them.

Every tool reads the document the mock serves at ``/{id}/openapi.json`` (the contract with
``servers`` pointing at the mock), written once per session under a temporary folder; generated
clients and types are cached for the session. The terminal summary prints the tool x gateway
table and each tool's version, and writes them to ``reports/contract-tools.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import contracts

from toolrun import IDS, RESULTS, ROOT, VERSIONS

MARKER = "contract_tools"


def _selected(config: pytest.Config) -> bool:
    expr = (config.getoption("markexpr", default="") or "").replace(" ", "")
    return MARKER in expr and f"not{MARKER}" not in expr


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: runs the OpenAPI tools of tools/contract-tools on the contracts "
                                       "(pytest -m contract_tools; needs tools/contract-tools/install.sh)")
    config.addinivalue_line("markers", "tool(name, gateway=None): the tool a tests/tools test checks, and the gateway "
                                       "when the test is not parametrized by gid (for the tool x gateway table)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    mine = [i for i in items if Path(str(i.fspath)).is_relative_to(here)]
    for item in mine:
        item.add_marker(MARKER)
    if _selected(config):
        return
    if mine:
        config.hook.pytest_deselected(items=mine)
        ids = {id(i) for i in mine}
        items[:] = [i for i in items if id(i) not in ids]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("tool")
    params = getattr(item, "callspec", None)
    gid = params.params.get("gid") if params is not None else None
    if gid is None and marker is not None and len(marker.args) > 1:
        gid = marker.args[1]
    if marker is None or gid is None:
        return
    if report.when == "call" or report.outcome != "passed":
        RESULTS.setdefault((marker.args[0], gid), []).append(report.outcome)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS and not VERSIONS:
        return
    tr = terminalreporter
    tools = sorted({t for t, _ in RESULTS}, key=lambda t: list(VERSIONS).index(t) if t in VERSIONS else 99)
    tr.section("OpenAPI tools x gateways (tests/tools)")
    table: dict[str, dict[str, str]] = {}
    width = max([len(t) for t in tools] + [10]) + 2
    tr.write_line(" " * width + "".join(f"{g:>13}" for g in IDS) + "   version")
    for tool in tools:
        row = {}
        for gid in IDS:
            outcomes = RESULTS.get((tool, gid))
            row[gid] = ("pass" if outcomes and all(o == "passed" for o in outcomes)
                        else "-" if not outcomes else "FAIL" if "failed" in outcomes else "skip")
        table[tool] = row
        tr.write_line(f"{tool:<{width}}" + "".join(f"{row[g]:>13}" for g in IDS) + f"   {VERSIONS.get(tool, '?')}")
    out = ROOT / "reports" / "contract-tools.json"
    try:
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"versions": VERSIONS, "results": table}, indent=2) + "\n", encoding="utf-8")
        tr.write_line(f"written to {out.relative_to(ROOT)}")
    except OSError as exc:  # a read-only checkout still gets the summary
        tr.write_line(f"(could not write {out}: {exc})")


# -- the served documents ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def served_contracts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """gateway id -> path of the document the mock serves at ``/{id}/openapi.json`` (JSON file)."""
    from mock_server import Settings, create_app
    from mock_server.testing import SyncASGITransport

    folder = tmp_path_factory.mktemp("served-contracts")
    out = {}
    app = create_app(Settings())
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000") as client:
        for gid in IDS:
            resp = client.get(f"/{gid}/openapi.json")
            assert resp.status_code == 200, f"{gid}: /openapi.json answered {resp.status_code}"
            path = folder / f"{gid}.openapi.json"
            path.write_bytes(resp.content)
            out[gid] = path
    return out
