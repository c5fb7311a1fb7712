"""The sans-IO core without any server: requests built from the documents' own curl examples,
responses parsed from the documents' own example bodies, error mapping per shape, and the
retry/poll arithmetic. Document files are in ``../shared/gateway-docs/``.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from PIL import Image

from clients import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ChatRequest,
    ConfigurationError,
    ContentPolicyError,
    ContractViolation,
    ImageClient,
    ImageRequest,
    ImageResponse,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    PollPolicy,
    QuotaExceededError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TaskHandle,
    build_chat_request,
    build_request,
    parse_response,
    parse_task,
)
from clients.core import build_edit_request, default_base_url, encode_image, family_of
from clients.errors import error_from_dashscope, error_from_envelope, error_from_openai, error_from_response, parse_retry_after
from clients.types import EditRequest

KEY = "sk-core-test"


def png(w: int = 8, h: int = 6, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (10, 200, 30)).save(buf, fmt)
    return buf.getvalue()


def body(req: httpx.Request) -> dict:
    return json.loads(req.content)


# -- requests from the documents' curl examples --------------------------------------------------------


def test_powertokens_curl_example() -> None:
    # 004: curl --url https://api.powertokens.ai/v1/images/generations ... --data '{...}'
    req = build_request(
        "powertokens",
        ImageRequest(
            prompt="A cute corgi running on grass, sunny day, realistic style",
            model="seedream-4-5-251128",
            size="2048x2048",
            response_format="url",
        ),
        base_url=default_base_url("powertokens"),
        api_key=KEY,
    )
    assert str(req.url) == "https://api.powertokens.ai/v1/images/generations"
    assert req.method == "POST" and req.headers["authorization"] == f"Bearer {KEY}"
    assert req.headers["content-type"] == "application/json"
    assert body(req) == {
        "model": "seedream-4-5-251128",
        "prompt": "A cute corgi running on grass, sunny day, realistic style",
        "size": "2048x2048",
        "response_format": "url",
    }


@pytest.mark.parametrize(
    "model,extra,path,expected",
    [
        # 000 Seedream example (no model field in the body)
        (
            "seedream",
            {"size": "2048x2048"},
            "/v2/extend/image/seedream/generations",
            {"prompt": "a cat playing guitar on the moon", "size": "2048x2048"},
        ),
        # 000 Gemini example
        (
            "gemini-3.1-flash-image",
            {"size": "2K"},
            "/v2/extend/image/generations",
            {"model": "gemini-3.1-flash-image", "prompt": "a cat playing guitar on the moon", "size": "2K"},
        ),
        # 000 GPT-Image-2 example (prompt replaced below)
        (
            "gpt-image-2",
            {"size": "1024x1024", "quality": "medium"},
            "/v2/extend/image/gpt_image/generations",
            {"prompt": "a cat playing guitar on the moon", "size": "1024x1024", "quality": "medium"},
        ),
    ],
)
def test_piebox_curl_examples(model: str, extra: dict, path: str, expected: dict) -> None:
    size = extra.pop("size")
    req = build_request(
        "piebox",
        ImageRequest(prompt="a cat playing guitar on the moon", model=model, size=size, extra=extra),
        base_url=default_base_url("piebox"),
        api_key=KEY,
    )
    assert str(req.url) == "https://tokenhub.piegateway.me" + path
    assert req.headers["x-api-key"] == KEY and "authorization" not in req.headers  # 000: -H "X-API-Key: <your-api-key>"
    assert body(req) == expected


def test_tokenhub_flat_curl_example() -> None:
    # 001 "Text-to-image (generations)"
    req = build_request(
        "tokenhub",
        ImageRequest(prompt="一只橘猫在窗边,摄影风格", model="tokenhub/gpt-image-2", size="1024x1024", n=1),
        base_url="https://tokenhub.link",
        api_key=KEY,
    )
    assert str(req.url) == "https://tokenhub.link/v1/images/generations"
    assert body(req) == {"model": "tokenhub/gpt-image-2", "prompt": "一只橘猫在窗边,摄影风格", "size": "1024x1024", "n": 1}


def test_tokenhub_ark_curl_example() -> None:
    # 001 "Reference Links"
    req = build_request(
        "tokenhub",
        ImageRequest(prompt="日落下的城市天际线,电影感光影", model="ark/doubao-seedream-4-0-250828", size="1024x1024"),
        base_url="https://tokenhub.link",
        api_key=KEY,
    )
    assert body(req) == {"model": "ark/doubao-seedream-4-0-250828", "prompt": "日落下的城市天际线,电影感光影", "size": "1024x1024"}


def test_tokenhub_dashscope_passthrough_example() -> None:
    # 001 §2 "cURL Example (passthrough)"
    text = "A flower shop with elegant windows, a beautiful wooden door, and fresh flowers on display."
    req = build_request(
        "tokenhub",
        ImageRequest(
            prompt=text, model="wan2.6-t2i", size="1280*1280", n=1, extra={"prompt_extend": True, "watermark": False, "negative_prompt": ""}
        ),
        base_url="https://tokenhub.link",
        api_key=KEY,
    )
    assert body(req) == {
        "model": "wan2.6-t2i",
        "input": {"messages": [{"role": "user", "content": [{"text": text}]}]},
        "parameters": {"prompt_extend": True, "watermark": False, "n": 1, "negative_prompt": "", "size": "1280*1280"},
    }


def test_tokenhub_dashscope_image_editing_example() -> None:
    # 001 §4.2 "Image Editing": images first, then the text; size "2K"
    car = "https://help-static-aliyun-doc.aliyuncs.com/file-manage-files/zh-CN/20251229/pjeqdf/car.webp"
    paint = "https://help-static-aliyun-doc.aliyuncs.com/file-manage-files/zh-CN/20251229/xsunlm/paint.webp"
    text = "Apply the graffiti style from image 2 onto the car in image 1."
    req = build_request(
        "tokenhub",
        ImageRequest(prompt=text, model="wan2.7-image-pro", size="2K", n=1, images=(car, paint), extra={"watermark": False}),
        base_url="https://tokenhub.link",
        api_key=KEY,
    )
    assert body(req) == {
        "model": "wan2.7-image-pro",
        "input": {"messages": [{"role": "user", "content": [{"image": car}, {"image": paint}, {"text": text}]}]},
        "parameters": {"size": "2K", "n": 1, "watermark": False},
    }


def test_tokenhub_dashscope_sizes_use_a_star() -> None:
    req = build_request(
        "tokenhub", ImageRequest(prompt="x", model="wan2.6-t2i", size="1280x1280"), base_url="https://tokenhub.link", api_key=KEY
    )
    assert body(req)["parameters"]["size"] == "1280*1280"  # 001: "size": "1280*1280"


def test_tokenhub_chat_example() -> None:
    # 001 "Text-to-image (chat completions)"
    req = build_chat_request(
        "tokenhub",
        ChatRequest(model="tokenhub/gemini-3.1-flash-image-preview", messages=({"role": "user", "content": "画一只橘猫,摄影风格"},)),
        base_url="https://tokenhub.link",
        api_key=KEY,
    )
    assert str(req.url) == "https://tokenhub.link/v1/chat/completions"
    assert req.headers["x-tokenhub-region"] == "global"
    assert body(req) == {
        "model": "tokenhub/gemini-3.1-flash-image-preview",
        "messages": [{"role": "user", "content": "画一只橘猫,摄影风格"}],
    }


def test_tokenhub_gemini_generate_goes_to_chat() -> None:
    # 001: "These models use the Chat Completions API, not POST /v1/images/generations."
    req = build_request(
        "tokenhub",
        ImageRequest(prompt="画一只橘猫,摄影风格", model="tokenhub/gemini-3-pro-image-preview"),
        base_url="https://tokenhub.link",
        api_key=KEY,
    )
    assert req.url.path == "/v1/chat/completions" and req.headers["x-tokenhub-region"] == "global"
    assert body(req)["messages"] == [{"role": "user", "content": "画一只橘猫,摄影风格"}]


def test_tokenhub_edit_is_multipart() -> None:
    # 001 "Image edits": -F model, -F image=@..., -F prompt, -F n, -F size
    req = build_edit_request(
        "tokenhub",
        EditRequest(image=png(), model="tokenhub/gpt-image-2", prompt="给图中的主体加上一顶红色贝雷帽", n=1, size="1024x1024"),
        base_url="https://tokenhub.link",
        api_key=KEY,
    )
    assert req.url.path == "/v1/images/edits"
    assert req.headers["content-type"].startswith("multipart/form-data; boundary=")
    content = req.read()
    for field in (b'name="model"', b'name="prompt"', b'name="n"', b'name="size"', b'name="image"; filename="image.png"', b"image/png"):
        assert field in content


def test_gravitex_gpt_image_examples() -> None:
    # 002 GPT Image "Image-to-Image" (one image) and "Multi-Image Fusion" (images)
    one = build_request(
        "gravitex",
        ImageRequest(
            prompt="Change this image to oil painting style",
            model="gpt-image-2",
            size="1024x1024",
            n=1,
            images=("data:image/png;base64,iVBORw0KGgoAAxxxx...",),
            extra={"quality": "high", "input_fidelity": "medium"},
        ),
        base_url=default_base_url("gravitex"),
        api_key=KEY,
    )
    assert body(one) == {
        "model": "gpt-image-2",
        "prompt": "Change this image to oil painting style",
        "size": "1024x1024",
        "quality": "high",
        "input_fidelity": "medium",
        "n": 1,
        "image": "data:image/png;base64,iVBORw0KGgoAAxxxx...",
    }
    two = build_request(
        "gravitex",
        ImageRequest(prompt="p", model="gpt-image-2", n=2, images=("data:a", "data:b")),
        base_url=default_base_url("gravitex"),
        api_key=KEY,
    )
    assert body(two)["images"] == ["data:a", "data:b"] and "image" not in body(two)


def test_gravitex_seedream_sequential_example() -> None:
    # 002 "Sequential Image Generation": n is sent as sequential_image_generation + max_images
    req = build_request(
        "gravitex",
        ImageRequest(
            prompt="A cute orange kitten sitting in a garden, sunny day, high quality photography",
            model="doubao-seedream-4-0-250828",
            size="2048x2048",
            n=4,
            extra={"watermark": False, "optimize_prompt_options": {"mode": "standard"}},
        ),
        base_url="https://api.gravitex.ai",
        api_key=KEY,
    )
    assert body(req) == {
        "model": "doubao-seedream-4-0-250828",
        "prompt": "A cute orange kitten sitting in a garden, sunny day, high quality photography",
        "size": "2048x2048",
        "watermark": False,
        "sequential_image_generation": "auto",
        "sequential_image_generation_options": {"max_images": 4},
        "optimize_prompt_options": {"mode": "standard"},
    }


def test_gravitex_seedream_image_to_image_example() -> None:
    # 002 Seedream "Image-to-Image": prompt plus one user turn, image part first
    ref = "data:image/png;base64,iVBORw0KGgoAAxxxx..."
    req = build_request(
        "gravitex",
        ImageRequest(
            prompt="Change this image to oil painting style",
            model="doubao-seedream-4-0-250828",
            size="2048x2048",
            images=(ref,),
            extra={"watermark": False, "seed": 12345},
        ),
        base_url="https://api.gravitex.ai",
        api_key=KEY,
    )
    assert body(req) == {
        "model": "doubao-seedream-4-0-250828",
        "prompt": "Change this image to oil painting style",
        "size": "2048x2048",
        "watermark": False,
        "seed": 12345,
        "contents": [{"role": "user", "parts": [{"image": ref}, {"text": "Change this image to oil painting style"}]}],
    }


def test_gravitex_gemini_image_to_image_example() -> None:
    # 002 Gemini "Image-to-Image": the text travels in contents, no top-level prompt
    ref = "data:image/png;base64,iVBORw0KGgoAAxxxx..."
    text = "Generate an aerial view of Canton Tower based on this image"
    req = build_request(
        "gravitex",
        ImageRequest(
            prompt=text,
            model="gemini-2.5-flash-image",
            size="16:9",
            response_format="b64_json",
            images=(ref,),
            extra={"quality": "high", "image_size": "3K", "temperature": 1.1, "top_p": 0.95},
        ),
        base_url="https://api.gravitex.ai",
        api_key=KEY,
    )
    assert body(req) == {
        "model": "gemini-2.5-flash-image",
        "size": "16:9",
        "quality": "high",
        "image_size": "3K",
        "temperature": 1.1,
        "top_p": 0.95,
        "response_format": "b64_json",
        "contents": [{"role": "user", "parts": [{"text": text}, {"image": ref}]}],
    }


def test_gravitex_qwen_edit_example() -> None:
    # 002 Tongyi Qianwen "Image Editing"
    img = "https://help-static-aliyun-doc.aliyuncs.com/file-manage-files/zh-CN/20250925/fpakfo/image36.webp"
    text = "Generate an image that matches the depth map."
    req = build_request(
        "gravitex",
        ImageRequest(
            prompt=text,
            model="qwen-image-edit-plus",
            size="2048*2048",
            n=2,
            images=(img,),
            extra={"negative_prompt": "low quality", "watermark": True, "seed": 1},
        ),
        base_url="https://api.gravitex.ai",
        api_key=KEY,
    )
    assert body(req) == {
        "model": "qwen-image-edit-plus",
        "input": {"messages": [{"role": "user", "content": [{"image": img}, {"text": text}]}]},
        "parameters": {"n": 2, "negative_prompt": "low quality", "watermark": True, "size": "2048*2048", "seed": 1},
    }


def test_bytes_become_data_urls() -> None:
    data = png(fmt="JPEG")
    url = encode_image(data)
    assert url.startswith("data:image/jpeg;base64,") and base64.b64decode(url.split(",", 1)[1]) == data


def test_families() -> None:
    assert [
        family_of(m)
        for m in (
            "tokenhub/gemini-3-pro-image-preview",
            "gpt-image-1-mini",
            "ark/doubao-seedream-4-0-250828",
            "doubao-seededit-3-0-i2i-250628",
            "wan2.6-t2i",
            "qwen-image-plus",
            "seedream",
            "dall-e-3",
        )
    ] == ["gemini", "gpt_image", "seedream", "seedream", "qwen", "qwen", "seedream", "unknown"]


# -- configuration errors (no request sent) -----------------------------------------------------------


def test_image_series_needs_a_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMAGEGW_IMAGESERIES_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="names no host"):
        ImageClient("imageseries", api_key=KEY)  # 003 names no host


def test_documented_hosts_are_the_default() -> None:
    assert ImageClient("tokenhub", api_key=KEY).base_url == "https://tokenhub.link"  # 001 "Base URL"
    assert ImageClient("gravitex", api_key=KEY).base_url == "https://api.gravitex.ai"


def test_key_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGEGW_POWERTOKENS_API_KEY", "sk-from-env")
    monkeypatch.setenv("IMAGEGW_POWERTOKENS_BASE_URL", "http://127.0.0.1:8000/powertokens")
    client = ImageClient("powertokens")
    assert client.base_url == "http://127.0.0.1:8000/powertokens" and client._s.key.get() == "sk-from-env"
    monkeypatch.delenv("IMAGEGW_POWERTOKENS_API_KEY")
    with pytest.raises(ConfigurationError, match="IMAGEGW_POWERTOKENS_API_KEY"):
        ImageClient("powertokens")


@pytest.mark.parametrize(
    "call",
    [
        lambda: ImageClient("nope", api_key=KEY),
        lambda: ImageClient("gravitex", api_key=KEY).edit(image=png()),
        lambda: ImageClient("powertokens", api_key=KEY).chat(model="m", prompt="p"),
        lambda: ImageClient("tokenhub", api_key=KEY).create_task(prompt="p", model="tokenhub/gpt-image-2"),
        lambda: ImageClient("piebox", api_key=KEY).generate(prompt="p", model="seedream", n=2),  # 000 Seedream has no n
        lambda: ImageClient("tokenhub", api_key=KEY).generate(prompt="p", model="tokenhub/gemini-3-pro-image-preview", size="1K"),
        lambda: ImageClient("tokenhub", api_key=KEY, base_url="ftp://x"),
    ],
)
def test_misuse_is_a_configuration_error(call: Callable[[], object]) -> None:
    with pytest.raises(ConfigurationError):
        call()


# -- responses from the documents' example bodies ---------------------------------------------------------


def response(status: int, payload: object, *, headers: dict | None = None, request: httpx.Request | None = None) -> httpx.Response:
    content = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return httpx.Response(status, content=content, headers={"content-type": "application/json", **(headers or {})}, request=request)


def test_powertokens_response_with_a_per_item_error() -> None:
    # 004 Response: data[] items {url, b64_json, size, error{code,message}}
    b64 = base64.b64encode(png(16, 9)).decode()
    r = parse_response(
        "powertokens",
        response(
            200,
            {
                "created": 123,
                "data": [
                    {"b64_json": b64, "size": "16x9"},
                    {"error": {"code": "OutputImageSensitiveContentDetected", "message": "blocked"}},
                    {"url": "https://example.invalid/a.jpeg", "size": "2048x2048"},
                ],
                "metadata": {},
            },
        ),
    )
    assert isinstance(r, ImageResponse) and len(r.images) == 3
    assert r.images[0].size == (16, 9) and r.images[0].mime_type == "image/png" and r.images[0].url is None
    assert r.images[1].error is not None and r.images[1].error.code == "OutputImageSensitiveContentDetected"
    assert r.images[2].url == "https://example.invalid/a.jpeg" and not r.images[2].data  # downloaded by the shell


def test_tokenhub_flat_response() -> None:
    # 001: {"data": [{"b64_json": "..."}], "usage": {...}}
    b64 = base64.b64encode(png()).decode()
    r = parse_response(
        "tokenhub",
        response(200, {"data": [{"b64_json": b64}], "usage": {"input_tokens": 22, "output_tokens": 0}}, headers={"x-request-id": "rid-1"}),
    )
    assert isinstance(r, ImageResponse) and r.images[0].data == base64.b64decode(b64) and r.request_id == "rid-1"


def test_tokenhub_dashscope_response_example() -> None:
    # 001 §2 response example; the request id comes from the body
    example = {
        "output": {
            "choices": [
                {
                    "finish_reason": "stop",
                    "message": {
                        "content": [{"image": "https://dashscope-xxxx.oss-accelerate.aliyuncs.com/...png", "type": "image"}],
                        "role": "assistant",
                    },
                }
            ],
            "finished": True,
        },
        "usage": {"image_count": 1, "input_tokens": 0, "output_tokens": 0, "size": "1280*1280", "total_tokens": 0},
        "request_id": "815505c6-7c3d-49d7-b197-xxxxx",
    }
    r = parse_response("tokenhub", response(200, example))
    assert isinstance(r, ImageResponse)
    assert [im.url for im in r.images] == ["https://dashscope-xxxx.oss-accelerate.aliyuncs.com/...png"]
    assert r.request_id == "815505c6-7c3d-49d7-b197-xxxxx"


def test_tokenhub_chat_markdown_data_url() -> None:
    # 001: "The image is in choices[0].message.content as ![image](data:image/png;base64,...)"
    data = png(12, 10)
    content = f"![image](data:image/png;base64,{base64.b64encode(data).decode()})"
    example = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1782907654,
        "model": "gemini-3.1-flash-image-preview",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"completion_tokens_details": {"text_tokens": 0, "image_tokens": 1120}},
    }
    r = parse_response("tokenhub", response(200, example))
    assert isinstance(r, ImageResponse) and len(r.images) == 1
    assert r.images[0].data == data and r.images[0].size == (12, 10) and r.text is None
    assert r.model == "gemini-3.1-flash-image-preview"


def test_tokenhub_chat_text_answer() -> None:
    # 001 "Text-only (same endpoint)": "2+2等于几?只回答数字"
    r = parse_response("tokenhub", response(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": "4"}}]}))
    assert isinstance(r, ImageResponse) and r.images == [] and r.text == "4"


def test_envelope_response_example() -> None:
    # 002 "Response Format": {"code": 200, "msg": "Success", "data": {"data": [{url:"", b64_json, revised_prompt:""}], "created"}}
    b64 = base64.b64encode(png()).decode()
    r = parse_response(
        "gravitex",
        response(
            200,
            {"code": 200, "msg": "Success", "data": {"data": [{"url": "", "b64_json": b64, "revised_prompt": ""}], "created": 1757320007}},
        ),
    )
    assert isinstance(r, ImageResponse) and r.images[0].ok and r.images[0].url is None and r.images[0].revised_prompt is None


def test_envelope_error_inside_a_200() -> None:
    with pytest.raises(InvalidRequestError):
        parse_response("imageseries", response(200, {"code": 400, "msg": "size: bad", "data": None}))


def test_piebox_create_and_task_examples() -> None:
    # 000: create answers {"task_id": "img_gen_xxx", "model": "novita_seedream/seedream-5.0-lite"}
    req = httpx.Request("POST", "https://tokenhub.piegateway.me/v2/extend/image/seedream/generations")
    handle = parse_response("piebox", response(200, {"task_id": "img_gen_xxx", "model": "novita_seedream/seedream-5.0-lite"}, request=req))
    assert handle == TaskHandle("piebox", "img_gen_xxx", "novita_seedream/seedream-5.0-lite", "/v2/extend/image/seedream/tasks/img_gen_xxx")
    # 000 "Response Example"
    status = parse_task(
        "piebox",
        response(
            200,
            {
                "task_id": "img_gen_xxx",
                "status": "succeeded",
                "model": "novita_seedream/seedream-5.0-lite",
                "result": {"images": [{"url": "https://..."}]},
            },
        ),
    )
    assert status.state == "succeeded" and status.urls == ("https://...",) and status.terminal


@pytest.mark.parametrize(
    "payload",
    [
        {"task_id": "t", "status": "done"},  # not one of the four documented states
        {"task_id": "t", "status": "succeeded"},  # succeeded without result.images
    ],
)
def test_task_answers_outside_the_document_are_violations(payload: dict) -> None:
    with pytest.raises(ContractViolation):
        parse_task("piebox", response(200, payload))


@pytest.mark.parametrize("payload", [b"<html>ok</html>", [1, 2], {"unexpected": True}, {"data": "nope"}])
def test_success_answers_without_the_documented_shape_are_violations(payload: object) -> None:
    with pytest.raises(ContractViolation) as info:
        parse_response("powertokens", response(200, payload))
    assert info.value.findings and info.value.status_code == 200


def test_undecodable_b64_is_an_item_error() -> None:
    r = parse_response("tokenhub", response(200, {"data": [{"b64_json": base64.b64encode(b"not an image").decode()}, {"b64_json": "%%%"}]}))
    assert isinstance(r, ImageResponse) and [im.error.code for im in r.images if im.error] == ["undecodable_image"] * 2


# -- error mapping, one function per shape ----------------------------------------------------------------


def openai(code: str | None, type_: str = "invalid_request_error", param: str | None = None) -> dict:
    return {"error": {"message": "m", "type": type_, "param": param, "code": code}}


@pytest.mark.parametrize(
    "status,payload,expected",
    [
        (400, openai("invalid_size", param="size"), InvalidRequestError),
        (400, openai("moderation_blocked"), ContentPolicyError),  # upstream OpenAI gpt-image
        (400, openai("InputTextSensitiveContentDetected"), ContentPolicyError),  # upstream Ark
        (401, openai("invalid_api_key", "authentication_error"), AuthenticationError),
        (403, openai("forbidden", "permission_error"), PermissionDeniedError),
        (404, openai("task_not_found", "not_found_error"), NotFoundError),
        (410, openai("url_expired"), NotFoundError),
        (413, openai("request_too_large"), InvalidRequestError),
        (415, openai("unsupported_media_type"), InvalidRequestError),
        (422, openai("unprocessable"), InvalidRequestError),
        (429, openai("rate_limit_exceeded", "rate_limit_error"), RateLimitError),
        (429, openai("insufficient_quota", "insufficient_quota"), QuotaExceededError),  # upstream OpenAI
        (500, openai("internal_error", "server_error"), ServerError),
        (503, openai("service_unavailable", "server_error"), ServerError),
        (409, openai("conflict", "conflict_error"), APIStatusError),
    ],
)
def test_openai_shape(status: int, payload: dict, expected: type) -> None:
    err = error_from_openai(status, payload, {"X-Request-Id": "r1", "Retry-After": "3"})
    assert type(err) is expected and err.status_code == status and err.request_id == "r1"
    assert err.code == payload["error"]["code"] and err.param == payload["error"]["param"]
    if isinstance(err, RateLimitError):
        assert err.retry_after == 3.0


@pytest.mark.parametrize(
    "status,code,expected",
    [
        (400, "InvalidParameter", InvalidRequestError),
        (400, "DataInspectionFailed", ContentPolicyError),  # upstream DashScope moderation
        (401, "InvalidApiKey", AuthenticationError),
        (429, "Throttling", RateLimitError),
        (429, "Arrearage", QuotaExceededError),  # upstream DashScope: account in arrears
        (500, "InternalError", ServerError),
    ],
)
def test_dashscope_shape(status: int, code: str, expected: type) -> None:
    err = error_from_dashscope(status, {"code": code, "message": "m", "request_id": "body-rid"}, {})
    assert type(err) is expected and err.code == code and err.request_id == "body-rid"


@pytest.mark.parametrize(
    "status,msg,headers,expected",
    [
        (400, "size: '3000x3000' is not supported", {}, InvalidRequestError),
        (400, "The request was rejected by the content safety system: ... sensitive content", {}, ContentPolicyError),
        (401, "Missing credentials", {}, AuthenticationError),
        (404, "Unknown route", {}, NotFoundError),
        (429, "Rate limit reached for requests", {"Retry-After": "2"}, RateLimitError),
        (429, "You exceeded your current quota", {}, QuotaExceededError),
        (503, "overloaded", {}, ServerError),
    ],
)
def test_envelope_shape(status: int, msg: str, headers: dict, expected: type) -> None:
    err = error_from_envelope(status, {"code": status, "msg": msg, "data": None}, headers)
    assert type(err) is expected and err.message == msg and err.code is None


def test_shape_is_recognised_from_the_body() -> None:
    assert type(error_from_response(429, json.dumps(openai("insufficient_quota")).encode(), {})) is QuotaExceededError
    assert type(error_from_response(429, b'{"code":"Arrearage","message":"m","request_id":"x"}', {})) is QuotaExceededError
    assert type(error_from_response(429, b'{"code":429,"msg":"You exceeded your current quota","data":null}', {})) is QuotaExceededError
    html = error_from_response(502, b"<html>Bad gateway</html>", {})
    assert type(html) is ServerError and "Bad gateway" in html.message


def test_retry_after_forms() -> None:
    assert parse_retry_after({"Retry-After": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250", "Retry-After": "9"}) == 0.25
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 <= (parse_retry_after({"Retry-After": format_datetime(later, usegmt=True)}) or 0) <= 30
    assert parse_retry_after({"Retry-After": "soon"}) is None and parse_retry_after({}) is None
    assert parse_retry_after({"Retry-After": "-5"}) is None


# -- retry and poll policies ---------------------------------------------------------------------------


def test_retry_decisions() -> None:
    p = RetryPolicy(max_retries=2)

    def status_error(cls: type, status: int) -> APIStatusError:
        return cls("m", status_code=status)

    assert p.should_retry(status_error(RateLimitError, 429), 0)
    assert p.should_retry(status_error(ServerError, 503), 1)
    assert not p.should_retry(status_error(ServerError, 503), 2)  # bounded
    assert not p.should_retry(status_error(QuotaExceededError, 429), 0)  # never quota
    assert not p.should_retry(status_error(InvalidRequestError, 400), 0)
    assert p.should_retry(status_error(APIStatusError, 408), 0) and p.should_retry(status_error(APIStatusError, 409), 0)
    assert p.should_retry(APIConnectionError("down"), 0)
    assert not RetryPolicy(retry_connection_errors=False).should_retry(APIConnectionError("down"), 0)


def test_backoff_is_exponential_capped_jittered_and_seedable() -> None:
    delays = [RetryPolicy(initial_delay=1, multiplier=2, max_delay=5, jitter=0.5, seed=3).backoff(i) for i in range(6)]
    again = [RetryPolicy(initial_delay=1, multiplier=2, max_delay=5, jitter=0.5, seed=3).backoff(i) for i in range(6)]
    assert delays == again
    for i, d in enumerate(delays):
        base = min(5, 2**i)
        assert base * 0.5 <= d <= base
    assert RetryPolicy(jitter=0, initial_delay=1, multiplier=3, max_delay=100).backoff(2) == 9


def test_server_retry_after_wins_and_is_capped() -> None:
    p = RetryPolicy(max_retry_after=10)
    assert p.delay(RateLimitError("m", status_code=429, retry_after=4), 0) == 4
    assert p.delay(RateLimitError("m", status_code=429, retry_after=400), 0) == 10


def test_poll_intervals() -> None:
    p = PollPolicy(initial_interval=1, multiplier=2, max_interval=5)
    assert [p.interval(i) for i in range(5)] == [1, 2, 4, 5, 5]
    with pytest.raises(ValueError):
        PollPolicy(multiplier=0.5)


def test_each_registry_gateway_has_its_client_module_and_no_other() -> None:
    """``clients/gateways/`` mirrors ``mock_server/gateways/``: one module per registry id (plus the
    shared ``base`` and ``unified``), each building its own gateway's requests."""
    from pathlib import Path

    import clients.gateways
    from contracts.registry import GATEWAY_IDS

    folder = Path(clients.gateways.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "base", "unified"}
    assert modules == set(GATEWAY_IDS)
    for gid in GATEWAY_IDS:
        req = clients.gateways.load(gid)(ImageRequest(prompt="p", model="seedream-4-0-250828"), base_url="http://h", api_key="k")
        assert req.method == "POST" and req.url.host == "h"
    with pytest.raises(ConfigurationError, match="unknown gateway 'dalle'"):
        clients.gateways.load("dalle")


def test_each_registry_gateway_reads_its_own_answers() -> None:
    """Every registry id has its module's ``parse_answer``, which knows only that gateway's shapes:
    a body of none of them is a violation naming the gateway (002's answers come in the envelope,
    so a flat ``data[]`` is not one of Gravitex's)."""
    import clients.gateways
    from contracts.registry import GATEWAY_IDS

    for gid in GATEWAY_IDS:
        assert callable(clients.gateways.parser(gid))
        with pytest.raises(ContractViolation) as info:
            parse_response(gid, response(200, {"unexpected": True}))
        assert info.value.gateway == gid
        assert [f.location for f in info.value.findings] == ["/task_id" if gid == "piebox" else ""]
    with pytest.raises(ContractViolation, match="envelope"):
        parse_response("gravitex", response(200, {"data": [{"url": "https://example.invalid/a.png"}]}))
    assert [gid for gid in GATEWAY_IDS if clients.gateways.has_tasks(gid)] == ["piebox"]
