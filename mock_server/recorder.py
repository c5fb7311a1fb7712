"""``imagegw record``: a recording proxy in front of a gateway (Starlette + httpx).

Point a client (or ``imagegw drift --base-url http://127.0.0.1:PORT``) at the proxy; every request
is forwarded to ``--upstream`` and the exchange is stored in a recordings folder (format:
:mod:`recordings`, documented in ``docs/drift.md``) with credentials redacted and image
bytes stored once by content hash. The answer goes back to the client unchanged (apart from
transport headers such as ``Content-Length``/``Content-Encoding``, which describe the wire).

``imagegw serve --replay DIR`` (:mod:`mock_server.replay`) and ``imagegw drift --baseline DIR``
read what this writes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import typer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts.registry import GATEWAY_IDS
from recordings import HOP_HEADERS, RecordingWriter, Redactor, env_secrets

from .errors import GatewayError
from .gateways.base import read_body
from .settings import Settings

#: Request headers not forwarded (the proxy sets its own ``Host``; httpx negotiates encodings).
_DROP_REQUEST = HOP_HEADERS | {"host"}


def build_recorder_app(
    gateway: str,
    upstream: str,
    out: str | Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timer: Callable[[], float] = time.perf_counter,
    timeout_s: float = 300.0,
    max_body_bytes: int = 64 * 1024 * 1024,
    body_timeout_s: float | None = None,
) -> Starlette:
    """The recording proxy as an ASGI app.

    Args:
        gateway: gateway id; exchanges go to ``out/<gateway>/``.
        upstream: the gateway root to forward to (its documented host,
            :attr:`contracts.registry.GatewaySpec.host`, or ``http://127.0.0.1:8000/<id>``); the
            request path is appended.
        out: the recordings folder (created if missing).
        transport: an async ``httpx`` transport (tests: ``httpx.ASGITransport(app=mock)``).
        timer: monotonic seconds, to measure upstream latency (injected in tests).
        timeout_s: read timeout towards the upstream, seconds.
        max_body_bytes: larger request bodies answer 413 and are not forwarded (nor read past the limit).
        body_timeout_s: a request body must arrive within this many seconds (else 408); default
            ``Settings.body_timeout_seconds``.

    Returns:
        A Starlette app; ``app.state.writer`` is its :class:`~recordings.RecordingWriter`.

    An unreachable upstream answers 502 ``{"error": {"message", "type": "upstream_error"}}`` and
    nothing is recorded.
    """
    if gateway not in GATEWAY_IDS:
        raise ValueError(f"unknown gateway {gateway!r}; choose one of {', '.join(GATEWAY_IDS)}")
    if not upstream.startswith(("http://", "https://")):
        raise ValueError(f"upstream must be an http(s) URL, got {upstream!r}")
    base = upstream.rstrip("/")
    body_timeout = Settings().body_timeout_seconds if body_timeout_s is None else body_timeout_s
    writer = RecordingWriter(out, gateway, base, Redactor(env_secrets()))
    client_holder: dict[str, httpx.AsyncClient] = {}

    def client() -> httpx.AsyncClient:
        if "c" not in client_holder:
            client_holder["c"] = httpx.AsyncClient(
                transport=transport, timeout=httpx.Timeout(timeout_s, connect=15.0), follow_redirects=False
            )
        return client_holder["c"]

    async def proxy(request: Request) -> Response:
        try:
            body = await read_body(request, max_body_bytes, timeout_s=body_timeout)
        except GatewayError as err:
            return _error(err.status, f"imagegw record: {err.message}: not forwarded", err.headers)
        path = request.url.path
        query = request.url.query
        url = base + path + (f"?{query}" if query else "")
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _DROP_REQUEST]
        started = timer()
        try:
            upstream_response = await client().request(request.method, url, headers=headers, content=body)
            content = upstream_response.content
        except httpx.HTTPError as exc:
            return _error(502, f"imagegw record: upstream {base} failed: {type(exc).__name__}")
        latency = max(0.0, timer() - started)
        writer.record(
            method=request.method,
            path=path,
            query=request.query_params.multi_items(),
            request_headers=request.headers.items(),
            request_body=body,
            status=upstream_response.status_code,
            response_headers=upstream_response.headers.items(),
            response_body=content,
            latency_s=latency,
        )
        out_headers = {k: v for k, v in upstream_response.headers.items() if k.lower() not in HOP_HEADERS}
        return Response(content, status_code=upstream_response.status_code, headers=out_headers)

    async def shutdown() -> None:
        c = client_holder.pop("c", None)
        if c is not None:
            await c.aclose()

    app = Starlette(routes=[Route("/{path:path}", proxy, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])])
    app.state.writer = writer
    app.state.aclose = shutdown  # closes the upstream client (uvicorn runs without lifespan)
    return app


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"error": {"message": message, "type": "upstream_error", "param": None, "code": None}}
    return Response(json.dumps(body), status_code=status, media_type="application/json", headers=headers)


def record(
    gateway: str = typer.Option(..., "--gateway", help=f"Gateway id ({', '.join(GATEWAY_IDS)})."),
    upstream: str = typer.Option(..., "--upstream", help="Gateway root to forward to, e.g. its documented host"),
    port: int = typer.Option(8081, "--port", help="Port of the proxy on 127.0.0.1."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind."),
    out: Path = typer.Option(Path("recordings"), "--out", help="Recordings folder (created if missing)."),
    timeout: float = typer.Option(300.0, "--timeout", help="Read timeout towards the upstream, seconds."),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level (critical, error, warning, info, debug, trace)."),
    access_log: bool = typer.Option(
        True, "--access-log/--no-access-log", help="Log every request at info level (credential query parameters redacted)."
    ),
) -> None:
    """Run a recording proxy: forward to --upstream and store each exchange (redacted) under --out."""
    import uvicorn

    from .serving import uvicorn_options

    try:
        app = build_recorder_app(gateway, upstream, out, timeout_s=timeout)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    typer.echo(f"imagegw record: http://{host}:{port} -> {upstream.rstrip('/')}  (recording {gateway} into {out}/)")
    uvicorn.run(app, host=host, port=port, **uvicorn_options(Settings(), log_level=log_level, access_log=access_log))
