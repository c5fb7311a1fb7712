"""``create_app(settings, clock)``: one Starlette app serving every gateway under ``/{id}``.

Layout (DESIGN.md, "The house")::

    /piebox/...  /tokenhub/...  /gravitex/...  /imageseries/...  /powertokens/...
    /__mock/...                  control plane (admin.py), when Settings.admin
    /...                         one gateway at the root too, when Settings.root_gateway is set

Each gateway also serves its contract at ``/{id}/openapi.json`` and ``/{id}/openapi.yaml``.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from . import gateways
from .admin import build_admin
from .clock import Clock
from .engine import Mock
from .errors import GatewayError, new_request_id, render_error
from .settings import GATEWAY_IDS, Settings


def _contract_routes(gateway_id: str, prefix: str) -> list[Route]:
    try:
        from .contract_routes import routes_for
    except ImportError:  # contracts not installed yet
        return []
    return routes_for(gateway_id, prefix)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, mock: Mock | None = None) -> Starlette:
    """Build the mock ASGI app.

    Args:
        settings: a :class:`Settings` (default ``Settings()``).
        clock: the injected clock (default: system clock). Pass a
            :class:`~mock_server.clock.ManualClock` in tests and advance it instead of sleeping.
        mock: an existing :class:`Mock` to serve (its settings and clock win).

    Returns:
        A Starlette app; its shared state is ``app.state.mock``.
    """
    mock = mock or Mock(settings, clock)
    routes: list[BaseRoute] = []
    if mock.settings.admin:
        routes.append(Mount("/__mock", app=build_admin(mock)))
    for gid in GATEWAY_IDS:
        prefix = f"/{gid}"
        routes.append(Mount(prefix, app=gateways.base.build_app(gateways.load(gid), mock, prefix, _contract_routes(gid, prefix))))
    if mock.settings.root_gateway:
        gid = mock.settings.root_gateway
        routes.append(Mount("", app=gateways.base.build_app(gateways.load(gid), mock, "", _contract_routes(gid, ""))))
    else:
        async def unknown(request: Request) -> Response:
            err = GatewayError(404, "not_found", f"Unknown route {request.method} {request.url.path}; gateways are served under /{{id}}: {', '.join(GATEWAY_IDS)}")
            return render_error(err, "openai", new_request_id())
        routes.append(Route("/{path:path}", unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]))
    app = Starlette(routes=routes)
    app.state.mock = mock
    return app
