"""The shared state of one mock app: settings, clock, images, tasks, faults, journal.

One :class:`Mock` per :func:`mock_server.create_app` call; it lives on ``app.state.mock`` and
is what the pytest plugin hands to tests (``mock.clock.advance(…)``, ``mock.journal``,
``mock.faults.push(…)``).
"""

from __future__ import annotations

from typing import Any

import anyio

from .clock import Clock, ManualClock, SystemClock
from .faults import FaultQueue
from .images import ImageStore
from .journal import Journal
from .settings import Settings
from .tasks import TaskEngine


class BodyGate:
    """Lets at most ``concurrency`` requests with a body over ``large_bytes`` be read and handled
    at once (per process); the others wait. A JSON body costs about two and a half times its
    size while it is read, decoded and parsed, so this bounds the mock's peak memory to about
    ``concurrency x 2.5 x max_body_bytes`` above its steady state however many large uploads
    arrive together (``bench/bench_abuse.py``: +250 MiB for 4 or 8 concurrent 50 MiB uploads at
    the defaults). Waiters are served in arrival order (anyio's semaphore is fair).
    """

    def __init__(self, large_bytes: int, concurrency: int) -> None:
        self.large_bytes = large_bytes
        self._sem = anyio.Semaphore(concurrency)

    def ticket(self) -> BodyTicket:
        """A per-request holder: :meth:`BodyTicket.need` takes a slot once the body is large."""
        return BodyTicket(self)


class BodyTicket:
    """One request's claim on a :class:`BodyGate` (release it when the request is answered)."""

    __slots__ = ("_gate", "large_bytes", "held", "waiting")

    def __init__(self, gate: BodyGate) -> None:
        self._gate = gate
        #: bodies over this many bytes need a slot.
        self.large_bytes = gate.large_bytes
        self.held = False
        self.waiting = False

    async def need(self, size_bytes: int) -> None:
        """Wait for a slot if ``size_bytes`` (declared or read so far) makes the body large."""
        if self.held or size_bytes <= self._gate.large_bytes:
            return
        self.waiting = True
        await self._gate._sem.acquire()
        self.waiting = False
        self.held = True

    def release(self) -> None:
        """Give the slot back (no-op when none is held)."""
        if self.held:
            self.held = False
            self._gate._sem.release()


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
        #: bounds how many large request bodies are in memory at once.
        self.large_bodies = BodyGate(self.settings.large_body_bytes, self.settings.large_body_concurrency)
        self.journal = Journal(self.settings.journal_size, self.settings.journal_max_bytes, self.settings.journal_entry_max_bytes)
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
