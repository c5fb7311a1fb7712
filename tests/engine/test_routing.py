"""The request path's dispatch (mock_server/routing.py) answers as Starlette's own routing of the
same routes does: every gateway, fixed and parameterised paths, wrong methods (405 with
``Allow``), unknown paths (404), trailing slashes and paths with a newline."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from mock_apps import build_app
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Mount, Router

from contracts.registry import GATEWAY_IDS
from mock_server import gateways
from mock_server.routing import GatewayDispatch, GatewayRouter, MockApp
from mock_server.settings import Settings
from mock_server.testing import SyncASGITransport

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_VOLATILE = {"x-request-id", "date", "server"}


def _requests() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for gid in GATEWAY_IDS:
        for op in gateways.load(gid).operations:
            path = re.sub(r"\{[^}]+\}", "abc", op.path)
            out += [(m, f"/{gid}{path}") for m in (*op.methods, "DELETE", "PUT")]
            out.append(("POST", f"/{gid}{path}/"))
        out += [("GET", f"/{gid}/"), ("GET", f"/{gid}/openapi.json"), ("GET", f"/{gid}/no/such/path"), ("GET", f"/{gid}/files/x.png")]
    out += [("GET", "/no-such-gateway/x"), ("GET", "/__mock/health"), ("GET", "/__mock")]
    return out


def _answer(client: httpx.Client, method: str, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    r = client.request(method, path, json={"prompt": "a cat"}, headers={"Authorization": "Bearer k"})
    headers = sorted((k, v) for k, v in r.headers.items() if k not in _VOLATILE)
    return r.status_code, headers, _UUID.sub(b"<uuid>", r.content)


def _standard(app: Any) -> Any:
    """The same routes routed by Starlette alone: its exception layer over a ``Router`` of the
    app's routes, each gateway's ``Mount`` over a plain ``Router`` of that gateway's routes."""
    routes: list[Any] = []
    for route in app.router.routes:
        mounts = getattr(route, "_by_segment", None)  # the app's mounts, picked by first segment
        if mounts is not None:
            routes += [Mount(m.path, app=_plain(m.app)) for m in mounts.values()]
        elif isinstance(route, Mount):
            routes.append(Mount(route.path, app=_plain(route.app)))
        else:
            routes.append(route)
    handlers = {k: v for k, v in app.exception_handlers.items() if k not in (500, Exception)}
    return ExceptionMiddleware(Router(routes=routes), handlers=handlers)


def _plain(app: Any) -> Any:
    return Router(routes=list(app.routes)) if isinstance(app, GatewayRouter) else app


# the comparison includes paths no contract declares (trailing slashes, newlines): routing, not contracts
@pytest.mark.no_contract_guard
@pytest.mark.parametrize(("method", "path"), _requests())
def test_the_dispatch_answers_as_starlettes_routing(method: str, path: str) -> None:
    app = build_app(Settings(raise_server_exceptions=True))
    with (
        httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000") as fast,
        httpx.Client(transport=SyncASGITransport(_standard(app)), base_url="http://127.0.0.1:8000") as standard,
    ):
        assert _answer(fast, method, path) == _answer(standard, method, path)


@pytest.mark.no_contract_guard
def test_a_path_with_a_newline_is_answered_in_the_gateways_shape() -> None:
    app = build_app(Settings(raise_server_exceptions=True))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000") as client:
        r = client.get("/powertokens/v1/images/generations%0A")
    assert r.status_code in (404, 405) and r.headers["content-type"].startswith("application/json")


def test_the_dispatch_is_the_outer_layer_or_below_user_middleware() -> None:
    plain = MockApp(routes=[], gateways={})
    assert isinstance(plain.build_middleware_stack(), GatewayDispatch)  # no user middleware: outermost
    guarded = build_app(Settings())  # the suite's apps carry the contract guard as user middleware
    layer: Any = guarded.build_middleware_stack()
    assert isinstance(layer, ServerErrorMiddleware)
    layers = []
    while not isinstance(layer, GatewayDispatch):
        layers.append(type(layer).__name__)
        layer = layer.app
    assert layers == ["ServerErrorMiddleware", "ContractGuard"]  # the guard sees every gateway request
    assert isinstance(layer.app, ExceptionMiddleware)


def test_fixed_paths_are_found_by_path_and_method() -> None:
    app = build_app(Settings())
    router = next(m.app for r in app.routes for m in getattr(r, "_by_segment", {}).values() if m.path == "/powertokens")
    assert isinstance(router, GatewayRouter)
    assert router.fixed_route("/v1/images/generations", "POST") is not None
    assert router.fixed_route("/v1/images/generations", "GET") is None
    assert router.fixed_route("/files/{token}", "GET") is None  # a parameterised path goes through the Router
