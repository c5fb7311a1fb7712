"""Behaviour every gateway shares (base.build_app, admin, app), exercised through PowerTokens."""

from __future__ import annotations

import io
from typing import NoReturn

import httpx
import pytest
from mock_apps import build_app
from PIL import Image

from mock_server import ManualClock, Settings, SystemClock
from mock_server.testing import SyncASGITransport

GEN = "/powertokens/v1/images/generations"
AUTH = {"Authorization": "Bearer sk-test-123"}
BODY = {"model": "seedream-4-0-250828", "prompt": "a corgi", "size": "1K"}


def test_bad_inputs_are_4xx_in_gateway_shape(imagegw_client: httpx.Client) -> None:
    cases = [
        (dict(content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}), 400, "invalid_json"),
        (dict(content=b"[1,2]", headers={**AUTH, "Content-Type": "application/json"}), 400, "invalid_json"),
        (dict(content=b"", headers={**AUTH, "Content-Type": "application/json"}), 400, "invalid_json"),
        (dict(content=b"\xff\xfe", headers={**AUTH, "Content-Type": "application/json"}), 400, "invalid_json"),
        (dict(content=b'{"a": NaN}', headers={**AUTH, "Content-Type": "application/json"}), 400, "invalid_json"),
        (dict(content=b"model=x", headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"}), 415, "unsupported_media_type"),
        (dict(json={**BODY, "model": "dall-e-3"}, headers=AUTH), 400, "model_not_found"),
        (dict(json=BODY), 401, "missing_api_key"),
        (dict(json=BODY, headers={"Authorization": "Bearer "}), 401, "missing_api_key"),
        (dict(json=BODY, headers={"Authorization": "Basic abc"}), 401, "invalid_api_key"),
    ]
    for kwargs, status, code in cases:
        r = imagegw_client.post(GEN, **kwargs)
        assert r.status_code == status, (kwargs, r.text)
        err = r.json()["error"]
        assert err["code"] == code
        assert set(err) == {"message", "type", "param", "code"}
        assert "Traceback" not in r.text
        assert r.headers["x-request-id"]


def test_unknown_route_and_method(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.get("/powertokens/v1/nothing", headers=AUTH)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = imagegw_client.delete(GEN, headers=AUTH)
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    r = imagegw_client.get("/not-a-gateway/v1/images/generations")
    assert r.status_code == 404 and "error" in r.json()


def test_body_over_limit_is_413() -> None:
    app = build_app(Settings(max_body_bytes=1000))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1") as c:
        r = c.post(GEN, headers=AUTH, json={**BODY, "prompt": "x" * 2000})
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "request_too_large"


def test_wrong_key_when_keys_configured() -> None:
    app = build_app(Settings(api_keys={"powertokens": "sk-right"}))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1") as c:
        assert c.post(GEN, headers={"Authorization": "Bearer sk-wrong"}, json=BODY).status_code == 401
        assert c.post(GEN, headers={"Authorization": "Bearer sk-right"}, json=BODY).status_code == 200


def test_url_results_expire_after_ttl(imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings) -> None:
    r = imagegw_client.post(GEN, headers=AUTH, json={**BODY, "response_format": "url"})
    url = r.json()["data"][0]["url"]
    assert url.startswith("http://127.0.0.1/powertokens/files/")
    img = imagegw_client.get(url)
    assert img.status_code == 200
    with Image.open(io.BytesIO(img.content)) as im:
        assert im.size == (1024, 1024)
    imagegw_clock.advance(imagegw_settings.url_ttl_seconds + 1)
    gone = imagegw_client.get(url)
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "url_expired"
    assert imagegw_client.get(url.replace("files/", "files/x")).status_code == 404


def test_scenario_doors(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.post(GEN, headers={**AUTH, "X-Mock-Scenario": "overloaded"}, json=BODY)
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    r = imagegw_client.post(GEN, headers=AUTH, json={**BODY, "prompt": "a corgi [mock:server_error]"})
    assert r.status_code == 500 and r.json()["error"]["type"] == "server_error"
    r = imagegw_client.post(GEN, headers={**AUTH, "X-Mock-Scenario": "bogus"}, json=BODY)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_scenario"
    q = imagegw_client.post("/__mock/scenarios", json={"name": "quota_exceeded", "times": 1, "gateway": "powertokens"})
    assert q.status_code == 201
    r = imagegw_client.post(GEN, headers=AUTH, json=BODY)
    assert r.status_code == 429 and "retry-after" not in r.headers
    assert r.json()["error"]["code"] == "insufficient_quota"
    assert imagegw_client.post(GEN, headers=AUTH, json=BODY).status_code == 200


def test_admin_clock_journal_reset(imagegw_client: httpx.Client) -> None:
    t0 = imagegw_client.get("/__mock/clock").json()["now"]
    r = imagegw_client.post("/__mock/clock", json={"advance": 30})
    assert r.status_code == 200 and r.json()["now"] == t0 + 30
    assert imagegw_client.post("/__mock/clock", json={"advance": -1}).status_code == 400
    assert imagegw_client.post("/__mock/clock", json={"advance": "x"}).status_code == 400
    imagegw_client.post(GEN, headers=AUTH, json=BODY)
    entries = imagegw_client.get("/__mock/requests", params={"gateway": "powertokens"}).json()["requests"]
    assert entries[-1]["body"]["model"] == "seedream-4-0-250828"
    assert entries[-1]["headers"]["authorization"] == "[REDACTED]"
    assert "sk-test-123" not in imagegw_client.get("/__mock/requests").text
    assert imagegw_client.post("/__mock/reset").status_code == 204
    assert imagegw_client.get("/__mock/requests").json()["requests"] == []


def test_system_clock_cannot_be_advanced() -> None:
    app = build_app(Settings(), clock=SystemClock())
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1") as c:
        assert c.post("/__mock/clock", json={"advance": 1}).status_code == 409


def test_root_gateway_mount() -> None:
    app = build_app(Settings(root_gateway="powertokens"))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:9") as c:
        r = c.post("/v1/images/generations", headers=AUTH, json={**BODY, "response_format": "url"})
        assert r.status_code == 200
        url = r.json()["data"][0]["url"]
        assert url.startswith("http://127.0.0.1:9/files/")
        assert c.get(url).status_code == 200
        assert c.post("/powertokens/v1/images/generations", headers=AUTH, json=BODY).status_code == 200


def test_no_admin_setting() -> None:
    app = build_app(Settings(admin=False))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1") as c:
        assert c.get("/__mock/health").status_code == 404


def test_unexpected_exception_is_500_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_server.gateways import powertokens

    def boom(*a: object, **k: object) -> NoReturn:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(powertokens, "model_or_error", boom)
    app = build_app(Settings())
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1") as c:
        r = c.post(GEN, headers=AUTH, json=BODY)
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert r.json()["error"]["code"] == "internal_error"
    assert app.state.mock.internal_errors  # recorded so tests can catch the bug
