"""``create_app(settings, clock)``: one Starlette app serving every gateway under ``/{id}``.

Layout (DESIGN.md, "The house")::

    /piebox/...  /tokenhub/...  /gravitex/...  /imageseries/...  /powertokens/...
    /__mock/...                  control plane (admin.py), when Settings.admin
    /...                         one gateway at the root too, when Settings.root_gateway is set

Each gateway also serves its contract at ``/{id}/openapi.json`` and ``/{id}/openapi.yaml``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound, Route, get_route_path
from starlette.types import Receive, Scope, Send

from contracts.registry import GATEWAY_IDS

from . import gateways
from .admin import build_admin
from .clock import Clock
from .engine import Mock
from .errors import GatewayError, new_request_id, render_error
from .routing import GatewayRouter, MockApp
from .settings import Settings

if TYPE_CHECKING:
    from contracts.asgi import Violation


def _contract_routes(gateway_id: str, prefix: str, mock: Mock) -> list[Route]:
    try:
        from .contract_routes import routes_for
    except ImportError:  # contracts not installed yet
        return []
    from .guard import trusted_base_url

    return routes_for(
        gateway_id,
        prefix,
        public_base_url=mock.settings.public_base_url,
        base_url_of=lambda request: trusted_base_url(request, mock.settings),
    )


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    mock: Mock | None = None,
    contract_guard: Callable[[Violation], None] | None = None,
) -> Starlette:
    """Build the mock ASGI app.

    Args:
        settings: a :class:`Settings` (default ``Settings()``).
        clock: the injected clock (default: system clock). Pass a
            :class:`~mock_server.clock.ManualClock` in tests and advance it instead of sleeping.
        mock: an existing :class:`Mock` to serve (its settings and clock win).
        contract_guard: when given, every gateway answer is validated against its gateway's
            contract (:class:`contracts.asgi.ContractGuard`, the innermost middleware) and this is
            called with a :class:`contracts.asgi.Violation` for each answer that breaks it, after
            the answer was sent (the answer itself is unchanged). Covers every ``/{id}`` and the
            root gateway; the control plane, image downloads and the served contracts are not
            checked. A test suite passes a recorder here to fail the test that caused a violation.

    Returns:
        A Starlette app; its shared state is ``app.state.mock``.
    """
    mock = mock or Mock(settings, clock)
    if mock.settings.replay_dir and mock.replay is None:
        from .replay import Replayer

        mock.replay = Replayer(mock.settings.replay_dir)
    routes: list[BaseRoute] = []
    mounts = [Mount("/__mock", app=build_admin(mock))] if mock.settings.admin else []
    if mock.settings.admin:  # the inspector's address without its slash
        routes.append(Route("/__mock", lambda request: RedirectResponse("/__mock/", status_code=308), methods=["GET"]))
    gateway_apps: dict[str, GatewayRouter] = {}
    for gid in GATEWAY_IDS:
        prefix = f"/{gid}"
        gateway_apps[gid] = gateways.base.build_app(gateways.load(gid), mock, prefix, _contract_routes(gid, prefix, mock))
        mounts.append(Mount(prefix, app=gateway_apps[gid]))
    routes.append(_MountsByFirstSegment(mounts))
    if mock.settings.root_gateway:
        gid = mock.settings.root_gateway
        routes.append(Mount("", app=gateways.base.build_app(gateways.load(gid), mock, "", _contract_routes(gid, "", mock))))
    else:

        async def unknown(request: Request) -> Response:
            err = GatewayError(
                404,
                "not_found",
                f"Unknown route {request.method} {request.url.path}; gateways are served under /{{id}}: {', '.join(GATEWAY_IDS)}",
            )
            return render_error(err, "openai", new_request_id())

        routes.append(Route("/{path:path}", unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]))
    # the app's router serves every path; MockApp's dispatch takes gateway requests past it (routing.py)
    app = MockApp(routes=routes, exception_handlers={404: _unrouted(mock)}, gateways=gateway_apps)
    app.state.mock = mock
    if contract_guard is not None:
        from contracts.asgi import ContractGuard

        guarded = {f"/{gid}": gid for gid in GATEWAY_IDS}
        if mock.settings.root_gateway:
            guarded[""] = mock.settings.root_gateway
        app.add_middleware(ContractGuard, routes=guarded, on_violation=contract_guard)
    return app


SETTINGS_ENV = "IMAGEGW_SERVE_SETTINGS"


def app_from_env() -> Starlette:
    """App factory for ``uvicorn --factory`` worker processes: settings come, as JSON, from the
    ``IMAGEGW_SERVE_SETTINGS`` environment variable set by ``imagegw serve --workers N``, so every
    worker signs task ids and file URLs with the same secret and answers any other worker's ids.

    Raises:
        KeyError: when the variable is not set.
    """
    import os

    from .images import return_large_buffers_to_os
    from .serving import freeze_startup_objects

    return_large_buffers_to_os()
    app = create_app(Settings.from_json(os.environ[SETTINGS_ENV]))
    freeze_startup_objects()
    return app


class _MountsByFirstSegment(BaseRoute):
    """Several ``Mount``s at distinct one-segment prefixes, picked by the path's first segment.

    A Router tries each Mount's pattern in turn; this looks the candidate up in a dict and
    builds the child scope a match gives (``root_path`` extended by the prefix, the parent's
    ``path_params``, ``app_root_path``, ``endpoint``). A path with a newline after the prefix,
    which Starlette's pattern treats specially, is left to that Mount's own ``matches``.
    """

    def __init__(self, mounts: list[Mount]) -> None:
        self._by_segment = {m.path.strip("/"): m for m in mounts}
        assert all(k and "/" not in k for k in self._by_segment), "one-segment prefixes only"

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            segment, slash, rest = get_route_path(scope)[1:].partition("/")
            mount = self._by_segment.get(segment)
            if mount is not None and slash:
                if "\n" in rest:
                    return mount.matches(scope)
                root_path = scope.get("root_path", "")
                return Match.FULL, {
                    "path_params": dict(scope.get("path_params", {})),
                    "app_root_path": scope.get("app_root_path", root_path),
                    "root_path": f"{root_path}/{segment}",
                    "endpoint": mount.app,
                }
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["endpoint"](scope, receive, send)  # the matched Mount's app (Mount.matches sets it)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for mount in self._by_segment.values():
            try:
                return mount.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)


def _unrouted(mock: Mock) -> Callable[[Request, Exception], Awaitable[Response]]:
    """404 handler for paths no route pattern can match (Starlette's ``.*`` stops at a newline,
    so ``/piebox/v2/…/tasks/a%0Ab`` escapes every Mount): answer in the gateway's shape, not text."""

    async def handler(request: Request, exc: Exception) -> Response:
        first = request.url.path.lstrip("/").split("/", 1)[0]
        gid = first if first in GATEWAY_IDS else mock.settings.root_gateway
        shape = gateways.load(gid).shape if gid else "openai"
        err = GatewayError(404, "not_found", f"Unknown route {request.method} {request.url.path[:200]!r}")
        return render_error(err, shape, new_request_id())

    return handler
