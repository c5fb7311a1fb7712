"""The ``imagegw`` pytest plugin's fixtures, used the way an app's test suite would use them."""

from __future__ import annotations

from typing import Any

import httpx

from mock_server import ManualClock, Settings
from mock_server.engine import Mock
from mock_server.faults import QueuedScenario
from mock_server.pytest_plugin import ServerHandle
from mock_server.testing import SyncASGITransport

GEN = "/powertokens/v1/images/generations"
BODY = {"model": "seedream-4-0-250828", "prompt": "a corgi", "size": "1K", "response_format": "url"}


def test_in_process_client_clock_and_journal(imagegw_client: httpx.Client, imagegw_mock: Mock, imagegw_clock: ManualClock) -> None:
    r = imagegw_client.post(
        "/piebox/v2/extend/image/gpt_image/generations", headers={"X-API-Key": "k"}, json={"prompt": "a poster", "size": "1024x1024"}
    )
    assert r.status_code == 200
    poll = f"/piebox/v2/extend/image/gpt_image/tasks/{r.json()['task_id']}"
    assert imagegw_client.get(poll, headers={"X-API-Key": "k"}).json()["status"] == "pending"
    imagegw_clock.advance(imagegw_mock.settings.task_pending_seconds + imagegw_mock.settings.task_processing_seconds)
    assert imagegw_client.get(poll, headers={"X-API-Key": "k"}).json()["status"] == "succeeded"
    assert [e.operation for e in imagegw_mock.journal.entries(gateway="piebox")] == [
        "createGptImageTask",
        "getGptImageTask",
        "getGptImageTask",
    ]


def test_real_server_on_loopback(imagegw_server: ServerHandle) -> None:
    assert imagegw_server.url.startswith("http://127.0.0.1:")
    imagegw_server.mock.faults.push(QueuedScenario("rate_limited", times=1, gateway="powertokens"))
    with httpx.Client(base_url=imagegw_server.url, timeout=30) as c:
        first = c.post(GEN, headers={"Authorization": "Bearer k"}, json=BODY)
        second = c.post(GEN, headers={"Authorization": "Bearer k"}, json=BODY)
        assert first.status_code == 429 and first.headers["retry-after"] == "1"
        assert second.status_code == 200
        url = second.json()["data"][0]["url"]
        assert url.startswith(imagegw_server.gateway_url("powertokens") + "/files/")
        assert c.get(url).headers["content-type"] == "image/jpeg"


def test_server_is_reset_between_tests(imagegw_server: ServerHandle) -> None:
    assert imagegw_server.mock.journal.entries() == []
    assert imagegw_server.mock.faults.list() == []


def test_settings_and_app_factories(
    imagegw_settings_factory: Any, imagegw_app_factory: Any, imagegw_settings: Settings, imagegw_clock: ManualClock
) -> None:
    pinned = imagegw_settings_factory(api_keys={"powertokens": "sk-pinned"})
    assert pinned.raise_server_exceptions and pinned.api_keys == {"powertokens": "sk-pinned"}
    app = imagegw_app_factory(pinned)
    assert app.state.mock.settings is pinned and app.state.mock.clock is imagegw_clock
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1") as c:
        assert c.post(GEN, headers={"Authorization": "Bearer other"}, json=BODY).status_code == 401
        assert c.post(GEN, headers={"Authorization": "Bearer sk-pinned"}, json=BODY).status_code == 200
    default = imagegw_app_factory()
    assert default.state.mock.settings is imagegw_settings and default is not app
    other_clock = ManualClock()
    assert imagegw_app_factory(clock=other_clock).state.mock.clock is other_clock


def test_the_client_fails_a_test_when_the_mock_had_an_internal_error(imagegw_app: Any) -> None:
    from mock_server import pytest_plugin

    gen = pytest_plugin.imagegw_client.__wrapped__(imagegw_app)  # the fixture's body, driven by hand
    next(gen)
    imagegw_app.state.mock.internal_errors.append("createImage: KeyError: 'x'")
    try:
        next(gen)
    except AssertionError as exc:
        assert "internal errors" in str(exc)
    else:
        raise AssertionError("the teardown check did not fail")
    finally:
        imagegw_app.state.mock.internal_errors.clear()
