"""The Volcengine Ark runtime SDK (``volcenginesdkarkruntime``, PyPI ``volcengine-ark-runtime``),
unmodified, against PowerTokens (Seedream) on the served mock: ``Ark(base_url=..., api_key=...)``.

The SDK sends every parameter it was not given as JSON ``null`` (``image``, ``seed``,
``guidance_scale``, ``tools``, ...), so these calls also prove that PowerTokens reads null as "not sent".
"""

from __future__ import annotations

import base64

import pytest
from sdk_support import POWERTOKENS_KEY, Served, decode, decode_b64, fetch, png
from volcenginesdkarkruntime import Ark
from volcenginesdkarkruntime._exceptions import ArkAuthenticationError, ArkBadRequestError, ArkRateLimitError
from volcenginesdkarkruntime.types.images.images import SequentialImageGenerationOptions

SEEDREAM_45 = "seedream-4-5-251128"  # 004's model enum
SEEDREAM_40 = "seedream-4-0-250828"


def ark(served: Served, *, api_key: str = POWERTOKENS_KEY, max_retries: int = 0) -> Ark:
    return Ark(base_url=served.base("powertokens"), api_key=api_key, max_retries=max_retries, timeout=30)


def test_images_generate_url(served: Served) -> None:
    # 004: response_format url (the default) answers data[].url, and data[].size as WIDTHxHEIGHT
    result = ark(served).images.generate(model=SEEDREAM_45, prompt="A cute corgi", size="2048x2048", response_format="url")
    [item] = result.data
    assert item.size == "2048x2048"
    assert decode(fetch(item.url))[1] == (2048, 2048)
    sent = served.requests("/powertokens/v1/images/generations")[-1]["body"]
    assert sent["seed"] is None and sent["tools"] is None  # the SDK's nulls reached the mock and were taken as unset


def test_images_generate_b64_json_with_a_tier(served: Served) -> None:
    # 004: seedream-4-0 takes the 1K tier ("1K", "2K", "4K")
    result = ark(served).images.generate(model=SEEDREAM_40, prompt="A cute corgi", size="1K", response_format="b64_json")
    [item] = result.data
    assert decode_b64(item.b64_json)[1] == (1024, 1024)


def test_sequential_image_generation(served: Served) -> None:
    # 004: sequential_image_generation "auto" with sequential_image_generation_options.max_images
    result = ark(served).images.generate(
        model=SEEDREAM_45,
        prompt="A four-panel comic about a corgi",
        size="2K",
        response_format="url",
        sequential_image_generation="auto",
        sequential_image_generation_options=SequentialImageGenerationOptions(max_images=4),
    )
    assert len(result.data) == 4
    assert all(decode(fetch(item.url))[1] == (2048, 2048) for item in result.data)
    sent = served.requests("/powertokens/v1/images/generations")[-1]["body"]
    assert sent["sequential_image_generation_options"] == {"max_images": 4}


def test_reference_images_as_data_urls(served: Served) -> None:
    # 004: "Reference images. The public Seedream models currently documented here support 1-14 reference images."
    refs = [f"data:image/png;base64,{base64.b64encode(png(64, 64)).decode()}"] * 2
    result = ark(served).images.generate(model=SEEDREAM_40, prompt="Merge the two corgis", image=refs, size="2K")
    assert len(result.data) == 1


def test_wrong_key_is_an_authentication_error(served: Served) -> None:
    with pytest.raises(ArkAuthenticationError) as caught:
        ark(served, api_key="not-the-pinned-key").images.generate(model=SEEDREAM_45, prompt="A cute corgi")
    assert caught.value.status_code == 401


def test_refused_size_is_a_bad_request_error(served: Served) -> None:
    # 004: seedream-4-5 takes 2K/4K tiers or custom sizes of at least 3,686,400 pixels
    with pytest.raises(ArkBadRequestError) as caught:
        ark(served).images.generate(model=SEEDREAM_45, prompt="A cute corgi", size="512x512")
    assert caught.value.status_code == 400
    assert caught.value.param == "size"


def test_rate_limit_error_after_the_sdks_own_retries(served: Served, sdk_sleeps: list[float]) -> None:
    max_retries = 2
    served.queue("rate_limited", times=max_retries + 1, gateway="powertokens")
    with pytest.raises(ArkRateLimitError) as caught:
        ark(served, max_retries=max_retries).images.generate(model=SEEDREAM_45, prompt="A cute corgi")
    assert caught.value.status_code == 429
    assert [r["status"] for r in served.requests("/powertokens/v1/images/generations")] == [429] * (max_retries + 1)
    assert len(sdk_sleeps) == max_retries  # Ark's own backoff (it does not read Retry-After)
