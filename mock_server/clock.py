"""Injected time: one clock drives task states, URL expiry and delays (DESIGN.md, "Time is injected").

Tests use :class:`ManualClock` and never sleep; ``POST /__mock/clock`` advances it over HTTP.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Anything with ``now() -> float`` (Unix seconds)."""

    def now(self) -> float:
        """Current time, Unix seconds."""
        ...


class SystemClock:
    """Wall-clock time, ``time.time()`` in Unix seconds."""

    manual = False

    def now(self) -> float:
        """``time.time()``: Unix seconds."""
        return time.time()

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that moves only when told to.

    Args:
        start: initial Unix time in seconds (default: a fixed 2026-01-01T00:00:00Z, so
            tests are reproducible).

    Time never moves backwards: :meth:`advance` rejects negative steps with ``ValueError``.
    """

    manual = True

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        """The clock's current time, Unix seconds."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (>= 0) and return the new time (Unix seconds)."""
        if seconds < 0 or seconds != seconds:  # NaN check
            raise ValueError("a clock only moves forward: seconds must be >= 0")
        with self._lock:
            self._now += float(seconds)
            return self._now

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now})"
