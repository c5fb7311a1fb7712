"""Hypothesis strategies for client calls, written from the gateway documents' limits.

Every strategy yields a :class:`Case`: which client method to call with which keyword arguments,
and what the documents promise back (count, pixel size or aspect ratio, MIME type, URL or not).
Expectations come from the documents (file names in ``../shared/gateway-docs/``), never from
the code under test. Where a limit is only inferred (by the mock) the strategy stays inside the
documented examples. Sizes are kept small where the rules allow: renders cost time.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from PIL import Image

# -- shared pieces -------------------------------------------------------------------------------

#: Prompts: letters and digits with spaces (every gateway requires a non-blank prompt; no
#: brackets, so no accidental ``[mock:NAME]`` tag). A few fixed ones let the image cache help.
_WORD = st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=12)
PROMPTS = st.one_of(
    st.sampled_from(["a cat playing guitar on the moon", "一只橘猫在窗边,摄影风格", "A cute corgi running on grass"]),
    st.lists(_WORD, min_size=1, max_size=4).map(" ".join),
)
MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


@dataclass(frozen=True)
class Case:
    """One call and its documented promise.

    Attributes:
        gateway / method (``generate | edit | chat``) / kwargs: the call.
        n: images expected.
        size: exact ``(width, height)`` expected, when the request names pixels.
        aspect: expected width/height ratio (Gemini ratios), when the request names one.
        pixels: ``(lo, hi)`` documented pixel-count range, for tier words (``"2K"``).
        mime: expected MIME type, when the request picks a format.
        url: ``True``: items carry a source URL; ``False``: they came inline (b64 / data URL); ``None``: not promised.
    """

    gateway: str
    method: str
    kwargs: dict[str, Any]
    n: int = 1
    size: tuple[int, int] | None = None
    aspect: float | None = None
    pixels: tuple[int, int] | None = None
    mime: str | None = None
    url: bool | None = None
    note: str = field(default="", compare=False)


def wxh(size: str) -> tuple[int, int]:
    """``"1024x1536"`` / ``"1280*1280"`` -> ``(1024, 1536)``."""
    w, h = size.replace("*", "x").split("x")
    return int(w), int(h)


def png_bytes(w: int = 64, h: int = 48, color: tuple[int, int, int] = (200, 30, 30), mode: str = "RGB") -> bytes:
    """A small real PNG."""
    buf = io.BytesIO()
    Image.new(mode, (w, h), color if mode == "RGB" else color + (255,)).save(buf, "PNG")
    return buf.getvalue()


SMALL_PNGS = st.builds(
    png_bytes, st.integers(16, 96), st.integers(16, 96), st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
)


@st.composite
def custom_size(draw: st.DrawFn, min_px: int, max_px: int, *, max_aspect: float = 16.0, slack: float = 1.15) -> tuple[int, int]:
    """``(w, h)`` with ``min_px <= w*h <= max_px`` and aspect at most ``max_aspect``, kept within
    ``slack`` x the minimum so renders stay cheap; exact boundary sizes are drawn too."""
    hi_px = min(max_px, int(min_px * slack))
    side = math.isqrt(min_px)
    boundary: list[tuple[int, int]] = []
    if side * side == min_px:
        boundary.append((side, side))  # exactly the documented minimum
    # the documented aspect limit exactly (1/16 .. 16), when it lands on whole pixels
    w16 = math.isqrt(min_px * 16)
    if w16 * w16 == min_px * 16 and w16 % 16 == 0 and max_aspect >= 16:
        boundary += [(w16, w16 // 16), (w16 // 16, w16)]
    if boundary and draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from(boundary))
    limit = min(max_aspect, 8.0)
    w = draw(st.integers(math.ceil(math.sqrt(min_px / limit)), math.isqrt(int(min_px * limit))))
    h_lo, h_hi = math.ceil(min_px / w), hi_px // w
    h = draw(st.integers(h_lo, max(h_lo, h_hi)))
    return w, h


# -- PowerTokens (004) -----------------------------------------------------------------------------

#: 004 ``size``: tiers and custom pixel ranges; "aspect ratio 1/16-16".
POWERTOKENS_MODELS: dict[str, tuple[tuple[str, ...], int, int]] = {
    "seedream-5-0-260128": (("2K", "3K"), 3_686_400, 10_404_496),
    "seedream-4-5-251128": (("2K", "4K"), 3_686_400, 16_777_216),
    "seedream-4-0-250828": (("1K", "2K", "4K"), 921_600, 16_777_216),
}


@st.composite
def powertokens_cases(draw: st.DrawFn) -> Case:
    model = draw(st.sampled_from(sorted(POWERTOKENS_MODELS)))
    tiers, lo, hi = POWERTOKENS_MODELS[model]
    kw: dict[str, Any] = {"prompt": draw(PROMPTS), "model": model}
    size = pixels = None
    if draw(st.integers(0, 5)) == 0:  # a tier word: only the pixel range is documented
        kw["size"] = draw(st.sampled_from(tiers))
        pixels = (lo, hi)
    else:
        size = draw(custom_size(lo, hi))
        kw["size"] = f"{size[0]}x{size[1]}"
    # 004: sequential generation returns several images; the client maps n onto it
    n = draw(st.integers(1, 3))
    if n > 1 or draw(st.booleans()):
        kw["n"] = n
    fmt = draw(st.sampled_from([None, "url", "b64_json"]))  # 004: "Available options: url, b64_json", "default:url"
    if fmt:
        kw["response_format"] = fmt
    seed = draw(st.one_of(st.none(), st.integers(-1, 2_147_483_647)))  # 004: "Range [-1, 2147483647]"
    if seed is not None:
        kw["seed"] = seed
    wm = draw(st.one_of(st.none(), st.booleans()))  # 004: "watermark boolean"
    if wm is not None:
        kw["watermark"] = wm
    return Case("powertokens", "generate", kw, n=n, size=size, pixels=pixels, url=fmt != "b64_json")


# -- PieBox (000) -------------------------------------------------------------------------------------

#: 000 Gemini: "Options: 0.5K, 1K, 2K, 4K" (4K left out: renders cost time), seven aspect ratios, three formats.
PIEBOX_GEMINI_SIZES = ("0.5K", "1K", "2K")
PIEBOX_GEMINI_RATIOS = ("1:1", "3:2", "2:3", "3:4", "4:3", "16:9", "9:16")
PIEBOX_GEMINI_FORMATS = ("image/png", "image/jpeg", "image/webp")


@st.composite
def piebox_cases(draw: st.DrawFn) -> Case:
    family = draw(st.sampled_from(["seedream", "gemini", "gpt"]))
    prompt = draw(PROMPTS)
    if family == "seedream":
        # 000: "minimum 1920×1920 (must be ≥ 3.68M pixels)"; the document's example "2048x2048"
        size = draw(st.one_of(st.just((2048, 2048)), custom_size(3_686_400, 3_686_400 * 2, max_aspect=4.0)))
        kw: dict[str, Any] = {"prompt": prompt, "model": "seedream", "size": f"{size[0]}x{size[1]}"}
        return Case("piebox", "generate", kw, size=size, url=True)
    if family == "gemini":
        kw = {"prompt": prompt, "model": draw(st.sampled_from(["gemini-3.1-flash-image", "gemini-3-pro-image"]))}
        aspect = mime = None
        if draw(st.booleans()):
            # 0.5K is gemini-3.1-flash-image's only (Google: gemini-3-pro-image "Supported resolutions: 1K, 2K, 4K")
            sizes = PIEBOX_GEMINI_SIZES if kw["model"] == "gemini-3.1-flash-image" else PIEBOX_GEMINI_SIZES[1:]
            kw["size"] = draw(st.sampled_from(sizes))
        if draw(st.booleans()):
            kw["aspect_ratio"] = ratio = draw(st.sampled_from(PIEBOX_GEMINI_RATIOS))
            a, b = ratio.split(":")
            aspect = int(a) / int(b)
        if draw(st.booleans()):
            kw["output_format"] = mime = draw(st.sampled_from(PIEBOX_GEMINI_FORMATS))
        return Case("piebox", "generate", kw, aspect=aspect, mime=mime, url=True)
    # 000 GPT-Image-2: size "e.g. 1024x1024, 1024x1536", quality, n, background, output_format, output_compression
    size = draw(st.sampled_from([(1024, 1024), (1024, 1536)]))
    n = draw(st.integers(1, 3))
    kw = {"prompt": prompt, "model": "gpt-image-2", "size": f"{size[0]}x{size[1]}", "n": n}
    if draw(st.booleans()):
        kw["quality"] = draw(st.sampled_from(["low", "medium", "high"]))
    fmt = draw(st.sampled_from([None, "png", "jpeg", "webp"]))
    if fmt:
        kw["output_format"] = fmt
    if draw(st.booleans()):
        # transparent needs png/webp (inferred from upstream OpenAI; the mock refuses jpeg)
        kw["background"] = draw(st.sampled_from(["opaque"] if fmt == "jpeg" else ["opaque", "transparent"]))
    if draw(st.booleans()):
        kw["output_compression"] = draw(st.integers(0, 100))
    return Case("piebox", "generate", kw, n=n, size=size, mime=MIME[fmt] if fmt else None, url=True)


# -- TokenHub (001) ------------------------------------------------------------------------------------

#: GPT Image sizes (002 "GPT Image": "1024x1024, 1024x1536, 1536x1024"; 001's example 1024x1024).
GPT_SIZES = ((1024, 1024), (1024, 1536), (1536, 1024))
#: 002 "doubao-seedream-4.0/4.5" 2K sizes (001 routes ark/ Seedream ids "flat JSON (same shape as TokenHub)").
SEEDREAM_2K = ((2048, 2048), (2304, 1728), (1728, 2304), (2560, 1440), (1440, 2560), (2496, 1664), (1664, 2496), (3024, 1296))


@st.composite
def tokenhub_cases(draw: st.DrawFn) -> Case:
    kind = draw(st.sampled_from(["gpt", "seedream", "wan26", "wan27", "chat", "edit"]))
    prompt = draw(PROMPTS)
    if kind == "gpt":
        size = draw(st.sampled_from(GPT_SIZES))
        n = draw(st.integers(1, 3))
        kw: dict[str, Any] = {"prompt": prompt, "model": "tokenhub/gpt-image-2", "size": f"{size[0]}x{size[1]}", "n": n}
        fmt = draw(st.sampled_from([None, "url", "b64_json"]))  # 001: "url or b64_json (default b64_json)"
        if fmt:
            kw["response_format"] = fmt
        out = draw(st.sampled_from([None, "png", "jpeg", "webp"]))  # 001: "output_format ... optional"
        if out:
            kw["output_format"] = out
        return Case("tokenhub", "generate", kw, n=n, size=size, mime=MIME[out] if out else "image/png", url=fmt == "url")
    if kind == "seedream":
        # 001 "Reference Links": model ark/doubao-seedream-4-0-250828, "size": "1024x1024"
        size = draw(st.sampled_from(((1024, 1024),) + SEEDREAM_2K[:2]))
        kw = {"prompt": prompt, "model": "ark/doubao-seedream-4-0-250828", "size": f"{size[0]}x{size[1]}"}
        fmt = draw(st.sampled_from([None, "url", "b64_json"]))
        if fmt:
            kw["response_format"] = fmt
        return Case("tokenhub", "generate", kw, size=size, url=fmt == "url")
    if kind in ("wan26", "wan27"):
        # 001 §2: wan2.6-t2i with "size": "1280*1280"; §4: wan2.7-image-pro with "size": "2K", "n": 1 or 4.
        # DashScope answers URLs (001: "image URL at output.choices[0].message.content[0].image").
        n = draw(st.integers(1, 4))
        if kind == "wan26":
            kw = {"prompt": prompt, "model": "wan2.6-t2i", "size": draw(st.sampled_from(["1280*1280", "1280x1280"])), "n": n}
            size, pixels = (1280, 1280), None
        else:
            kw = {"prompt": prompt, "model": "wan2.7-image-pro", "size": "2K", "n": n}
            size, pixels = None, (1_000_000, 4_500_000)  # "2K": about 2048 per side (tier pixel size not documented)
        for flag in ("watermark", "prompt_extend"):
            v = draw(st.one_of(st.none(), st.booleans()))
            if v is not None:
                kw[flag] = v
        return Case("tokenhub", "generate", kw, n=n, size=size, pixels=pixels, url=True)
    if kind == "chat":
        # 001: Gemini image models answer "![image](data:image/png;base64,...)"
        model = draw(st.sampled_from(["tokenhub/gemini-3.1-flash-image-preview", "tokenhub/gemini-3-pro-image-preview"]))
        return Case("tokenhub", "generate", {"prompt": prompt, "model": model}, mime="image/png", url=False)
    # edits (001 "Image edits"): image PNG required, n, size, response_format optional
    size = draw(st.sampled_from(GPT_SIZES))
    n = draw(st.integers(1, 3))
    kw = {"image": draw(SMALL_PNGS), "prompt": prompt, "n": n, "size": f"{size[0]}x{size[1]}"}
    fmt = draw(st.sampled_from([None, "url", "b64_json"]))
    if fmt:
        kw["response_format"] = fmt
    return Case("tokenhub", "edit", kw, n=n, size=size, url=fmt == "url")


# -- Gravitex (002) and Image Series (003) ---------------------------------------------------------------

#: 002/003 Gemini ``size`` ratios: "1:1, 3:2, 2:3, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9".
GEMINI_RATIOS = ("1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
#: 002 "doubao-seedream-3.0" sizes.
SEEDREAM_30 = ((1024, 1024), (1152, 864), (864, 1152), (1280, 720), (720, 1280), (1248, 832), (832, 1248), (1512, 648))
#: DashScope qwen-image sizes ("1664*928（默认值）... 1472*1104 ... 1328*1328 ... 1104*1472 ... 928*1664").
QWEN_SIZES = ((1328, 1328), (1104, 1472), (1664, 928), (928, 1664))
GPT_MODELS = {"gravitex": ("gpt-image-2",), "imageseries": ("gpt-image-1", "gpt-image-1-mini")}  # 002 / 003 model lists


@st.composite
def unified_cases(draw: st.DrawFn, gateway: str) -> Case:
    kind = draw(st.sampled_from(["gemini", "seedream4", "seedream3", "gpt", "qwen", "qwen_edit"]))
    prompt = draw(PROMPTS)
    if kind == "gemini":
        ratio = draw(st.sampled_from(GEMINI_RATIOS))
        a, b = ratio.split(":")
        n = draw(st.integers(1, 2))
        kw: dict[str, Any] = {
            "prompt": prompt,
            "model": draw(st.sampled_from(["gemini-2.5-flash-image", "gemini-3-pro-image-preview"])),
            "size": ratio,
            "n": n,
        }
        kw["image_size"] = draw(st.sampled_from(["1K", "1K", "2K"]))  # 002: "1K (default), 2K, 4K"
        mime = draw(st.sampled_from([None, "image/png", "image/jpeg"]))  # 002: "image/png (default), image/jpeg"
        if mime:
            kw["mime_type"] = mime
        fmt = draw(st.sampled_from([None, "url", "b64_json"]))
        if fmt:
            kw["response_format"] = fmt  # 002: Gemini "always returns base64 ... regardless of the value passed"
        if draw(st.booleans()):
            kw["images"] = draw(st.lists(SMALL_PNGS, min_size=1, max_size=2))  # image-to-image via contents
        return Case(gateway, "generate", kw, n=n, aspect=int(a) / int(b), mime=mime or "image/png", url=False)
    if kind == "seedream4":
        # 002: 4.0/4.5 sizes (2K list); sequential max_images "range 1-4"; seed "0 to 2147483647"; URLs
        size = draw(st.sampled_from(SEEDREAM_2K))
        n = draw(st.integers(1, 4))
        kw = {
            "prompt": prompt,
            "model": draw(st.sampled_from(["doubao-seedream-4-0-250828", "doubao-seedream-4-5-251128"])),
            "size": f"{size[0]}x{size[1]}",
            "n": n,
        }
        if draw(st.booleans()):
            kw["seed"] = draw(st.integers(0, 2_147_483_647))
        if draw(st.booleans()):
            kw["watermark"] = draw(st.booleans())
        return Case(gateway, "generate", kw, n=n, size=size, url=True)
    if kind == "seedream3":
        # 002: 3.0 sizes; guidance_scale "1.0-10.0" (3.0 t2i and seededit only)
        size = draw(st.sampled_from(SEEDREAM_30))
        kw = {"prompt": prompt, "model": "doubao-seedream-3-0-t2i-250415", "size": f"{size[0]}x{size[1]}"}
        if draw(st.booleans()):
            kw["guidance_scale"] = draw(st.floats(1.0, 10.0))
        return Case(gateway, "generate", kw, size=size, url=True)
    if kind == "gpt":
        # 002/003 GPT Image: three sizes, quality, n "1-10"; "Only supports b64_json"
        size = draw(st.sampled_from(GPT_SIZES))
        n = draw(st.integers(1, 3))
        kw = {"prompt": prompt, "model": draw(st.sampled_from(GPT_MODELS[gateway])), "size": f"{size[0]}x{size[1]}", "n": n}
        if draw(st.booleans()):
            kw["quality"] = draw(st.sampled_from(["low", "medium", "high"]))
        if draw(st.booleans()):
            kw["images"] = draw(st.lists(SMALL_PNGS, min_size=1, max_size=3))
            kw["input_fidelity"] = draw(st.sampled_from(["auto", "high", "medium", "low"]))
        return Case(gateway, "generate", kw, n=n, size=size, url=False)
    if kind == "qwen":
        # qwen-image-plus: "Supports both b64_json and url, returns the corresponding format"
        size = draw(st.sampled_from(QWEN_SIZES))
        fmt = draw(st.sampled_from([None, "url", "b64_json"]))
        kw = {"prompt": prompt, "model": "qwen-image-plus", "size": f"{size[0]}*{size[1]}"}
        if fmt:
            kw["response_format"] = fmt
        return Case(gateway, "generate", kw, size=size, url=None if fmt is None else fmt == "url")
    # qwen-image-edit-plus: "Supports 1-3 input images"; n 1-6 (002) / "1 image per request" (003 FAQ);
    # the document's example size "2048*2048"
    n = draw(st.integers(1, 2)) if gateway == "gravitex" else 1
    kw = {"prompt": prompt, "model": "qwen-image-edit-plus", "images": draw(st.lists(SMALL_PNGS, min_size=1, max_size=3)), "n": n}
    size = None
    if draw(st.booleans()):
        kw["size"] = "2048*2048"
        size = (2048, 2048)
    return Case(gateway, "generate", kw, n=n, size=size)


VALID: dict[str, Any] = {
    "powertokens": powertokens_cases(),
    "piebox": piebox_cases(),
    "tokenhub": tokenhub_cases(),
    "gravitex": unified_cases("gravitex"),
    "imageseries": unified_cases("imageseries"),
}
