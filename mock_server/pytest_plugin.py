"""pytest fixtures for testing an app against the imagegw mock (registered as the ``imagegw`` plugin).

Fixtures only, in the manner of respx / pytest-httpserver:

``imagegw_clock``             a :class:`~mock_server.clock.ManualClock` (advance it; never sleep)
``imagegw_settings_factory``  ``make(**overrides) -> Settings``: test settings (exceptions
                              re-raised) with any :class:`~mock_server.Settings` field overridden
``imagegw_settings``          the settings of ``imagegw_app`` (override it in a conftest to
                              change every app of a suite)
``imagegw_app_factory``       ``make(settings=None, *, clock=None, **create_app_kwargs)``: a
                              fresh app, by default on ``imagegw_settings`` and ``imagegw_clock``
``imagegw_app``               the mock ASGI app on that clock (fresh per test)
``imagegw_mock``              its :class:`~mock_server.engine.Mock` (journal, faults, clock)
``imagegw_client``            an ``httpx.Client`` talking to the app in-process (no socket);
                              the test fails if the mock had an internal error meanwhile
``imagegw_server``            a real uvicorn server on 127.0.0.1 for the whole session; its
                              ``url`` is the base, its state is reset before each test that uses it

``imagegw_contract_guard`` (session scope, default ``None``) is what those apps pass to
:func:`~mock_server.create_app` as ``contract_guard``: override it with a callable taking a
:class:`contracts.asgi.Violation` to have every answer the mock sends checked against its contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


SettingsFactory = Callable[..., Settings]
AppFactory = Callable[..., Starlette]


@pytest.fixture
def imagegw_settings_factory() -> SettingsFactory:
    """``make(**overrides) -> Settings``: :class:`~mock_server.Settings` with
    ``raise_server_exceptions=True`` (a bug in the mock fails the test instead of becoming a 500)
    and ``overrides`` (any field by name: ``api_keys``, ``journal_size``, ``url_ttl_seconds`` …).

    Raises:
        TypeError: for an unknown field; ValueError: for a value ``Settings`` refuses.
    """

    def make(**overrides: Any) -> Settings:
        return Settings(**{"raise_server_exceptions": True, **overrides})

    return make


@pytest.fixture
def imagegw_settings(imagegw_settings_factory: SettingsFactory) -> Settings:
    """The settings of ``imagegw_app`` (and the factory's default): override this fixture in a
    ``conftest.py`` to give every app of a suite other settings."""
    return imagegw_settings_factory()


@pytest.fixture
def imagegw_app_factory(imagegw_settings: Settings, imagegw_clock: ManualClock, imagegw_contract_guard: ContractGuardHook) -> AppFactory:
    """``make(settings=None, *, clock=None, **create_app_kwargs) -> Starlette``: a fresh mock app
    (:func:`~mock_server.create_app`) on ``settings`` (default ``imagegw_settings``) and ``clock``
    (default ``imagegw_clock``), reporting to ``imagegw_contract_guard``; for a test that needs a
    second app or other settings."""

    def make(settings: Settings | None = None, *, clock: ManualClock | None = None, **kwargs: Any) -> Starlette:
        return create_app(
            settings if settings is not None else imagegw_settings,
            clock=clock if clock is not None else imagegw_clock,
            contract_guard=imagegw_contract_guard,
            **kwargs,
        )

    return make


@pytest.fixture
def imagegw_app(imagegw_app_factory: AppFactory) -> Starlette:
    """A fresh mock app on ``imagegw_settings`` and ``imagegw_clock``."""
    return imagegw_app_factory()


@pytest.fixture
def imagegw_mock(imagegw_app: Starlette) -> Mock:
    """The app's shared state: ``.journal``, ``.faults``, ``.clock``."""
    return imagegw_app.state.mock


@pytest.fixture
def imagegw_client(imagegw_app: Starlette) -> Iterator[httpx.Client]:
    """``httpx.Client`` bound to the app in-process; base URL ``http://127.0.0.1``. At teardown
    the test fails if the mock recorded an internal error (a bug of the mock's, answered as a
    500 when exceptions are not re-raised)."""
    with httpx.Client(transport=SyncASGITransport(imagegw_app), base_url="http://127.0.0.1", timeout=30) as c:
        yield c
    errors = imagegw_app.state.mock.internal_errors
    assert not errors, f"the imagegw mock had internal errors: {errors}"


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
