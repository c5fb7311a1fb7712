"""ByteDance Seedream through Volcengine Ark (China ids ``doubao-seedream-*``) and BytePlus
ModelArk (international ids ``seedream-*``): 3.0 text-to-image, SeedEdit 3.0, 4.0, 4.5, 5.0-lite.

Sources: the Ark "Image generation API" pages of both platforms (``ARK_CN``, ``ARK_BYTEPLUS``).
The two editions agree on sizes, counts and parameters of 3.0/4.0/4.5; they differ on input
image bytes (BytePlus 10 MB, Volcengine 30 MB), input formats (Volcengine adds HEIC/HEIF) and
5.0-lite (Volcengine: 2K/3K/4K up to 16,777,216 pixels; BytePlus: 2K/3K up to 10,404,496).
"""

from __future__ import annotations

from .provenance import ARK_BYTEPLUS, ARK_CN, Src, inferred, upstream
from .rules import CountRule, Entry, InputRule, OutputRule, Param, PixelRange, PromptRule, Size, SizeRule

MIB = 1024 * 1024

#: Tier words -> the square pixel size the mock answers (Ark picks the aspect ratio from the prompt
#: for a tier; inferred: the mock answers the square one so results are predictable).
TIERS: dict[str, Size] = {"1K": (1024, 1024), "2K": (2048, 2048), "3K": (3072, 3072), "4K": (4096, 4096)}
DEFAULT_SIZE: Size = (2048, 2048)
#: Ark's recommended 3.0 sizes (also 002's "doubao-seedream-3.0" list).
SIZES_30: tuple[str, ...] = ("1024x1024", "1152x864", "864x1152", "1280x720", "720x1280", "1248x832", "832x1248", "1512x648")
#: "Number of input reference images + Number of generated images <= 15".
BUDGET = 15

_TIERS_SRC = inferred(
    "a tier renders the square size of the tier: Ark picks the aspect ratio from the prompt, the "
    "mock answers the square one so results are predictable"
)

#: Ark documents only a recommendation for the prompt; the mock refuses past the longest hard cap any
#: upstream of this catalog documents (OpenAI's 32,000 characters), so a prompt of megabytes is refused.
PROMPT = PromptRule(
    inferred(
        "Ark states no hard prompt limit (only 'We recommend keeping the prompt under 600 English words'); "
        "the mock refuses past 32,000 characters, the longest hard cap any upstream in this catalog documents "
        "(OpenAI gpt-image), so no prompt of megabytes is accepted"
    ),
    max=32_000,
    recommended="300 Chinese characters or 600 English words",
)

_SEQUENTIAL = CountRule(
    upstream(
        ARK_BYTEPLUS,
        "max_images integer Default: 15 ... Value range: [1, 15] ... Number of input reference images + Number of generated images ≤ 15.",
    ),
    max=15,
    default=15,
    param="max_images",
    budget=BUDGET,
)
_SINGLE = CountRule(
    upstream(ARK_BYTEPLUS, "This parameter is only supported on seedream-5-0-lite, 4-5 and 4-0"), max=1, default=1, param="n"
)

_FORMATS_BP = frozenset({"JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF"})
_INPUTS_BP = InputRule(
    upstream(
        ARK_BYTEPLUS,
        "Image format: JPEG, PNG (The seedream-5-0-lite, 4-5 and 4-0 model also "
        "support WEBP、BMP、TIFF and GIF formats) ... Size: Up to 10 MB ... support "
        "uploading a maximum of 14 reference images.",
    ),
    max_count=14,
    formats=_FORMATS_BP,
    max_bytes=10 * MIB,
)
_INPUTS_CN = InputRule(
    upstream(
        ARK_CN,
        "Seedream 5.0 lite / 4.5 / 4.0 最多支持传入 14 张参考图 ... 图片格式：jpeg、png、"
        "webp、bmp、tiff、gif、heic、heif ... 大小：不超过 30MB",
    ),
    max_count=14,
    formats=_FORMATS_BP | {"HEIF"},
    max_bytes=30 * MIB,
)
_NO_INPUTS = InputRule(upstream(ARK_CN, "image ... 仅 doubao-seedream-4.0、doubao-seededit-3.0-i2i 支持该参数"), max_count=0)
_EDIT_INPUTS = InputRule(
    upstream(ARK_CN, "image ... 仅 doubao-seedream-4.0、doubao-seededit-3.0-i2i 支持该参数 ... 图片格式：jpeg、png ... 不超过 10MB"),
    max_count=1,
    min_count=1,
    formats=frozenset({"JPEG", "PNG"}),
    max_bytes=10 * MIB,
)

_JPEG_ONLY = OutputRule(
    upstream(
        ARK_BYTEPLUS,
        "Default: url ... The generated image is in JPEG ... For the seedream-4-5/4-0, "
        "seededit-3-0-i2i and seededit-3-0-t2i models, the default file format for "
        "generated images is jpeg, and custom settings are not supported.",
    ),
    response_formats=("url", "b64_json"),
    default_response_format="url",
    formats=("jpeg",),
    default_format="jpeg",
)
_PNG_OR_JPEG = OutputRule(
    upstream(ARK_BYTEPLUS, "output_format string Default: jpeg > Only seedream-5-0-lite supports this parameter."),
    response_formats=("url", "b64_json"),
    default_response_format="url",
    formats=("png", "jpeg"),
    default_format="jpeg",
)

_B = ARK_BYTEPLUS


def _common_params(
    *, sequential: bool, prompt_modes: tuple[str, ...], seed: bool, guidance: float | None, output_format: bool, image: bool
) -> tuple[Param, ...]:
    params = [
        Param("size", "string", upstream(_B, "Two methods are available, but they cannot be used at the same time")),
        Param("response_format", "string", upstream(_B, "Default: url"), choices=("url", "b64_json"), default="url"),
        Param("watermark", "boolean", upstream(_B, "boolean Default: true"), default=True),
        Param("stream", "boolean", upstream(_B, "Only seedream-5-0-lite, 4-5 and 4-0 support this parameter"), default=False)
        if sequential
        else None,
        Param(
            "seed",
            "integer",
            upstream(_B, "Only seedream-3-0-t2i and seededit-3-0-i2i support this parameter. ... The value range is [-1, 2147483647]."),
            lo=-1,
            hi=2_147_483_647,
            default=-1,
        )
        if seed
        else None,
        Param("guidance_scale", "number", upstream(_B, "Valid values: [1, 10]"), lo=1, hi=10, default=guidance)
        if guidance is not None
        else None,
        Param(
            "sequential_image_generation",
            "string",
            upstream(_B, "Default: disabled > This parameter is only supported on seedream-5-0-lite, 4-5 and 4-0"),
            choices=("auto", "disabled"),
            default="disabled",
        )
        if sequential
        else None,
        Param(
            "sequential_image_generation_options",
            "object",
            upstream(_B, "Only effective when sequential_image_generation is set to `auto`."),
        )
        if sequential
        else None,
        Param(
            "optimize_prompt_options",
            "object",
            upstream(_B, "Only seedream-5-0-lite/4-5 (only supports `standard` mode) and seedream-4-0 support this parameter."),
            choices=(),
            default=None,
        )
        if prompt_modes
        else None,
        Param(
            "output_format",
            "string",
            upstream(_B, "output_format string Default: jpeg > Only seedream-5-0-lite supports this parameter."),
            choices=("png", "jpeg"),
            default="jpeg",
        )
        if output_format
        else None,
        Param("image", "string|array", upstream(_B, "support uploading a maximum of 14 reference images.")) if image else None,
    ]
    return tuple(p for p in params if p is not None)


#: ``optimize_prompt_options.mode`` values per model (4.0: standard and fast; 4.5 and 5.0-lite: standard).
PROMPT_MODES: dict[str, tuple[str, ...]] = {"4.0": ("standard", "fast"), "4.5": ("standard",), "5.0": ("standard",)}


def _sizes(version: str, src_ref: str) -> SizeRule:
    if version == "4.0":
        return SizeRule(
            upstream(
                src_ref,
                "Seedream 4.0 ... 1K, 2K, 4K ... Default: 2048x2048 ... Total pixels range: "
                "[1280x720 (921600), 4096x4096 (16777216)] ... Aspect ratio range: [1/16, 16]",
            ),
            default=DEFAULT_SIZE,
            tiers={k: TIERS[k] for k in ("1K", "2K", "4K")},
            custom=PixelRange(921_600, 16_777_216, 16.0),
        )
    if version == "4.5":
        return SizeRule(
            upstream(
                src_ref,
                "Seedream 4.5 ... 2K, 4K ... Total pixels range: [2560x1440 (3686400), "
                "4096x4096 (16777216)] ... Aspect ratio range: [1/16, 16]",
            ),
            default=DEFAULT_SIZE,
            tiers={k: TIERS[k] for k in ("2K", "4K")},
            custom=PixelRange(3_686_400, 16_777_216, 16.0),
        )
    if version == "5.0-byteplus":
        return SizeRule(
            upstream(ARK_BYTEPLUS, "Optional values: 2K, 3K ... Total pixels range: [2560x1440=3,686,400,3072x3072x1.1025=10,404,496]"),
            default=DEFAULT_SIZE,
            tiers={k: TIERS[k] for k in ("2K", "3K")},
            custom=PixelRange(3_686_400, 10_404_496, 16.0),
        )
    if version == "5.0-cn":
        return SizeRule(
            upstream(ARK_CN, "Seedream 5.0 lite ... 可选值：2K、3K、4K ... 总像素取值范围：[2560x1440（3686400）, 4096x4096（16777216）]"),
            default=DEFAULT_SIZE,
            tiers={k: TIERS[k] for k in ("2K", "3K", "4K")},
            custom=PixelRange(3_686_400, 16_777_216, 16.0),
        )
    raise ValueError(version)


def _seedream(model_id: str, version: str, *, cn: bool) -> Entry:
    ref = ARK_CN if cn else ARK_BYTEPLUS
    size_version = version if version != "5.0" else ("5.0-cn" if cn else "5.0-byteplus")
    src: Src = upstream(ref, f"Seedream {version}{' lite' if version == '5.0' else ''}")
    return Entry(
        id=model_id,
        family="seedream",
        vendor="ByteDance (Volcengine Ark)" if cn else "ByteDance (BytePlus ModelArk)",
        src=src,
        sizes=_sizes(size_version, ref),
        count=_SEQUENTIAL,
        prompt=PROMPT,
        inputs=_INPUTS_CN if cn else _INPUTS_BP,
        outputs=_PNG_OR_JPEG if version == "5.0" else _JPEG_ONLY,
        params=_common_params(
            sequential=True, prompt_modes=PROMPT_MODES[version], seed=False, guidance=None, output_format=version == "5.0", image=True
        ),
    )


SEEDREAM_30_T2I = Entry(
    id="doubao-seedream-3-0-t2i-250415",
    family="seedream",
    vendor="ByteDance (Volcengine Ark)",
    src=upstream(ARK_CN, "doubao-seedream-3.0-t2i"),
    # the aspect bound 1/16..16 is inferred: Ark states none for 3.0 and 1/16..16 for every later Seedream
    sizes=SizeRule(
        upstream(
            ARK_BYTEPLUS,
            "Default value: 1024x1024. The value range of total pixels: [512x512, 2048x2048] "
            "(aspect ratio <= 16 inferred: Ark's bound for 4.0 and later; none stated for 3.0)",
        ),
        default=(1024, 1024),
        listed=SIZES_30,
        custom=PixelRange(262_144, 4_194_304, 16.0),
    ),
    count=_SINGLE,
    prompt=PROMPT,
    inputs=_NO_INPUTS,
    outputs=_JPEG_ONLY,
    params=_common_params(sequential=False, prompt_modes=(), seed=True, guidance=2.5, output_format=False, image=False),
)
SEEDEDIT_30_I2I = Entry(
    id="doubao-seededit-3-0-i2i-250628",
    family="seedream",
    vendor="ByteDance (Volcengine Ark)",
    src=upstream(ARK_CN, "doubao-seededit-3.0-i2i"),
    sizes=SizeRule(
        inferred(
            "Ark doubao-seededit-3.0-i2i takes only size 'adaptive' (the output follows the input image); "
            "the mock answers the 3.0 size closest to the input's aspect ratio"
        ),
        default=(1024, 1024),
        tiers={"adaptive": (1024, 1024)},
    ),
    count=_SINGLE,
    prompt=PROMPT,
    inputs=_EDIT_INPUTS,
    outputs=_JPEG_ONLY,
    params=_common_params(sequential=False, prompt_modes=(), seed=True, guidance=5.5, output_format=False, image=True),
)
SEEDREAM_40_CN = _seedream("doubao-seedream-4-0-250828", "4.0", cn=True)
SEEDREAM_45_CN = _seedream("doubao-seedream-4-5-251128", "4.5", cn=True)
SEEDREAM_40 = _seedream("seedream-4-0-250828", "4.0", cn=False)
SEEDREAM_45 = _seedream("seedream-4-5-251128", "4.5", cn=False)
SEEDREAM_50_LITE = _seedream("seedream-5-0-260128", "5.0", cn=False)
SEEDREAM_50_LITE_CN = _seedream("doubao-seedream-5-0-260128", "5.0", cn=True)

ENTRIES: tuple[Entry, ...] = (
    SEEDREAM_30_T2I,
    SEEDEDIT_30_I2I,
    SEEDREAM_40_CN,
    SEEDREAM_45_CN,
    SEEDREAM_50_LITE_CN,
    SEEDREAM_40,
    SEEDREAM_45,
    SEEDREAM_50_LITE,
)
