"""The mock in-process on a manual clock, and reference clients bound to it (for tests/clients/).

Clients sleep through :meth:`MockEnv.sleep`, which records the delay and advances the mock's
:class:`~mock_server.ManualClock` instead of sleeping; their poll timeout reads the same clock.
"""

from __future__ import annotations

from typing import Any

import httpx
from mock_apps import build_app

from clients import AsyncImageClient, ImageClient, RetryPolicy
from mock_server import GATEWAY_IDS, ManualClock, Settings
from mock_server.testing import SyncASGITransport

#: The key every test client sends; the mock is configured to accept only it. Tests scan
#: reprs, exceptions and logs for this string.
KEY = "sk-imagegw-TEST-k3y-must-never-leak-7f3a9c"
BASE = "http://127.0.0.1:8000"


class MockEnv:
    """One mock app (all five gateways) on a manual clock, plus client factories."""

    def __init__(self, **settings: Any) -> None:
        self.clock = ManualClock()
        opts: dict[str, Any] = {
            "raise_server_exceptions": True,
            "secret": b"client-tests-secret-0123456789abcdef",
            "api_keys": {g: KEY for g in GATEWAY_IDS},
        }
        opts.update(settings)
        self.settings = Settings(**opts)
        self.app = build_app(self.settings, clock=self.clock)
        self.mock = self.app.state.mock
        self.transport = SyncASGITransport(self.app)
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        """The injected sleep: record, then advance the mock's clock."""
        self.sleeps.append(seconds)
        self.clock.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def client(self, gateway: str, **kw: Any) -> ImageClient:
        """An :class:`ImageClient` for ``gateway`` on this mock (seeded retry jitter)."""
        kw.setdefault("api_key", KEY)
        kw.setdefault("base_url", f"{BASE}/{gateway}")
        kw.setdefault("retry", RetryPolicy(seed=0))
        if "http_client" not in kw:
            kw.setdefault("transport", self.transport)
        return ImageClient(gateway, sleep=self.sleep, monotonic=self.clock.now, **kw)

    def async_client(self, gateway: str, **kw: Any) -> AsyncImageClient:
        """An :class:`AsyncImageClient` on ``httpx.ASGITransport(app=...)``."""
        kw.setdefault("api_key", KEY)
        kw.setdefault("base_url", f"{BASE}/{gateway}")
        kw.setdefault("retry", RetryPolicy(seed=0))
        kw.setdefault("transport", httpx.ASGITransport(app=self.app))
        return AsyncImageClient(gateway, sleep=self.asleep, monotonic=self.clock.now, **kw)

    def mark(self) -> int:
        """The id of the last journal entry (to look at what came after)."""
        entries = self.mock.journal.entries()
        return entries[-1].id if entries else 0

    def since(self, mark: int) -> list[Any]:
        """Journal entries after ``mark``."""
        return [e for e in self.mock.journal.entries() if e.id > mark]

    def check_healthy(self) -> None:
        assert not self.mock.internal_errors, self.mock.internal_errors

    def close(self) -> None:
        self.transport.close()
