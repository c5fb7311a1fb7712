"""OpenAI's GPT image models: ``gpt-image-1``, ``gpt-image-1-mini``, ``gpt-image-1.5``, ``gpt-image-2``.

Sources: openai-python's generated parameter types (``image_generate_params.py`` and
``image_edit_params.py``, snapshot e43b4224 of 2026-08-21: the API reference in code), OpenAI's
OpenAPI spec, and the image-generation guide for the numbers of gpt-image-2's size rule.
"""

from __future__ import annotations

from .provenance import OPENAI_EDIT, OPENAI_GENERATE, OPENAI_GUIDE, OPENAI_SPEC, inferred, upstream
from .rules import CountRule, Entry, InputRule, OutputRule, Param, PixelRange, PromptRule, SizeRule

MIB = 1024 * 1024

#: The three standard sizes every GPT image model takes.
STANDARD_SIZES: tuple[str, ...] = ("1024x1024", "1536x1024", "1024x1536")

_SIZES_SRC = upstream(
    OPENAI_GENERATE,
    "The standard sizes `1024x1024`, `1536x1024`, and `1024x1536` are supported by "
    "the GPT image models; `auto` is supported for models that allow automatic sizing.",
)
#: ``auto`` renders a square: OpenAI picks the size; the mock answers the first standard size.
_AUTO_SQUARE = (1024, 1024)

#: gpt-image-2: "arbitrary resolutions ... divisible by 16 ... between 1:3 and 3:1 ... maximum supported
#: resolution is 3840x2160"; the pixel bounds and the edge limit are the guide's numbers.
GPT_IMAGE_2_CUSTOM = PixelRange(min_pixels=655_360, max_pixels=8_294_400, max_aspect=3.0, multiple_of=16, max_side=3840)

_PROMPT = PromptRule(upstream(OPENAI_GENERATE, "The maximum length is 32000 characters for the GPT image models"), max=32_000)
_COUNT = CountRule(upstream(OPENAI_GENERATE, "Must be between 1 and 10."), max=10, default=1)
_INPUTS = InputRule(
    upstream(OPENAI_EDIT, "each image should be a `png`, `webp`, or `jpg` file less than 50MB. You can provide up to 16 images."),
    max_count=16,
    formats=frozenset({"PNG", "WEBP", "JPEG"}),
    max_bytes=50 * MIB - 1,
)
_OUTPUTS = OutputRule(
    upstream(OPENAI_GENERATE, "This parameter isn't supported for the GPT image models, which always return base64-encoded images."),
    response_formats=(),
    default_response_format="b64_json",
    forced="b64_json",
    formats=("png", "jpeg", "webp"),
    default_format="png",
)


def _params(*, input_fidelity: bool) -> tuple[Param, ...]:
    g, e = OPENAI_GENERATE, OPENAI_EDIT
    params = [
        Param("n", "integer", upstream(g, "Must be between 1 and 10."), lo=1, hi=10, default=1),
        Param("size", "string", upstream(OPENAI_SPEC, "size: default: auto"), default="auto"),
        Param(
            "quality",
            "string",
            upstream(g, "`auto` (default value) ... `high`, `medium` and `low` are supported for the GPT image models."),
            choices=("low", "medium", "high", "auto"),
            default="auto",
        ),
        Param(
            "background",
            "string",
            upstream(g, "Must be one of `transparent`, `opaque`, or `auto` (default value)."),
            choices=("transparent", "opaque", "auto"),
            default="auto",
        ),
        Param(
            "moderation",
            "string",
            upstream(g, "Must be either `low` for less restrictive filtering or `auto` (default value)."),
            choices=("low", "auto"),
            default="auto",
            only="generate",
        ),
        Param(
            "output_format",
            "string",
            upstream(g, "Must be one of `png`, `jpeg`, or `webp`."),
            choices=("png", "jpeg", "webp"),
            default="png",
        ),
        Param(
            "output_compression",
            "integer",
            upstream(g, "The compression level (0-100%) for the generated images."),
            lo=0,
            hi=100,
            default=100,
        ),
        Param("stream", "boolean", upstream(g, "Generate the image in streaming mode. Defaults to `false`."), default=False),
        Param("partial_images", "integer", upstream(g, "Value must be between 0 and 3."), lo=0, hi=3, default=0),
        Param("user", "string", upstream(g, "A unique identifier representing your end-user"), nullable=False),
    ]
    if input_fidelity:
        params.append(
            Param(
                "input_fidelity",
                "string",
                upstream(
                    e,
                    "This parameter is only supported for `gpt-image-1` and `gpt-image-1.5` and "
                    "later models, unsupported for `gpt-image-1-mini`. Supports `high` and `low`. "
                    "Defaults to `low`.",
                ),
                choices=("high", "low"),
                default="low",
                only="edit",
            )
        )
    return tuple(params)


def _entry(model_id: str, sizes: SizeRule, *, input_fidelity: bool = True) -> Entry:
    return Entry(
        id=model_id,
        family="gpt_image",
        vendor="OpenAI",
        src=upstream(
            OPENAI_GENERATE,
            "a GPT image model (`gpt-image-1`, `gpt-image-1-mini`, `gpt-image-1.5`, `gpt-image-2`, or `gpt-image-2-2026-04-21`)",
        ),
        sizes=sizes,
        count=_COUNT,
        prompt=_PROMPT,
        inputs=_INPUTS,
        outputs=_OUTPUTS,
        params=_params(input_fidelity=input_fidelity),
    )


_STANDARD = SizeRule(_SIZES_SRC, default=_AUTO_SQUARE, listed=STANDARD_SIZES, auto=True)

GPT_IMAGE_1 = _entry("gpt-image-1", _STANDARD)
GPT_IMAGE_1_MINI = _entry("gpt-image-1-mini", _STANDARD, input_fidelity=False)
GPT_IMAGE_1_5 = _entry("gpt-image-1.5", _STANDARD)
GPT_IMAGE_2 = _entry(
    "gpt-image-2",
    SizeRule(
        upstream(
            f"{OPENAI_GENERATE}; numbers: {OPENAI_GUIDE}",
            "For `gpt-image-2` and `gpt-image-2-2026-04-21`, arbitrary resolutions are supported as `WIDTHxHEIGHT` "
            "strings ... Width and height must both be divisible by 16 and the requested aspect ratio must be between "
            "1:3 and 3:1. ... the maximum supported resolution is `3840x2160`. (Guide: Maximum edge length must be less "
            "than or equal to 3840px ... Total pixels must be at least 655,360 and no more than 8,294,400)",
        ),
        default=_AUTO_SQUARE,
        listed=STANDARD_SIZES,
        custom=GPT_IMAGE_2_CUSTOM,
        auto=True,
    ),
)

ENTRIES: tuple[Entry, ...] = (GPT_IMAGE_1, GPT_IMAGE_1_MINI, GPT_IMAGE_1_5, GPT_IMAGE_2)

#: ``auto`` (and no ``size``) renders 1024x1024: the size OpenAI picks is not predictable.
AUTO_RENDER = inferred("OpenAI chooses the size for auto; the mock renders the first standard size, 1024x1024")
