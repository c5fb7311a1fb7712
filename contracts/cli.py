"""``imagegw contracts``: tools over the five contracts (mounted by ``imagegw/cli.py``).

``imagegw contracts inferred [--gateway ID] [--json]``
    every part marked ``x-provenance: {kind: inferred}`` — where drift is most likely.
``imagegw contracts lint [--gateway ID] [--docs DIR]``
    openapi-spec-validator (OpenAPI 3.1) on each contract, plus the house rules: every
    operation, response, header and schema property has ``x-provenance``; examples validate
    against their schemas; with ``--docs`` (or ``IMAGEGW_DOCS``) every documented quote occurs in
    the document it cites. Exit 1 on a problem.
``imagegw contracts path ID``
    the file of one contract (for Redocly / Spectral / an editor).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from . import GATEWAY_IDS, ContractError, ContractNotFound, available, inferred_parts, load, path_for
from .lint import all_problems

app = typer.Typer(add_completion=False, no_args_is_help=True, help="The gateways' OpenAPI contracts: list inferred parts, lint.")


def _ids(gateway: str | None) -> list[str]:
    if gateway is None:
        return available()
    if gateway not in GATEWAY_IDS:
        raise typer.BadParameter(f"unknown gateway {gateway!r}; choose one of {', '.join(GATEWAY_IDS)}", param_hint="--gateway")
    return [gateway]


@app.command()
def inferred(
    gateway: str | None = typer.Option(None, help=f"Only this gateway ({', '.join(GATEWAY_IDS)})."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array instead of a table."),
) -> None:
    """List every inferred part of the contracts (what it is inferred from, and where)."""
    ids = _ids(gateway)
    try:
        parts = [p for gid in ids for p in inferred_parts(gid)]
    except ContractNotFound as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps([p.as_dict() for p in parts], indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for gid in ids:
        mine = [p for p in parts if p.gateway == gid]
        table = Table(title=f"{gid}: {len(mine)} inferred parts", title_justify="left", show_lines=False)
        table.add_column("part", overflow="fold")
        table.add_column("inferred from", overflow="fold")
        for p in mine:
            table.add_row(p.label, p.source)
        console.print(table)
    summary = ", ".join(f"{gid} {sum(1 for p in parts if p.gateway == gid)}" for gid in ids)
    console.print(f"total {len(parts)} inferred parts ({summary})")


def lint_problems(gateway_id: str, docs_dir: Path | None = None) -> list[str]:
    """Every lint problem of one contract (see :mod:`contracts.lint`); a missing or unparseable
    file is one problem."""
    try:
        contract = load(gateway_id)
    except (ContractNotFound, ContractError) as exc:
        return [str(exc)]
    return all_problems(contract, docs_dir)


@app.command()
def lint(
    gateway: str | None = typer.Option(None, help="Only this gateway."),
    docs: Path | None = typer.Option(
        None, envvar="IMAGEGW_DOCS", help="Folder of the gateway documents; when given, documented quotes must occur in them."
    ),
) -> None:
    """Validate the contracts: OpenAPI 3.1 (openapi-spec-validator), x-provenance everywhere, examples
    against their schemas, and (with --docs) documented quotes against the documents."""
    bad = 0
    ids = _ids(gateway) if gateway else list(GATEWAY_IDS)
    for gid in ids:
        problems = lint_problems(gid, docs)
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        typer.echo(f"{gid}: {status}")
        for line in problems:
            typer.echo(f"  {line}")
        bad += bool(problems)
    raise typer.Exit(1 if bad else 0)


@app.command("path")
def path_(gateway: str = typer.Argument(..., help="Gateway id.")) -> None:
    """Print the file path of one contract."""
    if gateway not in GATEWAY_IDS:
        raise typer.BadParameter(f"unknown gateway {gateway!r}", param_hint="GATEWAY")
    typer.echo(str(path_for(gateway)))
