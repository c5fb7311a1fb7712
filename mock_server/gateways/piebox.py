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
* Seedream: custom sizes up to 10,404,496 pixels with aspect ratio 1/16..16 and the tiers ``2K``/``3K``
  (PowerTokens' ``seedream-5-0-260128`` limits, document 004); default ``2048x2048`` (the
  document's example); at most 14 reference images of 10 MB (Ark); JPEG output (Ark);
* Gemini: the response ``model`` is the requested model name; defaults ``1K``, ``1:1``,
  ``image/png`` (upstream Gemini); pixel sizes from :func:`mock_server.catalog.gemini_size`;
* GPT-Image-2: response ``model`` ``gpt-image-2``; ``size`` also ``1536x1024`` and ``auto``
  (-> 1024x1024), ``n`` at most 10, ``output_compression`` an integer, ``background: transparent``
  gives an RGBA image and is refused with ``output_format: jpeg``, prompt at most 32,000
  characters (all upstream OpenAI);
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
from typing import Any

from starlette.responses import Response

from ..catalog import (GEMINI_1K, GPT_IMAGE_SIZES, SEEDREAM_TIERS, Model, PixelRange, gemini_size, get_int, get_list,
                       get_str)
from ..errors import GatewayError
from ..faults import SCENARIO_HEADER, check_name, generic_error
from ..images import ImageFormat, normalize_format, spec_for
from .base import Ctx, Gateway, Operation, check_image_ref, ok

# -- Seedream ----------------------------------------------------------------------------------

#: 000 "Response": ``"model": "novita_seedream/seedream-5.0-lite"``.
SEEDREAM_MODEL = "novita_seedream/seedream-5.0-lite"
#: 000: "minimum 1920×1920 (must be ≥ 3.68M pixels)" = 3,686,400; the upper bound 10,404,496 and
#: the 1/16..16 aspect ratio are inferred from PowerTokens' seedream-5-0-260128 (document 004),
#: as are the tiers 2K and 3K. Default 2048x2048: the document's example size.
SEEDREAM = Model(SEEDREAM_MODEL, "seedream", tiers={"2K": SEEDREAM_TIERS["2K"], "3K": SEEDREAM_TIERS["3K"]},
                 pixels=PixelRange(3_686_400, 10_404_496, 16.0), default_size=(2048, 2048), max_input_images=14)
#: Syntax of a Seedream ``size`` (whole string): a tier or ``WxH``; the pixel rules come after.
SEEDREAM_SIZE_SYNTAX = re.compile(r"2K|3K|[1-9][0-9]{0,4}x[1-9][0-9]{0,4}")
SEEDREAM_MAX_IMAGE_BYTES = 10 * 1024 * 1024  # inferred from Ark's 10 MB per reference image
SEEDREAM_FORMAT: ImageFormat = "jpeg"  # inferred: Ark's URL results are JPEG

# -- Gemini ------------------------------------------------------------------------------------

GEMINI_MODELS: tuple[str, ...] = ("gemini-3.1-flash-image", "gemini-3-pro-image")  # 000, default first
GEMINI_SIZES: tuple[str, ...] = ("0.5K", "1K", "2K", "4K")  # 000 "Options: 0.5K, 1K, 2K, 4K"
GEMINI_ASPECT_RATIOS: tuple[str, ...] = ("1:1", "3:2", "2:3", "3:4", "4:3", "16:9", "9:16")  # 000
GEMINI_FORMATS: tuple[str, ...] = ("image/png", "image/jpeg", "image/webp")  # 000
assert all(a in GEMINI_1K for a in GEMINI_ASPECT_RATIOS)

# -- GPT-Image-2 -------------------------------------------------------------------------------

GPT_MODEL = "gpt-image-2"  # inferred from the section title "GPT-Image-2"
GPT_SIZES: tuple[str, ...] = (*GPT_IMAGE_SIZES, "auto")  # 000 "e.g. 1024x1024, 1024x1536"; rest upstream OpenAI
GPT_QUALITIES: tuple[str, ...] = ("low", "medium", "high")  # 000
GPT_BACKGROUNDS: tuple[str, ...] = ("opaque", "transparent")  # 000
GPT_FORMATS: tuple[str, ...] = ("png", "jpeg", "webp")  # 000
GPT_MAX_N = 10  # inferred from upstream OpenAI (n: 1-10)
GPT_MAX_PROMPT_CHARS = 32_000  # inferred from upstream OpenAI (gpt-image prompts up to 32000 characters)

# -- tasks -------------------------------------------------------------------------------------

#: Scenarios that create a task which ends ``failed``: code and message (inferred; OpenAI's
#: ``content_policy_violation`` code for moderation).
FAILED_TASK_SCENARIOS: dict[str, tuple[str, str]] = {
    "moderation": ("content_policy_violation", "The request was blocked by the content safety system"),
    "task_failed": ("generation_failed", "Image generation failed upstream; try again"),
}
_NON_BLANK = re.compile(r"\S")


def _prompt(body: dict[str, Any], max_len: int | None = None) -> str:
    """``prompt``: required, a string with at least one non-whitespace character (000: "Required: Yes").

    Raises:
        GatewayError: 400 naming ``prompt``.
    """
    prompt = get_str(body, "prompt", max_len=max_len)
    if prompt is None:
        raise GatewayError(400, "missing_parameter", "prompt is required", param="prompt")
    if not _NON_BLANK.search(prompt):
        raise GatewayError(400, "missing_parameter", "prompt must not be empty", param="prompt")
    return prompt


def _scenario(ctx: Ctx, prompt: object) -> tuple[str, str] | None:
    """Pick the scenario of a create request; raise its generic error, or return the
    ``(code, message)`` of a task that must end ``failed`` (``moderation``, ``task_failed``)."""
    name = ctx.pick_scenario(prompt)
    if name in FAILED_TASK_SCENARIOS:
        return FAILED_TASK_SCENARIOS[name]
    ctx.raise_generic_fault()  # rate_limited, quota_exceeded, server_error, overloaded; partial_failure: ignored
    return None


def _created(ctx: Ctx, *, family: str, model: str, prompt: str, width: int, height: int, fmt: ImageFormat,
             count: int = 1, transparent: bool = False, failure: tuple[str, str] | None = None) -> Response:
    """Create the task and answer 200 ``{"task_id": "img_gen_…", "model": model}`` (000 "Response")."""
    first = spec_for(prompt, width, height, fmt, model=model, transparent=transparent)
    if failure is None:
        task_id = ctx.mock.tasks.create(family=family, model=model, first=first, count=count)
    else:
        task_id = ctx.mock.tasks.create(family=family, model=model, first=first, count=count, outcome="failed",
                                        error_code=failure[0], error_message=failure[1])
    return ok({"task_id": task_id, "model": model}, ctx=ctx)


# -- handlers ----------------------------------------------------------------------------------

async def create_seedream(ctx: Ctx) -> Response:
    """``POST /v2/extend/image/seedream/generations`` -> 200 ``{task_id, model}``.

    Body: ``prompt`` (required), ``size`` (``2K | 3K | "WxH"`` with 3,686,400..10,404,496 pixels,
    aspect 1/16..16; default 2048x2048), ``image`` (1-14 http(s) URLs, data URLs or base64).

    Raises:
        GatewayError: 400 naming the parameter; 415/400 for a non-JSON body; scenario errors.
    """
    body = ctx.json()
    failure = _scenario(ctx, body.get("prompt"))
    prompt = _prompt(body)
    size = body.get("size")
    if size is not None and not (isinstance(size, str) and SEEDREAM_SIZE_SYNTAX.fullmatch(size)):
        shown = repr(size[:40]) if isinstance(size, str) else type(size).__name__
        raise GatewayError(400, "invalid_size",
                           f"size: {shown} is not accepted; use 2K, 3K or \"WxH\" with at least 1920x1920 (3,686,400) pixels",
                           param="size")
    width, height = SEEDREAM.resolve_size(size)
    refs = get_list(body, "image", min_items=1, max_items=SEEDREAM.max_input_images) or []
    for i, ref in enumerate(refs):
        check_image_ref(ref, f"image[{i}]", max_bytes=SEEDREAM_MAX_IMAGE_BYTES)
    return _created(ctx, family="seedream", model=SEEDREAM_MODEL, prompt=prompt, width=width, height=height,
                    fmt=SEEDREAM_FORMAT, failure=failure)


async def create_gemini(ctx: Ctx) -> Response:
    """``POST /v2/extend/image/generations`` (Gemini) -> 200 ``{task_id, model}``.

    Body: ``model`` (default ``gemini-3.1-flash-image``), ``prompt`` (required), ``size``
    (``0.5K|1K|2K|4K``, default 1K), ``aspect_ratio`` (seven ratios, default 1:1),
    ``output_format`` (``image/png|image/jpeg|image/webp``, default PNG). The image is
    :func:`~mock_server.catalog.gemini_size` pixels.

    Raises:
        GatewayError: 400 naming the parameter; 415/400 for a non-JSON body; scenario errors.
    """
    body = ctx.json()
    failure = _scenario(ctx, body.get("prompt"))
    model = get_str(body, "model", choices=GEMINI_MODELS) or GEMINI_MODELS[0]
    prompt = _prompt(body)
    tier = get_str(body, "size", choices=GEMINI_SIZES) or "1K"  # default inferred from upstream Gemini
    ratio = get_str(body, "aspect_ratio", choices=GEMINI_ASPECT_RATIOS) or "1:1"  # inferred
    mime = get_str(body, "output_format", choices=GEMINI_FORMATS) or "image/png"  # inferred
    fmt = normalize_format(mime)
    assert fmt is not None
    width, height = gemini_size(tier, ratio)
    return _created(ctx, family="gemini", model=model, prompt=prompt, width=width, height=height, fmt=fmt,
                    failure=failure)


async def create_gpt_image(ctx: Ctx) -> Response:
    """``POST /v2/extend/image/gpt_image/generations`` -> 200 ``{task_id, model: "gpt-image-2"}``.

    Body: ``prompt`` (required, at most 32,000 characters), ``size`` (``1024x1024|1024x1536|
    1536x1024|auto``), ``quality`` (``low|medium|high``), ``n`` (1-10, default 1), ``background``
    (``opaque|transparent``), ``output_format`` (``png|jpeg|webp``, default png),
    ``output_compression`` (integer 0-100).

    Raises:
        GatewayError: 400 naming the parameter (``background`` for transparent + jpeg);
            415/400 for a non-JSON body; scenario errors.
    """
    body = ctx.json()
    failure = _scenario(ctx, body.get("prompt"))
    prompt = _prompt(body, max_len=GPT_MAX_PROMPT_CHARS)
    size = get_str(body, "size", choices=GPT_SIZES) or "auto"
    width, height = (1024, 1024) if size == "auto" else (int(v) for v in size.split("x"))  # auto: inferred square
    get_str(body, "quality", choices=GPT_QUALITIES)
    n = get_int(body, "n", lo=1, hi=GPT_MAX_N, default=1)
    assert n is not None
    background = get_str(body, "background", choices=GPT_BACKGROUNDS) or "opaque"
    fmt = normalize_format(get_str(body, "output_format", choices=GPT_FORMATS))
    assert fmt is not None
    get_int(body, "output_compression", lo=0, hi=100)
    transparent = background == "transparent"
    if transparent and fmt == "jpeg":
        # inferred from upstream OpenAI: a transparent background needs png or webp
        raise GatewayError(400, "invalid_parameter",
                           "background: transparent backgrounds need output_format png or webp, not jpeg", param="background")
    return _created(ctx, family="gpt_image", model=GPT_MODEL, prompt=prompt, width=width, height=height, fmt=fmt,
                    count=n, transparent=transparent, failure=failure)


def _poll(family: str):  # type: ignore[no-untyped-def]
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
)
