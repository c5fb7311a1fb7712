"""TokenHub (document 001_2deeaf4f61535733.txt): the DashScope passthrough (``input.messages``,
``parameters``), its sizes and counts per Wan/Qwen model, and its own error shape.
"""

from __future__ import annotations

import base64

import httpx
import pytest
from tokenhub_support import (
    IMAGES,
    dashscope_error,
    decode,
    ds,
    ds_body,
    fetch,
)

# -- DashScope passthrough ---------------------------------------------------------------------------------


def test_wan26_doc_example_answers_dashscope_json(imagegw_client: httpx.Client) -> None:
    # 001 "2. cURL Example (passthrough)" and its response structure
    body = ds_body(
        "wan2.6-t2i",
        [{"text": "A flower shop with elegant windows, a beautiful wooden door, and fresh flowers on display."}],
        prompt_extend=True,
        watermark=False,
        n=1,
        negative_prompt="",
        size="1280*1280",
    )
    r = ds(imagegw_client, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["output"]["finished"] is True
    choice = out["output"]["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    item = choice["message"]["content"][0]
    assert item["type"] == "image"
    assert out["usage"] == {"image_count": 1, "input_tokens": 0, "output_tokens": 0, "size": "1280*1280", "total_tokens": 0}
    assert out["request_id"] == r.headers["X-Request-Id"]
    got = fetch(imagegw_client, item["image"])
    assert got.status_code == 200 and decode(got.content) == ("PNG", (1280, 1280))


def test_response_format_does_not_switch_the_passthrough(imagegw_client: httpx.Client) -> None:
    # 001: "format is not switched via response_format on this protocol"
    body = ds_body("wan2.7-image-pro", size="1K")
    body["response_format"] = "b64_json"
    r = ds(imagegw_client, body)
    assert r.status_code == 200, r.text
    item = r.json()["output"]["choices"][0]["message"]["content"][0]
    assert set(item) == {"image", "type"} and item["image"].startswith("http")


def test_wan27_image_editing_with_url_and_data_url_inputs(imagegw_client: httpx.Client) -> None:
    # 001 §4.2: two image items then a text item
    sample = "data:image/png;base64," + base64.b64encode((IMAGES / "sample.png").read_bytes()).decode()
    content = [
        {"image": "https://help-static-aliyun-doc.aliyuncs.com/file-manage-files/zh-CN/20251229/pjeqdf/car.webp"},
        {"image": sample},
        {"text": "Apply the graffiti style from image 2 onto the car in image 1."},
    ]
    r = ds(imagegw_client, ds_body("wan2.7-image-pro", content, size="1K", n=1, watermark=False))
    assert r.status_code == 200, r.text
    url = r.json()["output"]["choices"][0]["message"]["content"][0]["image"]
    assert decode(fetch(imagegw_client, url).content) == ("PNG", (1024, 1024))


@pytest.mark.parametrize(
    "image", ["data:image/png;base64,!!!", "data:image/png;base64,aGVsbG8=", "ftp://x/y.png", "https://example.com/a b.png", 5]
)
def test_bad_input_image_is_dashscope_400(imagegw_client: httpx.Client, image: object) -> None:
    content = [{"image": image}, {"text": "edit"}]
    err = dashscope_error(ds(imagegw_client, ds_body("wan2.7-image-pro", content, size="1K")), 400)
    assert "input.messages[0].content[0].image" in err["message"]


def test_interactive_editing_bbox_list(imagegw_client: httpx.Client) -> None:
    # 001 §4.3: "bbox_list": [[],[[989, 515, 1138, 681]]] with two input images
    two = [{"image": "https://img.example.com/1.webp"}, {"image": "https://img.example.com/2.webp"}, {"text": "place the clock"}]
    ok = ds(imagegw_client, ds_body("wan2.7-image-pro", two, bbox_list=[[], [[989, 515, 1138, 681]]], size="1K", n=1))
    assert ok.status_code == 200, ok.text
    for bbox, where in [
        ([[989, 515, 1138, 681]], "parameters.bbox_list"),  # one entry for two images
        ([[], [[989, 515, 1138]]], "parameters.bbox_list[1][0]"),  # three coordinates
        ([[], [[-1, 515, 989, 681]]], "parameters.bbox_list[1][0]"),
        ("[[]]", "parameters.bbox_list"),
    ]:
        err = dashscope_error(ds(imagegw_client, ds_body("wan2.7-image-pro", two, bbox_list=bbox, size="1K")), 400)
        assert err["message"].startswith(where), (bbox, err)


def test_group_generation_answers_n_images(imagegw_client: httpx.Client) -> None:
    # 001 §4.4: enable_sequential true, n 4
    r = ds(imagegw_client, ds_body("wan2.7-image-pro", enable_sequential=True, n=4, size="2K"))
    assert r.status_code == 200, r.text
    body = r.json()
    items = body["output"]["choices"][0]["message"]["content"]
    assert len(items) == 4 and len({i["image"] for i in items}) == 4
    assert body["usage"]["image_count"] == 4 and body["usage"]["size"] == "2048*2048"
    assert "parameters.n" in dashscope_error(ds(imagegw_client, ds_body("wan2.7-image-pro", enable_sequential=True, n=5)), 400)["message"]


@pytest.mark.parametrize(
    "model,size,ok",
    [
        ("wan2.6-t2i", "1472*1104", True),
        ("wan2.6-t2i", "1280x1280", False),
        ("wan2.6-t2i", "2K", False),
        ("wan2.6-t2i", "700*700", False),
        ("wan2.7-image-pro", "4K", True),
        ("wan2.7-image-pro", "2k", False),
        ("wan2.7-image-pro", "1280*1280", False),
        ("wan2.7-image", "4K", False),
        ("wan2.7-image", "1K", True),
        ("qwen-image-plus", "1664*928", True),
        ("qwen-image-plus", "1024*1024", False),
    ],
)
def test_dashscope_sizes_per_model(imagegw_client: httpx.Client, model: str, size: str, ok: bool) -> None:
    r = ds(imagegw_client, ds_body(model, size=size))
    if ok:
        assert r.status_code == 200, r.text
        assert r.json()["usage"]["size"] in (size, {"1K": "1024*1024", "4K": "4096*4096"}.get(size))
    else:
        assert dashscope_error(r, 400)["message"].startswith("parameters.size")


def test_qwen_image_edit_plus_rules(imagegw_client: httpx.Client) -> None:
    # 002: "Supports 1-3 input images", "output 1-6 images", size "2048*2048"
    img = {"image": "https://example.com/in.webp"}
    ok = ds(imagegw_client, ds_body("qwen-image-edit-plus", [img, {"text": "make it red"}], n=6, size="2048*2048"))
    assert ok.status_code == 200 and len(ok.json()["output"]["choices"][0]["message"]["content"]) == 6
    assert dashscope_error(ds(imagegw_client, ds_body("qwen-image-edit-plus", [{"text": "no image"}])), 400)["code"] == "InvalidParameter"
    dashscope_error(ds(imagegw_client, ds_body("qwen-image-edit-plus", [img] * 4 + [{"text": "four"}])), 400)
    dashscope_error(ds(imagegw_client, ds_body("qwen-image-edit-plus", [img, {"text": "x"}], n=7)), 400)
    assert (
        "parameters.size"
        in dashscope_error(ds(imagegw_client, ds_body("qwen-image-edit-plus", [img, {"text": "x"}], size="511*1024")), 400)["message"]
    )


@pytest.mark.parametrize(
    "body,where",
    [
        (ds_body("wan2.6-t2i", [{"image": "https://example.com/a.png"}, {"text": "x"}]), "input.messages[0].content"),
        (ds_body("wan2.7-image-pro", [{"image": "https://example.com/a.png"}]), "input.messages[0].content"),
        (ds_body("wan2.7-image-pro", [{"text": "a", "image": "https://example.com/a.png"}]), "input.messages[0].content[0]"),
        (ds_body("wan2.7-image-pro", [{"text": "   "}]), "input.messages[0].content[0].text"),
        (ds_body("wan2.7-image-pro", [{"image": "https://e.com/a.png"}] * 10 + [{"text": "x"}]), "input.messages[0].content"),
        (ds_body("wan2.6-t2i", thinking_mode=True), "parameters.thinking_mode"),
        (ds_body("wan2.7-image-pro", watermark="no"), "parameters.watermark"),
        (ds_body("wan2.7-image-pro", seed=-1), "parameters.seed"),
        # an over-long negative_prompt is truncated (DashScope: "长度不超过500个字符，超出部分将自动截断"), refused only
        # past the catalog's 32,000-character bound (this case sent 501 characters before)
        (ds_body("wan2.7-image-pro", negative_prompt="x" * 32_001), "parameters.negative_prompt"),
        (ds_body("wan2.7-image-pro", n=0), "parameters.n"),
        (
            {"model": "wan2.7-image-pro", "input": {"messages": [{"role": "assistant", "content": [{"text": "x"}]}]}},
            "input.messages[0].role",
        ),
        ({"model": "wan2.7-image-pro", "input": {"messages": []}}, "input.messages"),
        ({"model": "wan2.7-image-pro", "input": {"messages": [{"role": "user", "content": [{"text": "a"}]}] * 2}}, "input.messages"),
        ({"model": "wan2.7-image-pro"}, "input"),
        ({"input": {"messages": [{"role": "user", "content": [{"text": "a"}]}]}}, "model"),
        ({**ds_body(), "parameters": {"size": None}}, "parameters.size"),
    ],
)
def test_dashscope_validation_names_the_parameter(imagegw_client: httpx.Client, body: dict, where: str) -> None:
    err = dashscope_error(ds(imagegw_client, body), 400)
    assert err["message"].startswith(where), err
