"""Google's Gemini image models ("Nano Banana"): ``gemini-2.5-flash-image``,
``gemini-3-pro-image(-preview)`` and ``gemini-3.1-flash-image(-preview)``.

Sources: Google's model pages (Vertex AI / Gemini Enterprise, the same model ids as the Gemini
API) for resolutions, aspect ratios, token limits and input images; ``python-genai`` for the
``imageSize`` values and default. The preview and GA ids of one model share every rule.
"""

from __future__ import annotations

from .provenance import GEMINI_3_PRO, GEMINI_25_FLASH, GEMINI_31_FLASH, GEMINI_SDK, inferred, upstream
from .rules import CountRule, Entry, InputRule, OutputRule, Param, PromptRule, Size, SizeRule

MIB = 1024 * 1024

#: Output pixel size at 1K per aspect ratio (upstream Gemini's table; the 1:4, 4:1, 1:8 and 8:1 sizes
#: of gemini-3.1-flash-image are inferred: about one megapixel at that ratio, sides multiples of 8).
GEMINI_1K: dict[str, Size] = {
    "1:1": (1024, 1024),
    "2:3": (832, 1248),
    "3:2": (1248, 832),
    "3:4": (864, 1184),
    "4:3": (1184, 864),
    "4:5": (896, 1152),
    "5:4": (1152, 896),
    "9:16": (768, 1344),
    "16:9": (1344, 768),
    "21:9": (1536, 672),
    "1:4": (512, 2048),
    "4:1": (2048, 512),
    "1:8": (360, 2880),
    "8:1": (2880, 360),
}
#: Scale of each resolution tier against 1K ("0.5K" is gemini-3.1-flash-image's 512 px tier; "3K" is
#: what the Gravitex document's examples send).
TIER_SCALE: dict[str, float] = {"0.5K": 0.5, "1K": 1.0, "2K": 2.0, "3K": 3.0, "4K": 4.0}

ASPECTS_10: tuple[str, ...] = ("1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
ASPECTS_14: tuple[str, ...] = ("1:1", "1:4", "1:8", "3:2", "2:3", "3:4", "4:1", "4:3", "4:5", "5:4", "8:1", "9:16", "16:9", "21:9")
#: Google: "Maximum output tokens: 32,768" on all three model pages.
MAX_OUTPUT_TOKENS = 32_768


def gemini_size(tier: str, aspect_ratio: str) -> Size:
    """Pixel size of a Gemini image for ``tier`` (``0.5K|1K|2K|3K|4K``) and ``aspect_ratio``
    (a key of :data:`GEMINI_1K`), rounded down to multiples of 8.

    Raises:
        KeyError: for an unknown tier or aspect ratio.
    """
    w, h = GEMINI_1K[aspect_ratio]
    s = TIER_SCALE[tier]
    return int(w * s) // 8 * 8, int(h * s) // 8 * 8


def nearest_aspect(width: int, height: int, aspects: tuple[str, ...] = ASPECTS_10) -> str:
    """The aspect ratio in ``aspects`` closest to ``width:height`` (Gravitex 002: pixel sizes are
    "automatically converted to the corresponding ratio")."""
    target = width / height
    return min(aspects, key=lambda k: abs(GEMINI_1K[k][0] / GEMINI_1K[k][1] - target))


def _tiers(*names: str) -> dict[str, Size]:
    return {t: gemini_size(t, "1:1") for t in names}


def _entry(model_id: str, *, page: str, sizes: SizeRule, count: CountRule, input_tokens: int, inputs: InputRule) -> Entry:
    return Entry(
        id=model_id,
        family="gemini",
        vendor="Google",
        src=upstream(page, model_id.removesuffix("-preview")),
        sizes=sizes,
        count=count,
        prompt=PromptRule(upstream(page, f"Maximum input tokens: {input_tokens:,}"), max=input_tokens, unit="tokens"),
        inputs=inputs,
        outputs=OutputRule(
            upstream(
                GEMINI_SDK,
                "output_mime_type: MIME type of the generated image (Vertex: image/png, "
                "image/jpeg); the image comes back inline as base64 data",
            ),
            response_formats=(),
            default_response_format="b64_json",
            forced="b64_json",
            formats=("png", "jpeg"),
            default_format="png",
        ),
        params=(
            Param("aspect_ratio", "string", sizes.src, choices=sizes.aspects, default="1:1"),
            Param(
                "image_size",
                "string",
                upstream(GEMINI_SDK, "If not specified, the model will use default value `1K`."),
                choices=tuple(sizes.tiers),
                default="1K",
            ),
            Param("temperature", "number", upstream(page, "Temperature 0.0-2.0"), lo=0.0, hi=2.0, default=1.0),
            Param("top_p", "number", upstream(page, "topP 0.0-1.0 (default 0.95)"), lo=0.0, hi=1.0, default=0.95),
            Param(
                "max_output_tokens", "integer", upstream(page, f"Maximum output tokens: {MAX_OUTPUT_TOKENS:,}"), lo=1, hi=MAX_OUTPUT_TOKENS
            ),
            Param("response_modalities", "array", upstream(GEMINI_SDK, "response_modalities: TEXT, IMAGE")),
        ),
    )


_SIZES_10 = "Supported aspect ratios: 1:1, 3:2, 2:3, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, and 21:9"
_FORMATS_3 = frozenset({"PNG", "JPEG", "WEBP", "HEIF"})

GEMINI_25_FLASH_IMAGE = _entry(
    "gemini-2.5-flash-image",
    page=GEMINI_25_FLASH,
    sizes=SizeRule(
        upstream(GEMINI_25_FLASH, _SIZES_10 + " (no resolution tiers: about 1 megapixel per image)"),
        default=GEMINI_1K["1:1"],
        tiers=_tiers("1K"),
        aspects=ASPECTS_10,
    ),
    count=CountRule(upstream(GEMINI_25_FLASH, "candidateCount 1-8 (default 1)"), max=8, param="candidateCount"),
    input_tokens=32_768,
    inputs=InputRule(
        upstream(
            GEMINI_25_FLASH,
            "Maximum images per prompt: 3 ... Supported MIME types: image/png, image/jpeg, image/webp ... Maximum image size: 7 MB",
        ),
        max_count=3,
        formats=frozenset({"PNG", "JPEG", "WEBP"}),
        max_bytes=7 * MIB,
    ),
)


def _pro(model_id: str) -> Entry:
    return _entry(
        model_id,
        page=GEMINI_3_PRO,
        sizes=SizeRule(
            upstream(GEMINI_3_PRO, "Supported resolutions: 1K, 2K, 4K ... " + _SIZES_10),
            default=GEMINI_1K["1:1"],
            tiers=_tiers("1K", "2K", "4K"),
            aspects=ASPECTS_10,
        ),
        count=CountRule(upstream(GEMINI_3_PRO, "candidateCount: 1"), max=1, param="candidateCount"),
        input_tokens=65_536,
        inputs=InputRule(
            upstream(
                GEMINI_3_PRO,
                "Maximum images per prompt: 14 ... Supported MIME types: image/png, "
                "image/jpeg, image/webp, image/heic, image/heif ... Maximum file size per "
                "file for inline data or direct uploads through the console: 7 MB",
            ),
            max_count=14,
            formats=_FORMATS_3,
            max_bytes=7 * MIB,
        ),
    )


def _flash31(model_id: str) -> Entry:
    return _entry(
        model_id,
        page=GEMINI_31_FLASH,
        sizes=SizeRule(
            upstream(
                GEMINI_31_FLASH,
                "747 tokens for 512p (0.25MP), 1120 tokens for 1K (1MP), 1680 tokens for 2K "
                "(4MP), and 2520 tokens for 4K (16MP) ... Supported aspect ratios: 1:1, "
                "1:4, 1:8, 3:2, 2:3, 3:4, 4:1, 4:3, 4:5, 5:4, 8:1, 9:16, 16:9, and 21:9",
            ),
            default=GEMINI_1K["1:1"],
            tiers=_tiers("0.5K", "1K", "2K", "4K"),
            aspects=ASPECTS_14,
        ),
        count=CountRule(upstream(GEMINI_31_FLASH, "candidateCount: 1"), max=1, param="candidateCount"),
        input_tokens=131_072,
        inputs=InputRule(
            upstream(
                GEMINI_31_FLASH,
                "Maximum images per prompt: 14 ... Supported MIME types: image/png, image/jpeg, image/webp, image/heic, image/heif",
            ),
            max_count=14,
            formats=_FORMATS_3,
            max_bytes=7 * MIB,
        ),
    )


GEMINI_3_PRO_IMAGE_PREVIEW = _pro("gemini-3-pro-image-preview")
GEMINI_3_PRO_IMAGE = _pro("gemini-3-pro-image")
GEMINI_31_FLASH_IMAGE_PREVIEW = _flash31("gemini-3.1-flash-image-preview")
GEMINI_31_FLASH_IMAGE = _flash31("gemini-3.1-flash-image")

ENTRIES: tuple[Entry, ...] = (
    GEMINI_25_FLASH_IMAGE,
    GEMINI_3_PRO_IMAGE_PREVIEW,
    GEMINI_3_PRO_IMAGE,
    GEMINI_31_FLASH_IMAGE_PREVIEW,
    GEMINI_31_FLASH_IMAGE,
)

#: A tier with no ``image_size`` (and no quality word) renders 1K (python-genai: "If not specified, the
#: model will use default value 1K"); with no aspect ratio, 1:1 (inferred: Gemini picks one; the mock
#: answers the square one, or an edit's input ratio).
DEFAULT_TIER = "1K"
DEFAULT_ASPECT = inferred("Gemini picks the aspect ratio when none is sent; the mock answers 1:1 (or an edit's input ratio)")
