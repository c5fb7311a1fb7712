"""Shared fixtures: a manual clock, the mock app and a sync client talking to it in-process.

Every test talks to the mock through ASGI (no socket) or to 127.0.0.1 only.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

# Test-mode contract check (tests/contract_guard.py): installed before anything imports create_app,
# so every mock response in the suite is validated against its contract; a violation fails the test.
import contract_guard  # noqa: E402

contract_guard.install()
from contract_guard import pytest_runtest_call, pytest_runtest_setup, pytest_runtest_teardown  # noqa: E402,F401

from mock_server import ManualClock, Settings, create_app  # noqa: E402
from mock_server.engine import Mock
from mock_server.testing import SyncASGITransport

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings() -> Settings:
    return Settings(raise_server_exceptions=True, secret=b"test-secret-0123456789abcdef")


@pytest.fixture
def app(settings: Settings, clock: ManualClock):  # type: ignore[no-untyped-def]
    return create_app(settings, clock=clock)


@pytest.fixture
def mock(app) -> Mock:  # type: ignore[no-untyped-def]
    return app.state.mock


@pytest.fixture
def client(app) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    transport = SyncASGITransport(app)
    with httpx.Client(transport=transport, base_url=BASE, timeout=30) as c:
        yield c
    assert not app.state.mock.internal_errors, app.state.mock.internal_errors


# -- Hypothesis profiles: dev (quick), ci (default; fits the 2-minute budget), nightly (deep) ------------
import os  # noqa: E402

from hypothesis import HealthCheck, settings as hsettings  # noqa: E402

hsettings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
hsettings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
hsettings.register_profile("nightly", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
hsettings.load_profile(os.environ.get("IMAGEGW_PROFILE", "ci"))
