"""Fixtures for the reference-client tests (helpers in ``client_env``): a fresh mock per test or
per module, and the anyio backend for the async shell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from client_env import MockEnv


@pytest.fixture
def env() -> Iterator[MockEnv]:
    """A fresh mock per test."""
    e = MockEnv()
    yield e
    e.check_healthy()
    e.close()


@pytest.fixture(scope="module")
def module_env() -> Iterator[MockEnv]:
    """One mock per module, shared by Hypothesis examples (its image cache makes repeats cheap)."""
    e = MockEnv()
    yield e
    e.check_healthy()
    e.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
