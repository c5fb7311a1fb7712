"""PowerTokens (document 004_7b73b03c392231b5.txt): Seedream-only generations."""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from PIL import Image

GEN = "/powertokens/v1/images/generations"
AUTH = {"Authorization": "Bearer sk-test"}


def _png_data_url(w: int = 8, h: int = 8) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 10, 10)).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def post(client: httpx.Client, **body: object) -> httpx.Response:
    return client.post(GEN, headers=AUTH, json={"model": "seedream-4-0-250828", "prompt": "a corgi", **body})


def test_document_example_answers_url_by_default(imagegw_client: httpx.Client) -> None:
    # 004: the curl example; "response_format ... default:url"
    r = imagegw_client.post(
        GEN,
        headers=AUTH,
        json={
            "model": "seedream-4-5-251128",
            "prompt": "A cute corgi running on grass, sunny day, realistic style",
            "size": "2048x2048",
            "response_format": "url",
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert isinstance(body["created"], int) and isinstance(body["metadata"], dict)
    item = body["data"][0]
    assert item["size"] == "2048x2048" and "b64_json" not in item
    assert post(imagegw_client, size="1K").json()["data"][0].keys() >= {"url"}


def test_b64_json_decodes_at_size(imagegw_client: httpx.Client) -> None:
    r = post(imagegw_client, size="1280x720", response_format="b64_json")
    assert r.status_code == 200, r.text
    data = base64.b64decode(r.json()["data"][0]["b64_json"])
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (1280, 720)


@pytest.mark.parametrize(
    "model,size,ok",
    [
        # 004: seedream-5-0: 2K/3K or custom 3686400-10404496 pixels
        ("seedream-5-0-260128", "2K", True),
        ("seedream-5-0-260128", "3K", True),
        ("seedream-5-0-260128", "4K", False),
        ("seedream-5-0-260128", "1K", False),
        ("seedream-5-0-260128", "1920x1920", True),
        ("seedream-5-0-260128", "3300x3300", False),
        # seedream-4-5: 2K/4K or custom 3686400-16777216
        ("seedream-4-5-251128", "4K", True),
        ("seedream-4-5-251128", "3K", False),
        ("seedream-4-5-251128", "1919x1920", False),
        # seedream-4-0: 1K/2K/4K or custom 921600-16777216
        ("seedream-4-0-250828", "1K", True),
        ("seedream-4-0-250828", "1280x720", True),
        ("seedream-4-0-250828", "959x960", False),
        # aspect ratio 1/16-16
        ("seedream-4-0-250828", "3840x240", True),
        ("seedream-4-0-250828", "4080x240", False),
        ("seedream-4-0-250828", "big", False),
    ],
)
def test_size_limits_per_model(imagegw_client: httpx.Client, model: str, size: str, ok: bool) -> None:
    r = post(imagegw_client, model=model, size=size, response_format="url")
    if ok:
        assert r.status_code == 200, r.text
    else:
        assert r.status_code == 400
        assert r.json()["error"]["param"] == "size"


@pytest.mark.parametrize(
    "field,value",
    [
        ("seed", -2),
        ("seed", 2_147_483_648),
        ("seed", "1"),
        ("seed", 1.5),
        ("response_format", "png"),
        ("watermark", "yes"),
        ("sequential_image_generation", "on"),
        ("prompt", ""),
        ("prompt", 3),
        ("model", None),
        ("image", []),
        ("image", ["x"] * 15),
        ("image", "data:image/png;base64,!!!"),
        ("image", "data:image/png;base64,aGVsbG8="),
    ],
)
def test_validation_names_the_parameter(imagegw_client: httpx.Client, field: str, value: object) -> None:
    r = post(imagegw_client, **{field: value, "size": "1K"})
    assert r.status_code == 400, r.text
    param = r.json()["error"]["param"]
    assert param is not None and param.split("[")[0] == field


def test_seed_range_bounds_accepted(imagegw_client: httpx.Client) -> None:
    # 004: "Range [-1, 2147483647]"
    for seed in (-1, 0, 2_147_483_647):
        assert post(imagegw_client, seed=seed, size="1K").status_code == 200


def test_reference_images_accepted(imagegw_client: httpx.Client) -> None:
    r = post(imagegw_client, size="1K", image=[_png_data_url(), "https://example.com/a.png"])
    assert r.status_code == 200, r.text
    assert post(imagegw_client, size="1K", image=_png_data_url()).status_code == 200


def test_sequential_generation_counts(imagegw_client: httpx.Client) -> None:
    r = post(imagegw_client, size="1K", sequential_image_generation="auto", sequential_image_generation_options={"max_images": 3})
    assert r.status_code == 200
    assert len(r.json()["data"]) == 3
    r = post(imagegw_client, size="1K", sequential_image_generation="disabled", sequential_image_generation_options={"max_images": 3})
    assert len(r.json()["data"]) == 1
    r = post(imagegw_client, size="1K", sequential_image_generation="auto", sequential_image_generation_options={"max_images": 0})
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "sequential_image_generation_options.max_images"


def test_same_request_same_image(imagegw_client: httpx.Client) -> None:
    a = post(imagegw_client, size="1K", seed=7, response_format="b64_json").json()["data"][0]["b64_json"]
    b = post(imagegw_client, size="1K", seed=7, response_format="b64_json").json()["data"][0]["b64_json"]
    c = post(imagegw_client, size="1K", seed=8, response_format="b64_json").json()["data"][0]["b64_json"]
    assert a == b != c


def test_partial_failure_keeps_good_items(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.post(
        GEN,
        headers={**AUTH, "X-Mock-Scenario": "partial_failure"},
        json={
            "model": "seedream-4-0-250828",
            "prompt": "p",
            "size": "1K",
            "sequential_image_generation": "auto",
            "sequential_image_generation_options": {"max_images": 3},
        },
    )
    assert r.status_code == 200
    data = r.json()["data"]
    assert [("error" in d) for d in data] == [False, False, True]
    assert set(data[2]["error"]) == {"code", "message"}
    assert r.json()["metadata"]["usage"]["generated_images"] == 2


def test_moderation_is_ark_style_400(imagegw_client: httpx.Client) -> None:
    r = post(imagegw_client, prompt="a corgi [mock:moderation]", size="1K")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "InputTextSensitiveContentDetected"
