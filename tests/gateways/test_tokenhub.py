"""TokenHub (document 001_2deeaf4f61535733.txt): generations in two body shapes, multipart edits,
Gemini image chat; validation, scenarios in both error shapes, auth, and the contract file.

Expected values come from the document (quoted next to each assertion) or from the request itself
(the size asked for), never from the mock's own output.
"""

from __future__ import annotations

import base64
import io

import httpx
import pytest
import yaml
from mock_apps import build_app
from PIL import Image
from tokenhub_support import (
    AUTH,
    CHAT,
    CONTRACT,
    DATA_URL_IMAGE,
    EDITS,
    GEN,
    IMAGES,
    REGION,
    chat,
    dashscope_error,
    decode,
    ds,
    ds_body,
    edit,
    fetch,
    flat,
    openai_error,
    png_bytes,
)

from mock_server import ManualClock, Settings
from mock_server.engine import Mock
from mock_server.faults import QueuedScenario
from mock_server.testing import SyncASGITransport

# -- flat body ----------------------------------------------------------------------------------------


def test_gpt_image_doc_example_answers_b64_png(imagegw_client: httpx.Client) -> None:
    # 001: the cURL example; "By default data[0].b64_json (base64 PNG)"; example usage input_tokens 22
    r = imagegw_client.post(
        GEN, headers=AUTH, json={"model": "tokenhub/gpt-image-2", "prompt": "一只橘猫在窗边,摄影风格", "size": "1024x1024", "n": 1}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["data"]) == 1 and set(body["data"][0]) == {"b64_json"}
    assert decode(base64.b64decode(body["data"][0]["b64_json"])) == ("PNG", (1024, 1024))
    assert body["usage"] == {"input_tokens": 22, "output_tokens": 0}
    assert r.headers["X-Request-Id"]


def test_url_result_is_fetchable_at_the_size_asked(imagegw_client: httpx.Client) -> None:
    # 001: 'With "response_format": "url", returns data[0].url instead.'
    r = flat(imagegw_client, size="1024x1536", response_format="url", n=2)
    assert r.status_code == 200, r.text
    items = r.json()["data"]
    assert len(items) == 2 and all(set(i) == {"url"} for i in items)
    assert items[0]["url"] != items[1]["url"]
    for item in items:
        got = fetch(imagegw_client, item["url"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        assert decode(got.content) == ("PNG", (1024, 1536))


def test_url_expires_after_24_hours(imagegw_client: httpx.Client, imagegw_clock: ManualClock) -> None:
    # 001: "Image URLs are usually temporary (commonly around 24 hours)."
    url = flat(imagegw_client, response_format="url").json()["data"][0]["url"]
    imagegw_clock.advance(24 * 3600 - 1)
    assert fetch(imagegw_client, url).status_code == 200
    imagegw_clock.advance(2)
    assert openai_error(fetch(imagegw_client, url), 410)["code"] == "url_expired"


def test_output_format_jpeg(imagegw_client: httpx.Client) -> None:
    r = flat(imagegw_client, output_format="jpeg", size="1536x1024")
    assert decode(base64.b64decode(r.json()["data"][0]["b64_json"])) == ("JPEG", (1536, 1024))


def test_ark_seedream_doc_example_and_canonical_id(imagegw_client: httpx.Client) -> None:
    # 001 "Reference Links": ark/doubao-seedream-4-0-250828, size 1024x1024; "Use ark/<model_id> or canonical id from catalog"
    for model in ("ark/doubao-seedream-4-0-250828", "doubao-seedream-4-0-250828"):
        r = imagegw_client.post(GEN, headers=AUTH, json={"model": model, "prompt": "日落下的城市天际线,电影感光影", "size": "1024x1024"})
        assert r.status_code == 200, r.text
        # Ark: "The generated image is in JPEG" for url and b64_json alike (this test expected PNG before the
        # catalog took Ark's output format; docs.byteplus.com/en/docs/ModelArk/1541523)
        assert decode(base64.b64decode(r.json()["data"][0]["b64_json"])) == ("JPEG", (1024, 1024))


def test_same_request_same_image(imagegw_client: httpx.Client) -> None:
    a = flat(imagegw_client, prompt="same").json()["data"][0]["b64_json"]
    b = flat(imagegw_client, prompt="same").json()["data"][0]["b64_json"]
    c = flat(imagegw_client, prompt="other").json()["data"][0]["b64_json"]
    assert a == b != c


@pytest.mark.parametrize(
    "model,size,ok",
    [
        # 001 says only "size— e.g.1024x1024", so OpenAI's gpt-image-2 rule holds (openai-python image_generate_params.py:
        # "divisible by 16 ... between 1:3 and 3:1 ... maximum supported resolution is 3840x2160"): 2048x2048 is accepted
        # (this test refused it before the catalog), 2048x2050 (not a multiple of 16) and 3840x2176 (over 8,294,400 px) are not
        ("tokenhub/gpt-image-2", "1536x1024", True),
        ("tokenhub/gpt-image-2", "2048x2048", True),
        ("tokenhub/gpt-image-2", "2048x2050", False),
        ("tokenhub/gpt-image-2", "3840x2176", False),
        ("tokenhub/gpt-image-2", "auto", True),
        ("tokenhub/gpt-image-2", "3840x1024", False),
        ("tokenhub/gpt-image-2", "1024*1024", False),
        ("tokenhub/gpt-image-2", "1K", False),
        # 004 seedream-4-0: 1K/2K/4K or 921,600-16,777,216 pixels; aspect 1/16-16
        ("ark/doubao-seedream-4-0-250828", "1K", True),
        ("ark/doubao-seedream-4-0-250828", "1280x720", True),
        ("ark/doubao-seedream-4-0-250828", "959x960", False),
        ("ark/doubao-seedream-4-0-250828", "3K", False),
        ("ark/doubao-seedream-4-0-250828", "4080x240", False),
        ("ark/doubao-seedream-4-0-250828", "1k", False),
        # 004 seedream-4-5: 2K/4K or >= 3,686,400 pixels, so the 001 example size 1024x1024 is too small
        ("ark/doubao-seedream-4-5-251128", "1024x1024", False),
        ("ark/doubao-seedream-4-5-251128", "2560x1440", True),
        # 002 seedream-3.0 size list
        ("ark/doubao-seedream-3-0-t2i-250415", "864x1152", True),
        ("ark/doubao-seedream-3-0-t2i-250415", "2K", False),
    ],
)
def test_flat_sizes_per_model(imagegw_client: httpx.Client, model: str, size: str, ok: bool) -> None:
    r = flat(imagegw_client, model=model, size=size, response_format="url")
    if ok:
        assert r.status_code == 200, r.text
    else:
        assert openai_error(r, 400)["param"] == "size"


@pytest.mark.parametrize(
    "field,value",
    [
        ("prompt", None),
        ("prompt", ""),
        ("prompt", "  \n"),
        ("prompt", 5),
        ("prompt", "x" * 32_001),
        ("n", 0),
        ("n", 11),
        ("n", 1.5),
        ("n", "2"),
        ("n", True),
        ("output_format", "gif"),
        ("response_format", "png"),
        ("watermark", "no"),
        # quality is an OpenAI parameter ("low", "medium", "high", "auto"): "high" is accepted now, an unknown value is not
        ("model", "gpt-image-2"),
        ("model", 7),
        ("quality", "ultra"),
        ("size", 1024),
    ],
)
def test_flat_validation_names_the_parameter(imagegw_client: httpx.Client, field: str, value: object) -> None:
    body = {"model": "tokenhub/gpt-image-2", "prompt": "a cat", field: value}
    if value is None:
        del body[field]
    err = openai_error(imagegw_client.post(GEN, headers=AUTH, json=body), 400)
    assert err["param"] == field


def test_explicit_null_means_not_sent(imagegw_client: httpx.Client) -> None:
    # OpenAI's spec marks every optional field of CreateImageRequest `nullable: true` (openai/openai-openapi); this
    # test expected a 400 for "n": null before the flat route became as open as the upstream. `user` is not nullable.
    r = flat(imagegw_client, n=None, size=None, quality=None, background=None, output_format=None, response_format=None)
    assert r.status_code == 200, r.text
    assert len(r.json()["data"]) == 1 and "b64_json" in r.json()["data"][0]
    assert openai_error(flat(imagegw_client, user=None), 400)["param"] == "user"


def test_seedream_rules(imagegw_client: httpx.Client) -> None:
    # inferred from Ark: one image per request; output formats png/jpeg
    assert openai_error(flat(imagegw_client, model="ark/doubao-seedream-4-0-250828", size="1K", n=2), 400)["param"] == "n"
    assert (
        openai_error(flat(imagegw_client, model="ark/doubao-seedream-4-0-250828", size="1K", output_format="webp"), 400)["param"]
        == "output_format"
    )


def test_bad_json_and_content_type(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.post(GEN, headers={**AUTH, "Content-Type": "application/json"}, content=b"{not json")
    assert openai_error(r, 400)["code"] == "invalid_json"
    r = imagegw_client.post(GEN, headers={**AUTH, "Content-Type": "text/plain"}, content=b"hello")
    openai_error(r, 415)


# -- body shapes ----------------------------------------------------------------------------------------


def test_flat_model_in_dashscope_shape_is_a_clear_400(imagegw_client: httpx.Client) -> None:
    body = ds_body("tokenhub/gpt-image-2")
    body["prompt"] = "a cat"
    err = openai_error(ds(imagegw_client, body), 400)
    assert err["param"] == "input" and "flat" in err["message"]


def test_dashscope_model_in_flat_shape_is_a_clear_400(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.post(GEN, headers=AUTH, json={"model": "wan2.6-t2i", "prompt": "a cat", "size": "1280*1280"})
    err = dashscope_error(r, 400)
    assert err["code"] == "InvalidParameter" and "input.messages" in err["message"]


def test_mixed_body_is_rejected(imagegw_client: httpx.Client) -> None:
    body = ds_body("wan2.6-t2i")
    body["n"] = 2
    assert "DashScope passthrough" in dashscope_error(ds(imagegw_client, body), 400)["message"]


def test_unknown_model_with_input_answers_dashscope_shape(imagegw_client: httpx.Client) -> None:
    assert dashscope_error(ds(imagegw_client, ds_body("wan9-unknown")), 400)["code"] == "InvalidParameter"
    openai_error(flat(imagegw_client, model="unknown-model"), 400)


# -- /v1/images/edits ---------------------------------------------------------------------------------------


def test_edit_doc_example_multipart(imagegw_client: httpx.Client) -> None:
    # 001 "Image edits" cURL example; "Response shape is the same as generations: default data[0].b64_json"
    r = edit(imagegw_client, {"model": "tokenhub/gpt-image-2", "prompt": "给图中的主体加上一顶红色贝雷帽", "n": "1", "size": "1024x1024"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["data"][0]) == {"b64_json"}
    assert decode(base64.b64decode(body["data"][0]["b64_json"])) == ("PNG", (1024, 1024))
    assert set(body["usage"]) == {"input_tokens", "output_tokens"}


def test_edit_url_result_with_mask_and_n(imagegw_client: httpx.Client) -> None:
    files = {
        "image": ("image.png", (IMAGES / "sample.png").read_bytes(), "image/png"),
        "mask": ("mask.png", (IMAGES / "mask.png").read_bytes(), "image/png"),
    }
    r = edit(imagegw_client, {"prompt": "add a hat", "n": "2", "size": "1536x1024", "response_format": "url"}, files)
    assert r.status_code == 200, r.text
    items = r.json()["data"]
    assert len(items) == 2
    assert decode(fetch(imagegw_client, items[1]["url"]).content) == ("PNG", (1536, 1024))


def test_edit_without_image_file_answers_documented_error(imagegw_client: httpx.Client) -> None:
    # 001: "Without @, curl sends the path as plain text and the gateway returns image file is required."
    as_text = imagegw_client.post(EDITS, headers=AUTH, files={"image": (None, "/path/to/image.png"), "prompt": (None, "hat")})
    assert openai_error(as_text, 400)["message"] == "image file is required"
    missing = imagegw_client.post(EDITS, headers=AUTH, files={"prompt": (None, "hat")})
    err = openai_error(missing, 400)
    assert err["message"] == "image file is required" and err["param"] == "image"


def test_edit_rejects_json_body(imagegw_client: httpx.Client) -> None:
    # 001: "Not JSON ... Do not use -d '{...}' or Content-Type: application/json."
    r = imagegw_client.post(EDITS, headers=AUTH, json={"model": "tokenhub/gpt-image-2", "image": "/path/to/image.png", "prompt": "hat"})
    assert "multipart/form-data" in openai_error(r, 415)["message"]


@pytest.mark.parametrize(
    "name,data,ctype",
    [
        ("notes.txt", b"hello, not an image", "text/plain"),
        ("image.png", b"", "image/png"),
        ("photo.jpg", None, "image/jpeg"),  # a real JPEG: 001 requires PNG
    ],
)
def test_edit_rejects_non_png_uploads(imagegw_client: httpx.Client, name: str, data: bytes | None, ctype: str) -> None:
    if data is None:
        buf = io.BytesIO()
        Image.new("RGB", (16, 16)).save(buf, "JPEG")
        data = buf.getvalue()
    err = openai_error(edit(imagegw_client, {"prompt": "x"}, {"image": (name, data, ctype)}), 400)
    assert err["param"] == "image"


def test_edit_image_of_4mb_is_rejected(imagegw_client: httpx.Client) -> None:
    # 001: "image— required PNG file (< 4MB)"
    big = png_bytes() + b"\0" * (4 * 1024 * 1024)
    err = openai_error(edit(imagegw_client, {"prompt": "x"}, {"image": ("big.png", big, "image/png")}), 400)
    assert err["param"] == "image" and err["code"] == "image_too_large"


@pytest.mark.parametrize(
    "mask",
    [
        ("mask.png", png_bytes(256, 256, "RGB"), "image/png"),  # no alpha: nothing is transparent
        ("mask.png", png_bytes(64, 64, "RGBA"), "image/png"),  # not the image's size (inferred from OpenAI)
        (None, "mask as text"),
    ],
)
def test_edit_bad_mask(imagegw_client: httpx.Client, mask: tuple) -> None:
    files = {"image": ("image.png", (IMAGES / "sample.png").read_bytes(), "image/png"), "mask": mask}
    assert openai_error(edit(imagegw_client, {"prompt": "x"}, files), 400)["param"] == "mask"


# Several edit images as `image[]` parts: how openai-python sends a list (resources/images.py:
# extract_files(..., paths=[["image"], ["image", "<array>"], ...]), array_format "brackets") and how
# litellm's image_edit always sends; "You can provide up to 16 images." (openai-python
# types/image_edit_params.py, `image`); the mask "will be applied on the first image" (same file, `mask`).
OPENAI_MAX_EDIT_IMAGES = 16


def image_parts(*blobs: bytes) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("image[]", (f"image{i}.png", blob, "image/png")) for i, blob in enumerate(blobs)]


def test_edit_accepts_several_images_as_image_brackets_with_a_mask(imagegw_client: httpx.Client, imagegw_mock: Mock) -> None:
    first, second = png_bytes(32, 48), png_bytes(64, 64)
    files = image_parts(first, second, png_bytes(8, 8)) + [("mask", ("mask.png", png_bytes(32, 48, "RGBA"), "image/png"))]
    r = imagegw_client.post(EDITS, headers=AUTH, data={"prompt": "put them together", "size": "1024x1536"}, files=files)
    assert r.status_code == 200, r.text
    assert decode(base64.b64decode(r.json()["data"][0]["b64_json"])) == ("PNG", (1024, 1536))
    journalled = imagegw_mock.journal.entries(path=EDITS)[-1].as_dict()["body"]["image[]"]
    assert [part["size"] for part in journalled] == [len(first), len(second), len(png_bytes(8, 8))]


def test_edit_image_brackets_up_to_openais_limit(imagegw_client: httpx.Client) -> None:
    blobs = [png_bytes(16, 16)] * OPENAI_MAX_EDIT_IMAGES
    assert imagegw_client.post(EDITS, headers=AUTH, data={"prompt": "x"}, files=image_parts(*blobs)).status_code == 200
    err = openai_error(imagegw_client.post(EDITS, headers=AUTH, data={"prompt": "x"}, files=image_parts(*blobs, png_bytes())), 400)
    assert err["param"] == "image[]" and str(OPENAI_MAX_EDIT_IMAGES) in err["message"]


def test_edit_image_brackets_every_part_is_checked(imagegw_client: httpx.Client) -> None:
    jpeg = io.BytesIO()
    Image.new("RGB", (16, 16)).save(jpeg, "JPEG")
    err = openai_error(imagegw_client.post(EDITS, headers=AUTH, data={"prompt": "x"}, files=image_parts(png_bytes(), jpeg.getvalue())), 400)
    assert err["param"] == "image[1]"  # 001: "image— required PNG file (< 4MB)"
    as_text = imagegw_client.post(EDITS, headers=AUTH, files=[("image[]", (None, "/path/to/a.png")), ("prompt", (None, "x"))])
    assert openai_error(as_text, 400)["message"] == "image file is required"  # 001's documented text


def test_edit_mask_must_match_the_first_image(imagegw_client: httpx.Client) -> None:
    files = image_parts(png_bytes(32, 32), png_bytes(64, 64)) + [("mask", ("mask.png", png_bytes(64, 64, "RGBA"), "image/png"))]
    assert openai_error(imagegw_client.post(EDITS, headers=AUTH, data={"prompt": "x"}, files=files), 400)["param"] == "mask"


def test_edit_image_and_image_brackets_together_are_refused(imagegw_client: httpx.Client) -> None:
    files = [("image", ("a.png", png_bytes(), "image/png"))] + image_parts(png_bytes())
    err = openai_error(imagegw_client.post(EDITS, headers=AUTH, data={"prompt": "x"}, files=files), 400)
    assert err["param"] == "image" and "image[]" in err["message"]
    twice = [("image", ("a.png", png_bytes(), "image/png")), ("image", ("b.png", png_bytes(), "image/png"))]
    assert "image[]" in openai_error(imagegw_client.post(EDITS, headers=AUTH, data={"prompt": "x"}, files=twice), 400)["message"]


# quality is an OpenAI edit parameter (openai-python image_edit_params.py); "ultra" is not one of its values
@pytest.mark.parametrize(
    "field,value",
    [
        ("n", "0"),
        ("n", "11"),
        ("n", "two"),
        ("size", "512x512"),
        ("response_format", "png"),
        ("model", "ark/doubao-seedream-4-0-250828"),
        ("model", "nope"),
        ("quality", "ultra"),
        ("prompt", "   "),
        ("size", "1000x1000"),
        ("output_compression", "101"),
        ("moderation", "low"),
    ],
)
def test_edit_validation_names_the_field(imagegw_client: httpx.Client, field: str, value: str) -> None:
    assert openai_error(edit(imagegw_client, {field: value}), 400)["param"] == field


# -- /v1/chat/completions -------------------------------------------------------------------------------------


def test_chat_image_prompt_answers_markdown_data_url(imagegw_client: httpx.Client) -> None:
    # 001: doc example; image in choices[0].message.content; usage figures of the example response
    r = chat(imagegw_client, "画一只橘猫,摄影风格")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "chat.completion" and body["model"] == "gemini-3.1-flash-image-preview"
    assert body["id"].startswith("chatcmpl-")
    choice = body["choices"][0]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    m = DATA_URL_IMAGE.match(choice["message"]["content"])
    assert m is not None
    fmt, _ = decode(base64.b64decode(m.group(1)))
    assert fmt == "PNG"
    usage = body["usage"]
    assert usage["completion_tokens_details"] == {"text_tokens": 0, "image_tokens": 1120}
    assert usage["prompt_tokens"] == 7 and usage["total_tokens"] == 1127


def test_chat_text_only_prompt_answers_text(imagegw_client: httpx.Client) -> None:
    # 001 "Text-only (same endpoint)": "2+2等于几?只回答数字"
    r = chat(imagegw_client, "2+2等于几?只回答数字")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["choices"][0]["message"]["content"] == "4"
    assert body["usage"]["completion_tokens_details"]["image_tokens"] == 0


def test_chat_pro_model_same_shape(imagegw_client: httpx.Client) -> None:
    # 001: "For tokenhub/gemini-3-pro-image-preview, use the same request shape and replace model only."
    r = chat(imagegw_client, "Draw a lighthouse at dusk", model="tokenhub/gemini-3-pro-image-preview")
    assert r.status_code == 200, r.text
    assert r.json()["model"] == "gemini-3-pro-image-preview"
    assert DATA_URL_IMAGE.match(r.json()["choices"][0]["message"]["content"])


def test_chat_modalities_override_the_prompt(imagegw_client: httpx.Client) -> None:
    text = chat(imagegw_client, "画一只橘猫", modalities=["text"]).json()["choices"][0]["message"]["content"]
    assert not text.startswith("![image]")
    image = chat(imagegw_client, "What is the capital of France?", modalities=["image"]).json()["choices"][0]["message"]["content"]
    assert DATA_URL_IMAGE.match(image)


def test_chat_edit_with_image_part(imagegw_client: httpx.Client) -> None:
    sample = "data:image/png;base64," + base64.b64encode((IMAGES / "sample.png").read_bytes()).decode()
    parts = [{"type": "image_url", "image_url": {"url": sample}}, {"type": "text", "text": "Add a red beret to the subject"}]
    r = chat(imagegw_client, parts)
    assert r.status_code == 200, r.text
    assert DATA_URL_IMAGE.match(r.json()["choices"][0]["message"]["content"])


@pytest.mark.parametrize("headers", [AUTH, {**AUTH, "X-TokenHub-Region": "cn"}])
def test_chat_needs_region_header(imagegw_client: httpx.Client, headers: dict[str, str]) -> None:
    # 001: "X-TokenHub-Region: global — required header for these models"
    assert openai_error(chat(imagegw_client, headers=headers), 400)["param"] == "X-TokenHub-Region"


@pytest.mark.parametrize(
    "body,param",
    [
        ({"model": "tokenhub/gemini-3.1-flash-image-preview"}, "messages"),
        ({"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": []}, "messages"),
        ({"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
        ({"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user"}]}, "messages[0].content"),
        ({"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user", "content": ""}]}, "messages[0].content"),
        (
            {"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user", "content": [{"type": "audio"}]}]},
            "messages[0].content[0].type",
        ),
        (
            {"model": "tokenhub/gemini-3.1-flash-image-preview", "content": "top-level", "messages": [{"role": "user", "content": "hi"}]},
            "content",
        ),
        ({"model": "tokenhub/gpt-image-2", "messages": [{"role": "user", "content": "hi"}]}, "model"),
        (
            {"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 0},
            "max_tokens",
        ),
        (
            {"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user", "content": "hi"}], "modalities": ["audio"]},
            "modalities[0]",
        ),
        (
            {"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user", "content": "hi"}], "temperature": 3},
            "temperature",
        ),
    ],
)
def test_chat_validation_names_the_parameter(imagegw_client: httpx.Client, body: dict, param: str) -> None:
    assert openai_error(imagegw_client.post(CHAT, headers=REGION, json=body), 400)["param"] == param


# -- scenarios -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scenario,status,ds_code",
    [
        ("rate_limited", 429, "Throttling"),
        ("quota_exceeded", 429, "Arrearage"),
        ("server_error", 500, "InternalError"),
        ("overloaded", 503, "ServiceUnavailable"),
        ("task_failed", 500, "InternalError"),
        ("moderation", 400, "DataInspectionFailed"),
    ],
)
def test_scenarios_in_both_error_shapes(imagegw_client: httpx.Client, scenario: str, status: int, ds_code: str) -> None:
    # OpenAI shape on the flat body (prompt tag), DashScope shape on the passthrough (header)
    err = openai_error(flat(imagegw_client, prompt=f"a cat [mock:{scenario}]"), status)
    assert (
        err["code"]
        == {
            "rate_limited": "rate_limit_exceeded",
            "quota_exceeded": "insufficient_quota",
            "server_error": "internal_error",
            "overloaded": "service_unavailable",
            "task_failed": "generation_failed",
            "moderation": "moderation_blocked",
        }[scenario]
    )
    r = ds(imagegw_client, ds_body("wan2.6-t2i"), headers={**AUTH, "X-Mock-Scenario": scenario})
    assert dashscope_error(r, status)["code"] == ds_code
    if scenario in ("rate_limited", "overloaded"):
        assert int(r.headers["Retry-After"]) >= 0
    if scenario == "quota_exceeded":
        assert "Retry-After" not in r.headers


def test_moderation_code_per_route(imagegw_client: httpx.Client) -> None:
    # inferred from OpenAI: gpt-image "moderation_blocked", others "content_policy_violation"
    assert (
        openai_error(flat(imagegw_client, model="ark/doubao-seedream-4-0-250828", size="1K", prompt="x [mock:moderation]"), 400)["code"]
        == "content_policy_violation"
    )
    assert openai_error(edit(imagegw_client, {"prompt": "x [mock:moderation]"}), 400)["code"] == "moderation_blocked"
    assert openai_error(chat(imagegw_client, "画猫 [mock:moderation]"), 400)["code"] == "content_policy_violation"


def test_scenarios_on_edits_and_chat(imagegw_client: httpx.Client) -> None:
    r = edit(imagegw_client, {"prompt": "hat"}, headers={**AUTH, "X-Mock-Scenario": "rate_limited"})
    assert openai_error(r, 429)["type"] == "rate_limit_error" and r.headers["Retry-After"]
    openai_error(chat(imagegw_client, headers={**REGION, "X-Mock-Scenario": "overloaded"}), 503)


def test_admin_queue_scenario_and_partial_failure_ignored(imagegw_client: httpx.Client, imagegw_mock: Mock) -> None:
    imagegw_mock.faults.push(QueuedScenario("server_error", gateway="tokenhub"))
    openai_error(flat(imagegw_client), 500)
    assert flat(imagegw_client).status_code == 200  # consumed once
    # partial_failure: TokenHub has no per-item errors, so the request succeeds whole
    r = flat(imagegw_client, headers={**AUTH, "X-Mock-Scenario": "partial_failure"}, n=2)
    assert r.status_code == 200 and len(r.json()["data"]) == 2


def test_unknown_scenario_is_400(imagegw_client: httpx.Client) -> None:
    assert openai_error(flat(imagegw_client, headers={**AUTH, "X-Mock-Scenario": "meteor"}), 400)["code"] == "unknown_scenario"


# -- auth ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}])
def test_missing_or_malformed_credentials_are_401_on_every_operation(imagegw_client: httpx.Client, headers: dict[str, str]) -> None:
    openai_error(imagegw_client.post(GEN, headers=headers, json={"model": "tokenhub/gpt-image-2", "prompt": "x"}), 401)
    openai_error(imagegw_client.post(GEN, headers=headers, json=ds_body("wan2.6-t2i")), 401)  # auth comes before shape routing
    openai_error(imagegw_client.post(EDITS, headers=headers, files={"image": ("a.png", png_bytes(), "image/png")}), 401)
    openai_error(
        imagegw_client.post(
            CHAT,
            headers={**headers, "X-TokenHub-Region": "global"},
            json={"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user", "content": "hi"}]},
        ),
        401,
    )


def test_wrong_key_is_401_when_keys_are_configured(imagegw_clock: ManualClock) -> None:
    app = build_app(Settings(raise_server_exceptions=True, api_keys={"tokenhub": "right-key"}), clock=imagegw_clock)
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000") as c:
        assert openai_error(flat(c, headers={"Authorization": "Bearer wrong-key"}), 401)["code"] == "invalid_api_key"
        assert flat(c, headers={"Authorization": "Bearer right-key"}).status_code == 200
        entry = app.state.mock.journal.entries()[-1]
        assert "right-key" not in repr(entry)


# -- the contract file ------------------------------------------------------------


def test_contract_is_valid_openapi_with_provenance_everywhere() -> None:
    from openapi_spec_validator import validate

    from contracts import provenance

    spec = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    validate(spec)
    assert [s["url"] for s in spec["servers"]] == ["https://tokenhub.link"]  # 001: "Base URL | https://tokenhub.link"
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")  # 001: "Authorization: Bearer <TokenHub API Key>"
    ops = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"createImage", "createImageEdit", "createChatCompletion"} <= ops
    assert len(spec["paths"]["/v1/images/generations"]["post"]["requestBody"]["content"]["application/json"]["schema"]["oneOf"]) == 2
    assert list(provenance.missing(spec)) == []


def test_contract_request_examples_validate_and_the_mock_accepts_them(imagegw_client: httpx.Client) -> None:
    import jsonschema

    spec = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    checked = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for media, mt in op.get("requestBody", {}).get("content", {}).items():
                for name, example in mt.get("examples", {}).items():
                    schema = {**mt["schema"], "components": spec["components"]}
                    jsonschema.Draft202012Validator(schema).validate(example["value"])
                    assert media == "application/json"
                    r = imagegw_client.request(method.upper(), "/tokenhub" + path, headers=REGION, json=example["value"])
                    assert r.status_code == 200, (name, r.text)
                    checked += 1
    assert checked == 9  # 7 generations examples + 2 chat examples, all from 001
