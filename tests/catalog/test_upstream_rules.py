"""Where the gateway documents are silent, the upstream model's own rules hold — the same on every
gateway that serves the model. One test per rule the mock used to get wrong, each citing the
vendor's words (URLs and repository paths as in ``mock_server/catalog/provenance.py``).

Expected values come from the vendors' documents, never from the mock's own output.
"""

from __future__ import annotations

import base64
import io
from urllib.parse import urlsplit

import httpx
import pytest
from catalog_requests import KEY, Req, png_data_url, request, served
from mock_apps import build_app
from PIL import Image

from mock_server import Settings
from mock_server.testing import SyncASGITransport

MODELS = {(m.gateway, m.name): m for m in served()}


@pytest.fixture(scope="module")
def client() -> httpx.Client:
    app = build_app(Settings(raise_server_exceptions=True))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1") as c:
        yield c


def send(client: httpx.Client, gateway: str, req: Req, **body: object) -> httpx.Response:
    return client.request(req.method, f"/{gateway}{req.path}", headers=req.headers, json={**req.body, **body})


def post(
    client: httpx.Client,
    gateway: str,
    model: str,
    *,
    body: dict | None = None,
    prompt: str = "a red apple",
    size: str | None = None,
    images: int = 0,
) -> httpx.Response:
    req = request(MODELS[(gateway, model)], prompt=prompt, size=size, images=images)
    return send(client, gateway, req, **(body or {}))


def error_param(r: httpx.Response) -> str | None:
    """The parameter an error names, in any of the three error shapes (envelope: in ``msg``)."""
    body = r.json()
    if "error" in body:
        return body["error"]["param"]
    return (body.get("message") or body.get("msg") or "").split(":")[0]


def image_bytes(client: httpx.Client, item: dict) -> bytes:
    if item.get("b64_json"):
        return base64.b64decode(item["b64_json"])
    return client.get(urlsplit(item["url"]).path).content


def image_format(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as img:
        return img.format or ""


# -- gpt-image: 32,000 characters on every gateway ----------------------------------------------------------

GPT = [(g, n) for (g, n), m in MODELS.items() if m.family == "gpt_image"]


@pytest.mark.parametrize("gateway,model", GPT)
def test_gpt_image_prompt_cap_is_32000_on_every_gateway(client: httpx.Client, gateway: str, model: str) -> None:
    # OpenAI (openai-python image_generate_params.py): "The maximum length is 32000 characters for the GPT image
    # models" — Gravitex and Image Series accepted 40,000 characters before
    assert post(client, gateway, model, prompt="a" * 32_000).status_code == 200
    r = post(client, gateway, model, prompt="a" * 32_001)
    assert r.status_code == 400 and error_param(r) == "prompt", r.text


def test_gpt_image_prompt_cap_on_tokenhub_edits(client: httpx.Client) -> None:
    # the same cap on the OpenAI-compatible edits route (openai-python image_edit_params.py: "32000 characters
    # for the GPT image models")
    png = base64.b64decode(png_data_url(64, 64).split(",", 1)[1])
    for n, status in ((32_000, 200), (32_001, 400)):
        r = client.post(
            "/tokenhub/v1/images/edits",
            headers={"Authorization": f"Bearer {KEY}"},
            data={"prompt": "a" * n},
            files={"image": ("i.png", png, "image/png")},
        )
        assert r.status_code == status, r.text


# -- TokenHub's OpenAI-compatible routes are as open as OpenAI ---------------------------------------------


def test_tokenhub_generations_take_openais_parameters_and_null(client: httpx.Client) -> None:
    # OpenAI CreateImageRequest: quality, background, output_compression, moderation, user, output_format;
    # every optional field nullable (openai/openai-openapi); gpt-image-2 custom sizes ("1536x864")
    r = post(
        client,
        "tokenhub",
        "tokenhub/gpt-image-2",
        size="1536x864",
        body={
            "quality": "high",
            "background": "opaque",
            "output_compression": 80,
            "moderation": "low",
            "user": "u-1",
            "output_format": "webp",
            "n": None,
            "partial_images": None,
            "stream": None,
            "response_format": "b64_json",
        },
    )
    assert r.status_code == 200, r.text
    data = base64.b64decode(r.json()["data"][0]["b64_json"])
    assert image_format(data) == "WEBP"
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (1536, 864)
    # a parameter OpenAI does not know is answered as OpenAI does: "Unknown parameter: 'style_preset'."
    r = post(client, "tokenhub", "tokenhub/gpt-image-2", body={"style_preset": "anime"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_parameter"
    assert r.json()["error"]["message"] == "Unknown parameter: 'style_preset'."


@pytest.mark.parametrize(
    "size,ok",
    [
        # openai-python: "Width and height must both be divisible by 16 and the requested aspect ratio must be between
        # 1:3 and 3:1 ... the maximum supported resolution is 3840x2160"; guide: 655,360..8,294,400 pixels
        ("3840x2160", True),
        ("2160x3840", True),
        ("2048x1152", True),
        ("1024x640", True),
        ("3840x1280", True),
        ("3840x1264", False),
        ("3840x2176", False),
        ("1024x624", False),
        ("1000x1000", False),
        ("4096x1536", False),
    ],
)
def test_gpt_image_2_custom_sizes_where_a_document_says_eg(client: httpx.Client, size: str, ok: bool) -> None:
    for gateway, model in (("tokenhub", "tokenhub/gpt-image-2"), ("piebox", "gpt-image-2")):
        r = post(client, gateway, model, size=size)
        assert (r.status_code == 200) is ok, (gateway, r.text)
    # Gravitex's list is closed ("1024x1024, 1024x1536, 1536x1024. Default: 1024x1024"): no custom sizes there
    assert post(client, "gravitex", "gpt-image-2", size=size).status_code == 400


# -- PowerTokens Seedream (BytePlus ModelArk) -------------------------------------------------------------


def test_powertokens_max_images_defaults_to_15(client: httpx.Client) -> None:
    # Ark: "max_images integer Default: 15 ... Value range: [1, 15]"
    r = post(client, "powertokens", "seedream-4-0-250828", size="1K", body={"sequential_image_generation": "auto"})
    assert r.status_code == 200 and len(r.json()["data"]) == 15


def test_powertokens_reference_images_cap_the_output_count(client: httpx.Client) -> None:
    # Ark: "The actual number of generated images is determined jointly by max_images and the number of input
    # reference images. Number of input reference images + Number of generated images ≤ 15." — a cap, not a refusal
    r = post(
        client,
        "powertokens",
        "seedream-4-0-250828",
        size="1K",
        images=3,
        body={"sequential_image_generation": "auto", "sequential_image_generation_options": {"max_images": 15}},
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["data"]) == 12
    r = post(
        client,
        "powertokens",
        "seedream-4-0-250828",
        size="1K",
        images=14,
        body={"sequential_image_generation": "auto", "sequential_image_generation_options": {"max_images": 5}},
    )
    assert r.status_code == 200 and len(r.json()["data"]) == 1


@pytest.mark.parametrize("response_format", ["url", "b64_json"])
def test_powertokens_output_is_jpeg_by_default(client: httpx.Client, response_format: str) -> None:
    # Ark: "The generated image is in JPEG and can be returned in the following two ways"; output_format
    # "Default: jpeg"
    for model in ("seedream-4-0-250828", "seedream-4-5-251128", "seedream-5-0-260128"):
        r = post(client, "powertokens", model, size="2048x2048", body={"response_format": response_format})
        assert r.status_code == 200, r.text
        assert image_format(image_bytes(client, r.json()["data"][0])) == "JPEG", model


def test_powertokens_seedream_5_honours_output_format(client: httpx.Client) -> None:
    # Ark: "output_format string Default: jpeg > Only seedream-5-0-lite supports this parameter." (png | jpeg)
    r = post(client, "powertokens", "seedream-5-0-260128", size="2K", body={"output_format": "png", "response_format": "b64_json"})
    assert r.status_code == 200 and image_format(image_bytes(client, r.json()["data"][0])) == "PNG"
    r = post(client, "powertokens", "seedream-5-0-260128", size="2K", body={"output_format": "gif"})
    assert r.status_code == 400 and error_param(r) == "output_format"


# -- Seedream custom sizes wherever a document's list ends in "etc." ---------------------------------------


@pytest.mark.parametrize(
    "model,size,ok",
    [
        # Ark: 4.0 "Total pixels range: [1280x720 (921600), 4096x4096 (16777216)] ... Aspect ratio range: [1/16, 16]"
        ("doubao-seedream-4-0-250828", "960x960", True),
        ("doubao-seedream-4-0-250828", "1920x1920", True),
        ("doubao-seedream-4-0-250828", "1K", True),
        ("doubao-seedream-4-0-250828", "959x960", False),
        ("doubao-seedream-4-0-250828", "4080x240", False),
        # 4.5 "[2560x1440 (3686400), 4096x4096 (16777216)]"
        ("doubao-seedream-4-5-251128", "2560x1440", True),
        ("doubao-seedream-4-5-251128", "3750x1250", True),
        ("doubao-seedream-4-5-251128", "1500x1500", False),
        # 3.0 "The value range of total pixels: [512x512, 2048x2048]"
        ("doubao-seedream-3-0-t2i-250415", "2048x2048", True),
        ("doubao-seedream-3-0-t2i-250415", "600x600", True),
        ("doubao-seedream-3-0-t2i-250415", "500x500", False),
    ],
)
def test_image_series_seedream_takes_arks_custom_sizes(client: httpx.Client, model: str, size: str, ok: bool) -> None:
    # 003: "doubao-seedream-4.0/4.5: 2048x2048,2304x1728, etc." — an "etc." list closes nothing
    r = post(client, "imageseries", model, size=size)
    assert (r.status_code == 200) is ok, r.text


def test_seedream_4_0_sizes_agree_on_every_gateway_without_a_closed_list(client: httpx.Client) -> None:
    # the same model behaves the same where no document says otherwise: TokenHub (001: only an example size),
    # PowerTokens (004 states Ark's own range) and Image Series ("etc.")
    for size, ok in (("960x960", True), ("3840x240", True), ("959x960", False), ("4080x240", False)):
        for gateway, model in (
            ("tokenhub", "ark/doubao-seedream-4-0-250828"),
            ("powertokens", "seedream-4-0-250828"),
            ("imageseries", "doubao-seedream-4-0-250828"),
        ):
            assert (post(client, gateway, model, size=size).status_code == 200) is ok, (gateway, size)


# -- Gemini ---------------------------------------------------------------------------------------------------


def test_gemini_3_pro_image_has_no_half_k_size(client: httpx.Client) -> None:
    # Google, Gemini 3 Pro Image: "Supported resolutions: 1K, 2K, 4K"; 0.5K (512 px) is Gemini 3.1 Flash Image's
    # ("747 tokens for 512p")
    for tier in ("1K", "2K", "4K"):
        assert post(client, "piebox", "gemini-3-pro-image", size=tier).status_code == 200
    r = post(client, "piebox", "gemini-3-pro-image", size="0.5K")
    assert r.status_code == 400 and error_param(r) == "size"
    assert post(client, "piebox", "gemini-3.1-flash-image", size="0.5K").status_code == 200


def test_gemini_output_tokens_at_most_32768(client: httpx.Client) -> None:
    # Google, all three image models: "Maximum output tokens: 32,768"
    for model in ("tokenhub/gemini-3.1-flash-image-preview", "tokenhub/gemini-3-pro-image-preview"):
        assert post(client, "tokenhub", model, body={"max_tokens": 32_768}).status_code == 200
        r = post(client, "tokenhub", model, body={"max_tokens": 32_769})
        assert r.status_code == 400 and error_param(r) == "max_tokens"


def _gif_data_url() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "GIF")
    return "data:image/gif;base64," + base64.b64encode(buf.getvalue()).decode()


def test_gemini_takes_only_its_input_formats(client: httpx.Client) -> None:
    # Google, Gemini 3 Pro / 3.1 Flash Image: "Supported MIME types: image/png, image/jpeg, image/webp, image/heic,
    # image/heif" — a GIF is refused on TokenHub's chat route (it was accepted before)
    model = "tokenhub/gemini-3-pro-image-preview"
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64

    def chat(url: str) -> httpx.Response:
        content = [{"type": "text", "text": "画一只猫"}, {"type": "image_url", "image_url": {"url": url}}]
        return post(client, "tokenhub", model, body={"messages": [{"role": "user", "content": content}]})

    assert chat(png_data_url()).status_code == 200
    assert chat("data:image/heic;base64," + base64.b64encode(heic).decode()).status_code == 200
    r = chat(_gif_data_url())
    assert r.status_code == 400 and "image_url" in error_param(r), r.text


# -- qwen-image: DashScope truncates; one text item ---------------------------------------------------------

QWEN = [("gravitex", "qwen-image-plus"), ("imageseries", "qwen-image-plus"), ("tokenhub", "qwen-image-plus"), ("tokenhub", "qwen-image")]


def _image_of(client: httpx.Client, r: httpx.Response) -> bytes:
    body = r.json()
    if "output" in body:
        return image_bytes(client, {"url": body["output"]["choices"][0]["message"]["content"][0]["image"]})
    return image_bytes(client, body["data"]["data"][0])


@pytest.mark.parametrize("gateway,model", QWEN)
def test_qwen_image_truncates_an_over_long_prompt(client: httpx.Client, gateway: str, model: str) -> None:
    # DashScope qwen-image-api: "其他模型为 800 Token，超出部分将自动截断" (older editions: 800 characters) — a
    # longer prompt is accepted and the image follows its first 800 characters (it was refused past 2,000 on TokenHub)
    head = "猫" * 800
    a = post(client, gateway, model, prompt=head + "A" * 1200)
    b = post(client, gateway, model, prompt=head + "B" * 1200)
    c = post(client, gateway, model, prompt="狗" * 800)
    assert a.status_code == b.status_code == c.status_code == 200, a.text
    assert _image_of(client, a) == _image_of(client, b) != _image_of(client, c)
    # refused only past the catalog's 32,000-character bound
    assert post(client, gateway, model, prompt="x" * 32_001).status_code == 400


@pytest.mark.parametrize("gateway,model", QWEN)
def test_qwen_image_truncates_an_over_long_negative_prompt(client: httpx.Client, gateway: str, model: str) -> None:
    # DashScope: negative_prompt "长度不超过500个字符，超出部分将自动截断"
    req = request(MODELS[(gateway, model)])
    body = dict(req.body)
    body["parameters"] = {**body.get("parameters", {}), "negative_prompt": "x" * 2000}
    assert client.post(f"/{gateway}{req.path}", headers=req.headers, json=body).status_code == 200
    body["parameters"]["negative_prompt"] = "x" * 32_001
    assert client.post(f"/{gateway}{req.path}", headers=req.headers, json=body).status_code == 400


@pytest.mark.parametrize("gateway,model", QWEN + [("tokenhub", "wan2.6-t2i")])
def test_dashscope_takes_exactly_one_text_item(client: httpx.Client, gateway: str, model: str) -> None:
    # DashScope (qwen-image-api, text-to-image-v2): "仅支持传入一个text，不传或传入多个将报错" — on TokenHub too
    req = request(MODELS[(gateway, model)])
    body = dict(req.body)
    body["input"] = {"messages": [{"role": "user", "content": [{"text": "a cat"}, {"text": "a dog"}]}]}
    r = client.post(f"/{gateway}{req.path}", headers=req.headers, json=body)
    assert r.status_code == 400 and "input.messages[0].content" in r.text


# -- no model accepts a prompt of megabytes -----------------------------------------------------------------

ALL = sorted(MODELS)


@pytest.mark.parametrize("gateway,model", ALL)
def test_no_model_accepts_a_prompt_of_megabytes(client: httpx.Client, gateway: str, model: str) -> None:
    # a 2 MB prompt was accepted on Gravitex, Image Series and PowerTokens; every model now has a cap (its vendor's,
    # or the catalog's 32,000-character bound where the vendor states none or truncates)
    m = MODELS[(gateway, model)]
    ok = request(m)
    assert send(client, gateway, ok).status_code == 200
    r = send(client, gateway, request(m, prompt="x" * 2_000_000))
    assert r.status_code == 400, (gateway, model, r.status_code)
