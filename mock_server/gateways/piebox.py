"""PieBox (document ``000_8f4356fa7e6c2b36.txt``): asynchronous image generation behind ``X-API-Key``.

Documented ("Image Generation", "Checking Image Generation Results"):

* ``X-API-Key: <your-api-key>`` on every request (the auth scheme, host and error shape are the
  gateway registry's, :mod:`contracts.registry`);
* ``POST /v2/extend/image/seedream/generations`` — ``prompt`` (required), ``size`` ("minimum
  1920×1920 (must be ≥ 3.68M pixels)"), ``image`` ("Reference images (URL or base64)"); answers
  ``{"task_id": "img_gen_xxx", "model": "novita_seedream/seedream-5.0-lite"}``;
* ``POST /v2/extend/image/generations`` (Gemini) — ``model`` ("default gemini-3.1-flash-image, or
  gemini-3-pro-image"), ``prompt``, ``size`` (``0.5K, 1K, 2K, 4K``), ``aspect_ratio`` (``1:1, 3:2,
  2:3, 3:4, 4:3, 16:9, 9:16``), ``output_format`` (``image/png, image/jpeg, image/webp``);
* ``POST /v2/extend/image/gpt_image/generations`` — ``prompt``, ``size`` ("e.g. 1024x1024,
  1024x1536"), ``quality`` (``low / medium / high``), ``n`` ("default 1"), ``background``
  (``opaque / transparent``), ``output_format`` (``png / jpeg / webp``), ``output_compression``
  ("0–100");
* "All image generation endpoints are asynchronous — they return a task_id": ``GET
  /v2/extend/image/tasks/{task_id}``, ``…/seedream/tasks/{task_id}``, ``…/gpt_image/tasks/{task_id}``
  answer ``{task_id, status, model, result: {images: [{url}]}}`` with status ``pending``,
  ``processing``, ``succeeded`` or ``failed``.

Inferred (each marked where it is decided, and ``kind: inferred`` in the contract):

* error bodies: the OpenAI shape ``{"error": {"message", "type", "param", "code"}}`` (PieBox is
  served from a TokenHub host whose routes are OpenAI-compatible); ``failed`` tasks carry
  ``error: {code, message}``;
* Seedream: the model is BytePlus's ``seedream-5-0-260128`` (Seedream 5.0 lite, the catalog
  entry): tiers ``2K``/``3K``, custom sizes of 3,686,400..10,404,496 pixels with aspect ratio
  1/16..16 (000's minimum is the same), default ``2048x2048``; at most 14 reference images of
  10 MB in JPEG/PNG/WEBP/BMP/TIFF/GIF; JPEG output; prompt refused past 32,000 characters;
* Gemini: the response ``model`` is the requested model name; defaults ``1K``, ``1:1``,
  ``image/png`` (upstream Gemini); pixel sizes from :func:`mock_server.catalog.gemini_size`;
  ``0.5K`` is a gemini-3.1-flash-image size only (upstream: gemini-3-pro-image "Supported
  resolutions: 1K, 2K, 4K"); the prompt is capped by the model's input tokens;
* GPT-Image-2: response ``model`` ``gpt-image-2``; ``size`` by OpenAI's gpt-image-2 rule (000
  says only "e.g."): ``auto`` (-> 1024x1024), the standard sizes, or any ``WxH`` with sides
  multiples of 16, at most 3840, aspect 1:3..3:1 and 655,360..8,294,400 pixels; ``n`` at most
  10, ``output_compression`` an integer, ``background: transparent`` gives an RGBA image and is
  refused with ``output_format: jpeg``, prompt at most 32,000 characters (all upstream OpenAI);
* a task id answers only on its own family's GET endpoint (others: 404);
* ``null`` for an optional parameter means "not sent" (upstream OpenAI); unknown body fields
  are ignored (Ark, OpenAI-compatible gateways pass them on);
* scenarios: ``rate_limited``, ``quota_exceeded``, ``server_error``, ``overloaded`` answer on the
  POST (from the header, a ``[mock:NAME]`` prompt tag or the admin queue) and on a GET (header
  only, so a queued scenario is never swallowed by a poll); ``moderation`` and ``task_failed``
  create a task that ends ``failed`` (``content_policy_violation`` / ``generation_failed``);
  ``partial_failure`` is ignored, because the documented ``result.images[]`` items have no
  per-item error.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response

from ..catalog import (
    CATALOG,
    GEMINI_1K,
    CountRule,
    InputRule,
    Model,
    OutputRule,
    Param,
    SizeRule,
    doc,
    gemini_size,
    get_int,
    get_list,
    get_str,
    inferred,
    offer,
)
from ..errors import GatewayError
from ..faults import SCENARIO_HEADER, check_name, generic_error
from ..images import ImageFormat, normalize_format, spec_for
from .base import Ctx, Gateway, Operation, check_image_ref, ok

DOC = "piebox"  # doc(DOC, quote): this gateway's document (contracts.registry)

# -- Seedream ----------------------------------------------------------------------------------

#: 000 "Response": ``"model": "novita_seedream/seedream-5.0-lite"``.
SEEDREAM_MODEL = "novita_seedream/seedream-5.0-lite"
#: Seedream 5.0 lite as BytePlus ModelArk serves it (inferred: Novita resells the international
#: edition); 000's "minimum 1920×1920 (must be ≥ 3.68M pixels)" is that entry's own minimum, so
#: the size rule is the entry's.
SEEDREAM = offer(
    "piebox",
    SEEDREAM_MODEL,
    CATALOG["seedream-5-0-260128"],
    doc(DOC, '"model": "novita_seedream/seedream-5.0-lite"'),
    # 000's Seedream table has prompt, size and image only: one image per task, Ark's other
    # parameters are not part of this endpoint (ignored, like every unknown field)
    count=CountRule(inferred("000's Seedream table has no count parameter: one image per task"), max=1),
    outputs=OutputRule(
        doc(DOC, 'Response Example: … "images": [{ "url": "https://..." }]'),
        response_formats=(),
        default_response_format="url",
        forced="url",
        formats=("jpeg",),
        default_format="jpeg",
    ),
    drop_params=tuple(p.name for p in CATALOG["seedream-5-0-260128"].params if p.name not in ("size", "image")),
)

# -- Gemini ------------------------------------------------------------------------------------

GEMINI_MODELS: tuple[str, ...] = ("gemini-3.1-flash-image", "gemini-3-pro-image")  # 000, default first
GEMINI_ASPECT_RATIOS: tuple[str, ...] = ("1:1", "3:2", "2:3", "3:4", "4:3", "16:9", "9:16")  # 000
GEMINI_FORMATS: tuple[str, ...] = ("image/png", "image/jpeg", "image/webp")  # 000
assert all(a in GEMINI_1K for a in GEMINI_ASPECT_RATIOS)
_GEMINI_SIZES_QUOTE = "Options: 0.5K, 1K, 2K, 4K"
_GEMINI_ASPECT_QUOTE = "Aspect ratio: 1:1, 3:2, 2:3, 3:4, 4:3, 16:9, 9:16"


def _gemini(name: str) -> Model:
    """A Gemini model of 000: the sizes are 000's tier list as far as the model has the tier, with
    000's closed aspect-ratio list; output formats 000's list; no input images (000's Gemini
    table has no image parameter)."""
    entry = CATALOG[name]
    tiers = {t: px for t, px in entry.sizes.tiers.items() if t in ("0.5K", "1K", "2K", "4K")}
    if len(tiers) == 4:
        size_src = doc(DOC, f"{_GEMINI_SIZES_QUOTE} … {_GEMINI_ASPECT_QUOTE}")
    else:
        size_src = inferred(
            f"000 lists '{_GEMINI_SIZES_QUOTE}' for the endpoint of both models and '{_GEMINI_ASPECT_QUOTE}'; "
            f"upstream {name} has no 0.5K tier (the list is the union over the two models), so "
            f"{name} takes {', '.join(tiers)} with 000's seven aspect ratios"
        )
    return offer(
        "piebox",
        name,
        entry,
        doc(DOC, "default gemini-3.1-flash-image, or gemini-3-pro-image"),
        sizes=SizeRule(size_src, default=entry.sizes.default, tiers=tiers, aspects=GEMINI_ASPECT_RATIOS),
        outputs=OutputRule(
            doc(DOC, "Output format: image/png, image/jpeg, image/webp"),
            response_formats=(),
            default_response_format="url",
            forced="url",
            formats=("png", "jpeg", "webp"),
            default_format="png",
        ),
        inputs=InputRule(inferred("000's Gemini parameter table has no image parameter"), max_count=0),
    )


# -- GPT-Image-2 -------------------------------------------------------------------------------

GPT_MODEL = "gpt-image-2"  # inferred from the section title "GPT-Image-2"
GPT_QUALITIES: tuple[str, ...] = ("low", "medium", "high")  # 000
GPT_BACKGROUNDS: tuple[str, ...] = ("opaque", "transparent")  # 000
GPT_FORMATS: tuple[ImageFormat, ...] = ("png", "jpeg", "webp")  # 000

#: OpenAI's gpt-image-2: 000's ``size`` "e.g. 1024x1024, 1024x1536" closes nothing, so OpenAI's size
#: rule holds; 000's closed lists narrow ``quality`` and ``background``; results are task URLs.
GPT_IMAGE = offer(
    "piebox",
    GPT_MODEL,
    CATALOG[GPT_MODEL],
    inferred("000's section title 'GPT-Image-2' (OpenAI's image model)"),
    outputs=OutputRule(
        doc(DOC, "Output format: png / jpeg / webp"),
        response_formats=(),
        default_response_format="url",
        forced="url",
        formats=GPT_FORMATS,
        default_format="png",
    ),
    extra_params=(
        Param("quality", "string", doc(DOC, "Quality tier: low / medium / high"), choices=GPT_QUALITIES),
        Param("background", "string", doc(DOC, "Background: opaque / transparent"), choices=GPT_BACKGROUNDS, default="opaque"),
    ),
)

#: Every model PieBox serves, by the name it answers in ``model``.
MODELS: dict[str, Model] = {SEEDREAM_MODEL: SEEDREAM, **{n: _gemini(n) for n in GEMINI_MODELS}, GPT_MODEL: GPT_IMAGE}

# -- tasks -------------------------------------------------------------------------------------

#: Scenarios that create a task which ends ``failed``: code and message (inferred; OpenAI's
#: ``content_policy_violation`` code for moderation).
FAILED_TASK_SCENARIOS: dict[str, tuple[str, str]] = {
    "moderation": ("content_policy_violation", "The request was blocked by the content safety system"),
    "task_failed": ("generation_failed", "Image generation failed upstream; try again"),
}
_NON_BLANK = re.compile(r"\S")


def _prompt(body: dict[str, Any], model: Model) -> str:
    """``prompt``: required, a string with at least one non-whitespace character (000: "Required:
    Yes"), within ``model``'s prompt rule (the catalog's cap).

    Raises:
        GatewayError: 400 naming ``prompt``.
    """
    prompt = get_str(body, "prompt")
    if prompt is None:
        raise GatewayError(400, "missing_parameter", "prompt is required", param="prompt")
    if not _NON_BLANK.search(prompt):
        raise GatewayError(400, "missing_parameter", "prompt must not be empty", param="prompt")
    return model.rules.prompt.apply(prompt)


def _scenario(ctx: Ctx, prompt: object) -> tuple[str, str] | None:
    """Pick the scenario of a create request; raise its generic error, or return the
    ``(code, message)`` of a task that must end ``failed`` (``moderation``, ``task_failed``)."""
    name = ctx.pick_scenario(prompt)
    if name in FAILED_TASK_SCENARIOS:
        return FAILED_TASK_SCENARIOS[name]
    ctx.raise_generic_fault()  # rate_limited, quota_exceeded, server_error, overloaded; partial_failure: ignored
    return None


def _created(
    ctx: Ctx,
    *,
    family: str,
    model: str,
    prompt: str,
    width: int,
    height: int,
    fmt: ImageFormat,
    count: int = 1,
    transparent: bool = False,
    failure: tuple[str, str] | None = None,
) -> Response:
    """Create the task and answer 200 ``{"task_id": "img_gen_…", "model": model}`` (000 "Response")."""
    first = spec_for(prompt, width, height, fmt, model=model, transparent=transparent)
    if failure is None:
        task_id = ctx.mock.tasks.create(family=family, model=model, first=first, count=count)
    else:
        task_id = ctx.mock.tasks.create(
            family=family, model=model, first=first, count=count, outcome="failed", error_code=failure[0], error_message=failure[1]
        )
    return ok({"task_id": task_id, "model": model}, ctx=ctx)


# -- handlers ----------------------------------------------------------------------------------


async def create_seedream(ctx: Ctx) -> Response:
    """``POST /v2/extend/image/seedream/generations`` -> 200 ``{task_id, model}``.

    Body: ``prompt`` (required, at most 32,000 characters), ``size`` (``2K | 3K | "WxH"`` with
    3,686,400..10,404,496 pixels, aspect 1/16..16; default 2048x2048), ``image`` (1-14 http(s) URLs,
    data URLs or base64 of JPEG/PNG/WEBP/BMP/TIFF/GIF, 10 MB each).

    Raises:
        GatewayError: 400 naming the parameter; 415/400 for a non-JSON body; scenario errors.
    """
    body = ctx.json()
    failure = _scenario(ctx, body.get("prompt"))
    prompt = _prompt(body, SEEDREAM)
    width, height = SEEDREAM.rules.sizes.resolve(body.get("size"), "size", seps="x")
    inputs = SEEDREAM.rules.inputs
    refs = get_list(body, "image", min_items=1, max_items=inputs.max_count) or []
    for i, ref in enumerate(refs):
        # 000: "Reference images (URL or base64)": raw base64 too
        check_image_ref(ref, f"image[{i}]", max_bytes=inputs.max_bytes, formats=inputs.formats or None)
    return _created(
        ctx,
        family="seedream",
        model=SEEDREAM_MODEL,
        prompt=prompt,
        width=width,
        height=height,
        fmt=SEEDREAM.rules.outputs.default_format,
        failure=failure,
    )


async def create_gemini(ctx: Ctx) -> Response:
    """``POST /v2/extend/image/generations`` (Gemini) -> 200 ``{task_id, model}``.

    Body: ``model`` (default ``gemini-3.1-flash-image``), ``prompt`` (required, within the model's
    input tokens), ``size`` (``0.5K|1K|2K|4K`` for gemini-3.1-flash-image, ``1K|2K|4K`` for
    gemini-3-pro-image; default 1K), ``aspect_ratio`` (seven ratios, default 1:1),
    ``output_format`` (``image/png|image/jpeg|image/webp``, default PNG). The image is
    :func:`~mock_server.catalog.gemini_size` pixels.

    Raises:
        GatewayError: 400 naming the parameter; 415/400 for a non-JSON body; scenario errors.
    """
    body = ctx.json()
    failure = _scenario(ctx, body.get("prompt"))
    name = get_str(body, "model", choices=GEMINI_MODELS) or GEMINI_MODELS[0]
    model = MODELS[name]
    prompt = _prompt(body, model)
    tiers = tuple(model.tiers)
    tier = body.get("size")
    if tier is None:
        tier = "1K"  # python-genai: "If not specified, the model will use default value 1K"
    elif tier not in tiers:
        shown = repr(tier[:40]) if isinstance(tier, str) else type(tier).__name__
        raise GatewayError(400, "invalid_size", f"size: {shown} is not a size {name} accepts; use {', '.join(tiers)}", param="size")
    ratio = get_str(body, "aspect_ratio", choices=model.rules.sizes.aspects) or "1:1"  # inferred
    mime = get_str(body, "output_format", choices=GEMINI_FORMATS) or "image/png"  # inferred
    fmt = normalize_format(mime)
    assert fmt is not None
    width, height = gemini_size(tier, ratio)
    return _created(ctx, family="gemini", model=name, prompt=prompt, width=width, height=height, fmt=fmt, failure=failure)


async def create_gpt_image(ctx: Ctx) -> Response:
    """``POST /v2/extend/image/gpt_image/generations`` -> 200 ``{task_id, model: "gpt-image-2"}``.

    Body: ``prompt`` (required, at most 32,000 characters), ``size`` (``auto``, the standard sizes or
    a custom ``WxH`` by OpenAI's gpt-image-2 rule), ``quality`` (``low|medium|high``), ``n`` (1-10,
    default 1), ``background``
    (``opaque|transparent``), ``output_format`` (``png|jpeg|webp``, default png),
    ``output_compression`` (integer 0-100).

    Raises:
        GatewayError: 400 naming the parameter (``background`` for transparent + jpeg);
            415/400 for a non-JSON body; scenario errors.
    """
    body = ctx.json()
    failure = _scenario(ctx, body.get("prompt"))
    prompt = _prompt(body, GPT_IMAGE)
    rules = GPT_IMAGE.rules
    width, height = rules.sizes.resolve(body.get("size"), "size", seps="x")  # auto: inferred square 1024x1024
    get_str(body, "quality", choices=GPT_QUALITIES)
    n = get_int(body, "n", lo=1, hi=rules.count.max, default=rules.count.default)
    assert n is not None
    background = get_str(body, "background", choices=GPT_BACKGROUNDS) or "opaque"
    fmt = normalize_format(get_str(body, "output_format", choices=GPT_FORMATS))
    assert fmt is not None
    get_int(body, "output_compression", lo=0, hi=100)
    transparent = background == "transparent"
    if transparent and fmt == "jpeg":
        # inferred from upstream OpenAI: a transparent background needs png or webp
        raise GatewayError(
            400, "invalid_parameter", "background: transparent backgrounds need output_format png or webp, not jpeg", param="background"
        )
    return _created(
        ctx,
        family="gpt_image",
        model=GPT_MODEL,
        prompt=prompt,
        width=width,
        height=height,
        fmt=fmt,
        count=n,
        transparent=transparent,
        failure=failure,
    )


def _poll(family: str) -> Callable[[Ctx], Awaitable[Response]]:
    async def get_task(ctx: Ctx) -> Response:
        """``GET …/tasks/{task_id}`` -> 200 ``{task_id, status, model[, result | error]}``.

        Raises:
            GatewayError: 404 ``task_not_found`` for an unknown, forged, expired or other-family id;
                a header scenario's error (429/500/503).
        """
        header = ctx.request.headers.get(SCENARIO_HEADER)
        if header:  # header door only: a poll never consumes the admin queue (inferred, see module doc)
            ctx.scenario = check_name(header.strip())
            err = generic_error(ctx.scenario)
            if err is not None and ctx.scenario not in FAILED_TASK_SCENARIOS:
                raise err
        task = ctx.mock.tasks.lookup(ctx.request.path_params["task_id"], family)
        status = ctx.mock.tasks.state(task)
        out: dict[str, Any] = {"task_id": task.id, "status": status, "model": task.model}
        if status == "succeeded":
            out["result"] = {"images": [{"url": ctx.image_url(spec)} for spec in task.image_specs()]}
        elif status == "failed":
            out["error"] = {"code": task.error_code, "message": task.error_message}  # inferred shape
        return ok(out, ctx=ctx)

    get_task.__name__ = f"get_{family}_task"
    return get_task


GATEWAY = Gateway(
    id="piebox",  # auth, host and error shape: contracts.registry
    operations=(
        Operation("/v2/extend/image/seedream/generations", ("POST",), create_seedream, "createSeedreamTask"),
        Operation("/v2/extend/image/generations", ("POST",), create_gemini, "createGeminiTask"),
        Operation("/v2/extend/image/gpt_image/generations", ("POST",), create_gpt_image, "createGptImageTask"),
        Operation("/v2/extend/image/tasks/{task_id}", ("GET",), _poll("gemini"), "getGeminiTask"),
        Operation("/v2/extend/image/seedream/tasks/{task_id}", ("GET",), _poll("seedream"), "getSeedreamTask"),
        Operation("/v2/extend/image/gpt_image/tasks/{task_id}", ("GET",), _poll("gpt_image"), "getGptImageTask"),
    ),
    models=MODELS,
)
