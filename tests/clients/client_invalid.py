"""Hypothesis strategies for invalid calls: each breaks one documented rule and names the typed
error the client must raise (and the parameter the gateway's message must name).

The error *classes* follow the HTTP status the upstreams use (inferred, see ``clients.errors``):
a broken parameter is 400 -> ``InvalidRequestError``; a wrong key 401 -> ``AuthenticationError``;
the ``moderation`` / ``quota_exceeded`` scenarios -> ``ContentPolicyError`` / ``QuotaExceededError``
(PieBox: a task that ends ``failed`` -> ``TaskFailed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from client_strategies import PROMPTS, png_bytes
from hypothesis import strategies as st

from clients import AuthenticationError, ContentPolicyError, InvalidRequestError, NotFoundError, QuotaExceededError, TaskFailed


@dataclass(frozen=True)
class Bad:
    """An invalid call: ``kwargs`` for ``method`` on ``gateway``; ``error`` the class expected
    (exactly, not a parent); ``param`` a text the error message must contain; ``client_kw``
    overrides for the client (a wrong key)."""

    gateway: str
    method: str
    kwargs: dict[str, Any]
    error: type
    param: str | None = None
    client_kw: dict[str, Any] = field(default_factory=dict)


NOT_AN_IMAGE = st.binary(min_size=1, max_size=64).filter(
    lambda b: not b.startswith((b"\x89PNG", b"\xff\xd8", b"GIF8", b"RIFF", b"BM", b"II", b"MM"))
)
UNKNOWN_MODEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=16).map(lambda s: "zz-unknown-" + s)
WRONG_KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=4, max_size=24).map(lambda s: "sk-wrong-" + s)


Rules = dict[str, st.SearchStrategy[Bad]]


def _common(gateway: str, valid: dict[str, Any], method: str = "generate", *, label: str = "") -> Rules:
    """Rules every gateway shares: a wrong key (401), a moderation refusal, an exhausted quota."""
    moderation_error = TaskFailed if gateway == "piebox" else ContentPolicyError
    return {
        f"wrong key{label}": WRONG_KEY.map(lambda k: Bad(gateway, method, valid, AuthenticationError, client_kw={"api_key": k})),
        f"moderation{label}": PROMPTS.map(lambda p: Bad(gateway, method, {**valid, "prompt": p + " [mock:moderation]"}, moderation_error)),
        f"quota{label}": PROMPTS.map(lambda p: Bad(gateway, method, {**valid, "prompt": p + " [mock:quota_exceeded]"}, QuotaExceededError)),
    }


def _outside(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(max_value=lo - 1, min_value=lo - 10_000), st.integers(min_value=hi + 1, max_value=hi + 10_000))


def _set(
    gateway: str, method: str, base: dict[str, Any], key: str, error: type, param: str | None, values: st.SearchStrategy[Any]
) -> st.SearchStrategy[Bad]:
    """``base`` with ``key`` set to each of ``values``."""
    return values.map(lambda v: Bad(gateway, method, {**base, key: v}, error, param))


Inv = InvalidRequestError


# -- per gateway ------------------------------------------------------------------------------------


def powertokens_bad() -> Rules:
    g = "powertokens"
    valid = {"prompt": "a corgi", "model": "seedream-4-0-250828", "size": "1024x1024"}
    return {
        **_common(g, valid),
        "unknown model (004 enum)": _set(g, "generate", valid, "model", Inv, "model", UNKNOWN_MODEL),
        "blank prompt (004 required)": _set(g, "generate", valid, "prompt", Inv, "prompt", st.sampled_from(["", "   "])),
        # 004: seedream-4-0 "total pixels 921600-16777216, aspect ratio 1/16-16"
        "below 921600 pixels": _set(g, "generate", valid, "size", Inv, "size", st.integers(100, 959).map(lambda s: f"{s}x{s}")),
        "aspect over 16": _set(g, "generate", valid, "size", Inv, "size", st.integers(1, 60).map(lambda k: f"{3840 + 16 * k}x240")),
        # 004: seedream-5-0 "supports 2K/3K": 4K is not among its tiers
        "tier not offered": st.just(Bad(g, "generate", {**valid, "model": "seedream-5-0-260128", "size": "4K"}, Inv, "size")),
        "response_format enum": _set(
            g, "generate", valid, "response_format", Inv, "response_format", st.text(alphabet="abcdefghij", min_size=1, max_size=8)
        ),
        "seed range [-1, 2147483647]": _set(g, "generate", valid, "seed", Inv, "seed", _outside(-1, 2_147_483_647)),
        "sequential enum": _set(
            g, "generate", valid, "sequential_image_generation", Inv, "sequential_image_generation", st.sampled_from(["on", "none", "all"])
        ),
        "reference image not an image": _set(g, "generate", valid, "images", Inv, "image", NOT_AN_IMAGE.map(lambda b: [b])),
    }


def piebox_bad() -> Rules:
    g = "piebox"
    seed = {"prompt": "a cat", "model": "seedream", "size": "2048x2048"}
    gem = {"prompt": "a cat", "model": "gemini-3.1-flash-image"}
    gpt = {"prompt": "a city", "model": "gpt-image-2", "size": "1024x1024"}
    return {
        **_common(g, gpt),
        "Gemini model enum": _set(g, "generate", gem, "model", Inv, "model", UNKNOWN_MODEL),
        "prompt required": _set(g, "generate", seed, "prompt", Inv, "prompt", st.sampled_from(["", "   "])),
        # 000 Seedream: "minimum 1920×1920 (must be ≥ 3.68M pixels)"
        "below 1920x1920": _set(g, "generate", seed, "size", Inv, "size", st.integers(64, 1919).map(lambda s: f"{s}x{s}")),
        # 000 Gemini: size "Options: 0.5K, 1K, 2K, 4K"; aspect_ratio seven values; output_format three
        "Gemini size options": _set(g, "generate", gem, "size", Inv, "size", st.sampled_from(["3K", "8K", "1024x1024", "big"])),
        "Gemini aspect_ratio options": _set(
            g, "generate", gem, "aspect_ratio", Inv, "aspect_ratio", st.sampled_from(["5:4", "21:9", "1:2", "square"])
        ),
        "Gemini output_format options": _set(
            g, "generate", gem, "output_format", Inv, "output_format", st.sampled_from(["png", "image/gif", "jpeg"])
        ),
        # 000 GPT-Image-2: quality low/medium/high, background opaque/transparent, output_format png/jpeg/webp, compression 0-100
        "GPT quality options": _set(g, "generate", gpt, "quality", Inv, "quality", st.sampled_from(["ultra", "hd", "auto"])),
        "GPT background options": _set(g, "generate", gpt, "background", Inv, "background", st.sampled_from(["white", "auto", "none"])),
        "GPT output_format options": _set(
            g, "generate", gpt, "output_format", Inv, "output_format", st.sampled_from(["gif", "image/png", "bmp"])
        ),
        "GPT compression 0-100": _set(g, "generate", gpt, "output_compression", Inv, "output_compression", _outside(0, 100)),
        "reference image not an image": _set(g, "generate", seed, "images", Inv, "image", NOT_AN_IMAGE.map(lambda b: [b])),
        "unknown task id": st.text(alphabet="abcdefXYZ0123456789_", min_size=1, max_size=30).map(
            lambda t: Bad(g, "get_task", {"handle": "img_gen_" + t, "model": "seedream"}, NotFoundError, "not found")
        ),
    }


def tokenhub_bad() -> Rules:
    g = "tokenhub"
    gpt = {"prompt": "a cat", "model": "tokenhub/gpt-image-2", "size": "1024x1024"}
    wan = {"prompt": "a flower shop", "model": "wan2.7-image-pro", "size": "2K"}
    chat = {"prompt": "画一只橘猫", "model": "tokenhub/gemini-3.1-flash-image-preview"}
    edit = {"image": png_bytes(), "prompt": "add a hat"}
    common_ds = _common(g, wan, label=" (DashScope shape)")
    del common_ds["wrong key (DashScope shape)"]
    return {
        **_common(g, gpt),
        **common_ds,
        "unknown model": _set(g, "generate", gpt, "model", Inv, "model", UNKNOWN_MODEL),
        "prompt required": _set(g, "generate", gpt, "prompt", Inv, "prompt", st.sampled_from(["", "   "])),
        # 001: "response_format— optional: url or b64_json"
        "response_format enum": _set(
            g, "generate", gpt, "response_format", Inv, "response_format", st.sampled_from(["png", "base64", "URL"])
        ),
        # 001 says "size— e.g.1024x1024": OpenAI's gpt-image-2 rule (sides multiples of 16, at most 3840, aspect
        # 1:3..3:1, 655,360..8,294,400 pixels); 2048x2048 was in this list before the catalog and is valid
        "GPT size list": _set(
            g, "generate", gpt, "size", Inv, "size", st.sampled_from(["512x512", "2048x2050", "4096x4096", "1024x1023", "3840x1024", "big"])
        ),
        # 001 §3.3: size "Must use size tiers supported by the model"
        "Wan size tier": _set(g, "generate", wan, "size", Inv, "size", st.sampled_from(["8K", "16K", "huge"])),
        # 001 §3.2: "at least one text item is required" — a blank text item
        "blank text item": st.just(Bad(g, "generate", {**wan, "prompt": "  "}, Inv, "text")),
        "content image not an image": _set(g, "generate", wan, "images", Inv, "image", NOT_AN_IMAGE.map(lambda b: [b])),
        # 001 edits: "image— required PNG file"; a non-image upload
        "edit upload not an image": _set(g, "edit", edit, "image", Inv, "image", NOT_AN_IMAGE.map(lambda b: ("image.png", b, "image/png"))),
        # 001: chat needs "X-TokenHub-Region: global"
        "region header must be global": _set(g, "chat", chat, "region", Inv, "X-TokenHub-Region", st.sampled_from(["cn", "us", "eu-west"])),
        "chat model list": _set(g, "chat", chat, "model", Inv, "model", UNKNOWN_MODEL.map(lambda m: "tokenhub/gemini-" + m)),
    }


def unified_bad(gateway: str) -> Rules:
    g = gateway
    gpt_model = "gpt-image-2" if gateway == "gravitex" else "gpt-image-1"
    gpt = {"prompt": "a cat", "model": gpt_model, "size": "1024x1024"}
    sd = {"prompt": "a kitten", "model": "doubao-seedream-4-0-250828", "size": "2048x2048"}
    sd3 = {"prompt": "a kitten", "model": "doubao-seedream-3-0-t2i-250415", "size": "1024x1024"}
    gem = {"prompt": "a kitten", "model": "gemini-2.5-flash-image", "size": "1:1"}
    qwen = {"prompt": "一副对联", "model": "qwen-image-plus"}
    return {
        **_common(g, gpt),
        "unknown model": _set(g, "generate", gpt, "model", Inv, "model", UNKNOWN_MODEL),
        "empty prompt": st.just(Bad(g, "generate", {**gpt, "prompt": ""}, Inv, "prompt")),
        # 002/003: "b64_json or url"
        "response_format enum": _set(
            g, "generate", gpt, "response_format", Inv, "response_format", st.sampled_from(["png", "base64", "jpeg"])
        ),
        # GPT Image: "1024x1024, 1024x1536, 1536x1024"; n "Range: 1-10"; quality high/medium/low
        "GPT size list": _set(g, "generate", gpt, "size", Inv, "size", st.sampled_from(["512x512", "2048x2048", "1792x1024"])),
        "GPT n 1-10": _set(g, "generate", gpt, "n", Inv, "n", st.integers(11, 100)),
        "GPT quality": _set(g, "generate", gpt, "quality", Inv, "quality", st.sampled_from(["ultra", "hd", "auto"])),
        "GPT input not an image": _set(g, "generate", gpt, "images", Inv, "image", NOT_AN_IMAGE.map(lambda b: [b])),
        # Seedream 4.0: 002's closed size list (2K/4K); 003's list ends in "etc.", so there Ark's rule holds
        # (921,600-16,777,216 pixels, aspect 1/16-16): sizes outside both (this list held 1024x1024, 3000x3000 and
        # 2048x2047 before the catalog, which Ark accepts); max_images "range 1-4"; seed "0 to 2147483647"
        "Seedream 4.x size list": _set(g, "generate", sd, "size", Inv, "size", st.sampled_from(["959x960", "5000x4000", "4080x240"])),
        "max_images 1-4": _set(g, "generate", sd, "n", Inv, "max_images", st.integers(5, 15)),
        "seed range": _set(g, "generate", sd, "seed", Inv, "seed", _outside(0, 2_147_483_647)),
        # guidance_scale "1.0-10.0 ... Only supported by doubao-seedream-3.0-t2i-250415 and doubao-seededit-3.0-i2i-250628"
        "guidance only 3.0 and seededit": _set(g, "generate", sd, "guidance_scale", Inv, "guidance_scale", st.floats(1.0, 10.0)),
        "guidance 1.0-10.0": _set(
            g, "generate", sd3, "guidance_scale", Inv, "guidance_scale", st.one_of(st.floats(0.0, 0.99), st.floats(10.01, 100.0))
        ),
        # 3.0 "Does not support image-to-image"; seededit "Does not support pure text-to-image"
        "3.0 no image-to-image": st.just(Bad(g, "generate", {**sd3, "images": [png_bytes()]}, Inv, "image")),
        "seededit needs an image": st.just(
            Bad(g, "generate", {"prompt": "oil painting", "model": "doubao-seededit-3-0-i2i-250628"}, Inv, "contents")
        ),
        # Gemini: size ratio list; image_size "1K (default), 2K, 4K" (+3K from the examples); mime_type png/jpeg
        "Gemini ratio list": _set(g, "generate", gem, "size", Inv, "size", st.sampled_from(["7:5", "1:3", "wide"])),
        "Gemini image_size": _set(g, "generate", gem, "image_size", Inv, "image_size", st.sampled_from(["8K", "0.5K", "5K"])),
        "Gemini mime_type": _set(g, "generate", gem, "mime_type", Inv, "mime_type", st.sampled_from(["image/webp", "png", "image/gif"])),
        # qwen-image-plus "Does not support image-to-image"
        "qwen-image-plus no image input": st.just(Bad(g, "generate", {**qwen, "images": [png_bytes()]}, Inv, "image")),
    }


INVALID: dict[str, Rules] = {
    "powertokens": powertokens_bad(),
    "piebox": piebox_bad(),
    "tokenhub": tokenhub_bad(),
    "gravitex": unified_bad("gravitex"),
    "imageseries": unified_bad("imageseries"),
}
#: ``(gateway, rule)`` pairs, for parametrizing one property per rule.
RULES: list[tuple[str, str]] = [(g, r) for g, rules in INVALID.items() for r in rules]
