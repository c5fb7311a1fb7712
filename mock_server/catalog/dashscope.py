"""Alibaba Model Studio (DashScope) image models: ``qwen-image``, ``qwen-image-plus``,
``qwen-image-edit-plus``, ``wan2.6-t2i``, ``wan2.7-image`` and ``wan2.7-image-pro``.

All of them speak DashScope's multimodal-generation protocol (``input.messages[0].content`` of
``{"text"}`` / ``{"image"}`` items plus ``parameters``), which TokenHub passes through and
Gravitex / Image Series embed. Sources: Alibaba's API references (``QWEN_T2I``, ``QWEN_EDIT``,
``WAN_T2I``); Alibaba's wan2.7 parameter table was not available, so its numbers are inferred from
third-party copies of it and say so.
"""

from __future__ import annotations

from .provenance import QWEN_EDIT, QWEN_T2I, WAN_27, WAN_T2I, inferred, upstream
from .rules import CountRule, Entry, InputRule, OutputRule, Param, PixelRange, PromptRule, SizeRule

MIB = 1024 * 1024
SEED_MAX = 2_147_483_647

#: A truncating prompt rule still refuses past this many characters (necessity: no upstream takes an
#: unbounded body; 32,000 is the longest hard prompt cap any upstream in this catalog documents).
TRUNCATE_BOUND = 32_000
_BOUND_SRC = inferred(
    "DashScope truncates an over-long prompt and states no refusal threshold; the mock still refuses "
    "past 32,000 characters (the longest hard cap any upstream in this catalog documents), so a "
    "prompt of megabytes is never accepted"
)

NEGATIVE_PROMPT = PromptRule(
    upstream(QWEN_T2I, "反向提示词 ... 支持中英文，长度不超过500个字符，超出部分将自动截断。"),
    max=500,
    over="truncate",
    bound=TRUNCATE_BOUND,
    bound_src=_BOUND_SRC,
)

#: qwen-image / qwen-image-plus sizes, default first ("1664*928（默认值）").
QWEN_SIZES: tuple[str, ...] = ("1664x928", "1472x1104", "1328x1328", "1104x1472", "928x1664")
#: wan2.6-t2i recommended sizes (the default first).
WAN26_SIZES: tuple[str, ...] = ("1280x1280", "1104x1472", "1472x1104", "960x1696", "1696x960")
_URL_PNG = OutputRule(
    upstream(QWEN_T2I, "生成图像的 URL，图像格式为PNG。链接有效期为24小时"),
    response_formats=(),
    default_response_format="url",
    forced="url",
    formats=("png",),
    default_format="png",
)


def _params(src_ref: str, *, n_hi: int, n_default: int, watermark_default: bool) -> tuple[Param, ...]:
    return (
        Param("negative_prompt", "string", upstream(src_ref, "长度不超过500个字符，超出部分将自动截断")),
        Param("size", "string", upstream(src_ref, "宽*高")),
        Param("n", "integer", upstream(src_ref, "n"), lo=1, hi=n_hi, default=n_default),
        Param("prompt_extend", "boolean", upstream(src_ref, "true：默认值，开启智能改写"), default=True),
        Param("watermark", "boolean", upstream(src_ref, "默认值为 false"), default=watermark_default),
        Param("seed", "integer", upstream(src_ref, "随机数种子，取值范围[0,2147483647]"), lo=0, hi=SEED_MAX),
    )


def _qwen_image(model_id: str) -> Entry:
    return Entry(
        id=model_id,
        family="qwen",
        vendor="Alibaba (DashScope)",
        src=upstream(QWEN_T2I, "qwen-image-plus — 当前与qwen-image能力相同"),
        sizes=SizeRule(
            upstream(
                QWEN_T2I,
                "默认分辨率为1664*928。可选的分辨率及其对应的图像宽高比例为：1664*928（默认值）：16:9 / "
                "1472*1104：4:3 / 1328*1328：1:1 / 1104*1472：3:4 / 928*1664：9:16",
            ),
            default=(1664, 928),
            listed=QWEN_SIZES,
        ),
        count=CountRule(upstream(QWEN_T2I, "此参数固定为1，设置其他值将导致报错。"), max=1),
        prompt=PromptRule(
            upstream(
                QWEN_T2I,
                "其他模型为 800 Token，超出部分将自动截断。(older editions: 长度不超过800个字符 ... "
                "超过部分会自动截断) ... 注意：仅支持传入一个text，不传或传入多个将报错。",
            ),
            max=800,
            over="truncate",
            bound=TRUNCATE_BOUND,
            bound_src=_BOUND_SRC,
            texts=1,
        ),
        negative_prompt=NEGATIVE_PROMPT,
        inputs=InputRule(upstream(QWEN_T2I, "仅支持传入一个text，不传或传入多个将报错。"), max_count=0),
        outputs=_URL_PNG,
        params=_params(QWEN_T2I, n_hi=1, n_default=1, watermark_default=False),
    )


QWEN_IMAGE = _qwen_image("qwen-image")
QWEN_IMAGE_PLUS = _qwen_image("qwen-image-plus")

QWEN_IMAGE_EDIT_PLUS = Entry(
    id="qwen-image-edit-plus",
    family="qwen",
    vendor="Alibaba (DashScope)",
    src=upstream(QWEN_EDIT, "qwen-image-edit-plus — 当前与qwen-image-edit-plus-2025-10-30能力相同"),
    sizes=SizeRule(
        upstream(
            QWEN_EDIT,
            "qwen-image-edit-max、qwen-image-edit-plus系列模型：宽和高的取值范围均为[512, 2048]像素。"
            "默认总像素数接近 1024*1024，宽高比与输入图（多图输入时为最后一张）相近。",
        ),
        default=(1024, 1024),
        custom=PixelRange(512 * 512, 2048 * 2048, 4.0, min_side=512, max_side=2048),
    ),
    count=CountRule(
        upstream(QWEN_EDIT, "对于qwen-image-2.0系列、qwen-image-edit-max、qwen-image-edit-plus系列模型，可选择输出1-6张图片。"),
        max=6,
        default=1,
    ),
    prompt=PromptRule(
        upstream(QWEN_EDIT, "其他模型为 800 Token，超出部分将自动截断。 ... 仅支持传入一个text，不传或传入多个将报错。"),
        max=800,
        over="truncate",
        bound=TRUNCATE_BOUND,
        bound_src=_BOUND_SRC,
        texts=1,
    ),
    negative_prompt=PromptRule(
        upstream(QWEN_EDIT, "长度上限500个字符，每个汉字、字母、数字或符号计为一个字符，超过部分会自动截断。"),
        max=500,
        over="truncate",
        bound=TRUNCATE_BOUND,
        bound_src=_BOUND_SRC,
    ),
    inputs=InputRule(
        upstream(QWEN_EDIT, "支持传入1-3张图像。 ... 图像格式：JPG、JPEG、PNG、BMP、TIFF、WEBP和GIF。 ... 图像大小：不超过10MB。"),
        max_count=3,
        min_count=1,
        formats=frozenset({"JPEG", "PNG", "BMP", "TIFF", "WEBP", "GIF"}),
        max_bytes=10 * MIB,
    ),
    outputs=OutputRule(
        upstream(QWEN_EDIT, "生成图像的 URL，格式为PNG。链接有效期为24小时"),
        response_formats=(),
        default_response_format="url",
        forced="url",
        formats=("png",),
        default_format="png",
    ),
    params=_params(QWEN_EDIT, n_hi=6, n_default=1, watermark_default=False),
)

WAN26_T2I = Entry(
    id="wan2.6-t2i",
    family="qwen",
    vendor="Alibaba (DashScope)",
    src=upstream(WAN_T2I, "本章节接口为新版协议，仅支持 wan2.6模型。"),
    sizes=SizeRule(
        upstream(WAN_T2I, "默认值为 1280*1280。总像素在 [1280*1280, 1440*1440] 之间且宽高比范围为 [1:4, 4:1]。例如，768*2700符合要求。"),
        default=(1280, 1280),
        listed=WAN26_SIZES,
        custom=PixelRange(1_638_400, 2_073_600, 4.0),
    ),
    count=CountRule(upstream(WAN_T2I, "生成图片的数量。取值范围为1~4张，默认为4。"), max=4, default=4),
    prompt=PromptRule(
        upstream(
            WAN_T2I,
            "支持中英文，长度不超过2100个字符，每个汉字、字母、数字或符号计为一个字符，超过部分会自动截断。 ... "
            "仅支持传入一个text，不传或传入多个将报错。",
        ),
        max=2100,
        over="truncate",
        bound=TRUNCATE_BOUND,
        bound_src=_BOUND_SRC,
        texts=1,
    ),
    negative_prompt=PromptRule(
        upstream(WAN_T2I, "支持中英文，长度不超过500个字符，超出部分将自动截断。"),
        max=500,
        over="truncate",
        bound=TRUNCATE_BOUND,
        bound_src=_BOUND_SRC,
    ),
    inputs=InputRule(upstream(WAN_T2I, "仅支持传入一个text，不传或传入多个将报错。"), max_count=0),
    outputs=_URL_PNG,
    params=_params(WAN_T2I, n_hi=4, n_default=4, watermark_default=False),
)

_WAN27_3P = (
    "Alibaba's wan2.7 parameter table was not available; third-party copies of it agree on: prompt up to 5000 "
    "characters, up to 9 input images (JPEG/PNG/WEBP/BMP, at most 20 MB), size 1K/2K (default)/4K (pro, "
    "text-to-image only), n 1-4"
)


def _wan27(model_id: str, *, pro: bool) -> Entry:
    tiers = {"1K": (1024, 1024), "2K": (2048, 2048)} | ({"4K": (4096, 4096)} if pro else {})
    params = _params(WAN_27, n_hi=4, n_default=1, watermark_default=False) + (
        Param("thinking_mode", "boolean", inferred(_WAN27_3P + "; thinking_mode default true"), default=True),
        Param("bbox_list", "array", inferred(_WAN27_3P + "; bbox_list: one list of boxes per input image")),
        Param("enable_sequential", "boolean", inferred(_WAN27_3P + "; enable_sequential default false"), default=False),
    )
    return Entry(
        id=model_id,
        family="qwen",
        vendor="Alibaba (DashScope)",
        src=upstream(
            WAN_27,
            "wan2.7-image-pro — Wan 2.7 image Pro. Supports 4K output for text-to-image generation"
            if pro
            else "wan2.7-image — Wan 2.7 image. Faster generation.",
        ),
        sizes=SizeRule(
            inferred(_WAN27_3P + "; a tier renders its square size; custom W*H sizes are not modelled"), default=(2048, 2048), tiers=tiers
        ),
        count=CountRule(inferred(_WAN27_3P), max=4, default=1),
        prompt=PromptRule(
            inferred(_WAN27_3P + "; over-long prompts truncated like every DashScope sibling on this protocol"),
            max=5000,
            over="truncate",
            bound=TRUNCATE_BOUND,
            bound_src=_BOUND_SRC,
        ),
        negative_prompt=NEGATIVE_PROMPT,
        inputs=InputRule(inferred(_WAN27_3P), max_count=9, formats=frozenset({"JPEG", "PNG", "WEBP", "BMP"}), max_bytes=20 * MIB),
        outputs=OutputRule(
            upstream(WAN_27, "Image format: PNG."),
            response_formats=(),
            default_response_format="url",
            forced="url",
            formats=("png",),
            default_format="png",
        ),
        params=params,
    )


WAN27_IMAGE = _wan27("wan2.7-image", pro=False)
WAN27_IMAGE_PRO = _wan27("wan2.7-image-pro", pro=True)

ENTRIES: tuple[Entry, ...] = (QWEN_IMAGE, QWEN_IMAGE_PLUS, QWEN_IMAGE_EDIT_PLUS, WAN26_T2I, WAN27_IMAGE, WAN27_IMAGE_PRO)
