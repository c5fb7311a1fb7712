"""``/__mock/*``: the control plane a test or a developer drives over HTTP.

=========================  ======================================================================
``GET /__mock/health``     ``{"status": "ok", "gateways": [...], "clock": {...}, "cache": {...}}``
``GET /__mock/requests``   the journal, oldest first (``?gateway=ID`` and ``?path=`` filter)
``DELETE /__mock/requests``  clear the journal
``GET /__mock/scenarios``  known scenario names and the queue
``POST /__mock/scenarios`` ``{"name": "rate_limited", "times": 1, "gateway": "tokenhub"}`` -> 201
``DELETE /__mock/scenarios``  clear the queue
``GET /__mock/clock``      ``{"now": <unix seconds>, "manual": bool}``
``POST /__mock/clock``     ``{"advance": <seconds>}`` moves a manual clock forward (409 otherwise)
``POST /__mock/reset``     clear journal, queue and internal-error list
``GET /__mock/``           the inspector, an HTML page (``mock_server.inspector``), with
                           ``GET /__mock/inspector`` (its live part) and ``GET /__mock/images/{file}``
=========================  ======================================================================

Errors use the OpenAI shape ``{"error": {"message", "type", "param", "code"}}``.

Every request first passes :func:`mock_server.guard.check_admin_request`: a trusted ``Host``,
no foreign ``Origin`` on writes, ``application/json`` on writes that carry a body, and the
``X-Mock-Admin-Token`` header when the mock has an admin token (not for ``GET /__mock/health``
and the inspector's page, which show no state). Bodies are at most
:data:`MAX_ADMIN_BODY_BYTES`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts.registry import GATEWAY_IDS

from .engine import Mock
from .errors import GatewayError, clip, json_response, new_request_id, render_error
from .faults import SCENARIOS, QueuedScenario
from .gateways.base import read_body
from .guard import check_admin_request
from .inspector import build_endpoints

#: the largest control-plane request body (bytes); larger ones answer 413.
MAX_ADMIN_BODY_BYTES = 64 * 1024


async def _json(request: Request) -> dict[str, Any]:
    raw = await read_body(request, MAX_ADMIN_BODY_BYTES)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise GatewayError(400, "invalid_json", "Body is not valid JSON") from None
    if not isinstance(data, dict):
        raise GatewayError(400, "invalid_json", "Body must be a JSON object")
    return data


def build_admin(mock: Mock) -> Starlette:
    """The ``/__mock`` sub-app for ``mock``."""

    def clock_info() -> dict[str, Any]:
        return {"now": mock.clock.now(), "manual": mock.manual_clock is not None}

    async def health(request: Request) -> Response:
        return json_response(
            {
                "status": "ok",
                "gateways": list(GATEWAY_IDS),
                "clock": clock_info(),
                "cache": mock.images.stats(),
                "internal_errors": len(mock.internal_errors),
            }
        )

    async def requests_(request: Request) -> Response:
        if request.method == "DELETE":
            mock.journal.clear()
            return Response(status_code=204)
        entries = mock.journal.entries(gateway=request.query_params.get("gateway"), path=request.query_params.get("path"))
        return json_response({"requests": [e.as_dict() for e in entries]})

    async def scenarios(request: Request) -> Response:
        if request.method == "DELETE":
            mock.faults.clear()
            return Response(status_code=204)
        if request.method == "POST":
            data = await _json(request)
            name, times, gateway = data.get("name"), data.get("times", 1), data.get("gateway")
            if not isinstance(name, str):
                raise GatewayError(400, "invalid_parameter", "name is required", param="name")
            if not isinstance(times, int) or isinstance(times, bool):
                raise GatewayError(400, "invalid_parameter", "times must be an integer", param="times")
            if gateway is not None and gateway not in GATEWAY_IDS:
                raise GatewayError(400, "invalid_parameter", f"unknown gateway {clip(repr(gateway))}", param="gateway")
            mock.faults.push(QueuedScenario(name, times, gateway))
            return json_response({"queued": mock.faults.list()}, status=201)
        return json_response({"known": list(SCENARIOS), "queued": mock.faults.list()})

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            data = await _json(request)
            seconds = data.get("advance", data.get("seconds"))
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds < 0:
                raise GatewayError(400, "invalid_parameter", "advance must be a number of seconds >= 0", param="advance")
            manual = mock.manual_clock
            if manual is None:
                raise GatewayError(
                    409,
                    "clock_not_manual",
                    "The clock is the system clock; start the mock with a manual clock (imagegw serve --manual-clock)",
                )
            manual.advance(float(seconds))
        return json_response(clock_info())

    async def reset(request: Request) -> Response:
        mock.reset()
        return Response(status_code=204)

    def guarded(fn: Callable[[Request], Awaitable[Response]], token_free: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                check_admin_request(request, mock.settings, token_free=token_free)
                return await fn(request)
            except GatewayError as err:
                return render_error(err, "openai", new_request_id())

        return endpoint

    page, live, image = build_endpoints(mock)
    return Starlette(
        routes=[
            Route("/", guarded(page, token_free=True), methods=["GET"]),  # the page shows no state: its script loads it
            Route("/inspector", guarded(live), methods=["GET"]),
            Route("/images/{file}", guarded(image), methods=["GET"]),
            Route("/health", guarded(health, token_free=True), methods=["GET"]),
            Route("/requests", guarded(requests_), methods=["GET", "DELETE"]),
            Route("/scenarios", guarded(scenarios), methods=["GET", "POST", "DELETE"]),
            Route("/clock", guarded(clock), methods=["GET", "POST"]),
            Route("/reset", guarded(reset), methods=["POST"]),
        ]
    )
