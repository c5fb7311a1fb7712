"""The mock as every test builds it: :func:`build_app`, on a manual clock, with the contract check on.

The builder of the suite's helper modules (client, drift, SDK and Schemathesis helpers), which
build apps outside a fixture; the plugin's ``imagegw_*`` fixtures get the same check through
``tests/conftest.py``'s ``imagegw_contract_guard``. Each app passes :func:`contract_guard.record` to
:func:`mock_server.create_app` as its ``contract_guard``, so an answer that breaks its gateway's
contract fails the test that caused it (``tests/contract_guard.py``).
"""

from __future__ import annotations

from typing import Any

import contract_guard
from starlette.applications import Starlette

from mock_server import ManualClock, Settings, create_app
from mock_server.clock import Clock


def build_app(settings: Settings | None = None, *, clock: Clock | None = None, **kwargs: Any) -> Starlette:
    """A mock app: ``settings`` (default ``Settings()``) on ``clock`` (default a fresh
    :class:`~mock_server.ManualClock`), its answers checked against the contracts; ``kwargs`` go
    to :func:`mock_server.create_app` (e.g. ``mock=``)."""
    return create_app(settings, clock=clock if clock is not None else ManualClock(), contract_guard=contract_guard.record, **kwargs)
