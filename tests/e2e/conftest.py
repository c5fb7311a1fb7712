"""End-to-end tests: outside tools driven against a real mock on 127.0.0.1.

Every test here is marked ``slow`` (deselected from the default run; ``pytest -m slow`` and
``.ci/run`` run them). A missing tool is a failure, not a skip: ``.ci/run`` installs them all
(Debian ``chromium``, ``tesseract-ocr`` and ``curl``; the ``test`` extra's Schemathesis,
Playwright and pipx).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import TOOL_VERSIONS, serve, stop


@pytest.fixture
def served() -> Iterator:
    """``served(*args) -> url``: start ``imagegw serve`` subprocesses; all stopped after the test."""
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> str:
        proc, url = serve(*args)
        procs.append(proc)
        return url

    yield start
    for proc in procs:
        stop(proc)


@pytest.fixture(autouse=True)
def _report_tools(record_property: Any) -> Iterator[None]:
    """After each test, the tools' versions and counts seen so far travel with its report (also
    from a pytest-xdist worker) to the run's summary (``tests/conftest.py``, "end-to-end tools")."""
    yield
    if TOOL_VERSIONS:
        record_property("e2e_tools", dict(TOOL_VERSIONS))
