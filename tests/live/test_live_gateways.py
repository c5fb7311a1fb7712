"""The reference client against the real gateways (``pytest -m live``), cost-bounded.

By default one image per gateway, with the cheapest documented model and the smallest size
(below); ``IMAGEGW_LIVE_MORE=1`` adds a second call per gateway asking for two images. Error
round trips (a wrong key, a size outside the documented limits) cost nothing: the gateway refuses
them. Every answer is checked against the contract (``strict=True``): a finding is drift.

Environment: ``IMAGEGW_<ID>_API_KEY`` (required per gateway), ``IMAGEGW_<ID>_BASE_URL`` (optional;
required for ``imageseries``, whose document names no host).
"""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from PIL import Image

from clients import AuthenticationError, ImageClient, ImageResponse, InvalidRequestError, PollPolicy, RetryPolicy
from contracts.registry import gateway_spec

pytestmark = pytest.mark.live

PROMPT = "a small orange cat sitting on a windowsill, simple flat illustration"

#: The cheapest call per gateway, from what the documents say about cost and speed.
CHEAPEST: dict[str, dict] = {
    # 004: seedream-4-0-250828 is the only model with the 1K tier (921,600-pixel minimum)
    "powertokens": {"model": "seedream-4-0-250828", "size": "1K"},
    # 000: Gemini "Flash (fast)" at the smallest option "0.5K"
    "piebox": {"model": "gemini-3.1-flash-image", "size": "0.5K"},
    # 001: the document's first example (gpt-image-2, 1024x1024, n 1); the smallest GPT Image size
    "tokenhub": {"model": "tokenhub/gpt-image-2", "size": "1024x1024", "n": 1},
    # 002: gemini-2.5-flash-image (Nano Banana) at "1K (default)"
    "gravitex": {"model": "gemini-2.5-flash-image", "size": "1:1", "image_size": "1K"},
    # 003: gpt-image-1-mini "Lower cost, faster speed", quality "low", 1024x1024
    "imageseries": {"model": "gpt-image-1-mini", "size": "1024x1024", "quality": "low"},
}
#: Exact pixel sizes promised by the documents for the calls above (None: a tier word).
EXACT = {"tokenhub": (1024, 1024), "imageseries": (1024, 1024)}
#: A size each document rules out (a free, refused call).
BAD_SIZE: dict[str, dict] = {
    "powertokens": {"model": "seedream-4-0-250828", "size": "100x100"},  # 004: below 921600 pixels
    "piebox": {"model": "seedream", "size": "512x512"},  # 000: "minimum 1920×1920"
    "tokenhub": {"model": "tokenhub/gpt-image-2", "size": "77x77"},  # 002's GPT Image sizes
    "gravitex": {"model": "doubao-seedream-4-0-250828", "size": "77x77"},  # 002's Seedream 4.0 size list
    "imageseries": {"model": "gpt-image-1-mini", "size": "77x77"},  # 003: "1024x1024, 1024x1536, 1536x1024"
}
GATEWAYS = tuple(CHEAPEST)


def live_client(gateway: str, **kw: Any) -> ImageClient:
    """A strict client for the real ``gateway``, or a skip naming the missing variable."""
    spec = gateway_spec(gateway)
    key_var, url_var = spec.api_key_env, spec.base_url_env
    if not os.environ.get(key_var):
        pytest.skip(f"{key_var} is not set")
    if spec.host is None and not os.environ.get(url_var):
        pytest.skip(f"{url_var} is not set (the {gateway} document names no host)")
    kw.setdefault("strict", True)
    kw.setdefault("retry", RetryPolicy(max_retries=2, max_retry_after=30))
    kw.setdefault("poll", PollPolicy(initial_interval=2.0, max_interval=10.0, timeout=300.0))
    return ImageClient(gateway, **kw)


def check(result: ImageResponse, n: int, size: tuple[int, int] | None) -> None:
    assert len(result.images) == n, result
    for im in result.images:
        assert im.error is None, im.error
        with Image.open(io.BytesIO(im.data)) as img:
            img.load()
        if size is not None:
            assert im.size == size


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_live_one_cheap_image(gateway: str) -> None:
    with live_client(gateway) as client:
        result = client.generate(prompt=PROMPT, **CHEAPEST[gateway])
    check(result, 1, EXACT.get(gateway))


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_live_more_images(gateway: str) -> None:
    if os.environ.get("IMAGEGW_LIVE_MORE") != "1":
        pytest.skip("IMAGEGW_LIVE_MORE is not set to 1 (costs a second generation per gateway)")
    kwargs = dict(CHEAPEST[gateway])
    if gateway == "piebox":
        kwargs = {"model": "gpt-image-2", "size": "1024x1024", "quality": "low", "n": 2}  # 000: only GPT-Image-2 takes n
    elif gateway == "gravitex":
        kwargs = {"model": "gpt-image-2", "size": "1024x1024", "quality": "low", "n": 2}  # 002: n "1-10"
    else:
        kwargs["n"] = 2
    with live_client(gateway) as client:
        result = client.generate(prompt=PROMPT, **kwargs)
    check(result, 2, None)


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_live_wrong_key_is_an_authentication_error(gateway: str) -> None:
    live_client(gateway).close()  # skips when the gateway is not configured
    with live_client(gateway, api_key="sk-imagegw-live-test-wrong-key") as client:
        with pytest.raises(AuthenticationError):
            client.generate(prompt=PROMPT, **CHEAPEST[gateway])


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_live_out_of_range_size_is_an_invalid_request(gateway: str) -> None:
    with live_client(gateway) as client:
        with pytest.raises(InvalidRequestError):
            client.generate(prompt=PROMPT, **BAD_SIZE[gateway])
