"""pytest fixtures for testing an app against the imagegw mock (registered as the ``imagegw`` plugin).

Fixtures only, in the manner of respx / pytest-httpserver:

``imagegw_clock``    a :class:`~mock_server.clock.ManualClock` (advance it; never sleep)
``imagegw_app``      the mock ASGI app on that clock (fresh per test)
``imagegw_mock``     its :class:`~mock_server.engine.Mock` (journal, faults, clock)
``imagegw_client``   an ``httpx.Client`` talking to the app in-process (no socket)
``imagegw_server``   a real uvicorn server on 127.0.0.1 for the whole session; its ``url``
                     is the base, its state is reset before each test that uses it

``imagegw_contract_guard`` (session scope, default ``None``) is what those apps pass to
:func:`~mock_server.create_app` as ``contract_guard``: override it with a callable taking a
:class:`contracts.asgi.Violation` to have every answer the mock sends checked against its contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import pytest
from starlette.applications import Starlette

from .app import create_app
from .clock import ManualClock
from .engine import Mock
from .settings import Settings
from .testing import SyncASGITransport, serve_in_thread

if TYPE_CHECKING:
    from contracts.asgi import Violation

ContractGuardHook = Callable[["Violation"], None] | None


@pytest.fixture(scope="session")
def imagegw_contract_guard() -> ContractGuardHook:
    """Called with each contract violation of the apps below; ``None``: answers are not checked."""
    return None


@pytest.fixture
def imagegw_clock() -> ManualClock:
    """A manual clock starting at 2026-01-01T00:00:00Z."""
    return ManualClock()


@pytest.fixture
def imagegw_app(imagegw_clock: ManualClock, imagegw_contract_guard: ContractGuardHook) -> Starlette:
    """A fresh mock app on ``imagegw_clock`` (exceptions re-raised so bugs fail the test)."""
    return create_app(Settings(raise_server_exceptions=True), clock=imagegw_clock, contract_guard=imagegw_contract_guard)


@pytest.fixture
def imagegw_mock(imagegw_app: Starlette) -> Mock:
    """The app's shared state: ``.journal``, ``.faults``, ``.clock``."""
    return imagegw_app.state.mock


@pytest.fixture
def imagegw_client(imagegw_app: Starlette) -> Iterator[httpx.Client]:
    """``httpx.Client`` bound to the app in-process; base URL ``http://127.0.0.1``."""
    with httpx.Client(transport=SyncASGITransport(imagegw_app), base_url="http://127.0.0.1", timeout=30) as c:
        yield c


@dataclass
class ServerHandle:
    """A running mock: ``url`` (``http://127.0.0.1:PORT``), its ``mock`` state and ``clock``."""

    url: str
    mock: Mock
    clock: ManualClock

    def gateway_url(self, gateway_id: str) -> str:
        """Base URL of one gateway, e.g. ``http://127.0.0.1:PORT/tokenhub``."""
        return f"{self.url}/{gateway_id}"


@pytest.fixture(scope="session")
def _imagegw_session_server(imagegw_contract_guard: ContractGuardHook) -> Iterator[ServerHandle]:
    clock = ManualClock()
    app = create_app(Settings(), clock=clock, contract_guard=imagegw_contract_guard)
    with serve_in_thread(app) as url:
        yield ServerHandle(url, app.state.mock, clock)


@pytest.fixture
def imagegw_server(_imagegw_session_server: ServerHandle) -> ServerHandle:
    """The session's real server, reset (journal, scenario queue) for this test."""
    _imagegw_session_server.mock.reset()
    return _imagegw_session_server
