"""`imagegw contracts inferred|lint|path` (contracts/cli.py, mounted by imagegw/cli.py)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import contracts
from imagegw.cli import app

runner = CliRunner()


def test_inferred_json_lists_every_inferred_part() -> None:
    r = runner.invoke(app, ["contracts", "inferred", "--gateway", "powertokens", "--json"])
    assert r.exit_code == 0, r.output
    parts = json.loads(r.output)
    assert parts == [p.as_dict() for p in contracts.inferred_parts("powertokens")]
    assert {"gateway", "pointer", "label", "from"} <= set(parts[0])
    assert any(p["label"] == "schema ErrorResponse" for p in parts)


def test_inferred_table_for_all_gateways() -> None:
    r = runner.invoke(app, ["contracts", "inferred"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert f"total {len(contracts.inferred_parts())} inferred parts" in r.output


def test_inferred_rejects_an_unknown_gateway() -> None:
    r = runner.invoke(app, ["contracts", "inferred", "--gateway", "dalle"])
    assert r.exit_code != 0


def test_lint_one_gateway() -> None:
    r = runner.invoke(app, ["contracts", "lint", "--gateway", "powertokens"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "powertokens: ok"


def test_path() -> None:
    r = runner.invoke(app, ["contracts", "path", "powertokens"])
    assert r.exit_code == 0 and r.output.strip().endswith("contracts/powertokens.openapi.yaml")
