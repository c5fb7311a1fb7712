"""The shared state of one mock app: settings, clock, images, tasks, faults, journal.

One :class:`Mock` per :func:`mock_server.create_app` call; it lives on ``app.state.mock`` and
is what the pytest plugin hands to tests (``mock.clock.advance(…)``, ``mock.journal``,
``mock.faults.push(…)``).
"""

from __future__ import annotations

from typing import Any

from .clock import Clock, ManualClock, SystemClock
from .faults import FaultQueue
from .images import ImageStore
from .journal import Journal
from .settings import Settings
from .tasks import TaskEngine


class Mock:
    """Engine objects shared by every gateway of one app.

    Args:
        settings: the app's :class:`Settings` (default: ``Settings()``).
        clock: the injected clock (default: :class:`SystemClock`).
    """

    def __init__(self, settings: Settings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings or Settings()
        self.clock: Clock = clock or SystemClock()
        self.images = ImageStore(self.settings.secret, self.settings.image_cache_bytes)
        self.tasks = TaskEngine(self.settings, self.clock)
        self.faults = FaultQueue()
        self.journal = Journal(self.settings.journal_size)
        #: optional recorded-exchange source (``imagegw serve --replay``); see ``mock_server.replay``.
        self.replay: Any = None
        #: unexpected exceptions caught on the request path (each one is a bug; tests assert it stays 0).
        self.internal_errors: list[str] = []

    def reset(self) -> None:
        """Clear the journal, the scenario queue and the internal-error list (not the cache)."""
        self.journal.clear()
        self.faults.clear()
        self.internal_errors.clear()

    @property
    def manual_clock(self) -> ManualClock | None:
        """The clock if it can be advanced, else ``None``."""
        return self.clock if isinstance(self.clock, ManualClock) else None

    def __repr__(self) -> str:
        return f"Mock(clock={self.clock!r}, journal={len(self.journal)} entries)"
