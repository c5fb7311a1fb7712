"""The clients users bring — the official ``openai`` SDK, ``litellm`` and the Volcengine Ark runtime
(``volcenginesdkarkruntime``) — run unmodified against a served mock on 127.0.0.1.

The SDKs are the ``[sdk]`` extra (``pip install -e '.[test,sdk]'``, as ``.ci/run`` does); they are
imported directly, so a missing SDK fails these tests instead of skipping them.

One real server (uvicorn on a free loopback port, as ``imagegw serve --api-key ID=KEY`` runs it)
serves every gateway for the module, with TokenHub's and PowerTokens' keys pinned so a wrong key is
refused (401). It is reset before each test; the contract guard (``tests/contract_guard.py``)
checks every answer it sends.

Tests never sleep: :func:`sdk_sleeps` records the waits an SDK asks for between retries instead of
waiting them out. Nothing else of an SDK is touched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from types import ModuleType

# litellm would fetch its model cost map from the network at import time; keep it on the copy it ships
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import pytest  # noqa: E402
from mock_apps import build_app  # noqa: E402
from sdk_support import POWERTOKENS_KEY, TOKENHUB_KEY, Served  # noqa: E402

from mock_server import Settings  # noqa: E402
from mock_server.testing import serve_in_thread  # noqa: E402


@pytest.fixture(scope="module")
def _served_module() -> Iterator[Served]:
    app = build_app(Settings(api_keys={"tokenhub": TOKENHUB_KEY, "powertokens": POWERTOKENS_KEY}))
    with serve_in_thread(app) as url:
        yield Served(url, app.state.mock)


@pytest.fixture
def served(_served_module: Served) -> Iterator[Served]:
    """The module's served mock, reset (journal, scenario queue) for this test; after the test, no
    request may have hit an internal error."""
    _served_module.mock.reset()
    yield _served_module
    assert not _served_module.mock.internal_errors, _served_module.mock.internal_errors


class _RecordingTime:
    """The ``time`` module as an SDK's retry loop sees it, with ``sleep`` recording instead of waiting."""

    def __init__(self, sleeps: list[float]) -> None:
        self._sleeps = sleeps

    def sleep(self, seconds: float) -> None:
        self._sleeps.append(seconds)

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


@pytest.fixture
def sdk_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits (seconds) the SDKs' retry loops ask for, in order, recorded instead of slept.

    Only the ``time`` name inside each SDK's ``_base_client`` module is replaced; the request,
    the retry decision and the wait computed from ``Retry-After`` stay the SDK's own.
    """
    import openai._base_client
    import volcenginesdkarkruntime._base_client

    sleeps: list[float] = []
    module: ModuleType
    for module in (openai._base_client, volcenginesdkarkruntime._base_client):
        assert module.time is time  # the SDK still sleeps through the time module
        monkeypatch.setattr(module, "time", _RecordingTime(sleeps))
    return sleeps
