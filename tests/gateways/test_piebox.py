"""PieBox (document 000_8f4356fa7e6c2b36.txt): asynchronous Seedream / Gemini / GPT-Image-2 tasks.

Expected values come from the document (model names, parameter enums, the minimum Seedream size,
status values) or, where it is silent, from the upstream rule the contract marks as inferred
(Gemini's pixel table, OpenAI's limits, PowerTokens' Seedream-5 pixel range). Every response
these tests receive is also checked against ``contracts/piebox.openapi.yaml``.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from mock_apps import build_app
from openapi_spec_validator import validate as validate_spec
from PIL import Image
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from contracts.formats import format_checker
from mock_server import ManualClock, Settings
from mock_server.engine import Mock
from mock_server.gateways import piebox
from mock_server.testing import SyncASGITransport

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "piebox.openapi.yaml"
DOC = "000_8f4356fa7e6c2b36.txt"
DOC_PATH = ROOT.parent / "shared" / "gateway-docs" / DOC

KEY = "pb-test-secret-key-0042"
AUTH = {"X-API-Key": KEY}
BASE = "/piebox/v2/extend/image"
CREATE = {"seedream": f"{BASE}/seedream/generations", "gemini": f"{BASE}/generations", "gpt_image": f"{BASE}/gpt_image/generations"}
POLL = {"seedream": f"{BASE}/seedream/tasks/", "gemini": f"{BASE}/tasks/", "gpt_image": f"{BASE}/gpt_image/tasks/"}
OPS = {
    ("POST", "seedream"): "createSeedreamTask",
    ("POST", "gemini"): "createGeminiTask",
    ("POST", "gpt_image"): "createGptImageTask",
    ("GET", "seedream"): "getSeedreamTask",
    ("GET", "gemini"): "getGeminiTask",
    ("GET", "gpt_image"): "getGptImageTask",
}
# Smallest valid bodies per family (000: "prompt ... Required: Yes"; Seedream needs >= 1920x1920)
MINIMAL = {
    "seedream": {"prompt": "a cat", "size": "1920x1920"},
    "gemini": {"prompt": "a cat", "size": "0.5K"},
    "gpt_image": {"prompt": "a cat", "size": "1024x1024"},
}


# -- the contract, as a validator for every response the tests receive ------------------------


@lru_cache(maxsize=1)
def contract() -> dict[str, Any]:
    return yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _registry() -> Registry:
    return Registry().with_resource("urn:piebox", Resource.from_contents(contract(), default_specification=DRAFT202012))


def _operation(op_id: str) -> dict[str, Any]:
    for ops in contract()["paths"].values():
        for op in ops.values():
            if op.get("operationId") == op_id:
                return op
    raise KeyError(op_id)


def _deref(obj: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in obj:
        node: Any = contract()
        for part in obj["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def conforms(response: httpx.Response, op_id: str) -> httpx.Response:
    """Assert ``response`` is one the contract declares for ``op_id``: status, content type,
    headers and body schema. Returns the response."""
    declared = _operation(op_id)["responses"]
    assert str(response.status_code) in declared, f"{op_id}: undeclared status {response.status_code}"
    spec = _deref(declared[str(response.status_code)])
    for name, header in spec.get("headers", {}).items():
        if _deref(header).get("required"):
            assert response.headers.get(name), f"{op_id} {response.status_code}: header {name} missing"
    media = spec["content"]
    assert response.headers["content-type"].split(";")[0] in media
    schema = media["application/json"]["schema"]
    if "$ref" in schema:
        schema = {"$ref": "urn:piebox" + schema["$ref"]}
    errors = [e.message for e in Draft202012Validator(schema, registry=_registry()).iter_errors(response.json())]
    assert not errors, f"{op_id} {response.status_code}: {errors}"
    return response


# -- helpers ------------------------------------------------------------------------------------


def create(
    client: httpx.Client, family: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None, **fields: Any
) -> httpx.Response:
    payload = dict(MINIMAL[family] if body is None else body, **fields)
    return conforms(client.post(CREATE[family], json=payload, headers={**AUTH, **(headers or {})}), OPS["POST", family])


def poll(client: httpx.Client, family: str, task_id: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return conforms(client.get(POLL[family] + task_id, headers={**AUTH, **(headers or {})}), OPS["GET", family])


def task_id(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return str(response.json()["task_id"])


def finish(clock: ManualClock, settings: Settings) -> None:
    clock.advance(settings.task_pending_seconds + settings.task_processing_seconds)


def fetch_image(client: httpx.Client, url: str) -> Image.Image:
    r = client.get(url)
    assert r.status_code == 200, r.text
    img = Image.open(io.BytesIO(r.content))
    img.load()
    return img


def png_data_url(w: int = 8, h: int = 8) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (10, 120, 200)).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def assert_error(r: httpx.Response, status: int, param: str | None = None) -> dict[str, Any]:
    """The OpenAI error shape (inferred in the contract) with ``param`` naming the parameter."""
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    if param is not None:
        assert err["param"] == param, err
        if status == 400:
            assert param.split("[")[0] in err["message"], err
    return err


# -- the documents' examples --------------------------------------------------------------------


def test_seedream_document_example(imagegw_client: httpx.Client) -> None:
    # 000 "Response": { "task_id": "img_gen_xxx", "model": "novita_seedream/seedream-5.0-lite" }
    r = create(imagegw_client, "seedream", {"prompt": "a cat playing guitar on the moon", "size": "2048x2048"})
    body = r.json()
    assert set(body) == {"task_id", "model"}
    assert body["task_id"].startswith("img_gen_")
    assert body["model"] == "novita_seedream/seedream-5.0-lite"


def test_gemini_document_example_and_models(imagegw_client: httpx.Client) -> None:
    # 000: "model ... default gemini-3.1-flash-image, or gemini-3-pro-image"
    r = create(imagegw_client, "gemini", {"model": "gemini-3.1-flash-image", "prompt": "a cat playing guitar on the moon", "size": "2K"})
    assert r.json()["model"] == "gemini-3.1-flash-image"
    assert create(imagegw_client, "gemini", {"prompt": "a cat"}).json()["model"] == "gemini-3.1-flash-image"
    assert (
        create(imagegw_client, "gemini", {"prompt": "a cat", "model": "gemini-3-pro-image", "size": "1K"}).json()["model"]
        == "gemini-3-pro-image"
    )
    # 0.5K is a gemini-3.1-flash-image size only: Google's Gemini 3 Pro Image page lists "Supported resolutions: 1K, 2K,
    # 4K" (this test accepted 0.5K for gemini-3-pro-image before the catalog)
    assert_error(create(imagegw_client, "gemini", {"prompt": "a cat", "model": "gemini-3-pro-image", "size": "0.5K"}), 400, "size")


def test_gpt_image_document_example(imagegw_client: httpx.Client) -> None:
    r = create(imagegw_client, "gpt_image", {"prompt": "a futuristic city at sunset", "size": "1024x1024", "quality": "medium"})
    assert r.json()["task_id"].startswith("img_gen_")
    assert r.json()["model"] == "gpt-image-2"  # inferred from the section title "GPT-Image-2"


# -- the task lifecycle at chosen clock times ---------------------------------------------------


@pytest.mark.parametrize("family", ["seedream", "gemini", "gpt_image"])
def test_lifecycle_pending_processing_succeeded(
    imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings, family: str
) -> None:
    # 000: "Status values: pending processing succeeded or failed"
    tid = task_id(create(imagegw_client, family))
    first = poll(imagegw_client, family, tid).json()
    assert first == {"task_id": tid, "status": "pending", "model": first["model"]}  # no result yet
    imagegw_clock.advance(imagegw_settings.task_pending_seconds - 0.001)
    assert poll(imagegw_client, family, tid).json()["status"] == "pending"
    imagegw_clock.advance(0.001)
    body = poll(imagegw_client, family, tid).json()
    assert body["status"] == "processing" and "result" not in body and "error" not in body
    imagegw_clock.advance(imagegw_settings.task_processing_seconds - 0.001)
    assert poll(imagegw_client, family, tid).json()["status"] == "processing"
    imagegw_clock.advance(0.001)
    done = poll(imagegw_client, family, tid).json()
    assert done["status"] == "succeeded"
    assert len(done["result"]["images"]) == 1 and done["result"]["images"][0]["url"].startswith("http")
    imagegw_clock.advance(6 * 24 * 3600)  # a terminal task stays terminal (within the task lifetime)
    assert poll(imagegw_client, family, tid).json()["status"] == "succeeded"


def test_task_older_than_its_lifetime_is_gone(imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings) -> None:
    tid = task_id(create(imagegw_client, "gemini"))
    imagegw_clock.advance(imagegw_settings.task_ttl_seconds + 1)
    assert_error(poll(imagegw_client, "gemini", tid), 404, "task_id")


# -- results: real images at the asked size -----------------------------------------------------


def test_seedream_custom_size_outside_the_square_box(
    imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings
) -> None:
    # 4096x1024 = 4,194,304 pixels (>= 3.68M, 000), aspect 4 (<= 16, inferred from 004)
    tid = task_id(create(imagegw_client, "seedream", {"prompt": "a wide cat", "size": "4096x1024"}))
    finish(imagegw_clock, imagegw_settings)
    url = poll(imagegw_client, "seedream", tid).json()["result"]["images"][0]["url"]
    img = fetch_image(imagegw_client, url)
    assert img.size == (4096, 1024) and img.format == "JPEG"  # JPEG: inferred from Ark URL results


@pytest.mark.parametrize(
    "size,ratio,fmt,expected,pil",
    [
        # pixel sizes of upstream Gemini's table: 1K 1:1 = 1024x1024, 1K 16:9 = 1344x768, 0.5K half of 1K
        ("0.5K", None, None, (512, 512), "PNG"),
        ("0.5K", "16:9", "image/webp", (672, 384), "WEBP"),
        ("1K", "9:16", "image/jpeg", (768, 1344), "JPEG"),
    ],
)
def test_gemini_result_size_and_format(
    imagegw_client: httpx.Client,
    imagegw_clock: ManualClock,
    imagegw_settings: Settings,
    size: str,
    ratio: str | None,
    fmt: str | None,
    expected: tuple[int, int],
    pil: str,
) -> None:
    body: dict[str, Any] = {"prompt": "a cat", "size": size}
    if ratio:
        body["aspect_ratio"] = ratio
    if fmt:
        body["output_format"] = fmt
    tid = task_id(create(imagegw_client, "gemini", body))
    finish(imagegw_clock, imagegw_settings)
    img = fetch_image(imagegw_client, poll(imagegw_client, "gemini", tid).json()["result"]["images"][0]["url"])
    assert img.size == expected and img.format == pil


def test_gpt_image_n_images_transparent_webp(imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings) -> None:
    # 000: n "Number of images", background "opaque / transparent", output_format "png / jpeg / webp"
    tid = task_id(
        create(
            imagegw_client,
            "gpt_image",
            {"prompt": "a logo", "size": "1024x1536", "n": 3, "background": "transparent", "output_format": "webp"},
        )
    )
    finish(imagegw_clock, imagegw_settings)
    images = poll(imagegw_client, "gpt_image", tid).json()["result"]["images"]
    assert len(images) == 3 and len({i["url"] for i in images}) == 3
    img = fetch_image(imagegw_client, images[0]["url"])
    assert img.size == (1024, 1536) and img.format == "WEBP" and img.mode == "RGBA"


def test_gpt_image_defaults_png_opaque(imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings) -> None:
    tid = task_id(create(imagegw_client, "gpt_image", {"prompt": "a logo", "size": "auto", "output_compression": 50}))
    finish(imagegw_clock, imagegw_settings)
    img = fetch_image(imagegw_client, poll(imagegw_client, "gpt_image", tid).json()["result"]["images"][0]["url"])
    assert img.size == (1024, 1024) and img.format == "PNG"
    # opaque: no alpha channel and no transparent palette entry, every pixel fully opaque
    assert img.mode in ("RGB", "P") and "transparency" not in img.info
    assert img.convert("RGBA").getextrema()[3] == (255, 255)


def test_same_request_same_image(imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings) -> None:
    a = task_id(create(imagegw_client, "gemini", prompt="same"))
    b = task_id(create(imagegw_client, "gemini", prompt="same"))
    c = task_id(create(imagegw_client, "gemini", prompt="other"))
    finish(imagegw_clock, imagegw_settings)
    data = [imagegw_client.get(poll(imagegw_client, "gemini", t).json()["result"]["images"][0]["url"]).content for t in (a, b, c)]
    assert data[0] == data[1] and data[0] != data[2]


# -- validation: each violation is a 400 naming the parameter ------------------------------------


@pytest.mark.parametrize(
    "size,ok",
    [
        ("1920x1920", True),  # 000: "minimum 1920×1920 (must be ≥ 3.68M pixels)"
        ("1919x1920", False),  # 3,684,480 pixels < 3,686,400
        ("3225x3225", True),  # 10,400,625 <= 10,404,496 (upper bound inferred from 004, seedream-5)
        ("3226x3226", False),  # 10,407,076 > 10,404,496
        ("7680x480", True),  # aspect 16 (inferred from 004: "aspect ratio 1/16-16")
        ("7712x482", True),  # 7712 / 482 == 16 exactly, 3,717,184 pixels
        ("8000x480", False),  # aspect 16.67
        ("2K", True),
        ("3K", True),  # tiers inferred from 004 seedream-5
        ("4K", False),
        ("1K", False),
        ("2k", False),
        ("2048*2048", False),
        ("02048x2048", False),
        ("2048x2048\n", False),
        ("big", False),
        ("", False),
    ],
)
def test_seedream_size_rules(imagegw_client: httpx.Client, size: str, ok: bool) -> None:
    r = create(imagegw_client, "seedream", {"prompt": "a cat", "size": size})
    if ok:
        assert r.status_code == 200, r.text
    else:
        assert_error(r, 400, "size")


def test_seedream_size_must_be_a_string(imagegw_client: httpx.Client) -> None:
    assert_error(create(imagegw_client, "seedream", {"prompt": "a cat", "size": 2048}), 400, "size")


@pytest.mark.parametrize(
    "images,param",
    [
        ("https://example.com/cat.png", "image"),  # 000: "image array"
        ([], "image"),  # at least one when given (inferred from Ark)
        (["https://example.com/a.png"] * 15, "image"),  # at most 14 (inferred from Ark)
        (["not base64!"], "image[0]"),
        (["https://example.com/a.png", "data:image/png;base64,aGVsbG8="], "image[1]"),  # decodes, but not an image
        ([42], "image[0]"),
        (["https://exa mple.com/a.png"], "image[0]"),
    ],
)
def test_seedream_reference_image_errors(imagegw_client: httpx.Client, images: object, param: str) -> None:
    assert_error(create(imagegw_client, "seedream", {"prompt": "a cat", "size": "2K", "image": images}), 400, param)


def test_seedream_reference_images_accepted(imagegw_client: httpx.Client) -> None:
    # 000: "Reference images (URL or base64)": a URL, a data URL and raw base64
    raw = png_data_url().split(",", 1)[1]
    refs = ["https://example.com/a.png", png_data_url(), raw] + ["https://example.com/b.png"] * 11
    assert len(refs) == 14
    assert create(imagegw_client, "seedream", {"prompt": "a cat", "size": "2K", "image": refs}).status_code == 200


@pytest.mark.parametrize("family", ["seedream", "gemini", "gpt_image"])
@pytest.mark.parametrize("prompt", [None, "", "   \n", 42, ["a"]])
def test_prompt_required(imagegw_client: httpx.Client, family: str, prompt: object) -> None:
    body = {k: v for k, v in MINIMAL[family].items() if k != "prompt"}
    if prompt is not None:
        body["prompt"] = prompt
    assert_error(create(imagegw_client, family, body), 400, "prompt")


@pytest.mark.parametrize(
    "field,value",
    [
        ("model", "gemini-2.5-flash-image"),
        ("model", "GEMINI-3-PRO-IMAGE"),
        ("model", 3),
        ("size", "3K"),
        ("size", "1k"),
        ("size", "1024x1024"),  # 000: "Options: 0.5K, 1K, 2K, 4K"
        ("aspect_ratio", "21:9"),
        ("aspect_ratio", "1x1"),  # 000: seven ratios, no 21:9
        ("output_format", "png"),
        ("output_format", "image/gif"),  # 000: "image/png, image/jpeg, image/webp"
    ],
)
def test_gemini_parameter_errors(imagegw_client: httpx.Client, field: str, value: object) -> None:
    assert_error(create(imagegw_client, "gemini", {"prompt": "a cat", field: value}), 400, field)


@pytest.mark.parametrize(
    "field,value",
    [
        # 000 "e.g. 1024x1024, 1024x1536" closes nothing: OpenAI's gpt-image-2 rule holds, so 512x512 (under 655,360 px)
        # and 1800x1024 (1800 is not a multiple of 16) are refused; 1792x1024 was in this list before the catalog and is
        # a valid gpt-image-2 size (test_gpt_image_custom_sizes)
        ("size", "512x512"),
        ("size", "1800x1024"),
        ("size", 1024),
        ("quality", "auto"),
        ("quality", "hd"),  # 000 "low / medium / high"
        ("n", 0),
        ("n", 11),
        ("n", 1.5),
        ("n", "2"),
        ("n", True),  # default 1; 1..10 inferred (OpenAI)
        ("background", "auto"),  # 000 "opaque / transparent"
        ("output_format", "gif"),
        ("output_format", "image/png"),  # 000 "png / jpeg / webp"
        ("output_compression", 101),
        ("output_compression", -1),
        ("output_compression", 50.5),  # "(0–100)"
    ],
)
def test_gpt_image_parameter_errors(imagegw_client: httpx.Client, field: str, value: object) -> None:
    assert_error(create(imagegw_client, "gpt_image", {"prompt": "a cat", field: value}), 400, field)


def test_gpt_image_transparent_jpeg_refused(imagegw_client: httpx.Client) -> None:
    # inferred from upstream OpenAI: transparency needs png or webp
    r = create(imagegw_client, "gpt_image", {"prompt": "a logo", "background": "transparent", "output_format": "jpeg"})
    assert_error(r, 400, "background")
    assert create(imagegw_client, "gpt_image", {"prompt": "a logo", "background": "opaque", "output_format": "jpeg"}).status_code == 200


def test_gpt_image_prompt_length(imagegw_client: httpx.Client) -> None:
    # inferred from upstream OpenAI: at most 32,000 characters
    assert create(imagegw_client, "gpt_image", {"prompt": "a" * 32_000}).status_code == 200
    assert_error(create(imagegw_client, "gpt_image", {"prompt": "a" * 32_001}), 400, "prompt")


def test_gpt_image_n_accepts_integral_numbers(imagegw_client: httpx.Client) -> None:
    # 000 types n as "number"; an integral value such as 2.0 is an integer in JSON Schema too
    assert create(imagegw_client, "gpt_image", {"prompt": "a cat", "n": 2.0}).status_code == 200
    assert create(imagegw_client, "gpt_image", {"prompt": "a cat", "n": 10}).status_code == 200


@pytest.mark.parametrize(
    "family,field",
    [
        ("seedream", "size"),
        ("seedream", "image"),
        ("gemini", "model"),
        ("gemini", "aspect_ratio"),
        ("gpt_image", "n"),
        ("gpt_image", "output_format"),
    ],
)
def test_null_means_not_sent(imagegw_client: httpx.Client, family: str, field: str) -> None:
    assert create(imagegw_client, family, dict(MINIMAL[family], **{field: None})).status_code == 200


def test_unknown_fields_are_ignored(imagegw_client: httpx.Client) -> None:
    assert create(imagegw_client, "gpt_image", {"prompt": "a cat", "model": "anything", "user": "u-1"}).status_code == 200


@pytest.mark.parametrize("family", ["seedream", "gemini", "gpt_image"])
def test_body_must_be_a_json_object(imagegw_client: httpx.Client, family: str) -> None:
    op = OPS["POST", family]
    r = conforms(imagegw_client.post(CREATE[family], content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}), op)
    assert assert_error(r, 400)["code"] == "invalid_json"
    r = conforms(imagegw_client.post(CREATE[family], json=["a cat"], headers=AUTH), op)
    assert assert_error(r, 400)["code"] == "invalid_json"
    r = conforms(
        imagegw_client.post(CREATE[family], content=b"prompt=a+cat", headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"}),
        op,
    )
    assert assert_error(r, 415)["code"] == "unsupported_media_type"


# -- auth ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": ""}, {"X-API-Key": "   "}, {"Authorization": f"Bearer {KEY}"}])
def test_missing_api_key_is_401(imagegw_client: httpx.Client, headers: dict[str, str]) -> None:
    # 000: every example sends -H "X-API-Key: <your-api-key>"; a Bearer token is not PieBox's scheme
    r = conforms(imagegw_client.post(CREATE["gemini"], json={"prompt": "a cat"}, headers=headers), "createGeminiTask")
    assert assert_error(r, 401)["type"] == "authentication_error"
    r = conforms(imagegw_client.get(POLL["gemini"] + "img_gen_xxx", headers=headers), "getGeminiTask")
    assert_error(r, 401)


def test_wrong_api_key_is_401_when_keys_are_configured(imagegw_clock: ManualClock) -> None:
    app = build_app(Settings(raise_server_exceptions=True, api_keys={"piebox": KEY}), clock=imagegw_clock)
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000") as c:
        assert assert_error(c.post(CREATE["gemini"], json={"prompt": "a"}, headers={"X-API-Key": "nope"}), 401)["code"] == "invalid_api_key"
        assert c.post(CREATE["gemini"], json={"prompt": "a"}, headers=AUTH).status_code == 200


# -- 404 for unknown, forged, foreign and other-family ids --------------------------------------


def test_unknown_and_forged_task_ids_are_404(imagegw_client: httpx.Client) -> None:
    real = task_id(create(imagegw_client, "gemini"))
    head, mac = real.rsplit(".", 1)
    forged = f"{head}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"
    for tid in ("img_gen_xxx", "nothing-like-an-id", forged, real + "x", real[:-3]):
        err = assert_error(poll(imagegw_client, "gemini", tid), 404, "task_id")
        assert err["code"] == "task_not_found"


def test_task_from_another_server_is_404(imagegw_client: httpx.Client, imagegw_clock: ManualClock) -> None:
    other = build_app(Settings(secret=b"another-server-secret-0123456789"), clock=imagegw_clock)
    with httpx.Client(transport=SyncASGITransport(other), base_url="http://127.0.0.1:8000") as c:
        foreign = task_id(c.post(CREATE["gemini"], json={"prompt": "a cat"}, headers=AUTH))
    assert_error(poll(imagegw_client, "gemini", foreign), 404, "task_id")


@pytest.mark.parametrize("made_by,asked_at", [("seedream", "gemini"), ("gemini", "gpt_image"), ("gpt_image", "seedream")])
def test_task_polled_on_another_familys_endpoint_is_404(imagegw_client: httpx.Client, made_by: str, asked_at: str) -> None:
    tid = task_id(create(imagegw_client, made_by))
    assert_error(poll(imagegw_client, asked_at, tid), 404, "task_id")
    assert poll(imagegw_client, made_by, tid).status_code == 200


def test_odd_task_ids_answer_404_json(imagegw_client: httpx.Client) -> None:
    for raw in ("a%0Ab", "%ED%A0%80", "%2F..%2F", "x" * 5000):
        r = imagegw_client.get(POLL["seedream"] + raw, headers=AUTH)
        assert r.status_code == 404 and r.headers["content-type"] == "application/json", (raw, r.text)
        assert r.headers.get("X-Request-Id")
        assert set(r.json()["error"]) == {"message", "type", "param", "code"}


# -- scenarios ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,status,code,retry_after",
    [
        ("rate_limited", 429, "rate_limit_exceeded", True),
        ("quota_exceeded", 429, "insufficient_quota", False),
        ("server_error", 500, "internal_error", False),
        ("overloaded", 503, "service_unavailable", True),
    ],
)
@pytest.mark.parametrize("family", ["seedream", "gemini", "gpt_image"])
def test_error_scenarios_on_create(imagegw_client: httpx.Client, family: str, name: str, status: int, code: str, retry_after: bool) -> None:
    r = create(imagegw_client, family, headers={"X-Mock-Scenario": name})
    assert assert_error(r, status)["code"] == code
    assert ("Retry-After" in r.headers) is retry_after
    tagged = dict(MINIMAL[family], prompt=f"a cat [mock:{name}]")
    assert create(imagegw_client, family, tagged).status_code == status


def test_admin_queue_scenario_is_not_consumed_by_a_poll(imagegw_client: httpx.Client, imagegw_mock: Mock) -> None:
    from mock_server.faults import QueuedScenario

    tid = task_id(create(imagegw_client, "gemini"))
    imagegw_mock.faults.push(QueuedScenario("overloaded", gateway="piebox"))
    assert poll(imagegw_client, "gemini", tid).status_code == 200
    assert create(imagegw_client, "gemini").status_code == 503
    assert create(imagegw_client, "gemini").status_code == 200


def test_error_scenarios_on_poll_by_header(imagegw_client: httpx.Client) -> None:
    tid = task_id(create(imagegw_client, "seedream"))
    r = poll(imagegw_client, "seedream", tid, headers={"X-Mock-Scenario": "rate_limited"})
    assert assert_error(r, 429)["code"] == "rate_limit_exceeded" and r.headers["Retry-After"]
    assert poll(imagegw_client, "seedream", tid, headers={"X-Mock-Scenario": "overloaded"}).status_code == 503
    # task-shaping scenarios do nothing on a poll: the outcome was fixed at creation
    assert poll(imagegw_client, "seedream", tid, headers={"X-Mock-Scenario": "moderation"}).json()["status"] == "pending"


@pytest.mark.parametrize("name,code", [("moderation", "content_policy_violation"), ("task_failed", "generation_failed")])
def test_moderation_and_task_failed_end_failed(
    imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings, name: str, code: str
) -> None:
    # the scenario table: "moderation (... for PieBox a task that ends failed)"; codes inferred (OpenAI)
    r = create(imagegw_client, "gpt_image", headers={"X-Mock-Scenario": name})
    tid = task_id(r)
    assert poll(imagegw_client, "gpt_image", tid).json()["status"] == "pending"
    imagegw_clock.advance(imagegw_settings.task_pending_seconds)
    assert poll(imagegw_client, "gpt_image", tid).json()["status"] == "processing"
    imagegw_clock.advance(imagegw_settings.task_processing_seconds)
    body = poll(imagegw_client, "gpt_image", tid).json()
    assert body["status"] == "failed" and "result" not in body
    assert body["error"]["code"] == code and body["error"]["message"]
    imagegw_clock.advance(24 * 3600)
    assert poll(imagegw_client, "gpt_image", tid).json()["status"] == "failed"


def test_moderation_from_the_prompt_tag(imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings) -> None:
    tid = task_id(create(imagegw_client, "seedream", {"prompt": "[mock:moderation] a cat", "size": "2K"}))
    finish(imagegw_clock, imagegw_settings)
    assert poll(imagegw_client, "seedream", tid).json()["error"]["code"] == "content_policy_violation"


def test_partial_failure_is_ignored(imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings) -> None:
    # PieBox's result.images[] items have no per-item error (000), so the scenario changes nothing
    tid = task_id(create(imagegw_client, "gpt_image", headers={"X-Mock-Scenario": "partial_failure"}, n=2))
    finish(imagegw_clock, imagegw_settings)
    body = poll(imagegw_client, "gpt_image", tid).json()
    assert body["status"] == "succeeded" and len(body["result"]["images"]) == 2


def test_unknown_scenario_is_400(imagegw_client: httpx.Client) -> None:
    for r in (
        create(imagegw_client, "gemini", headers={"X-Mock-Scenario": "meteor"}),
        poll(imagegw_client, "gemini", "img_gen_xxx", headers={"X-Mock-Scenario": "meteor"}),
    ):
        err = assert_error(r, 400)
        assert (err["code"], err["param"]) == ("unknown_scenario", "X-Mock-Scenario")


# -- journal ------------------------------------------------------------------------------------


def test_journal_redacts_the_api_key(imagegw_client: httpx.Client, imagegw_mock: Mock) -> None:
    tid = task_id(create(imagegw_client, "gemini"))
    poll(imagegw_client, "gemini", tid)
    imagegw_client.post(CREATE["gemini"], json={"prompt": "x"}, headers={"X-API-Key": KEY, "X-Mock-Scenario": "rate_limited"})
    entries = imagegw_mock.journal.entries(gateway="piebox")
    assert [e.operation for e in entries] == ["createGeminiTask", "getGeminiTask", "createGeminiTask"]
    assert all(e.headers["x-api-key"] == "[REDACTED]" for e in entries)
    assert entries[2].scenario == "rate_limited" and entries[2].status == 429
    assert KEY not in json.dumps([e.as_dict() for e in entries]) and KEY not in repr(entries)


# -- the contract -------------------------------------------------------------------------------


def test_contract_is_valid_openapi_31() -> None:
    spec = contract()
    validate_spec(spec)
    assert spec["openapi"].startswith("3.1")
    assert spec["servers"][0]["url"] == "https://tokenhub.piegateway.me"
    scheme = spec["components"]["securitySchemes"]["ApiKeyAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-Key")
    assert spec["security"] == [{"ApiKeyAuth": []}]


def test_contract_operations_match_the_mock() -> None:
    served = {(op.methods[0].lower(), "/" + op.path.lstrip("/")): op.operation_id for op in piebox.GATEWAY.operations}
    declared = {(m, p): op["operationId"] for p, ops in contract()["paths"].items() for m, op in ops.items()}
    assert declared == served


def test_contract_links_create_to_poll() -> None:
    pairs = {"createSeedreamTask": "getSeedreamTask", "createGeminiTask": "getGeminiTask", "createGptImageTask": "getGptImageTask"}
    for create_op, get_op in pairs.items():
        links = _operation(create_op)["responses"]["200"]["links"]
        assert [(link["operationId"], link["parameters"]) for link in links.values()] == [(get_op, {"task_id": "$response.body#/task_id"})]


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}/{i}")


def test_contract_provenance_everywhere() -> None:
    doc = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None
    missing, bad_quotes = [], []
    spec = contract()
    for ops in spec["paths"].values():
        for op in ops.values():
            if "x-provenance" not in op:
                missing.append(op["operationId"])
            for status, resp in op["responses"].items():
                if "x-provenance" not in _deref(resp):
                    missing.append(f"{op['operationId']} {status}")
    for path, node in _walk(spec):
        for name, prop in (node.get("properties") or {}).items() if isinstance(node.get("properties"), dict) else ():
            if "x-provenance" not in prop:
                missing.append(f"{path}/properties/{name}")
        prov = node.get("x-provenance")
        if prov is not None:
            assert prov["kind"] in ("documented", "inferred"), path
            assert ("from" in prov) if prov["kind"] == "inferred" else (prov.get("doc") == DOC and prov.get("quote")), path
            if doc is not None and "quote" in prov and prov["quote"] not in doc:
                bad_quotes.append((path, prov["quote"]))
    assert not missing and not bad_quotes, (missing, bad_quotes)


def test_contract_examples_validate_against_their_schemas() -> None:
    checked = 0
    for path, node in _walk(contract()):
        if isinstance(node.get("examples"), dict) and "schema" in node:
            schema = node["schema"]
            schema = {"$ref": "urn:piebox" + schema["$ref"]} if "$ref" in schema else schema
            for name, ex in node["examples"].items():
                errors = [e.message for e in Draft202012Validator(schema, registry=_registry()).iter_errors(ex["value"])]
                assert not errors, (path, name, errors)
                checked += 1
    assert checked >= 5  # the document's three requests, its create response and its task response


def test_contract_request_schemas_agree_with_the_mock_on_edges(imagegw_client: httpx.Client) -> None:
    # Bodies the contract calls valid are accepted; ones it calls invalid are refused.
    schemas = {
        f: {"$ref": f"urn:piebox#/components/schemas/{n}"}
        for f, n in (("seedream", "SeedreamRequest"), ("gemini", "GeminiRequest"), ("gpt_image", "GptImageRequest"))
    }
    cases = [
        ("seedream", {"prompt": "a", "size": "3225x1920"}),
        ("seedream", {"prompt": "a", "size": "1919x1920"}),
        ("seedream", {"prompt": "a", "size": "3226x3226"}),
        ("seedream", {"prompt": "a", "size": "2048x2048\n"}),
        ("seedream", {"prompt": "a", "image": ["https://x.test/a b"]}),
        ("seedream", {"prompt": "a", "image": ["https://x.test/a\n"]}),
        ("seedream", {"prompt": "a", "image": [png_data_url()]}),
        ("seedream", {"prompt": "\u3000"}),
        ("gemini", {"prompt": "a", "size": "4K", "aspect_ratio": "3:2"}),
        ("gemini", {"prompt": "a", "size": "0.5k"}),
        # the custom-size format (size:<rule>, asserted by the contract's format checker) and 0.5K per model
        ("seedream", {"prompt": "a", "size": "2560x1440"}),
        ("gpt_image", {"prompt": "a", "size": "2048x1152"}),
        ("gpt_image", {"prompt": "a", "size": "2048x1150"}),
        ("gemini", {"prompt": "a", "model": "gemini-3-pro-image", "size": "0.5K"}),
        ("gpt_image", {"prompt": "a", "background": "transparent", "output_format": "webp"}),
        ("gpt_image", {"prompt": "a", "background": "transparent", "output_format": "jpeg"}),
        ("gpt_image", {"prompt": "a", "n": 10.0}),
        ("gpt_image", {"prompt": "a", "output_compression": 100}),
    ]
    for family, body in cases:
        # the house formats are asserted, as the contracts package does (contracts/formats.py)
        valid = Draft202012Validator(schemas[family], registry=_registry(), format_checker=format_checker(contract())).is_valid(body)
        status = imagegw_client.post(CREATE[family], json=body, headers=AUTH).status_code
        assert (status == 200) is valid, (family, body, status)
