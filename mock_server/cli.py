"""The mock's commands (typer): ``serve``, ``record`` and whatever else serves or feeds the mock.

``imagegw serve``      all five gateways on one port (``--gateway ID`` also serves one at the root)
``imagegw record``     a recording proxy in front of a live gateway (see ``mock_server.recorder``)
``imagegw models``     the model catalog: what each gateway accepts per model, and why

:data:`app` holds these commands only; the ``imagegw`` command line itself is composed in
:mod:`imagegw.cli`, which adds ``drift`` and ``contracts`` beside them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, Optional

import typer

from contracts.registry import GATEWAY_IDS

from .recorder import record

if TYPE_CHECKING:
    from .catalog import Model

#: The mock's command group (no callback of its own: :mod:`imagegw.cli` mounts these commands at its top level).
app = typer.Typer(add_completion=False, no_args_is_help=True, help="The imagegw mock: serve it, record for it, list its model catalog.")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, help="TCP port."),
    gateway: Optional[str] = typer.Option(None, help=f"Also serve this gateway at the root ({', '.join(GATEWAY_IDS)})."),
    task_seconds: Optional[float] = typer.Option(None, help="Total seconds a PieBox task takes (split 20% pending, 80% processing)."),
    pending_seconds: Optional[float] = typer.Option(None, help="Seconds a task stays pending (overrides --task-seconds)."),
    processing_seconds: Optional[float] = typer.Option(None, help="Seconds a task stays processing (overrides --task-seconds)."),
    url_ttl: float = typer.Option(24 * 3600.0, help="Lifetime of url results, seconds (documents: ~24 h)."),
    max_body_mb: float = typer.Option(50.0, help="Largest request body accepted, MiB."),
    manual_clock: bool = typer.Option(False, help="Start with a manual clock (advance it with POST /__mock/clock)."),
    no_admin: bool = typer.Option(False, "--no-admin", help="Do not serve /__mock/*."),
    public_url: Optional[str] = typer.Option(None, help="Base URL used in url results (default: the request's own)."),
    replay: Optional[str] = typer.Option(None, help="Answer recorded requests from this recordings folder first."),
    api_key: list[str] = typer.Option([], "--api-key", help="Pin a gateway's accepted key: ID=KEY (repeatable; default: any non-empty key)."),
    log_level: str = typer.Option("info", help="uvicorn log level."),
    workers: int = typer.Option(1, min=1, help="Worker processes (share the signing secret; each keeps its own journal and scenario queue)."),
) -> None:
    """Serve the mock: every gateway under /{id}, e.g. http://127.0.0.1:8000/tokenhub/v1/images/generations."""
    import uvicorn

    from .app import create_app
    from .clock import ManualClock
    from .settings import Settings

    if gateway is not None and gateway not in GATEWAY_IDS:
        raise typer.BadParameter(f"unknown gateway {gateway!r}; choose one of {', '.join(GATEWAY_IDS)}", param_hint="--gateway")
    timing: dict[str, float] = {}
    if task_seconds is not None:
        timing = {"task_pending_seconds": task_seconds * 0.2, "task_processing_seconds": task_seconds * 0.8}
    if pending_seconds is not None:
        timing["task_pending_seconds"] = pending_seconds
    if processing_seconds is not None:
        timing["task_processing_seconds"] = processing_seconds
    keys: dict[str, str] = {}
    for item in api_key:
        gid, sep, key = item.partition("=")
        if not sep or gid not in GATEWAY_IDS or not key:
            raise typer.BadParameter("expected ID=KEY with ID one of " + ", ".join(GATEWAY_IDS), param_hint="--api-key")
        keys[gid] = key
    settings = Settings.from_env(
        api_keys=keys,
        root_gateway=gateway, url_ttl_seconds=url_ttl, max_body_bytes=int(max_body_mb * 1024 * 1024),
        admin=not no_admin, public_base_url=public_url, replay_dir=replay, **timing,
    )
    typer.echo(f"imagegw mock on http://{host}:{port}  gateways: " + ", ".join(f"/{g}" for g in GATEWAY_IDS)
               + (f"  (and {gateway} at /)" if gateway else ""))
    if workers > 1:
        if manual_clock:
            raise typer.BadParameter("a manual clock lives in one process; use --workers 1", param_hint="--manual-clock")
        import os

        from .app import SETTINGS_ENV

        os.environ[SETTINGS_ENV] = settings.to_json()
        uvicorn.run("mock_server.app:app_from_env", factory=True, workers=workers, host=host, port=port,
                    log_level=log_level, lifespan="off")
        return
    application = create_app(settings, clock=ManualClock() if manual_clock else None)
    uvicorn.run(application, host=host, port=port, log_level=log_level, lifespan="off")


@app.command()
def models(
    gateway: Optional[str] = typer.Option(None, help=f"Only this gateway ({', '.join(GATEWAY_IDS)})."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: every rule with its values and source."),
) -> None:
    """Print the model catalog: per gateway and model, the sizes, image count, prompt cap, input
    images and output formats the mock accepts, and where each rule comes from (doc NNN: the
    gateway document; upstream: the model's vendor; inferred; * marks a document override)."""
    import json

    from rich.console import Console
    from rich.table import Table

    from .catalog.report import model_record, model_row
    from .gateways import load

    if gateway is not None and gateway not in GATEWAY_IDS:
        raise typer.BadParameter(f"unknown gateway {gateway!r}; choose one of {', '.join(GATEWAY_IDS)}", param_hint="--gateway")
    chosen = [gateway] if gateway else list(GATEWAY_IDS)
    served = [m for gid in chosen for m in _unique(load(gid).models.values())]
    if as_json:
        typer.echo(json.dumps([model_record(m) for m in served], ensure_ascii=False, indent=2))
        return
    table = Table(title="imagegw model catalog" + (f": {gateway}" if gateway else ""), show_lines=True)
    columns = ("gateway", "model", "sizes", "n", "prompt", "inputs", "outputs")
    for col in columns:
        table.add_column(col, overflow="fold")
    for m in served:
        row = model_row(m)
        table.add_row(*(row[c] for c in columns))
    Console(width=max(160, Console().width)).print(table)


def _unique(models: Iterable[Model]) -> Iterator[Model]:
    """Each served model once (TokenHub answers canonical Ark ids as aliases of ``ark/`` ones)."""
    seen: set[int] = set()
    for m in models:
        if id(m) not in seen:
            seen.add(id(m))
            yield m


app.command(name="record")(record)


def main() -> None:
    """Run the mock's commands alone (the ``imagegw`` console script is :func:`imagegw.cli.main`)."""
    app()


if __name__ == "__main__":
    main()
