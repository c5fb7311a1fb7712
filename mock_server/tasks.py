"""Asynchronous task lifecycle on an injected clock, with stateless signed task ids.

PieBox (document 000, "Checking Image Generation Results") returns a ``task_id`` and is then
polled; the documented states are ``pending``, ``processing``, ``succeeded``, ``failed``.

A task id carries everything needed to answer a poll — creation time (Unix seconds), family,
model, planned outcome and what to render — signed with the server's secret. Any worker
answers any poll, and memory does not grow with tasks. States at time ``t`` after creation::

    0 <= t < pending_seconds                          pending
    pending_seconds <= t < pending + processing       processing
    t >= pending + processing                         succeeded | failed   (terminal, stays)

The clock never runs backwards (``ManualClock.advance`` refuses), so a terminal task stays
terminal and states only move forward.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from . import signing
from .clock import Clock
from .errors import GatewayError
from .images import ImageSpec
from .settings import Settings

TaskState = Literal["pending", "processing", "succeeded", "failed"]
TASK_STATES: tuple[TaskState, ...] = ("pending", "processing", "succeeded", "failed")
TASK_ID_PREFIX = "img_gen_"  # document 000: "task_id": "img_gen_xxx"


@dataclass(frozen=True)
class Task:
    """A decoded task id.

    Attributes:
        family: which PieBox endpoint family created it (``"seedream" | "gemini" | "gpt_image"``).
        model: the model name reported in responses.
        created: creation time, Unix seconds.
        outcome: the terminal state it will reach.
        error_code / error_message: why it fails, when ``outcome == "failed"``.
        width, height, fmt, count, digest, transparent: the images it renders on success.
        seed, prompt: the label those images carry (seed as text or ``None``; the prompt's start).
    """

    id: str
    family: str
    model: str
    created: float
    outcome: Literal["succeeded", "failed"]
    error_code: str | None
    error_message: str | None
    width: int
    height: int
    fmt: str
    count: int
    digest: str
    transparent: bool
    seed: str | None = None
    prompt: str = ""

    def image_specs(self) -> list[ImageSpec]:
        """One :class:`ImageSpec` per output image (``count`` of them)."""
        specs = []
        for i in range(self.count):
            d = hashlib.blake2b(f"{self.digest}:{i}".encode(), digest_size=8).hexdigest()
            specs.append(
                ImageSpec(
                    self.width,
                    self.height,
                    self.fmt,  # type: ignore[arg-type]
                    d,
                    self.transparent,
                    model=self.model,
                    position=i,
                    total=self.count,
                    seed=self.seed,
                    prompt=self.prompt,
                )
            )
        return specs


class TaskEngine:
    """Creates and answers tasks.

    Args:
        settings: gives ``task_pending_seconds``, ``task_processing_seconds``, ``task_ttl_seconds``
            and the signing ``secret``.
        clock: the injected clock.
    """

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    def create(
        self,
        *,
        family: str,
        model: str,
        first: ImageSpec,
        count: int,
        outcome: Literal["succeeded", "failed"] = "succeeded",
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> str:
        """A new task id (``"img_gen_…"``) created now, rendering ``count`` images like ``first``
        (its size, format, alpha, seed and prompt label)."""
        payload: dict[str, object] = {
            "f": family,
            "m": model,
            "c": round(self._clock.now(), 3),
            "o": outcome[0],
            "w": first.width,
            "h": first.height,
            "x": first.fmt,
            "n": count,
            "d": first.digest,
        }
        if first.transparent:
            payload["t"] = 1
        if first.seed is not None:
            payload["s"] = first.seed
        if first.prompt:
            payload["p"] = first.prompt
        if outcome == "failed":
            payload["ec"] = error_code or "generation_failed"
            payload["em"] = error_message or "Image generation failed"
        return TASK_ID_PREFIX + signing.sign(payload, self._settings.secret)

    def lookup(self, task_id: str, family: str | None = None) -> Task:
        """Decode ``task_id``.

        Raises:
            GatewayError: 404 ``task_not_found`` when the id is unknown, forged, signed by
                another server, belongs to another endpoint family, or is older than
                ``task_ttl_seconds``.
        """
        not_found = GatewayError(404, "task_not_found", f"Task {task_id[:80]!s} not found", param="task_id")
        if not task_id.startswith(TASK_ID_PREFIX):
            raise not_found
        p = signing.verify(task_id[len(TASK_ID_PREFIX) :], self._settings.secret)
        if p is None:
            raise not_found
        try:
            task = Task(
                id=task_id,
                family=str(p["f"]),
                model=str(p["m"]),
                created=float(p["c"]),
                outcome="failed" if p["o"] == "f" else "succeeded",
                error_code=p.get("ec"),
                error_message=p.get("em"),
                width=int(p["w"]),
                height=int(p["h"]),
                fmt=str(p["x"]),
                count=int(p["n"]),
                digest=str(p["d"]),
                transparent=bool(p.get("t")),
                seed=None if p.get("s") is None else str(p["s"]),
                prompt=str(p.get("p", "")),
            )
        except (KeyError, TypeError, ValueError):
            raise not_found from None
        if family is not None and task.family != family:
            raise not_found  # inferred: each GET endpoint answers its own family's tasks
        if self._clock.now() - task.created > self._settings.task_ttl_seconds:
            raise not_found
        return task

    def state(self, task: Task) -> TaskState:
        """The state of ``task`` at ``clock.now()``."""
        age = self._clock.now() - task.created
        if age < self._settings.task_pending_seconds:
            return "pending"
        if age < self._settings.task_pending_seconds + self._settings.task_processing_seconds:
            return "processing"
        return task.outcome

    def finished_at(self, task: Task) -> float:
        """Unix time at which ``task`` reaches its terminal state."""
        return task.created + self._settings.task_pending_seconds + self._settings.task_processing_seconds
