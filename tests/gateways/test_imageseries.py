"""Image Series (document 003_6adaea01228e01a0.txt): the Gravitex family's unified endpoint.

The document has no curl examples and no response body; the tests check what it does say (its
model list, parameter ranges, FAQ limits, response_format note) and the differences from
Gravitex (002): GPT Image is gpt-image-1 / gpt-image-1-mini, Qwen answers one image per request,
Seedream 4.0 takes the wider "4.x" input formats. Shared behaviour is tested in test_gravitex.py.
"""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from PIL import Image

from mock_server import ManualClock

GEN = "/imageseries/v1/images/generations"
GRAVITEX = "/gravitex/v1/images/generations"
AUTH = {"Authorization": "Bearer sk-test"}


def data_url(w: int = 8, h: int = 8, fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 60, 20)).save(buf, fmt)
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(buf.getvalue()).decode()


PNG = data_url()


def post(client: httpx.Client, body: dict, path: str = GEN, headers: dict | None = None) -> httpx.Response:
    return client.post(path, headers={**AUTH, **(headers or {})}, json=body)


def items(r: httpx.Response) -> list[dict]:
    # inferred: the document shows no response body; the Gravitex envelope (002 "Response Format") is used
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == 200 and body["msg"] == "Success" and isinstance(body["data"]["created"], int)
    for item in body["data"]["data"]:
        assert set(item) == {"url", "b64_json", "revised_prompt"}
    return body["data"]["data"]


def image_of(client: httpx.Client, item: dict) -> Image.Image:
    raw = base64.b64decode(item["b64_json"]) if item["b64_json"] else client.get(item["url"]).content
    img = Image.open(io.BytesIO(raw))
    img.load()
    return img


def assert_error(r: httpx.Response, status: int, param: str | None = None) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "msg", "data"} and body["code"] == status and body["data"] is None
    if param is not None:
        assert param in body["msg"], body["msg"]
    return body["msg"]


# -- the model list ("Supported Models") -----------------------------------------------------------


@pytest.mark.parametrize("model", ["gpt-image-1", "gpt-image-1-mini"])
def test_gpt_image_1_models(imagegw_client: httpx.Client, model: str) -> None:
    # 003: "gpt-image-1 | Text-to-image, image-to-image, multi-image fusion"; "gpt-image-1-mini | Lower cost"
    # "Image size: 1024x1024, 1024x1536, 1536x1024"; "Input fidelity ... auto, high, medium, low"
    body = {
        "model": model,
        "prompt": "a fox",
        "size": "1024x1536",
        "quality": "medium",
        "n": 2,
        "input_fidelity": "auto",
        "images": [PNG, data_url(fmt="GIF")],
    }
    got = items(post(imagegw_client, body))
    assert len(got) == 2 and image_of(imagegw_client, got[0]).size == (1024, 1536)


def test_gpt_image_2_is_not_an_image_series_model(imagegw_client: httpx.Client) -> None:
    # 003 lists gpt-image-1 and gpt-image-1-mini only; 002 (Gravitex) lists gpt-image-2 only
    assert_error(post(imagegw_client, {"model": "gpt-image-2", "prompt": "a fox"}), 400, "model")
    assert_error(post(imagegw_client, {"model": "gpt-image-1", "prompt": "a fox"}, path=GRAVITEX), 400, "model")


@pytest.mark.parametrize(
    "body",
    [
        {"model": "gemini-2.5-flash-image", "prompt": "a cat"},
        {"model": "gemini-3-pro-image-preview", "prompt": "a cat"},
        {"model": "doubao-seedream-3-0-t2i-250415", "prompt": "a cat"},
        {"model": "doubao-seedream-4-0-250828", "prompt": "a cat"},
        {"model": "doubao-seedream-4-5-251128", "prompt": "a cat"},
        {"model": "doubao-seededit-3-0-i2i-250628", "prompt": "a cat", "contents": [{"role": "user", "parts": [{"image": PNG}]}]},
        {"model": "qwen-image-plus", "input": {"messages": [{"role": "user", "content": [{"text": "a cat"}]}]}},
        {"model": "qwen-image-edit-plus", "input": {"messages": [{"role": "user", "content": [{"image": PNG}, {"text": "a cat"}]}]}},
    ],
    ids=lambda b: b["model"],
)
def test_every_listed_model_answers(imagegw_client: httpx.Client, body: dict) -> None:
    assert len(items(post(imagegw_client, body))) == 1


# -- documented differences ------------------------------------------------------------------------


def test_qwen_answers_one_image_per_request(imagegw_client: httpx.Client) -> None:
    # 003 FAQ: "Qwen: 1 image per request, make multiple concurrent requests for more"
    # (002 lets qwen-image-edit-plus "output 1-6 images")
    body = {
        "model": "qwen-image-edit-plus",
        "parameters": {"n": 2},
        "input": {"messages": [{"role": "user", "content": [{"image": PNG}, {"text": "edit"}]}]},
    }
    assert_error(post(imagegw_client, body), 400, "parameters.n")
    assert len(items(post(imagegw_client, body, path=GRAVITEX))) == 2


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF", "GIF", "JPEG"])
def test_seedream_40_takes_the_4x_formats(imagegw_client: httpx.Client, fmt: str) -> None:
    # 003 FAQ: "Doubao Seedream 4.x: JPEG, PNG, WEBP, BMP, TIFF, GIF, max 10MB"
    # (002 FAQ: "Doubao Seedream 3.0/4.0: JPEG, PNG")
    body = {
        "model": "doubao-seedream-4-0-250828",
        "prompt": "restyle",
        "contents": [{"role": "user", "parts": [{"image": data_url(fmt=fmt)}, {"text": "restyle"}]}],
    }
    assert items(post(imagegw_client, body))
    if fmt != "JPEG":
        assert_error(post(imagegw_client, body, path=GRAVITEX), 400, "contents[0].parts[0].image")


def test_seededit_formats_follow_gravitex(imagegw_client: httpx.Client) -> None:
    # inferred: 003 names no seededit formats; 002's "Seedream 3.0/4.0: JPEG, PNG" applies
    body = {"model": "doubao-seededit-3-0-i2i-250628", "prompt": "edit", "contents": [{"parts": [{"image": data_url(fmt="GIF")}]}]}
    assert_error(post(imagegw_client, body), 400, "contents[0].parts[0].image")


# -- parameters the document states ----------------------------------------------------------------


def test_gemini_parameters(imagegw_client: httpx.Client) -> None:
    # 003: "Aspect ratio: 1:1, 3:2, ..."; "Image size: 1K (default), 2K, 4K"; "Output format: image/png (default), image/jpeg"
    img = image_of(
        imagegw_client,
        items(post(imagegw_client, {"model": "gemini-2.5-flash-image", "prompt": "p", "size": "9:16", "mime_type": "image/jpeg"}))[0],
    )
    assert img.format == "JPEG" and img.size[0] / img.size[1] == pytest.approx(9 / 16, rel=0.03)
    img = image_of(imagegw_client, items(post(imagegw_client, {"model": "gemini-2.5-flash-image", "prompt": "p", "size": "1:1"}))[0])
    assert img.size == (1024, 1024) and img.format == "PNG"  # 1K 1:1 = 1024x1024 (upstream Gemini)
    assert_error(post(imagegw_client, {"model": "gemini-2.5-flash-image", "prompt": "p", "size": "2:1"}), 400, "size")
    assert_error(post(imagegw_client, {"model": "gemini-2.5-flash-image", "prompt": "p", "image_size": "8K"}), 400, "image_size")


@pytest.mark.parametrize(
    "body,param",
    [
        ({"model": "doubao-seedream-4-0-250828", "seed": 2_147_483_648}, "seed"),  # "Range: 0 to 2147483647"
        ({"model": "doubao-seedream-3-0-t2i-250415", "guidance_scale": 10.5}, "guidance_scale"),  # "1.0-10.0"
        ({"model": "doubao-seedream-4-0-250828", "sequential_image_generation": "enabled"}, "sequential_image_generation"),
        (
            {
                "model": "doubao-seedream-4-0-250828",
                "sequential_image_generation": "auto",
                "sequential_image_generation_options": {"max_images": 5},
            },
            "sequential_image_generation_options.max_images",
        ),  # FAQ "1-4 images"
        # 003 lists 3.0 sizes with "etc.", so Ark's rule holds: total pixels in [512x512, 2048x2048] (BytePlus ModelArk
        # image generation API); 2048x2048 (refused here before the catalog) is the maximum, 2049x2048 is over it
        ({"model": "doubao-seedream-3-0-t2i-250415", "size": "2049x2048"}, "size"),
        ({"model": "doubao-seedream-4-0-250828", "watermark": "false"}, "watermark"),
        ({"model": "gpt-image-1", "size": "256x256"}, "size"),
        ({"model": "gpt-image-1", "quality": "auto"}, "quality"),  # 003: "high", "medium", "low"
        ({"model": "gpt-image-1-mini", "n": 11}, "n"),  # "Range: 1-10"
        ({"model": "gpt-image-1", "input_fidelity": "exact"}, "input_fidelity"),
        ({"model": "gemini-3-pro-image-preview", "mime_type": "image/webp"}, "mime_type"),
        ({"model": "gemini-3-pro-image-preview", "response_format": "base64"}, "response_format"),  # "b64_json or url"
    ],
)
def test_violations_answer_400_naming_the_parameter(imagegw_client: httpx.Client, body: dict, param: str) -> None:
    assert_error(post(imagegw_client, {"prompt": "a cat", **body}), 400, param)


@pytest.mark.parametrize(
    "body,requested,returned",
    [
        ({"model": "qwen-image-plus", "prompt": "p"}, "b64_json", "b64_json"),  # 003: "Qwen series: Supports both b64_json and url"
        ({"model": "qwen-image-plus", "prompt": "p"}, "url", "url"),
        ({"model": "gpt-image-1-mini", "prompt": "p"}, "url", "b64_json"),  # "GPT Image series: Only supports b64_json format"
        ({"model": "doubao-seedream-4-5-251128", "prompt": "p"}, "b64_json", "url"),  # "Doubao Seedream series: Usually returns URL links"
        ({"model": "gemini-3-pro-image-preview", "prompt": "p"}, "url", "b64_json"),  # "Gemini series: Only supports b64_json format"
    ],
)
def test_response_format_rules(imagegw_client: httpx.Client, body: dict, requested: str, returned: str) -> None:
    item = items(post(imagegw_client, {**body, "response_format": requested}))[0]
    assert item[returned] and item["url" if returned == "b64_json" else "b64_json"] == ""


def test_seedream_sequential_up_to_four(imagegw_client: httpx.Client) -> None:
    # 003 FAQ: "Doubao Seedream 4.x: Use sequential image generation (1-4 images)"
    body = {
        "model": "doubao-seedream-4-5-251128",
        "prompt": "comic",
        "sequential_image_generation": "auto",
        "sequential_image_generation_options": {"max_images": 4},
    }
    assert len(items(post(imagegw_client, body))) == 4


def test_url_valid_about_24_hours(imagegw_client: httpx.Client, imagegw_clock: ManualClock) -> None:
    # 003 FAQ: "Image URLs are valid for approximately 24 hours"
    url = items(post(imagegw_client, {"model": "qwen-image-plus", "prompt": "p", "parameters": {"size": "1664*928"}}))[0]["url"]
    assert image_of(imagegw_client, {"url": url, "b64_json": ""}).size == (1664, 928)
    imagegw_clock.advance(24 * 3600 + 1)
    assert_error(imagegw_client.get(url), 410)


# -- auth, envelope errors, scenarios ----------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic abc"}])
def test_bearer_required(imagegw_client: httpx.Client, headers: dict) -> None:
    # 003: "Bearer Token, e.g.,Bearer sk-xxxxxxxxxx"
    assert_error(imagegw_client.post(GEN, headers=headers, json={"model": "gpt-image-1", "prompt": "p"}), 401)


def test_body_and_route_errors_use_the_envelope(imagegw_client: httpx.Client) -> None:
    assert_error(imagegw_client.post(GEN, headers={**AUTH, "Content-Type": "application/json"}, content=b"{"), 400)
    assert_error(imagegw_client.post(GEN, headers={**AUTH, "Content-Type": "application/xml"}, content=b"<a/>"), 415)
    assert_error(imagegw_client.get("/imageseries/v1/models", headers=AUTH), 404)
    assert_error(imagegw_client.put(GEN, headers=AUTH, json={}), 405)


@pytest.mark.parametrize(
    "name,status",
    [("rate_limited", 429), ("quota_exceeded", 429), ("server_error", 500), ("overloaded", 503), ("moderation", 400), ("task_failed", 500)],
)
def test_scenarios(imagegw_client: httpx.Client, name: str, status: int) -> None:
    r = post(imagegw_client, {"model": "gpt-image-1", "prompt": f"a fox [mock:{name}]"})
    assert_error(r, status)
    if name in ("rate_limited", "overloaded"):
        assert r.headers["retry-after"].isdigit()


# -- the contract (contracts/imageseries.openapi.yaml) -------------------------------------------


def test_contract_marks_the_missing_host_and_body_as_inferred(imagegw_client: httpx.Client) -> None:
    from openapi_spec_validator import validate

    import contracts
    from contracts import provenance

    contract = contracts.load("imageseries")
    spec = contract.spec
    validate(spec)
    assert provenance.missing(spec) == []
    assert spec["servers"][0]["x-provenance"]["kind"] == "inferred"  # 003 names no host
    ok = spec["paths"]["/v1/images/generations"]["post"]["responses"]["200"]
    assert ok["x-provenance"]["kind"] == "inferred"  # 003 shows no response body
    gpt = spec["components"]["schemas"]["GptImageRequest"]["properties"]["model"]["enum"]
    assert gpt == ["gpt-image-1", "gpt-image-1-mini"]
    for name, example in spec["paths"]["/v1/images/generations"]["post"]["requestBody"]["content"]["application/json"]["examples"].items():
        r = post(imagegw_client, example["value"])
        assert r.status_code == 200, (name, r.text)
        assert contract.validate_response("POST", "/v1/images/generations", r, example["value"]) == [], name
    r = post(imagegw_client, {"model": "gpt-image-2", "prompt": "p"})
    assert contract.validate_response("POST", "/v1/images/generations", r) == []
