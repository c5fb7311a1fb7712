"""Test-mode contract check: every response the mock sends during the test suite is validated
against its gateway's contract, and a violation fails the test that caused it.

How it is wired (``tests/conftest.py`` imports this module):

* Every app the suite builds passes :func:`record` to :func:`mock_server.create_app` as its
  ``contract_guard`` option (:func:`mock_apps.build_app`; the ``imagegw_*`` plugin fixtures through
  the ``imagegw_contract_guard`` fixture), which puts :class:`contracts.asgi.ContractGuard` in as
  the app's innermost middleware. ``tests/contracts/test_contract_guard.py`` checks that no test builds an
  app around it.
* :func:`record` keeps violations in :data:`VIOLATIONS`; the ``pytest_runtest_*`` hook wrappers
  below clear it before each phase (setup, call, teardown) and fail that phase when it is not
  empty, listing each request, status and finding.
* Out of scope: ``/__mock`` (control plane), ``/{id}/files/…`` (image downloads) and the served
  contracts (``/{id}/openapi.*``). Every gateway has a contract (``tests/contracts/test_registry.py``).
* A test that makes the mock break its contract on purpose (e.g. a drift variant) opts out with
  ``@pytest.mark.no_contract_guard``.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any

import pytest

from contracts.asgi import Violation

VIOLATIONS: list[Violation] = []
_LOCK = threading.Lock()
MARKER = "no_contract_guard"


def record(violation: Violation) -> None:
    """The ``contract_guard`` hook every test app is built with (:func:`mock_apps.build_app`)."""
    with _LOCK:
        VIOLATIONS.append(violation)


def _take() -> list[Violation]:
    with _LOCK:
        taken = list(VIOLATIONS)
        VIOLATIONS.clear()
    return taken


def _check(item: pytest.Item, phase: str) -> Generator[None, Any, Any]:
    _take()
    try:
        result = yield
    except BaseException as exc:
        found = _take()
        if found and item.get_closest_marker(MARKER) is None and isinstance(exc, Exception):
            exc.add_note(_report(found, phase))
        raise
    found = _take()
    if found and item.get_closest_marker(MARKER) is None:
        raise ContractViolationInTest(_report(found, phase))
    return result


def _report(found: list[Violation], phase: str) -> str:
    head = f"{len(found)} mock response(s) broke the contract during {phase}"
    hint = f"(if this test breaks the contract on purpose, mark it @pytest.mark.{MARKER})"
    groups: dict[tuple, list[Violation]] = {}
    for v in found:  # the same break on the same route is shown once, with a count
        key = (v.gateway, v.method, v.path.split("?")[0], v.status, tuple(str(f) for f in v.findings))
        groups.setdefault(key, []).append(v)
    lines = [head + " " + hint]
    for same in list(groups.values())[:20]:
        lines.append(str(same[0]) + (f"\n  (seen {len(same)} times)" if len(same) > 1 else ""))
    if len(groups) > 20:
        lines.append(f"… and {len(groups) - 20} more distinct violations")
    return "\n".join(lines)


class ContractViolationInTest(AssertionError):
    """A response the mock sent during this test does not match its gateway's contract."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _check(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _check(item, "the test"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, Any, Any]:
    return (yield from _check(item, "teardown"))
