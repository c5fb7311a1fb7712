"""Retry and poll policies: pure arithmetic, no sleeping (the shells sleep through an injected callable).

Retries: 408, 409, 429 and 5xx answers and connection errors are retried,
honouring ``Retry-After`` / ``retry-after-ms`` (capped at :attr:`RetryPolicy.max_retry_after`),
otherwise with exponential backoff and jitter; a bounded count; never for a quota error.
The status list and backoff shape follow openai-python (inferred: no gateway document says
how to retry).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .errors import APIConnectionError, APIError, APIStatusError, DeadlineExceeded, QuotaExceededError, RateLimitError, ServerError

__all__ = ["RetryPolicy", "PollPolicy", "NO_RETRY"]


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before retrying a failed call.

    Attributes:
        max_retries: retries after the first attempt (0 disables retrying).
        initial_delay: first backoff delay, seconds.
        max_delay: largest backoff delay, seconds.
        multiplier: growth factor of the delay per attempt.
        jitter: fraction of the delay drawn at random (0 = none; 0.25 = the delay is scaled by
            a factor in [0.75, 1.0]).
        max_retry_after: cap on a server-requested wait (seconds); a larger request is cut to this.
        retry_statuses: statuses that are retried.
        retry_connection_errors: retry :class:`~clients.errors.APIConnectionError` (and timeouts).
        seed: seed of the jitter's random generator (``None``: unseeded).
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    multiplier: float = 2.0
    jitter: float = 0.25
    max_retry_after: float = 60.0
    retry_statuses: frozenset[int] = frozenset({408, 409, 429, 500, 502, 503, 504})
    retry_connection_errors: bool = True
    seed: int | None = None
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.initial_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            raise ValueError("retry counts and delays must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be in [0, 1]")
        object.__setattr__(self, "_rng", random.Random(self.seed))

    def should_retry(self, error: APIError, attempt: int) -> bool:
        """Whether to retry after ``error`` on attempt ``attempt`` (0 = the first try)."""
        if attempt >= self.max_retries:
            return False
        if isinstance(error, (QuotaExceededError, DeadlineExceeded)):
            return False
        if isinstance(error, APIConnectionError):
            return self.retry_connection_errors
        if isinstance(error, APIStatusError):
            return error.status_code in self.retry_statuses
        return False

    def backoff(self, attempt: int) -> float:
        """The exponential delay for attempt ``attempt`` (0-based), with jitter, in seconds."""
        base = min(self.max_delay, self.initial_delay * (self.multiplier**attempt))
        return base * (1.0 - self.jitter * self._rng.random())

    def delay(self, error: APIError, attempt: int) -> float:
        """Seconds to wait before the next attempt: the server's ``retry_after`` (capped) when
        it sent one, else :meth:`backoff`."""
        ra = getattr(error, "retry_after", None) if isinstance(error, (RateLimitError, ServerError)) else None
        if ra is not None:
            return min(float(ra), self.max_retry_after)
        return self.backoff(attempt)


#: A policy that never retries.
NO_RETRY = RetryPolicy(max_retries=0)


@dataclass(frozen=True)
class PollPolicy:
    """How a PieBox task is polled until terminal.

    Attributes:
        initial_interval: wait before the first poll, seconds.
        max_interval: largest wait between polls, seconds.
        multiplier: growth of the wait per poll.
        timeout: overall limit, seconds, counted from when waiting starts (for ``generate``: right after
            the task is created); past it :class:`~clients.errors.TaskTimeout`.
    """

    initial_interval: float = 1.0
    max_interval: float = 10.0
    multiplier: float = 1.5
    timeout: float = 300.0

    def __post_init__(self) -> None:
        if self.initial_interval < 0 or self.max_interval < 0 or self.timeout < 0 or self.multiplier < 1:
            raise ValueError("poll intervals and timeout must be >= 0 and multiplier >= 1")

    def interval(self, poll: int) -> float:
        """Wait before poll number ``poll`` (0-based), seconds."""
        return min(self.max_interval, self.initial_interval * (self.multiplier**poll))
