"""Scenarios: one fault model, three doors (DESIGN.md, "Scenarios").

A scenario is chosen, first match wins, by

1. the ``X-Mock-Scenario: NAME`` request header;
2. a ``[mock:NAME]`` tag anywhere in the prompt (for apps whose headers you cannot touch);
3. the admin queue (``POST /__mock/scenarios``), optionally restricted to one gateway.

Scenario names and what they do everywhere (gateway modules add their own twist for
``moderation``, ``task_failed`` and ``partial_failure``):

===================  =========================================================================
``rate_limited``     429, ``Retry-After`` header (seconds), retryable
``quota_exceeded``   429 ``insufficient_quota``, no ``Retry-After``, not retryable
``server_error``     500
``overloaded``       503 with ``Retry-After``
``moderation``       the gateway's content-policy error (PieBox: a task that ends ``failed``)
``task_failed``      PieBox: the task ends ``failed``; sync gateways: 500 ``generation_failed``
``partial_failure``  PowerTokens: one ``data[]`` item carries ``error``; elsewhere ignored
===================  =========================================================================

All of these are inferred: no gateway document describes its rate-limit, quota or overload
answers. They follow the OpenAI, Ark and DashScope upstreams.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from .errors import GatewayError, clip

SCENARIOS: tuple[str, ...] = (
    "rate_limited",
    "quota_exceeded",
    "server_error",
    "overloaded",
    "moderation",
    "task_failed",
    "partial_failure",
)
SCENARIO_HEADER = "x-mock-scenario"
_TAG = re.compile(r"\[mock:([a-z_]+)\]")
RETRY_AFTER_SECONDS = 1


def scenario_in_prompt(prompt: object) -> str | None:
    """The NAME of the first ``[mock:NAME]`` tag in ``prompt`` (a string), else ``None``."""
    if isinstance(prompt, str) and "[mock:" in prompt:  # a substring test first: most prompts carry no tag
        m = _TAG.search(prompt)
        if m:
            return m.group(1)
    return None


def check_name(name: str) -> str:
    """Return ``name`` if it is a known scenario.

    Raises:
        GatewayError: 400 ``unknown_scenario`` listing the known names.
    """
    if name not in SCENARIOS:
        raise GatewayError(
            400, "unknown_scenario", f"Unknown mock scenario {clip(repr(name))}; known: {', '.join(SCENARIOS)}", param="X-Mock-Scenario"
        )
    return name


@dataclass
class QueuedScenario:
    """``name`` applied to the next ``times`` requests (of ``gateway`` if set)."""

    name: str
    times: int = 1
    gateway: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "times": self.times, "gateway": self.gateway}


class FaultQueue:
    """The admin door: a FIFO of :class:`QueuedScenario`, thread-safe."""

    def __init__(self) -> None:
        self._items: list[QueuedScenario] = []
        self._lock = threading.Lock()

    def push(self, item: QueuedScenario) -> None:
        """Queue ``item``.

        Raises:
            GatewayError: 400 for an unknown scenario name or ``times < 1``.
        """
        check_name(item.name)
        if item.times < 1:
            raise GatewayError(400, "invalid_parameter", "times must be >= 1", param="times")
        with self._lock:
            self._items.append(item)

    def pop_for(self, gateway: str) -> str | None:
        """Consume one use of the first queued scenario matching ``gateway``; its name or ``None``."""
        if not self._items:  # the usual case, checked without the lock (a list's length is read atomically)
            return None
        with self._lock:
            for item in self._items:
                if item.gateway in (None, gateway):
                    item.times -= 1
                    if item.times <= 0:
                        self._items.remove(item)
                    return item.name
        return None

    def clear(self) -> None:
        """Drop every queued scenario."""
        with self._lock:
            self._items.clear()

    def list(self) -> list[dict[str, object]]:
        """The queue as ``[{"name", "times", "gateway"}]``, next first."""
        with self._lock:
            return [i.as_dict() for i in self._items]


def generic_error(name: str) -> GatewayError | None:
    """The error a scenario raises regardless of gateway, or ``None`` when the gateway decides."""
    if name == "rate_limited":
        return GatewayError(
            429,
            "rate_limit_exceeded",
            "Rate limit reached for requests; retry after the time in Retry-After",
            type="rate_limit_error",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if name == "quota_exceeded":
        return GatewayError(
            429, "insufficient_quota", "You exceeded your current quota; check your plan and billing details", type="insufficient_quota"
        )
    if name == "server_error":
        return GatewayError(500, "internal_error", "The server had an error while processing your request")
    if name == "overloaded":
        return GatewayError(
            503,
            "service_unavailable",
            "The engine is currently overloaded; please try again later",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if name == "task_failed":
        return GatewayError(500, "generation_failed", "Image generation failed upstream")
    return None
