"""The PieBox task lifecycle as a Hypothesis state machine, driven through the reference client.

Document 000 ("Checking Image Generation Results"): generation endpoints "return a task_id, and you
need to poll for the result"; "Status values: pending processing succeeded or failed"; a succeeded
task carries ``result.images[].url``. Rules: create tasks (three families, optionally with a
failing scenario through the ``X-Mock-Scenario`` header or a ``[mock:NAME]`` prompt tag), advance
the manual clock, poll, wait. Invariants checked on every poll:

* states only move forward (pending -> processing -> terminal) and a terminal state stays put;
* result URLs appear only on ``succeeded``, an error only on ``failed``;
* a task planned to fail ends ``failed`` (``TaskFailed`` from ``wait``), the others ``succeeded``
  with the asked number of decodable images;
* the state matches the mock's configured timings (``task_pending_seconds``, ``task_processing_seconds``).
"""

from __future__ import annotations

import io

import pytest
from client_env import MockEnv
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, rule
from PIL import Image

from clients import NO_RETRY, NotFoundError, TaskFailed, TaskHandle
from clients.core import PIEBOX_PATHS

RANK = {None: -1, "pending": 0, "processing": 1, "succeeded": 2, "failed": 2}
TERMINAL = ("succeeded", "failed")


class PieBoxTaskLifecycle(RuleBasedStateMachine):
    tasks = Bundle("tasks")

    def __init__(self) -> None:
        super().__init__()
        self.env = MockEnv()
        self.client = self.env.client("piebox", retry=NO_RETRY)
        self.planned: dict[str, str] = {}
        self.count: dict[str, int] = {}
        self.created: dict[str, float] = {}
        self.last: dict[str, str | None] = {}

    @initialize(
        target=tasks,
        family=st.sampled_from(["seedream", "gemini", "gpt_image"]),
        scenario=st.sampled_from([None, "task_failed", "moderation"]),
    )
    def first_task(self, family: str, scenario: str | None) -> TaskHandle:
        """Start with one task, so every rule is enabled from the first step."""
        return self.create(family, scenario, "header", 1)

    def teardown(self) -> None:
        self.env.check_healthy()
        self.env.close()

    @rule(
        target=tasks,
        family=st.sampled_from(["seedream", "gemini", "gpt_image"]),
        scenario=st.sampled_from([None, None, "task_failed", "moderation"]),
        door=st.sampled_from(["header", "prompt"]),
        n=st.integers(1, 2),
    )
    def create_task(self, family: str, scenario: str | None, door: str, n: int) -> TaskHandle:
        return self.create(family, scenario, door, n)

    def create(self, family: str, scenario: str | None, door: str, n: int) -> TaskHandle:
        prompt = "a cat playing guitar on the moon"
        if family == "seedream":
            kw = {"model": "seedream", "size": "1920x1920"}  # 000: "minimum 1920×1920"
            n = 1
        elif family == "gemini":
            kw = {"model": "gemini-3.1-flash-image", "size": "0.5K"}  # 000: "Options: 0.5K, 1K, 2K, 4K"
            n = 1
        else:
            kw = {"model": "gpt-image-2", "size": "1024x1024", "n": n}  # 000: n "Number of images"
        headers = None
        if scenario and door == "header":
            headers = {"X-Mock-Scenario": scenario}
        elif scenario:
            prompt += f" [mock:{scenario}]"
        handle = self.client.create_task(prompt=prompt, extra_headers=headers, **kw)
        assert handle.task_id.startswith("img_gen_")  # 000: "task_id": "img_gen_xxx"
        assert handle.poll_path == PIEBOX_PATHS[family][1].format(task_id=handle.task_id)
        self.planned[handle.task_id] = "failed" if scenario else "succeeded"
        self.count[handle.task_id] = n
        self.created[handle.task_id] = self.env.clock.now()
        self.last[handle.task_id] = None
        return handle

    @rule(seconds=st.one_of(st.sampled_from([0.5, 1.0, 2.0, 8.0]), st.floats(0, 12, allow_nan=False)))
    def advance(self, seconds: float) -> None:
        self.env.clock.advance(seconds)

    @rule(handle=tasks)
    def poll(self, handle: TaskHandle) -> None:
        status = self.client.get_task(handle)
        tid = handle.task_id
        prev = self.last[tid]
        assert RANK[status.state] >= RANK[prev], (prev, status.state)
        if prev in TERMINAL:
            assert status.state == prev, (prev, status.state)
        if status.state == "succeeded":
            assert self.planned[tid] == "succeeded"
            assert len(status.urls) == self.count[tid] and status.error is None
        elif status.state == "failed":
            assert self.planned[tid] == "failed"
            assert status.urls == () and status.error is not None and status.error.code
        else:
            assert status.urls == () and status.error is None
        # the mock's configured timings (Settings: 2 s pending, then 8 s processing); the task id
        # keeps its creation time to the millisecond, so within 2 ms of a boundary either side is right
        age = self.env.clock.now() - self.created[tid]
        s = self.env.settings
        bounds = (s.task_pending_seconds, s.task_pending_seconds + s.task_processing_seconds)
        if all(abs(age - b) > 0.002 for b in bounds):
            expected = "pending" if age < bounds[0] else "processing" if age < bounds[1] else self.planned[tid]
            assert status.state == expected, (age, status.state, expected)
        self.last[tid] = status.state

    @rule(handle=tasks)
    def wait(self, handle: TaskHandle) -> None:
        tid = handle.task_id
        if self.planned[tid] == "failed":
            with pytest.raises(TaskFailed) as info:
                self.client.wait(handle)
            assert info.value.task_id == tid and info.value.code
        else:
            result = self.client.wait(handle)
            assert result.task_id == tid and len(result.images) == self.count[tid]
            for im in result.images:
                with Image.open(io.BytesIO(im.data)) as img:
                    img.load()
        self.last[tid] = self.planned[tid]

    @rule(handle=tasks, other=st.sampled_from(sorted(PIEBOX_PATHS)))
    def poll_on_another_family_endpoint(self, handle: TaskHandle, other: str) -> None:
        own = next(f for f, (_, poll) in PIEBOX_PATHS.items() if handle.poll_path == poll.format(task_id=handle.task_id))
        if other == own:
            return
        foreign = TaskHandle("piebox", handle.task_id, handle.model, PIEBOX_PATHS[other][1].format(task_id=handle.task_id))
        with pytest.raises(NotFoundError):  # a task answers on its own family's endpoint only (a foreign id answers 404)
            self.client.get_task(foreign)


PieBoxTaskLifecycle.TestCase.settings = settings(stateful_step_count=20)
TestPieBoxTaskLifecycle = PieBoxTaskLifecycle.TestCase
