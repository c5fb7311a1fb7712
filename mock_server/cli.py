"""The mock's commands (typer): ``serve``, ``record`` and whatever else serves or feeds the mock.

``imagegw serve``      all five gateways on one port (``--gateway ID`` also serves one at the root)
``imagegw record``     a recording proxy in front of a live gateway (see ``mock_server.recorder``)
``imagegw models``     the model catalog: what each gateway accepts per model, and why

:data:`app` holds these commands only; the ``imagegw`` command line itself is composed in
:mod:`imagegw.cli`, which adds ``drift`` and ``contracts`` beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import typer

from contracts.registry import GATEWAY_IDS

from .recorder import record
from .settings import Settings

if TYPE_CHECKING:
    from .catalog import Model

#: The mock's command group (no callback of its own: :mod:`imagegw.cli` mounts these commands at its top level).
app = typer.Typer(add_completion=False, no_args_is_help=True, help="The imagegw mock: serve it, record for it, list its model catalog.")

MIB = 1024 * 1024


def _default(name: str) -> Any:
    """The default of ``Settings.<name>`` (one place for every default)."""
    return Settings.__dataclass_fields__[name].default


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, help="TCP port."),
    gateway: str | None = typer.Option(None, help=f"Also serve this gateway at the root ({', '.join(GATEWAY_IDS)})."),
    task_seconds: float | None = typer.Option(None, help="Total seconds a PieBox task takes (split 20% pending, 80% processing)."),
    pending_seconds: float | None = typer.Option(None, help="Seconds a task stays pending (overrides --task-seconds)."),
    processing_seconds: float | None = typer.Option(None, help="Seconds a task stays processing (overrides --task-seconds)."),
    url_ttl: float = typer.Option(24 * 3600.0, help="Lifetime of url results, seconds (documents: ~24 h)."),
    max_body_mb: float = typer.Option(50.0, help="Largest request body accepted, MiB."),
    manual_clock: bool = typer.Option(False, help="Start with a manual clock (advance it with POST /__mock/clock)."),
    no_admin: bool = typer.Option(False, "--no-admin", help="Do not serve /__mock/* (and keep no request journal)."),
    public_url: str | None = typer.Option(None, help="Base URL used in url results (default: the request's own)."),
    replay: str | None = typer.Option(None, help="Answer recorded requests from this recordings folder first."),
    api_key: list[str] = typer.Option(
        [], "--api-key", help="Pin a gateway's accepted key: ID=KEY (repeatable; default: any non-empty key)."
    ),
    log_level: str = typer.Option("info", help="uvicorn log level (critical, error, warning, info, debug, trace)."),
    access_log: bool = typer.Option(
        False,
        "--access-log/--no-access-log",
        help="Log every request, credential query parameters redacted (off by default: /__mock/requests journals every request, and a log line costs more than a mocked answer).",
    ),
    workers: int = typer.Option(
        1, min=1, help="Worker processes (share the signing secret; each keeps its own journal and scenario queue)."
    ),
    image_cache_mb: float | None = typer.Option(None, help=f"Rendered-image cache, MiB (default {_default('image_cache_bytes') / MIB:g})."),
    journal_max_mb: float | None = typer.Option(
        None, help=f"The journal's whole size, MiB of JSON; oldest entries dropped first (default {_default('journal_max_bytes') / MIB:g})."
    ),
    admin_token: str | None = typer.Option(
        None, envvar="IMAGEGW_ADMIN_TOKEN", help="Require 'X-Mock-Admin-Token: TOKEN' on /__mock/* (except GET /__mock/health)."
    ),
    allowed_host: list[str] = typer.Option(
        [],
        "--allowed-host",
        help="Also trust this Host name for /__mock and URL results (repeatable; '*' trusts any). Loopback names, the bind address and --public-url's host are always trusted.",
    ),
    header_timeout: float = typer.Option(
        _default("header_timeout_seconds"), help="Seconds a connection may take to send a request's headers (then 408 and closed)."
    ),
    body_timeout: float = typer.Option(
        _default("body_timeout_seconds"), help="Seconds a request body may take to arrive (then 408 and closed)."
    ),
    keep_alive: float = typer.Option(_default("keep_alive_seconds"), help="Seconds an idle keep-alive connection stays open."),
) -> None:
    """Serve the mock: every gateway under /{id}, e.g. http://127.0.0.1:8000/tokenhub/v1/images/generations."""
    import uvicorn

    from .app import create_app
    from .clock import ManualClock
    from .guard import allowed_for_bind, bind_is_loopback
    from .images import return_large_buffers_to_os
    from .serving import freeze_startup_objects, uvicorn_options

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
    sizes: dict[str, int] = {}
    if image_cache_mb is not None:
        sizes["image_cache_bytes"] = int(image_cache_mb * MIB)
    if journal_max_mb is not None:
        sizes["journal_max_bytes"] = int(journal_max_mb * MIB)
    if no_admin:
        sizes["journal_size"] = 0  # without /__mock nothing reads the journal
    try:
        settings = Settings.from_env(
            api_keys=keys,
            root_gateway=gateway,
            url_ttl_seconds=url_ttl,
            max_body_bytes=int(max_body_mb * MIB),
            admin=not no_admin,
            public_base_url=public_url,
            replay_dir=replay,
            admin_token=admin_token or None,
            allowed_hosts=allowed_for_bind(host, allowed_host),
            header_timeout_seconds=header_timeout,
            body_timeout_seconds=body_timeout,
            keep_alive_seconds=keep_alive,
            **sizes,
            **timing,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(
        f"imagegw mock on http://{host}:{port}  gateways: "
        + ", ".join(f"/{g}" for g in GATEWAY_IDS)
        + (f"  (and {gateway} at /)" if gateway else "")
    )
    if settings.admin and not settings.admin_token and not bind_is_loopback(host):
        typer.secho(
            f"WARNING: serving on {host}, reachable from other machines, with an open control plane: anyone who "
            "can reach this port can read the journal and change scenarios at /__mock. "
            "Pass --admin-token TOKEN (or IMAGEGW_ADMIN_TOKEN), or --no-admin.",
            fg=typer.colors.RED,
            bold=True,
            err=True,
        )
    options = uvicorn_options(settings, log_level=log_level, access_log=access_log)
    if workers > 1:
        if manual_clock:
            raise typer.BadParameter("a manual clock lives in one process; use --workers 1", param_hint="--manual-clock")
        import os

        from .app import SETTINGS_ENV

        os.environ[SETTINGS_ENV] = settings.to_json()
        uvicorn.run("mock_server.app:app_from_env", factory=True, workers=workers, host=host, port=port, **options)
        return
    return_large_buffers_to_os()
    application = create_app(settings, clock=ManualClock() if manual_clock else None)
    freeze_startup_objects()
    uvicorn.run(application, host=host, port=port, **options)


@app.command()
def models(
    gateway: str | None = typer.Option(None, help=f"Only this gateway ({', '.join(GATEWAY_IDS)})."),
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
