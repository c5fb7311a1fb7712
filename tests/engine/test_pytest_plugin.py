"""The ``imagegw`` pytest plugin's fixtures, used the way an app's test suite would use them."""

from __future__ import annotations

import httpx

from mock_server import ManualClock
from mock_server.engine import Mock
from mock_server.faults import QueuedScenario
from mock_server.pytest_plugin import ServerHandle

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
