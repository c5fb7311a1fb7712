"""Test-mode contract check: every response the mock sends during the test suite is validated
against its gateway's contract, and a violation fails the test that caused it.

How it is wired (``tests/conftest.py`` imports this module):

* :func:`install` wraps ``mock_server.create_app`` (and the pytest plugin's reference to it) so
  every app a test builds — the ``app`` fixture, the ``imagegw_*`` plugin fixtures, apps a test
  creates itself, the session server — gets :class:`contracts.asgi.ContractGuard` as its
  innermost middleware. ``app.state.mock`` is untouched.
* The guard records violations in :data:`VIOLATIONS`; the ``pytest_runtest_*`` hook wrappers
  below clear it before each phase (setup, call, teardown) and fail that phase when it is not
  empty, listing each request, status and finding.
* Out of scope: ``/__mock`` (control plane), ``/{id}/files/…`` (image downloads) and the served
  contracts (``/{id}/openapi.*``); gateways whose contract file does not exist yet.
* A test that makes the mock break its contract on purpose (e.g. a drift variant) opts out with
  ``@pytest.mark.no_contract_guard``.
"""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any

import pytest

from contracts.asgi import ContractGuard, Violation

VIOLATIONS: list[Violation] = []
_LOCK = threading.Lock()
MARKER = "no_contract_guard"


def _record(violation: Violation) -> None:
    with _LOCK:
        VIOLATIONS.append(violation)


def guard(app: Any) -> Any:
    """Add the contract guard to a freshly built mock ``app`` (a Starlette app with ``state.mock``);
    returns the same object."""
    from contracts.registry import GATEWAY_IDS

    settings = app.state.mock.settings
    routes = {f"/{gid}": gid for gid in GATEWAY_IDS}
    if settings.root_gateway:
        routes[""] = settings.root_gateway
    app.add_middleware(ContractGuard, routes=routes, on_violation=_record)
    return app


def install() -> None:
    """Wrap ``mock_server.create_app`` so every app built in the test session is guarded (idempotent)."""
    import mock_server
    import mock_server.app as app_module

    original = app_module.create_app
    if getattr(original, "__contract_guarded__", False):
        return

    def create_app(*args: Any, **kwargs: Any) -> Any:
        return guard(original(*args, **kwargs))

    create_app.__doc__ = original.__doc__
    create_app.__wrapped__ = original  # type: ignore[attr-defined]
    create_app.__contract_guarded__ = True  # type: ignore[attr-defined]
    app_module.create_app = create_app
    mock_server.create_app = create_app  # type: ignore[attr-defined]
    try:
        import mock_server.pytest_plugin as plugin

        plugin.create_app = create_app  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - the plugin ships with the package
        pass


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


