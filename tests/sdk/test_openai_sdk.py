"""The official ``openai`` SDK, unmodified, against TokenHub on the served mock.

TokenHub's document (001) calls its generations and edits OpenAI-compatible and serves Gemini
through Chat Completions, so an app switches to it with ``base_url`` alone. Expected values come
from the request (sizes, counts, formats asked for) or from the documents, never from the mock.
"""

from __future__ import annotations

import re

import openai
import pytest
from sdk_support import TOKENHUB_KEY, Served, decode, decode_b64, fetch, png

GPT_IMAGE = "tokenhub/gpt-image-2"
GEMINI = "tokenhub/gemini-3.1-flash-image-preview"
#: 001: the image arrives as a Markdown data URL, "match data:image/png;base64,([^)]+)"
MARKDOWN_IMAGE = re.compile(r"^!\[image\]\(data:image/png;base64,([^)]+)\)$")


def client(served: Served, *, api_key: str = TOKENHUB_KEY, max_retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(base_url=served.base("tokenhub"), api_key=api_key, max_retries=max_retries, timeout=30)


def test_images_generate_with_openais_parameters(served: Served) -> None:
    # OpenAI Images API parameters for GPT image models (openai-python types/image_generate_params.py:
    # quality low|medium|high|auto, background transparent|opaque|auto, output_format png|jpeg|webp,
    # output_compression 0-100, moderation low|auto, user), sent as the SDK sends them
    result = client(served).images.generate(
        model=GPT_IMAGE,
        prompt="a corgi on a skateboard",
        size="1536x1024",
        n=2,
        quality="high",
        background="opaque",
        output_format="jpeg",
        output_compression=80,
        moderation="low",
        user="user-1234",
    )
    assert len(result.data) == 2
    assert [decode_b64(item.b64_json) for item in result.data] == [("JPEG", (1536, 1024))] * 2
    sent = served.requests("/tokenhub/v1/images/generations")[-1]["body"]
    assert sent["output_compression"] == 80 and sent["user"] == "user-1234"


def test_images_generate_null_means_not_sent(served: Served) -> None:
    # the SDK sends an explicit None as JSON null; OpenAI's spec marks these fields nullable
    # (openai-openapi CreateImageRequest: `nullable: true`), so null takes the default
    result = client(served).images.generate(
        model=GPT_IMAGE, prompt="a lighthouse", size=None, n=None, quality=None, background=None, output_format=None
    )
    assert served.requests("/tokenhub/v1/images/generations")[-1]["body"]["quality"] is None
    # 001: "size— e.g.1024x1024" with OpenAI's default; output PNG by default (OpenAI: "The default value is png")
    assert [decode_b64(item.b64_json)[0] for item in result.data] == ["PNG"]


@pytest.mark.parametrize("how_many", [1, 3])
def test_images_edit_with_a_list_of_images_and_a_mask(served: Served, how_many: int) -> None:
    # a list goes out as multipart `image[]` parts (openai-python resources/images.py: extract_files with
    # paths [["image"], ["image", "<array>"], ...]); OpenAI: "the mask will be applied on the first image"
    images = [(f"photo{i}.png", png(64 + 16 * i, 48), "image/png") for i in range(how_many)]
    mask = ("mask.png", png(64, 48, "RGBA"), "image/png")
    result = client(served).images.edit(model=GPT_IMAGE, image=images, mask=mask, prompt="add a red beret", size="1024x1536", n=2)
    assert [decode_b64(item.b64_json) for item in result.data] == [("PNG", (1024, 1536))] * 2
    parts = served.requests("/tokenhub/v1/images/edits")[-1]["body"]["image[]"]
    sizes = [part["size"] for part in (parts if isinstance(parts, list) else [parts])]
    assert sizes == [len(data) for _, data, _ in images]


def test_images_edit_with_one_image(served: Served) -> None:
    # a single file goes out as `image`, the document's own curl form (001 "-F image=@/path/to/image.png")
    result = client(served).images.edit(model=GPT_IMAGE, image=("photo.png", png(32, 32), "image/png"), prompt="make it night")
    assert [decode_b64(item.b64_json) for item in result.data] == [("PNG", (1024, 1024))]  # 002: "Default: 1024x1024"
    assert "image" in served.requests("/tokenhub/v1/images/edits")[-1]["body"]


def test_chat_completions_with_the_region_header(served: Served) -> None:
    # 001: "X-TokenHub-Region: global — required header for these models"; the image comes back in
    # choices[0].message.content as a Markdown data URL
    completion = client(served).chat.completions.create(
        model=GEMINI,
        messages=[{"role": "user", "content": "画一只橘猫,摄影风格"}],
        extra_headers={"X-TokenHub-Region": "global"},
    )
    content = completion.choices[0].message.content
    match = MARKDOWN_IMAGE.match(content or "")
    assert match, content
    assert decode_b64(match.group(1))[0] == "PNG"
    assert completion.usage is not None and completion.usage.completion_tokens == 1120  # 001's documented figure


def test_authentication_error_for_a_wrong_key(served: Served) -> None:
    # the served mock pins TokenHub's key (imagegw serve --api-key tokenhub=KEY): any other is refused
    with pytest.raises(openai.AuthenticationError) as caught:
        client(served, api_key="sk-not-the-pinned-key").images.generate(model=GPT_IMAGE, prompt="a corgi")
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"
    assert "sk-not-the-pinned-key" not in str(caught.value.body)


def test_bad_request_error_names_the_parameter(served: Served) -> None:
    # OpenAI: "n ... Must be between 1 and 10"; the error body's param and code reach the SDK's fields
    with pytest.raises(openai.BadRequestError) as caught:
        client(served).images.generate(model=GPT_IMAGE, prompt="a corgi", n=11)
    assert caught.value.status_code == 400
    assert caught.value.param == "n"
    assert caught.value.type == "invalid_request_error"


def test_chat_without_the_region_header_is_a_bad_request(served: Served) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client(served).chat.completions.create(model=GEMINI, messages=[{"role": "user", "content": "画一只橘猫"}])
    assert caught.value.param == "X-TokenHub-Region"


def test_rate_limit_error_after_the_sdks_own_retries(served: Served, sdk_sleeps: list[float]) -> None:
    max_retries = 2
    served.queue("rate_limited", times=max_retries + 1, gateway="tokenhub")
    with pytest.raises(openai.RateLimitError) as caught:
        client(served, max_retries=max_retries).images.generate(model=GPT_IMAGE, prompt="a corgi")
    assert caught.value.status_code == 429
    # the SDK tried 1 + max_retries times, each time waiting what the answer's Retry-After said
    assert [r["status"] for r in served.requests("/tokenhub/v1/images/generations")] == [429] * (max_retries + 1)
    assert sdk_sleeps == [float(caught.value.response.headers["retry-after"])] * max_retries
    # the queue is used up: the next call goes through
    assert len(client(served).images.generate(model=GPT_IMAGE, prompt="a corgi").data) == 1


def test_retries_recover_when_the_rate_limit_clears(served: Served, sdk_sleeps: list[float]) -> None:
    served.queue("rate_limited", times=1, gateway="tokenhub")
    result = client(served, max_retries=2).images.generate(model=GPT_IMAGE, prompt="a corgi")
    assert len(result.data) == 1 and len(sdk_sleeps) == 1
    assert [r["status"] for r in served.requests("/tokenhub/v1/images/generations")] == [429, 200]


def test_result_bytes_are_real_images(served: Served) -> None:
    # response_format=url (001: "response_format— optional: url or b64_json") serves the file from the mock
    result = client(served).images.generate(model=GPT_IMAGE, prompt="a corgi", response_format="url", size="1024x1536")
    assert decode(fetch(result.data[0].url)) == ("PNG", (1024, 1536))
