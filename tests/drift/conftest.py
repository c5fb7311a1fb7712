"""Fixtures for drift tests (helpers in ``drift_support``): baselines recorded once per session,
a fake latency timer, a manual clock, and the mock wrapped in injected upstream changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from drift_mutations import FakeTimer, Mutator, Rule
from drift_support import Baselines, mock_app

from mock_server import ManualClock


@pytest.fixture(scope="session")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> Baselines:
    return Baselines(tmp_path_factory.mktemp("baselines"))


@pytest.fixture
def fake_timer() -> FakeTimer:
    return FakeTimer()


@pytest.fixture
def mutated(imagegw_clock: ManualClock, fake_timer: FakeTimer) -> Iterator[Any]:
    """``mutated(gateway, rules)`` -> the mock wrapped in a :class:`Mutator`."""
    made: list[Any] = []

    def make(gateway: str, rules: list[Rule]) -> Any:
        app = mock_app(gateway, imagegw_clock)
        made.append(app)
        return Mutator(app, rules, fake_timer)

    yield make
    for app in made:
        assert not app.state.mock.internal_errors, app.state.mock.internal_errors
