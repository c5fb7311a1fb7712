"""PowerTokens (document ``004_7b73b03c392231b5.txt``): Seedream-only ``POST /v1/images/generations``.

Documented: Bearer auth; ``model`` enum ``seedream-5-0-260128 | seedream-4-5-251128 |
seedream-4-0-250828``; ``prompt`` required; ``image`` 1-14 reference images; ``size`` tiers
and custom pixel ranges per model (aspect ratio 1/16-16); ``response_format`` ``url``
(default) | ``b64_json``; ``seed`` in [-1, 2147483647] (default -1);
``sequential_image_generation`` ``auto | disabled`` (default ``disabled``) with
``sequential_image_generation_options``; ``watermark`` (default true). Response
``{created, data: [{url | b64_json, size, error?}], metadata}``.

Inferred (from the Ark upstream these models come from): error bodies
``{"error": {"code", "message", "param", "type"}}``; ``max_images`` range 1-15 and default 15;
the content of ``metadata``; per-item ``error`` codes; per-image limit of 10 MB.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..catalog import Model, PixelRange, SEEDREAM_TIERS, get_bool, get_int, get_list, get_obj, get_str, model_or_error
from ..errors import GatewayError
from .base import Ctx, Gateway, Operation, check_image_ref, ok, openai_item, prompt_digest_specs

T = SEEDREAM_TIERS
MODELS: dict[str, Model] = {
    "seedream-5-0-260128": Model("seedream-5-0-260128", "seedream", tiers={"2K": T["2K"], "3K": T["3K"]},
                                 pixels=PixelRange(3_686_400, 10_404_496), default_size=T["2K"], max_n=15, max_input_images=14),
    "seedream-4-5-251128": Model("seedream-4-5-251128", "seedream", tiers={"2K": T["2K"], "4K": T["4K"]},
                                 pixels=PixelRange(3_686_400, 16_777_216), default_size=T["2K"], max_n=15, max_input_images=14),
    "seedream-4-0-250828": Model("seedream-4-0-250828", "seedream", tiers={"1K": T["1K"], "2K": T["2K"], "4K": T["4K"]},
                                 pixels=PixelRange(921_600, 16_777_216), default_size=T["2K"], max_n=15, max_input_images=14),
}
RESPONSE_FORMATS = ("url", "b64_json")
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # inferred from Ark's 10 MB per reference image


async def generations(ctx: Ctx) -> Response:
    """``POST /v1/images/generations`` -> 200 ``{created, data, metadata}``."""
    body = ctx.json()
    ctx.pick_scenario(body.get("prompt"))
    ctx.raise_generic_fault()
    model = model_or_error(MODELS, body.get("model"))
    prompt = get_str(body, "prompt", required=True)
    assert prompt is not None
    width, height = model.resolve_size(body.get("size"))
    fmt = get_str(body, "response_format", choices=RESPONSE_FORMATS) or "url"
    seed = get_int(body, "seed", lo=-1, hi=2_147_483_647, default=-1)
    get_bool(body, "watermark", default=True)
    images = body.get("image")
    refs = [images] if isinstance(images, str) else get_list(body, "image", min_items=1, max_items=model.max_input_images) or []
    for i, ref in enumerate(refs):
        check_image_ref(ref, f"image[{i}]" if not isinstance(images, str) else "image", max_bytes=MAX_IMAGE_BYTES)
    mode = get_str(body, "sequential_image_generation", choices=("auto", "disabled")) or "disabled"
    options = get_obj(body, "sequential_image_generation_options") or {}
    max_images = get_int(options, "max_images", lo=1, hi=15, default=15, param="sequential_image_generation_options.max_images")
    count = 1
    if mode == "auto":
        assert max_images is not None
        if len(refs) + max_images > 15:  # inferred from Ark: inputs + outputs <= 15
            raise GatewayError(400, "invalid_parameter",
                               "sequential_image_generation_options.max_images: reference images plus generated images must not exceed 15",
                               param="sequential_image_generation_options.max_images")
        count = max_images
    if ctx.scenario == "moderation":
        raise GatewayError(400, "InputTextSensitiveContentDetected",
                           "The request failed because the input text may contain sensitive information.", param="prompt")
    specs = prompt_digest_specs(prompt, model.name, width, height, "png" if fmt == "b64_json" else "jpeg", count,
                                seed=seed if seed != -1 else None)
    data: list[dict[str, Any]] = []
    for i, spec in enumerate(specs):
        if ctx.scenario == "partial_failure" and i == len(specs) - 1:
            # inferred from Ark: a failed item keeps its place and carries only ``error``
            data.append({"error": {"code": "OutputImageSensitiveContentDetected",
                                   "message": "The output image may contain sensitive information and was not returned."}})
            continue
        data.append(openai_item(ctx, spec, fmt, size=spec.size_text))
    generated = sum(1 for d in data if "error" not in d)
    return ok({
        "created": int(ctx.now()),
        "data": data,
        "metadata": {"model": model.name, "usage": {"generated_images": generated}},  # inferred contents
    }, ctx=ctx)


GATEWAY = Gateway(
    id="powertokens",  # auth, host and error shape: contracts.registry
    operations=(
        Operation("/v1/images/generations", ("POST",), generations, "createImage"),
    ),
)
