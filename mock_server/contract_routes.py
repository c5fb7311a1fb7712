"""``GET {prefix}/openapi.json`` and ``{prefix}/openapi.yaml``: each gateway serves its own contract.

The served document is the gateway's contract (``contracts/<id>.openapi.yaml``) with ``servers``
replaced by the mock itself — ``Settings.public_base_url`` when set, else the request's base URL —
plus the gateway's mount prefix, so a tool pointed at ``http://127.0.0.1:8000/tokenhub/openapi.json``
(Schemathesis, Prism, an SDK generator) talks to the mock. Rendered documents are cached per
server URL (a handful at most).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import yaml
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import contracts

_MAX_CACHED = 16


def routes_for(
    gateway_id: str, prefix: str, *, public_base_url: str | None = None, base_url_of: Callable[[Request], str] | None = None
) -> list[Route]:
    """The two contract routes of ``gateway_id`` mounted at ``prefix`` (``"/tokenhub"`` or ``""``).

    ``public_base_url`` (``Settings.public_base_url``) replaces the request's own base URL in
    ``servers`` when given; otherwise ``base_url_of(request)`` gives it (default
    ``request.base_url``; the app passes :func:`mock_server.guard.trusted_base_url`, so a forged
    ``Host`` never reaches ``servers``).

    Returns ``[]`` while the gateway has no contract file (requests then get the gateway's 404).

    Raises:
        contracts.ContractError: when the contract file exists but does not parse.
    """
    try:
        contract = contracts.load(gateway_id)
    except contracts.ContractNotFound:
        return []
    cache: dict[tuple[str, str], bytes] = {}
    lock = threading.Lock()

    def render(request: Request, fmt: str) -> bytes:
        if public_base_url:
            server = public_base_url.rstrip("/") + prefix
        else:
            # inside the mounted sub-app, base_url already ends with the mount prefix (root_path)
            root = (base_url_of(request) if base_url_of else str(request.base_url)).rstrip("/")
            server = root if not prefix or root.endswith(prefix) else root + prefix
        key = (server, fmt)
        data = cache.get(key)
        if data is None:
            spec = contract.with_servers(server or "/")
            if fmt == "json":
                data = json.dumps(spec, ensure_ascii=False, indent=1).encode("utf-8")
            else:
                data = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True).encode("utf-8")
            with lock:
                if len(cache) >= _MAX_CACHED:
                    cache.clear()
                cache[key] = data
        return data

    async def openapi_json(request: Request) -> Response:
        return Response(render(request, "json"), media_type="application/json")

    async def openapi_yaml(request: Request) -> Response:
        return Response(render(request, "yaml"), media_type="application/yaml")

    return [
        Route("/openapi.json", openapi_json, methods=["GET"]),
        Route("/openapi.yaml", openapi_yaml, methods=["GET"]),
    ]
