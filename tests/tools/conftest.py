"""The standard OpenAPI tools, run on every served contract as a new user would run them.

Selected with ``pytest -m contract_tools`` (``.ci/run`` runs it as its own step); any other run
deselects these tests, because they need the tools that ``tools/contract-tools/install.sh``
installs (npm: openapi-typescript, typescript, Stoplight Prism 5, Spectral, Redocly CLI; pip, in
its own virtualenv: openapi-python-client). With ``-m contract_tools`` a missing tool FAILS the
test that needs it (it is not skipped): the run exists to prove the contracts work with them.

Every tool reads the document the mock serves at ``/{id}/openapi.json`` (the contract with
``servers`` pointing at the mock), written once per session under a temporary folder; generated
clients and types are cached for the session. The terminal summary prints the tool x gateway
table and each tool's version (``tests/contract_tools_summary.py``), and writes them to
``reports/contract-tools.json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_tools_summary import TOOL_PROPERTY
from toolrun import IDS

MARKER = "contract_tools"


def _selected(config: pytest.Config) -> bool:
    expr = (config.getoption("markexpr", default="") or "").replace(" ", "")
    return MARKER in expr and f"not{MARKER}" not in expr


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}: runs the OpenAPI tools of tools/contract-tools on the contracts "
        "(pytest -m contract_tools; needs tools/contract-tools/install.sh)",
    )
    config.addinivalue_line(
        "markers",
        "tool(name, gateway=None): the tool a tests/tools test checks, and the gateway "
        "when the test is not parametrized by gid (for the tool x gateway table)",
    )


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
    """Attach the tool and gateway a test checks to each of its reports (``tests/contract_tools_summary.py``
    builds the table from them, in the process that prints the summary)."""
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("tool")
    params = getattr(item, "callspec", None)
    gid = params.params.get("gid") if params is not None else None
    if gid is None and marker is not None and len(marker.args) > 1:
        gid = marker.args[1]
    if marker is not None and gid is not None:
        report.user_properties.append((TOOL_PROPERTY, [marker.args[0], gid]))


# -- the served documents ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def served_contracts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """gateway id -> path of the document the mock serves at ``/{id}/openapi.json`` (JSON file)."""
    from mock_apps import build_app

    from mock_server.testing import SyncASGITransport

    folder = tmp_path_factory.mktemp("served-contracts")
    out = {}
    app = build_app()
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000") as client:
        for gid in IDS:
            resp = client.get(f"/{gid}/openapi.json")
            assert resp.status_code == 200, f"{gid}: /openapi.json answered {resp.status_code}"
            path = folder / f"{gid}.openapi.json"
            path.write_bytes(resp.content)
            out[gid] = path
    return out
