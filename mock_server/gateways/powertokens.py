"""PowerTokens (document ``004_7b73b03c392231b5.txt``): Seedream-only ``POST /v1/images/generations``.

Documented: Bearer auth; ``model`` enum ``seedream-5-0-260128 | seedream-4-5-251128 |
seedream-4-0-250828``; ``prompt`` required; ``image`` 1-14 reference images; ``size`` tiers
and custom pixel ranges per model (aspect ratio 1/16-16); ``response_format`` ``url``
(default) | ``b64_json``; ``seed`` in [-1, 2147483647] (default -1);
``sequential_image_generation`` ``auto | disabled`` (default ``disabled``) with
``sequential_image_generation_options``; ``watermark`` (default true). Response
``{created, data: [{url | b64_json, size, error?}], metadata}``.

The models are the BytePlus ModelArk Seedream entries of the catalog (the ids match BytePlus's;
``mock_server/catalog/seedream.py``): where the document is silent the upstream rules hold —
``max_images`` 1-15 (default 15), reference images + generated images <= 15 as a cap on the
output count (not a refusal), JPEG output for ``url`` and ``b64_json`` alike, ``output_format``
``png | jpeg`` on seedream-5-0 only, reference images of 10 MB in JPEG/PNG/WEBP/BMP/TIFF/GIF.
The body is read by :func:`mock_server.gateways.ark.plan`.

Inferred (from the Ark upstream these models come from): error bodies
``{"error": {"code", "message", "param", "type"}}``; the content of ``metadata``; per-item
``error`` codes; fields the document does not list are ignored, and JSON ``null`` is "not sent".
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..catalog import CATALOG, SEEDREAM_TIERS, Model, Param, PixelRange, SizeRule, doc, model_or_error, offer
from ..errors import GatewayError
from . import ark
from .base import Ctx, Gateway, Operation, ok, openai_item, prompt_digest_specs

DOC = "powertokens"  # doc(DOC, quote): this gateway's document (contracts.registry)
T = SEEDREAM_TIERS

#: 004 "seed ... Supported by some Seedream models. Range [-1, 2147483647]": offered on all three.
_SEED = Param(
    "seed",
    "integer",
    doc(DOC, "Random seed. Supported by some Seedream models. Range [-1, 2147483647]."),
    lo=-1,
    hi=2_147_483_647,
    default=-1,
)


def _model(name: str, quote: str, tiers: tuple[str, ...], pixels: PixelRange) -> Model:
    """One documented model: its ``size`` rule as 004 states it (tiers or custom pixel range and
    aspect ratio); every other rule is the BytePlus entry's."""
    return offer(
        "powertokens",
        name,
        CATALOG[name],
        doc(DOC, "Available options: seedream-5-0-260128, seedream-4-5-251128, seedream-4-0-250828"),
        sizes=SizeRule(doc(DOC, quote), default=CATALOG[name].sizes.default, tiers={t: T[t] for t in tiers}, custom=pixels),
        extra_params=(_SEED,),
    )


MODELS: dict[str, Model] = {
    "seedream-5-0-260128": _model(
        "seedream-5-0-260128",
        "seedream-5-0-260128: supports 2K/3K or custom (total pixels 3686400-10404496, aspect ratio 1/16-16)",
        ("2K", "3K"),
        PixelRange(3_686_400, 10_404_496, 16.0),
    ),
    "seedream-4-5-251128": _model(
        "seedream-4-5-251128",
        "seedream-4-5-251128: supports 2K/4K or custom (total pixels 3686400-16777216, aspect ratio 1/16-16)",
        ("2K", "4K"),
        PixelRange(3_686_400, 16_777_216, 16.0),
    ),
    "seedream-4-0-250828": _model(
        "seedream-4-0-250828",
        "seedream-4-0-250828: supports 1K/2K/4K or custom (total pixels 921600-16777216, aspect ratio 1/16-16)",
        ("1K", "2K", "4K"),
        PixelRange(921_600, 16_777_216, 16.0),
    ),
}


async def generations(ctx: Ctx) -> Response:
    """``POST /v1/images/generations`` -> 200 ``{created, data, metadata}``.

    Raises:
        GatewayError: 400 naming the parameter; ``InputTextSensitiveContentDetected`` for the
            ``moderation`` scenario; the generic scenario errors.
    """
    body = ctx.json()
    ctx.pick_scenario(body.get("prompt"))
    ctx.raise_generic_fault()
    model = model_or_error(MODELS, body.get("model"))
    p = ark.plan(body, model)
    if ctx.scenario == "moderation":
        raise GatewayError(
            400,
            "InputTextSensitiveContentDetected",
            "The request failed because the input text may contain sensitive information.",
            param="prompt",
        )
    specs = prompt_digest_specs(p.prompt, model.name, p.width, p.height, p.fmt, p.count, seed=p.seed)
    data: list[dict[str, Any]] = []
    for i, spec in enumerate(specs):
        if ctx.scenario == "partial_failure" and i == len(specs) - 1:
            # inferred from Ark: a failed item keeps its place and carries only ``error``
            data.append(
                {
                    "error": {
                        "code": "OutputImageSensitiveContentDetected",
                        "message": "The output image may contain sensitive information and was not returned.",
                    }
                }
            )
            continue
        data.append(openai_item(ctx, spec, p.response_format, size=spec.size_text))
    generated = sum(1 for d in data if "error" not in d)
    return ok(
        {
            "created": int(ctx.now()),
            "data": data,
            "metadata": {"model": model.name, "usage": {"generated_images": generated}},  # inferred contents
        },
        ctx=ctx,
    )


GATEWAY = Gateway(
    id="powertokens",  # auth, host and error shape: contracts.registry
    operations=(Operation("/v1/images/generations", ("POST",), generations, "createImage"),),
    models=MODELS,
)
