"""Each gateway serves its contract at /{id}/openapi.json and /{id}/openapi.yaml, with `servers`
pointing at the mock itself."""

from __future__ import annotations

import httpx
import pytest
import yaml
from mock_apps import build_app

import contracts
from mock_server import Settings
from mock_server.testing import SyncASGITransport


@pytest.mark.parametrize("gid", contracts.GATEWAY_IDS)
def test_contract_is_served_with_the_mock_as_server(imagegw_client: httpx.Client, gid: str) -> None:
    expected = {k: v for k, v in contracts.load(gid).spec.items() if k != "servers"}
    r = imagegw_client.get(f"/{gid}/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    served = r.json()
    assert served["servers"] == [{"url": f"http://127.0.0.1/{gid}", "description": "this imagegw mock"}]
    assert {k: v for k, v in served.items() if k != "servers"} == expected
    r = imagegw_client.get(f"/{gid}/openapi.yaml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(r.text) == served


def test_root_gateway_and_public_url() -> None:
    app = build_app(Settings(root_gateway="powertokens", public_base_url="https://mock.example/base"))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:9000") as c:
        assert c.get("/openapi.json").json()["servers"][0]["url"] == "https://mock.example/base"
        assert c.get("/powertokens/openapi.json").json()["servers"][0]["url"] == "https://mock.example/base/powertokens"
    app = build_app(Settings(root_gateway="powertokens"))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:9000") as c:
        assert c.get("/openapi.json").json()["servers"][0]["url"] == "http://127.0.0.1:9000"


def test_served_contract_rejects_other_methods_in_the_gateway_shape(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.post("/powertokens/openapi.json")
    assert r.status_code == 405 and "GET" in r.headers["allow"] and r.json()["error"]["code"] == "method_not_allowed"
