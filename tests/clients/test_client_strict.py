"""``strict=True``: every gateway response is checked against its contract (``contracts``);
a broken one raises ``ContractViolation`` listing the findings. The property tests run strict
clients against the mock; here, answers that break the contract on purpose."""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from client_env import KEY, MockEnv
from PIL import Image

from clients import NO_RETRY, ConfigurationError, ContractViolation, ImageClient, InvalidRequestError

BASE = "http://127.0.0.1:9/powertokens"


def png_b64() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def client_answering(*answers: httpx.Response, strict: bool = True) -> ImageClient:
    it = iter(answers)
    return ImageClient(
        "powertokens",
        api_key=KEY,
        base_url=BASE,
        strict=strict,
        retry=NO_RETRY,
        transport=httpx.MockTransport(lambda request: next(it)),
        sleep=lambda s: None,
    )


def test_a_conforming_answer_passes() -> None:
    # 004 Response: {created: integer, data: [...], metadata: {}}
    ok = httpx.Response(
        200, json={"created": 1, "data": [{"b64_json": png_b64(), "size": "4x4"}], "metadata": {}}, headers={"X-Request-Id": "r"}
    )
    result = client_answering(ok).generate(prompt="a corgi", model="seedream-4-0-250828", response_format="b64_json")
    assert result.images[0].size == (4, 4)


def test_a_wrong_type_is_a_violation_in_strict_mode_only() -> None:
    # 004: "created integer<int64>"; here a string
    bad = {"created": "yesterday", "data": [{"b64_json": png_b64(), "size": "4x4"}], "metadata": {}}
    with pytest.raises(ContractViolation) as info:
        client_answering(httpx.Response(200, json=bad, headers={"X-Request-Id": "r"})).generate(
            prompt="a corgi", model="seedream-4-0-250828", response_format="b64_json"
        )
    err = info.value
    assert err.status_code == 200 and err.findings
    assert any(f.location == "/response/body/created" for f in err.findings), [str(f) for f in err.findings]
    assert "created" in str(err)
    relaxed = client_answering(httpx.Response(200, json=bad, headers={"X-Request-Id": "r"}), strict=False)
    assert relaxed.generate(prompt="a corgi", model="seedream-4-0-250828", response_format="b64_json").images[0].ok


def test_an_error_answer_in_the_wrong_shape_is_a_violation() -> None:
    # PowerTokens errors use the OpenAI shape (inferred); a bare string body breaks it
    with pytest.raises(ContractViolation) as info:
        client_answering(httpx.Response(400, json={"detail": "bad size"}, headers={"X-Request-Id": "r"})).generate(
            prompt="a corgi", model="seedream-4-0-250828", size="1x1"
        )
    assert info.value.status_code == 400


def test_an_undeclared_status_is_a_violation() -> None:
    with pytest.raises(ContractViolation) as info:
        client_answering(
            httpx.Response(
                418, json={"error": {"message": "teapot", "type": "x", "param": None, "code": "t"}}, headers={"X-Request-Id": "r"}
            )
        ).generate(prompt="a", model="seedream-4-0-250828")
    assert info.value.findings


def test_the_mocks_error_answers_conform(env: MockEnv) -> None:
    # strict mode does not get in the way of the typed error when the answer keeps the contract
    with pytest.raises(InvalidRequestError):
        env.client("gravitex", strict=True).generate(prompt="a", model="gpt-image-2", size="1x1")


def test_strict_without_a_contract_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import contracts

    def missing(gateway_id: str) -> None:
        raise contracts.ContractNotFound(gateway_id)

    monkeypatch.setattr(contracts, "load", missing)
    with pytest.raises(ConfigurationError, match="contract"):
        ImageClient("tokenhub", api_key=KEY, strict=True)
