"""The request path's routing: the gateway and the endpoint that answer a request, found by
dictionary look-ups where Starlette's routers try one pattern after another.

Two layers, each a shortcut through what Starlette would do, to the same endpoint with the same
scope:

* :class:`GatewayDispatch` hands a request under ``/{gateway id}/`` to that gateway's router
  directly, past the app's own router and Starlette's exception layers (every gateway endpoint
  answers its own errors: ``mock_server.gateways.base``). Anything else (the control plane,
  the root gateway, a path with a newline, which Starlette's patterns treat specially) goes
  down the app's standard stack. :class:`MockApp` puts it in that stack.
* :class:`GatewayRouter` is a gateway's Starlette ``Router`` whose fixed paths (no ``{param}``)
  are found in a dict by path and method; a path with parameters, a method a path does not
  take (405) and an unknown path (404) go through the ``Router`` as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import BaseRoute, Route, Router, get_route_path
from starlette.types import ASGIApp, Receive, Scope, Send


class GatewayRouter(Router):
    """A gateway's routes: a Starlette ``Router`` that finds a fixed path's route by
    ``(path, method)`` in a dict first.

    The scope a hit gets is the one ``Router`` would give: ``endpoint``, ``path_params`` (the
    parent's; a fixed path adds none) and ``router`` when no outer router set it.
    """

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        super().__init__(routes=list(routes))
        fixed: dict[str, dict[str, Route]] = {}
        for route in routes:
            if isinstance(route, Route) and route.methods and not route.param_convertors:
                by_method = fixed.setdefault(route.path, {})
                for method in route.methods:
                    by_method.setdefault(method, route)  # the first route listed wins, as in Router
        self._fixed = fixed

    def fixed_route(self, path: str, method: str) -> Route | None:
        """The route of fixed path ``path`` (relative to the gateway) for ``method``, if one."""
        by_method = self._fixed.get(path)
        return by_method.get(method) if by_method is not None else None

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            route = self.fixed_route(get_route_path(scope), scope["method"])
            if route is not None:
                if "router" not in scope:
                    scope["router"] = self
                scope["endpoint"] = route.endpoint
                scope["path_params"] = dict(scope.get("path_params", {}))
                await route.app(scope, receive, send)
                return
        await super().app(scope, receive, send)


class GatewayDispatch:
    """ASGI layer: a request to ``/{id}/…`` for a gateway ``id`` in ``gateways`` goes to that
    gateway's app with the scope a ``Mount("/{id}")`` gives it (``root_path`` extended,
    ``app_root_path`` kept, the parent's ``path_params``, ``router``); everything else to ``app``.
    A fixed path of a :class:`GatewayRouter` goes to its route's endpoint at once, with the
    scope that router would give it."""

    def __init__(self, app: ASGIApp, gateways: Mapping[str, GatewayRouter], router: Router) -> None:
        self.app = app
        self._gateways = dict(gateways)
        self._router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            segment, slash, rest = get_route_path(scope)[1:].partition("/")
            gateway = self._gateways.get(segment)
            if gateway is not None and slash and "\n" not in rest:
                root_path = scope.get("root_path", "")
                if "router" not in scope:
                    scope["router"] = self._router
                scope["app_root_path"] = scope.get("app_root_path", root_path)
                scope["root_path"] = f"{root_path}/{segment}"
                scope["path_params"] = dict(scope.get("path_params", {}))
                route = gateway.fixed_route("/" + rest, scope["method"])
                if route is not None:
                    scope["endpoint"] = route.endpoint
                    await route.app(scope, receive, send)
                else:
                    await gateway(scope, receive, send)
                return
        await self.app(scope, receive, send)


class MockApp(Starlette):
    """The mock's Starlette app, with :class:`GatewayDispatch` in its middleware stack.

    Without user middleware the dispatch is the outermost layer (Starlette's
    ``ServerErrorMiddleware`` → ``ExceptionMiddleware`` → router for the rest). With user
    middleware (``add_middleware``, e.g. the contract guard) it sits below them, so they see
    every request: ``ServerErrorMiddleware`` → user middleware → dispatch →
    ``ExceptionMiddleware`` → router.

    Args:
        gateways: gateway id -> the router serving ``/{id}/…``.
    """

    def __init__(self, *, gateways: Mapping[str, GatewayRouter], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gateway_apps = dict(gateways)

    def build_middleware_stack(self) -> ASGIApp:
        if getattr(self, "max_body_size", None) is not None:  # Starlette's body limit layer: not used by the mock
            raise ValueError("MockApp bounds request bodies itself (Settings.max_body_bytes)")
        error_handler = None
        handlers: dict[Any, Any] = {}
        for key, value in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = value
            else:
                handlers[key] = value
        app: ASGIApp = ExceptionMiddleware(self.router, handlers=handlers, debug=self.debug)
        if not self.user_middleware:
            return GatewayDispatch(ServerErrorMiddleware(app, handler=error_handler, debug=self.debug), self._gateway_apps, self.router)
        app = GatewayDispatch(app, self._gateway_apps, self.router)
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)
