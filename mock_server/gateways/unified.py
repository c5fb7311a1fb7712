"""The unified image API shared by Gravitex (document ``002_ab704fc42b2dda63.txt``) and Image Series
(document ``003_6adaea01228e01a0.txt``): one ``POST /v1/images/generations`` for four model families.

The two documents describe the same product family, so the request parsing, the per-family rules
and the wrapped response live here once; ``gravitex.py`` and ``imageseries.py`` only list their
models and their documented differences and call :func:`build_gateway`.

Documented (002 unless marked; 003 says the same where it says anything):

* Bearer auth ("Authorization ... Bearer sk-xxxxxxxxxx"); request fields ``model``, ``prompt``,
  ``response_format`` ("b64_json or url"), ``contents`` (multi-turn / image-to-image input, parts
  ``{"text"}`` or ``{"image"}``), and the per-family parameters of "Model-Specific Parameters";
* ``response_format`` rules: "Gemini series: Only supports b64_json format, always returns
  base64-encoded image data regardless of the value passed"; Seedream "Usually returns URL links,
  response_format parameter may not take effect"; "GPT Image series: Only supports b64_json
  format"; Qwen "returns the corresponding format based on the parameter value";
* the response ``{"code": 200, "msg": "Success", "data": {"data": [{"url", "b64_json",
  "revised_prompt"}], "created"}}`` ("Response Format"; 003 shows no response body);
* Seedream: the sizes per version, ``seed`` "0 to 2147483647", ``guidance_scale`` "1.0-10.0 ...
  Only supported by doubao-seedream-3.0-t2i-250415 and doubao-seededit-3.0-i2i-250628",
  ``sequential_image_generation`` ``auto | disabled`` for 4.0 and 4.5 with ``max_images`` "range 1-4,
  default 4", ``optimize_prompt_options.mode`` ``standard`` ("supported by both 4.0 and 4.5") or
  ``fast`` ("only 4.0"), seededit "Does not support pure text-to-image", 3.0 "Does not support
  image-to-image", "Multi-image fusion (2-5 images fusion generation)";
* GPT Image: ``size`` "1024x1024, 1024x1536, 1536x1024. Default: 1024x1024", ``quality`` low |
  medium | high, ``n`` "1-10", ``input_fidelity`` low | medium | high | auto, ``image`` /
  ``images`` ("up to 10 images"), "JPEG, PNG, GIF, WEBP formats, max 10MB";
* Gemini: ``size`` as one of ten aspect ratios "or pixel dimensions ... automatically convert[ed]
  ... to the corresponding ratio", ``quality`` "hd","high","2K" -> 2K and "standard","medium","low",
  "auto","1K" -> 1K, ``image_size`` "1K (default), 2K, 4K", ``top_p`` "0.0-1.0", ``mime_type``
  "image/png (default), image/jpeg", ``response_modalities`` "image (default), image-text",
  "Multi-image-to-one (2-5 images fusion generation)", inputs "PNG, JPEG, JPG, WEBP, max 7MB";
* Qwen: ``input.messages[].content[]`` with ``role`` "must be set to user", ``image`` "Supports 1-3
  input images" for qwen-image-edit-plus, ``parameters.n`` (1-6 for qwen-image-edit-plus),
  ``negative_prompt``, ``prompt_extend``, ``watermark``, ``seed`` "range 0-2147483647", ``size``
  ("2048*2048" in the example); qwen-image-plus "Does not support image-to-image".

The models are catalog entries (``mock_server/catalog``); gravitex.py and imageseries.py pass only
what their documents state explicitly through the builders below (:func:`gemini_offer`,
:func:`seedream_offer`, :func:`gpt_image_offer`, :func:`qwen_offer`), each with its quote. Where a
document is silent the upstream rule holds: prompt caps (GPT Image 32,000 characters; Gemini input
tokens; Seedream the catalog's 32,000-character bound; Qwen truncated past 800), Seedream sizes by
Ark's pixel and aspect ranges where a list ends in "etc.", DashScope's qwen-image sizes.

Choices where the documents contradict themselves (recorded in the contracts too):

* Gemini ``image_size``: the table says ``1K, 2K, 4K`` but two examples send ``"3K"``; DESIGN.md says
  accept what the examples send, so ``3K`` is accepted (rendered at 3x the 1K size).
* Seedream ``optimize_prompt_options.mode``: the parameter table says ``standard | fast``; the
  "Best Practices" and FAQ sections name ``standard, creative, precise`` for 4.5. The table and the
  examples agree and Ark (the upstream) knows only ``standard``/``fast``, so ``creative`` and
  ``precise`` are refused with a 400 that says so.
* Qwen ``seed``: an integer per the table, but the qwen-image-plus example sends ``"seed": "4"``;
  a decimal string in range is accepted. ``prompt_extend`` is "Only supported by
  qwen-image-edit-plus" but the qwen-image-plus example sends it: accepted for both. ``n`` is
  "(integer, required)" with "default is 1" and the qwen-image-plus example omits it: optional.

Inferred (each marked where it is decided):

* error bodies: the envelope ``{"code": <HTTP status>, "msg", "data": null}`` (errors.py), the
  ``moderation`` scenario as a 400 content-policy envelope; ``partial_failure`` is ignored (the
  documented ``data[]`` items carry no per-item error);
* an item always holds all three keys, the unused one an empty string (as the documented example);
* output image formats (Seedream JPEG, GPT Image / Qwen PNG), defaults (Seedream 3.0 ``1024x1024``,
  4.x ``2048x2048``, Qwen ``url``), ``2K``/``4K`` tier words for Seedream 4.x, Gemini ``temperature``
  0-2 and ``n`` 1-4, Qwen sizes and the seededit ``adaptive`` size (each from its upstream);
* JSON ``null`` for an optional field means "not sent", and fields the family does not know are
  ignored (OpenAI-compatible gateways pass them on); a documented parameter sent to a model of
  the same family that does not support it ("only supported by ...") is refused with a 400;
* image limits apply per ``contents`` turn; Seedream takes one ``user`` turn (Ark is single-turn);
  Gemini turns may be ``user`` or ``model`` (upstream Gemini); the prompt rendered is ``prompt``
  when sent, else the turns' text parts joined;
* input images are ``http(s)`` URLs (not fetched) or ``data:image/...;base64,`` URLs; "MB" is
  1,048,576 bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from ..catalog import (
    CATALOG,
    CountRule,
    Entry,
    InputRule,
    Model,
    OutputRule,
    Param,
    SizeRule,
    Src,
    gemini_size,
    get_bool,
    get_float,
    get_int,
    get_list,
    get_obj,
    get_str,
    model_or_error,
    nearest_aspect,
    offer,
)
from ..catalog.gemini import ASPECTS_10
from ..catalog.seedream import PROMPT_MODES, SIZES_30
from ..errors import GatewayError, invalid
from ..images import ImageFormat, spec_for
from .base import Ctx, Gateway, Operation, Plan, check_image_ref, ok

MB = 1024 * 1024  # inferred: "max 10MB" read as binary megabytes
RESPONSE_FORMATS: tuple[str, ...] = ("b64_json", "url")  # 002/003: "b64_json or url"
SEED_MAX = 2_147_483_647  # 002: seed "0 to 2147483647" (Seedream), "range 0-2147483647" (Qwen)

#: Input image formats (Pillow names) per the FAQ "What image formats are supported?" (002, 003).
FORMATS_GEMINI = frozenset({"PNG", "JPEG", "WEBP"})  # "Gemini: PNG, JPEG, JPG, WEBP, max 7MB"
FORMATS_SEEDREAM_BASIC = frozenset({"PNG", "JPEG"})  # 002: "Doubao Seedream 3.0/4.0: JPEG, PNG, max 10MB"
FORMATS_SEEDREAM_WIDE = frozenset({"PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF"})  # "Seedream 4.5" (002), "4.x" (003)
FORMATS_GPT = frozenset({"PNG", "JPEG", "GIF", "WEBP"})  # "GPT Image: JPEG, PNG, GIF, WEBP, max 10MB"
FORMATS_QWEN = frozenset({"PNG", "JPEG", "BMP", "TIFF", "WEBP"})  # "Qwen: JPEG, JPG, PNG, BMP, TIFF, WEBP, max 10MB"

# -- Gemini ------------------------------------------------------------------------------------

#: 002: "hd","high","2K": Maps to 2K ... "standard","medium","low","auto","1K": Maps to 1K (default).
GEMINI_QUALITY_TIER: dict[str, str] = {
    "hd": "2K",
    "high": "2K",
    "2K": "2K",
    "standard": "1K",
    "medium": "1K",
    "low": "1K",
    "auto": "1K",
    "1K": "1K",
}
GEMINI_MIME: dict[str, ImageFormat] = {"image/png": "png", "image/jpeg": "jpeg"}  # 002: mime_type
GEMINI_MODALITIES: tuple[str, ...] = ("image", "image-text")  # 002: "image (default), image-text"
GEMINI_TEMPERATURE = (0.0, 2.0)  # upstream Gemini "Temperature 0.0-2.0" (the range is lost in 002's capture)
#: ``n`` for Gemini: 002 maps it to "sample_count"; 1-4 inferred from that parameter's upstream (Imagen sampleCount).
GEMINI_MAX_N = 4
#: Pixel dimensions for Gemini ``size`` (002: "Can also use pixel dimensions (e.g., 1024x1024)").
#: Same text as the contract's pattern (``(?![\s\S])`` is "end of string" in every regex dialect).
GEMINI_PIXEL_SIZE = re.compile(r"^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})(?![\s\S])")

# -- Seedream ----------------------------------------------------------------------------------

#: 002 "doubao-seedream-3.0: 1024x1024,1152x864,864x1152,1280x720,720x1280,1248x832,832x1248,1512x648".
SEEDREAM_30_SIZES: tuple[str, ...] = SIZES_30
#: 002 "doubao-seedream-4.0/4.5: ... (2K) or ... (4K)".
SEEDREAM_4X_SIZES: tuple[str, ...] = (
    "2048x2048",
    "2304x1728",
    "1728x2304",
    "2560x1440",
    "1440x2560",
    "2496x1664",
    "1664x2496",
    "3024x1296",
    "4096x4096",
    "4704x3520",
    "3520x4704",
    "5504x3040",
    "3040x5504",
    "4992x3328",
    "3328x4992",
    "6240x2656",
)
SEEDEDIT_SIZE = "adaptive"  # inferred from Ark: seededit-3.0-i2i only takes size "adaptive"
SEQUENTIAL_MODES: tuple[str, ...] = ("auto", "disabled")  # 002: "auto" / "disabled" (default)
SEQUENTIAL_MAX_IMAGES = 4  # 002: max_images "range 1-4, default 4"; 003 FAQ "(1-4 images)"
#: 002 FAQ / Best Practices name these for 4.5; the parameter table does not (see module doc).
UNSUPPORTED_PROMPT_MODES: tuple[str, ...] = ("creative", "precise")

# -- Qwen --------------------------------------------------------------------------------------

#: A decimal string 0..2147483647 (002's example sends ``"seed": "4"``). Python ``re.search`` semantics, as the contract.
QWEN_SEED_TEXT = re.compile(
    r"^(0|[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
    r"|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])(?![\s\S])"
)
QWEN_EDIT_PIXELS = 1024 * 1024  # DashScope: "默认总像素数接近 1024*1024" (edit output at the last image's aspect ratio)


# -- the models: catalog entries with the unified documents' overrides ---------------------------------
#
# Each builder takes the gateway document's own quotes (``Src``) and applies only what that document
# states; gravitex.py and imageseries.py call them. Where a ``*_src`` is ``None`` the document is silent
# and the catalog's upstream rule holds.


def _forced(
    src: Src, forced: str | None, entry_outputs: OutputRule, formats: tuple[ImageFormat, ...] | None = None, default_response: str = "url"
) -> OutputRule:
    """The unified API's ``response_format`` (002/003: "b64_json or url") with the family's rule."""
    fmts = formats if formats is not None else entry_outputs.formats or (entry_outputs.default_format,)
    return OutputRule(
        src,
        response_formats=RESPONSE_FORMATS,
        default_response_format=forced or default_response,
        forced=forced,
        formats=fmts,
        default_format=entry_outputs.default_format,
    )


def gemini_offer(
    gateway: str,
    name: str,
    src: Src,
    *,
    tiers: tuple[str, ...],
    sizes_src: Src,
    inputs_src: Src,
    max_images: int | None,
    formats: frozenset[str],
    outputs_src: Src,
    count_src: Src,
) -> Model:
    """A Gemini model with the document's ``image_size`` tiers (any the entry lacks render by
    :func:`~mock_server.catalog.gemini_size`), aspect ratios, input images (``max_images`` per turn,
    ``None``: the entry's count), ``mime_type`` list, forced ``b64_json``, and ``n`` 1-4
    (``count_src`` says why)."""
    entry = CATALOG[name]
    return offer(
        gateway,
        name,
        entry,
        src,
        sizes=SizeRule(sizes_src, default=entry.sizes.default, tiers={t: gemini_size(t, "1:1") for t in tiers}, aspects=ASPECTS_10),
        inputs=InputRule(
            inputs_src, max_count=max_images if max_images is not None else entry.inputs.max_count, formats=formats, max_bytes=7 * MB
        ),
        outputs=_forced(outputs_src, "b64_json", entry.outputs, formats=("png", "jpeg")),
        count=CountRule(count_src, max=GEMINI_MAX_N),
    )


def seedream_version(name: str) -> str:
    """``3.0`` | ``4.0`` | ``4.5`` | ``edit`` for a Doubao model id."""
    if "seededit" in name:
        return "edit"
    return {"3-0": "3.0", "4-0": "4.0", "4-5": "4.5"}[name.split("seedream-")[1][:3]]


def listed_sizes(src: Src, entry: Entry, listed: tuple[str, ...], *, tiers: tuple[str, ...] = ()) -> SizeRule:
    """A closed size list (no custom sizes) plus the tier words ``tiers`` of the entry."""
    return SizeRule(src, default=entry.sizes.default, tiers={t: entry.sizes.tiers[t] for t in tiers}, listed=listed)


def seedream_offer(
    gateway: str,
    name: str,
    src: Src,
    *,
    outputs_src: Src,
    seed_src: Src,
    sizes: SizeRule | None = None,
    count_src: Src | None = None,
    inputs_src: Src | None = None,
    max_images: int | None = None,
    formats: frozenset[str] | None = None,
) -> Model:
    """A Doubao Seedream / SeedEdit model: URL results ("Usually returns URL links"), the
    document's ``seed`` range, and — where the document states them — its size list, the
    sequential ``max_images`` range 1-4 (default 4) and the input formats (``max_images`` per
    turn, ``None``: the entry's count) at 10 MB."""
    entry = CATALOG[name]
    overrides: dict[str, Any] = {"outputs": _forced(outputs_src, "url", entry.outputs)}
    if sizes is not None:
        overrides["sizes"] = sizes
    if count_src is not None:
        overrides["count"] = CountRule(count_src, max=SEQUENTIAL_MAX_IMAGES, default=SEQUENTIAL_MAX_IMAGES, param="max_images")
    if inputs_src is not None:
        overrides["inputs"] = InputRule(
            inputs_src,
            max_count=max_images if max_images is not None else entry.inputs.max_count,
            formats=formats or entry.inputs.formats,
            max_bytes=10 * MB,
        )
    seed = Param("seed", "integer", seed_src, lo=0, hi=SEED_MAX)
    return offer(gateway, name, entry, src, extra_params=(seed,), **overrides)


def gpt_image_offer(
    gateway: str,
    name: str,
    src: Src,
    *,
    sizes_src: Src,
    quality_src: Src,
    fidelity_src: Src,
    inputs_src: Src,
    max_images: int | None,
    outputs_src: Src,
) -> Model:
    """A GPT Image model: sizes "1024x1024, 1024x1536, 1536x1024. Default: 1024x1024" (closed),
    ``quality`` low/medium/high, ``input_fidelity`` low/medium/high/auto, inputs "JPEG, PNG, GIF,
    WEBP ... max 10MB" (``max_images``; ``None``: the entry's count), forced ``b64_json``."""
    entry = CATALOG[name]
    return offer(
        gateway,
        name,
        entry,
        src,
        sizes=SizeRule(sizes_src, default=(1024, 1024), listed=entry.sizes.listed),
        inputs=InputRule(
            inputs_src, max_count=max_images if max_images is not None else entry.inputs.max_count, formats=FORMATS_GPT, max_bytes=10 * MB
        ),
        outputs=_forced(outputs_src, "b64_json", entry.outputs, formats=("png",)),
        extra_params=(
            Param("quality", "string", quality_src, choices=("low", "medium", "high")),
            Param("input_fidelity", "string", fidelity_src, choices=("low", "medium", "high", "auto")),
        ),
        drop_params=("moderation", "background", "output_format", "output_compression", "stream", "partial_images", "user"),
    )


def qwen_offer(
    gateway: str, name: str, src: Src, *, outputs_src: Src, inputs_src: Src, seed_src: Src, count: CountRule | None = None
) -> Model:
    """A Qwen model: ``b64_json`` or ``url`` as asked ("returns the corresponding format based on
    the parameter value"; ``url`` by default, inferred from DashScope), the FAQ's input formats at
    10 MB, the document's ``seed`` range, and ``count`` when the document states one."""
    entry = CATALOG[name]
    overrides: dict[str, Any] = {
        "outputs": OutputRule(
            outputs_src, response_formats=RESPONSE_FORMATS, default_response_format="url", formats=("png",), default_format="png"
        ),
    }
    if entry.inputs.max_count:
        overrides["inputs"] = InputRule(
            inputs_src, max_count=entry.inputs.max_count, min_count=entry.inputs.min_count, formats=FORMATS_QWEN, max_bytes=10 * MB
        )
    extra = [Param("seed", "integer|string", seed_src, lo=0, hi=SEED_MAX)]
    if count is not None:
        overrides["count"] = count
        extra.append(Param("n", "integer", count.src, lo=1, hi=count.max, default=count.default))
    return offer(gateway, name, entry, src, extra_params=tuple(extra), **overrides)


# -- parsing helpers ---------------------------------------------------------------------------


@dataclass
class Inputs:
    """Text and images gathered from ``contents`` or ``input.messages``; ``images`` holds each
    input image's ``(width, height)``, or ``None`` for a URL (not fetched)."""

    texts: list[str]
    images: list[tuple[int, int] | None]


def _shown(value: object) -> str:
    return repr(value[:40]) if isinstance(value, str) else type(value).__name__


def _text(value: object, param: str) -> str:
    """A non-empty string, else a 400 naming ``param``."""
    if not isinstance(value, str):
        raise invalid(param, f"{param} must be a string", "invalid_type")
    if value == "":
        raise invalid(param, f"{param} must not be empty", "missing_parameter")
    return value


def _array(container: dict[str, Any], key: str, param: str, *, required: bool = False) -> list[Any] | None:
    """``container[key]`` as a non-empty array (``null`` = not sent)."""
    value = container.get(key)
    if value is None:
        if required:
            raise invalid(param, f"{param} is required", "missing_parameter")
        return None
    if not isinstance(value, list):
        raise invalid(param, f"{param} must be an array", "invalid_type")
    if not value:
        raise invalid(param, f"{param} must not be empty")
    return value


def _image(value: object, param: str, model: Model) -> tuple[int, int] | None:
    """Validate one input image for ``model`` (its input rule's formats and byte limit)."""
    inputs = model.rules.inputs
    return check_image_ref(value, param, max_bytes=inputs.max_bytes, formats=inputs.formats or None, allow_raw_base64=False)


def _no_image_input(model: Model, param: str) -> GatewayError:
    return invalid(param, f"{param}: {model.name} does not support image input (text-to-image only)")


def _part(part: object, param: str, model: Model, inputs: Inputs) -> bool:
    """Parse one ``{"text"}`` / ``{"image"}`` part into ``inputs``; ``True`` when it was an image."""
    if not isinstance(part, dict):
        raise invalid(param, f"{param} must be an object holding text or image", "invalid_type")
    has_text, has_image = "text" in part, "image" in part
    if has_text == has_image:
        raise invalid(param, f"{param} must hold exactly one of text or image")
    if has_text:
        inputs.texts.append(_text(part["text"], f"{param}.text"))
        return False
    if not model.image_input:
        raise _no_image_input(model, f"{param}.image")
    inputs.images.append(_image(part["image"], f"{param}.image", model))
    return True


def _contents(body: dict[str, Any], model: Model, *, max_turns: int | None, roles: tuple[str, ...]) -> Inputs:
    """Parse ``contents`` (002: "role": "user", "parts": [{"text"} | {"image"}]).

    At most ``model.max_input_images`` images per turn (inferred: the fusion limit applies to one
    message); ``role`` is optional (default ``user``) and one of ``roles``.

    Raises:
        GatewayError: 400 naming ``contents[i]...``.
    """
    inputs = Inputs([], [])
    turns = _array(body, "contents", "contents")
    if turns is None:
        return inputs
    if max_turns is not None and len(turns) > max_turns:
        raise invalid("contents", f"contents: {model.name} takes {max_turns} turn; got {len(turns)}")
    for i, turn in enumerate(turns):
        p = f"contents[{i}]"
        if not isinstance(turn, dict):
            raise invalid(p, f"{p} must be an object with role and parts", "invalid_type")
        get_str(turn, "role", choices=roles, param=f"{p}.role")
        parts = _array(turn, "parts", f"{p}.parts", required=True)
        assert parts is not None
        images = sum(_part(part, f"{p}.parts[{j}]", model, inputs) for j, part in enumerate(parts))
        if images > model.max_input_images:
            raise invalid(
                f"{p}.parts",
                f"{p}.parts: {model.name} takes at most {model.max_input_images} "
                f"image{'s' if model.max_input_images != 1 else ''} per turn; got {images}",
            )
    return inputs


def _prompt(body: dict[str, Any], model: Model, inputs: Inputs | None = None) -> str:
    """``prompt`` when sent, else the text parts of ``inputs`` joined; a 400 naming ``prompt`` when
    neither. The text is checked against the model's prompt rule (the catalog's cap), counting
    ``prompt`` and every text part together (they all reach the model).

    Raises:
        GatewayError: 400 naming ``prompt``.
    """
    texts = list(inputs.texts) if inputs is not None else []
    if body.get("prompt") is not None:
        prompt = _text(body["prompt"], "prompt")
        model.rules.prompt.apply("\n".join([prompt, *texts]))
        return prompt
    if texts:
        return model.rules.prompt.apply("\n".join(texts))
    hint = " (or a text part in contents)" if inputs is not None else ""
    raise invalid("prompt", f"prompt is required{hint}", "missing_parameter")


def _require_images(model: Model, inputs: Inputs, param: str) -> None:
    if not model.text_to_image and not inputs.images:
        raise invalid(param, f"{param}: {model.name} needs an input image; it does not support pure text-to-image", "missing_parameter")


def _only_for(body: dict[str, Any], key: str, supported: bool, model: Model, who: str) -> None:
    """A 400 naming ``key`` when it is sent to a model that does not support it (002: "only supported by")."""
    if body.get(key) is not None and not supported:
        raise invalid(key, f"{key} is not supported by {model.name}; only {who}")


def _nearest(sizes: tuple[str, ...], dims: tuple[int, int] | None, default: tuple[int, int]) -> tuple[int, int]:
    """The size in ``sizes`` whose aspect ratio is closest to ``dims`` (``default`` when unknown)."""
    if dims is None:
        return default
    target = math.log(dims[0] / dims[1])
    best = min(sizes, key=lambda s: abs(math.log(int(s.split("x")[0]) / int(s.split("x")[1])) - target))
    w, h = best.split("x")
    return int(w), int(h)


# -- the four families -------------------------------------------------------------------------


def plan_gemini(body: dict[str, Any], model: Model) -> Plan:
    """Gemini (002 "Gemini"): ``contents`` turns, ``size`` ratio or pixels, ``quality`` /
    ``image_size`` tier, ``temperature``, ``top_p``, ``n``, ``mime_type``, ``response_modalities``.
    Always ``b64_json`` (002: "regardless of the value passed").

    Raises:
        GatewayError: 400 naming the parameter.
    """
    inputs = _contents(body, model, max_turns=None, roles=("user", "model"))  # "model" turns: upstream Gemini
    prompt = _prompt(body, model, inputs)
    aspects = model.rules.sizes.aspects
    size = body.get("size")
    if size is None:
        # inferred from upstream Gemini: without a ratio an edit keeps the (last) input image's ratio, else 1:1
        last = inputs.images[-1] if inputs.images else None
        aspect = nearest_aspect(*last, aspects) if last else "1:1"
    elif isinstance(size, str) and size in aspects:
        aspect = size
    else:
        m = GEMINI_PIXEL_SIZE.search(size) if isinstance(size, str) else None
        if m is None:
            raise invalid(
                "size",
                f'size: {_shown(size)} is not an aspect ratio ({", ".join(aspects)}) or pixel dimensions such as "1024x1024"',
                "invalid_size",
            )
        aspect = nearest_aspect(int(m.group(1)), int(m.group(2)), aspects)  # 002: "automatically convert them"
    quality = get_str(body, "quality", choices=tuple(GEMINI_QUALITY_TIER))
    image_size = get_str(body, "image_size", choices=tuple(model.tiers))
    # inferred: an explicit image_size wins over the quality mapping (the examples send both)
    tier = image_size or (GEMINI_QUALITY_TIER[quality] if quality else "1K")
    get_float(body, "temperature", lo=GEMINI_TEMPERATURE[0], hi=GEMINI_TEMPERATURE[1])
    get_float(body, "top_p", lo=0.0, hi=1.0)
    n = get_int(body, "n", lo=1, hi=model.max_n, default=1)
    mime = get_str(body, "mime_type", choices=tuple(k for k, v in GEMINI_MIME.items() if v in model.rules.outputs.formats))
    mime = mime or "image/png"
    get_str(body, "response_modalities", choices=GEMINI_MODALITIES)  # image-text: the text part is not returned (inferred)
    width, height = gemini_size(tier, aspect)
    assert n is not None
    return Plan(prompt, width, height, n, GEMINI_MIME[mime], model.rules.outputs.returned(None))


def plan_seedream(body: dict[str, Any], model: Model) -> Plan:
    """Doubao Seedream / SeedEdit (002 "Doubao Seedream"): one ``contents`` turn, ``size`` from the
    version's list, ``seed``, ``guidance_scale``, ``watermark``, sequential generation and
    ``optimize_prompt_options``. Always ``url`` (002: "Usually returns URL links").

    Raises:
        GatewayError: 400 naming the parameter.
    """
    rules = model.rules
    version = seedream_version(model.upstream.id)
    inputs = _contents(body, model, max_turns=1, roles=("user",))  # inferred: Ark is single-turn
    prompt = _prompt(body, model, inputs)
    _require_images(model, inputs, "contents")
    size = body.get("size")
    if version == "edit":
        if size is not None and size != SEEDEDIT_SIZE:
            raise invalid("size", f'size: {model.name} only takes "adaptive" (the output follows the input image)', "invalid_size")
        # inferred from Ark "adaptive": the 3.0 size closest to the input image's aspect ratio
        width, height = _nearest(SEEDREAM_30_SIZES, inputs.images[-1], model.default_size)
    else:
        width, height = rules.sizes.resolve(size, "size", seps="x")
    seed = get_int(body, "seed", lo=0, hi=SEED_MAX)
    guidance = rules.param("guidance_scale")
    _only_for(body, "guidance_scale", guidance is not None, model, "doubao-seedream-3.0-t2i-250415 and doubao-seededit-3.0-i2i-250628")
    if guidance is not None:
        get_float(body, "guidance_scale", lo=guidance.lo, hi=guidance.hi)
    get_bool(body, "watermark")
    sequential = rules.param("sequential_image_generation") is not None
    seq_models = "doubao-seedream-4.0 and doubao-seedream-4.5"
    _only_for(body, "sequential_image_generation", sequential, model, seq_models)
    _only_for(body, "sequential_image_generation_options", sequential, model, seq_models)
    mode = get_str(body, "sequential_image_generation", choices=SEQUENTIAL_MODES) or "disabled"
    options = get_obj(body, "sequential_image_generation_options") or {}
    max_images = get_int(
        options, "max_images", lo=1, hi=rules.count.max, default=rules.count.default, param="sequential_image_generation_options.max_images"
    )
    modes = PROMPT_MODES.get(version, ())
    _only_for(body, "optimize_prompt_options", bool(modes), model, seq_models)
    optimize = get_obj(body, "optimize_prompt_options") or {}
    prompt_mode = optimize.get("mode")
    if prompt_mode is not None and prompt_mode not in modes:
        p = "optimize_prompt_options.mode"
        why = ""
        if prompt_mode == "fast":
            why = ' (002: "fast" is "only 4.0")'
        elif prompt_mode in UNSUPPORTED_PROMPT_MODES:
            why = " (002's FAQ names creative/precise, but its parameter table and the upstream accept only standard and fast)"
        raise invalid(p, f"{p}: {_shown(prompt_mode)} is not supported by {model.name}; use {' or '.join(modes)}{why}")
    # inferred: the mock returns exactly max_images images (upstream returns "up to" that many), capped by
    # Ark's "reference images + generated images <= 15"
    count = 1
    if mode == "auto":
        assert max_images is not None
        budget = rules.count.budget or model.upstream.count.budget
        count = max(1, min(max_images, budget - len(inputs.images))) if budget else max_images
    return Plan(prompt, width, height, count, rules.outputs.default_format, rules.outputs.returned(None), seed)


def plan_gpt_image(body: dict[str, Any], model: Model) -> Plan:
    """GPT Image (002 "GPT Image"): ``prompt`` (at most 32,000 characters, OpenAI's cap), ``size``,
    ``quality``, ``n``, ``input_fidelity``, ``image`` (one) or ``images`` (up to the model's
    input count). Always ``b64_json`` (002: "forces base64").

    Raises:
        GatewayError: 400 naming the parameter.
    """
    rules = model.rules
    prompt = _prompt(body, model)
    width, height = rules.sizes.resolve(body.get("size"), "size", seps="x")  # 002/003: "Default: 1024x1024"
    for name in ("quality", "input_fidelity"):
        p = rules.param(name)
        get_str(body, name, choices=p.choices if p is not None else ())
    n = get_int(body, "n", lo=1, hi=model.max_n, default=rules.count.default)
    image = body.get("image")
    images = _array(body, "images", "images")
    if image is not None and images is not None:
        # inferred: the document shows one or the other, never both
        raise invalid("image", "image: send either image (one) or images (several), not both")
    if image is not None:
        _image(image, "image", model)
    if images is not None:
        if len(images) > model.max_input_images:
            raise invalid("images", f"images: at most {model.max_input_images} images; got {len(images)}")
        for i, ref in enumerate(images):
            _image(ref, f"images[{i}]", model)
    assert n is not None
    # PNG: OpenAI's default output_format (the unified API documents no output_format for GPT Image)
    return Plan(prompt, width, height, n, rules.outputs.default_format, rules.outputs.returned(None))


def plan_qwen(body: dict[str, Any], model: Model, response_format: str | None) -> Plan:
    """Qwen (002 "Tongyi Qianwen"): ``input.messages[0].content[]`` (one text, 1-3 images for
    qwen-image-edit-plus) + ``parameters``; ``url`` (default, inferred) or ``b64_json``. An
    over-long prompt or ``negative_prompt`` is truncated to the model's cap (DashScope), refused
    only past the catalog's 32,000-character bound.

    A flat ``prompt`` without ``input`` is accepted for qwen-image-plus (inferred from the
    common ``prompt`` field of 002 "Request Parameters").

    Raises:
        GatewayError: 400 naming the parameter (``input.messages[0].content[1].image``,
            ``parameters.n`` ...).
    """
    inputs = Inputs([], [])
    if body.get("prompt") is not None:
        # checked even beside `input`, like every family's `prompt` (and within the catalog's bound)
        model.rules.prompt.apply(_text(body["prompt"], "prompt"), "prompt")
    source = get_obj(body, "input")
    if source is None:
        if not model.text_to_image:
            raise invalid(
                "input", f"input is required: {model.name} edits 1-3 images sent in input.messages[0].content", "missing_parameter"
            )
        prompt = _prompt(body, model)
    else:
        # inferred from DashScope: exactly one message ("only single-turn")
        messages = get_list(source, "messages", required=True, min_items=1, max_items=1, param="input.messages")
        assert messages is not None
        p = "input.messages[0]"
        message = messages[0]
        if not isinstance(message, dict):
            raise invalid(p, f"{p} must be an object with role and content", "invalid_type")
        get_str(message, "role", required=True, choices=("user",), param=f"{p}.role")  # 002: "must be set to user"
        content = _array(message, "content", f"{p}.content", required=True)
        assert content is not None
        for j, item in enumerate(content):
            _part(item, f"{p}.content[{j}]", model, inputs)
        if len(inputs.texts) != 1:  # DashScope: "仅支持传入一个text，不传或传入多个将报错" (exactly one text item)
            raise invalid(f"{p}.content", f"{p}.content must hold exactly one text item; got {len(inputs.texts)}")
        if len(inputs.images) > model.max_input_images:  # 002: "Supports 1-3 input images"
            raise invalid(f"{p}.content", f"{p}.content: {model.name} takes 1 to {model.max_input_images} images; got {len(inputs.images)}")
        _require_images(model, inputs, f"{p}.content")
        prompt = inputs.texts[0]
    # DashScope truncates an over-long prompt / negative_prompt ("超出部分将自动截断"): the image follows the kept part
    prompt = model.rules.prompt.apply(prompt, "input.messages[0].content.text" if source is not None else "prompt")
    params = get_obj(body, "parameters") or {}
    n = get_int(params, "n", lo=1, hi=model.max_n, default=model.rules.count.default, param="parameters.n")
    negative = get_str(params, "negative_prompt", param="parameters.negative_prompt")
    if negative is not None and model.rules.negative_prompt is not None:
        model.rules.negative_prompt.apply(negative, "parameters.negative_prompt")
    get_bool(params, "prompt_extend", param="parameters.prompt_extend")
    get_bool(params, "watermark", param="parameters.watermark")
    seed = _qwen_seed(params)
    size = params.get("size")
    if size is None:
        if model.text_to_image:
            width, height = model.default_size
        else:
            width, height = _qwen_edit_default(inputs.images[-1])
    else:
        # DashScope writes "宽*高" (002's example "2048*2048"); "x" accepted too (inferred)
        width, height = model.rules.sizes.resolve(size, "parameters.size", seps="*x")
    assert n is not None
    # 002: Qwen "returns the corresponding format based on the parameter value"; url when absent (inferred)
    outputs = model.rules.outputs
    return Plan(prompt, width, height, n, outputs.default_format, outputs.returned(response_format), seed)


def _qwen_seed(params: dict[str, Any]) -> int | None:
    """``parameters.seed``: an integer 0..2147483647 or its decimal string (002's example sends "4")."""
    value = params.get("seed")
    if isinstance(value, str):
        m = QWEN_SEED_TEXT.search(value)
        if m is None:
            raise invalid(
                "parameters.seed", "parameters.seed must be an integer from 0 to 2147483647 (or that integer as a decimal string)"
            )
        return int(m.group(1))
    return get_int(params, "seed", lo=0, hi=SEED_MAX, param="parameters.seed")


def _qwen_edit_default(dims: tuple[int, int] | None) -> tuple[int, int]:
    """Inferred from DashScope: about 1024*1024 pixels at the last input image's aspect ratio,
    each side a multiple of 16 in 512..2048 (002: "the output aspect ratio is based on the last image")."""
    if dims is None:
        return 1024, 1024
    scale = math.sqrt(QWEN_EDIT_PIXELS / (dims[0] * dims[1]))
    w, h = (min(2048, max(512, round(v * scale / 16) * 16)) for v in dims)
    return w, h


PLANNERS: dict[str, Callable[[dict[str, Any], Model], Plan]] = {
    "gemini": plan_gemini,
    "seedream": plan_seedream,
    "gpt_image": plan_gpt_image,
}


def scenario_text(body: dict[str, Any]) -> str | None:
    """Every prompt text of ``body`` (``prompt``, ``contents`` parts, ``input.messages`` content),
    read leniently before validation so a ``[mock:NAME]`` tag works wherever the prompt lives."""
    texts: list[str] = []
    if isinstance(body.get("prompt"), str):
        texts.append(body["prompt"])

    def parts_of(turns: object, key: str) -> None:
        for turn in turns if isinstance(turns, list) else ():
            parts = turn.get(key) if isinstance(turn, dict) else None
            for part in parts if isinstance(parts, list) else ():
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    texts.append(part["text"])

    parts_of(body.get("contents"), "parts")
    source = body.get("input")
    if isinstance(source, dict):
        parts_of(source.get("messages"), "content")
    return "\n".join(texts) or None


def _item(ctx: Ctx, plan: Plan, index: int, model: str) -> dict[str, str]:
    """One ``data.data[]`` item with all three documented keys; the unused one ``""`` (inferred
    from 002's example, which shows ``"url": ""`` beside ``b64_json``)."""
    spec = spec_for(plan.prompt, plan.width, plan.height, plan.fmt, seed=plan.seed, index=index, count=plan.count, model=model)
    if plan.response_format == "url":
        return {"url": ctx.image_url(spec), "b64_json": "", "revised_prompt": ""}
    return {"url": "", "b64_json": ctx.image(spec).b64, "revised_prompt": ""}


async def create_image(ctx: Ctx, models: dict[str, Model]) -> Response:
    """``POST /v1/images/generations`` -> 200 ``{"code": 200, "msg": "Success", "data": {"data":
    [{"url", "b64_json", "revised_prompt"}], "created"}}`` (002 "Response Format").

    Raises:
        GatewayError: 415/400 for a body that is not a JSON object; 400 naming the parameter for
            every validation failure; 400 ``content_policy_violation`` for the ``moderation``
            scenario; the generic scenario errors (429, 500, 503).
    """
    body = ctx.json()
    ctx.pick_scenario(scenario_text(body))
    ctx.raise_generic_fault()
    model = model_or_error(models, body.get("model"))
    response_format = get_str(body, "response_format", choices=RESPONSE_FORMATS)
    if model.family == "qwen":
        plan = plan_qwen(body, model, response_format)
    else:
        plan = PLANNERS[model.family](body, model)
    if ctx.scenario == "moderation":
        # inferred: each upstream (OpenAI, Ark, DashScope, Gemini) refuses unsafe input with a 400
        raise GatewayError(
            400,
            "content_policy_violation",
            "The request was rejected by the content safety system: the prompt or input images may contain sensitive content",
            param="prompt",
        )
    # partial_failure: ignored; the documented data[] items have no per-item error (inferred)
    items = [_item(ctx, plan, i, model.name) for i in range(plan.count)]
    return ok({"code": 200, "msg": "Success", "data": {"data": items, "created": int(ctx.now())}}, ctx=ctx)


def build_gateway(*, id: str, models: dict[str, Model]) -> Gateway:
    """The :class:`Gateway` of one unified image API (envelope errors and Bearer auth, as its
    registry entry says): one operation ``createImage`` at ``POST /v1/images/generations``
    answering for ``models``."""

    async def handler(ctx: Ctx) -> Response:
        return await create_image(ctx, models)

    handler.__name__ = f"{id}_create_image"
    return Gateway(id=id, operations=(Operation("/v1/images/generations", ("POST",), handler, "createImage"),), models=models)
