"""Image Series (document ``003_6adaea01228e01a0.txt``): the unified ``POST /v1/images/generations``
of the Gravitex family.

All behaviour lives in :mod:`mock_server.gateways.unified` (the wire format is Gravitex's, document
002: ``contents`` parts, Qwen's body, the Gemini ``quality`` mapping and pixel ``size``). This
module holds the models ("Supported Models" tables) and the rules 003 states explicitly, each
overriding the catalog entry with its quote:

* Gemini: "Aspect ratio: 1:1, 3:2, ...", "Image size: 1K (default), 2K, 4K", "Output format:
  image/png (default), image/jpeg", inputs "Gemini: PNG, JPEG, JPG, WEBP, max 7MB", "Only supports
  b64_json format";
* Seedream: ``seed`` "Range: 0 to 2147483647", 4.x sequential generation "(1-4 images)", inputs
  "Doubao Seedream 4.x: JPEG, PNG, WEBP, BMP, TIFF, GIF, max 10MB", "Usually returns URL links".
  The size lists end in "etc." ("2048x2048,2304x1728, etc. (2K/4K)"), which closes nothing: Ark's
  own size rules hold (4.0: 1K/2K/4K or 921,600-16,777,216 pixels; 4.5: 2K/4K or
  3,686,400-16,777,216; 3.0: 512x512 to 2048x2048 pixels);
* GPT Image (``gpt-image-1``, ``gpt-image-1-mini``): "Image size: 1024x1024, 1024x1536, 1536x1024.
  Default: 1024x1024", quality "high", "medium", "low", input fidelity "auto", "high", "medium",
  "low", inputs "GPT Image: JPEG, PNG, GIF, WEBP, max 10MB", "Only supports b64_json format";
* Qwen: "Supports both b64_json and url", "1 image per request" (``parameters.n`` is 1 for both),
  inputs "Qwen: JPEG, JPG, PNG, BMP, TIFF, WEBP, max 10MB".

Where 003 is silent the catalog's upstream rule holds (prompt caps, how many input images each
model takes, Qwen sizes). ``gpt-image-2`` is not in the document, so it answers 400 naming
``model``. Inferred: the document names no host (its registry entry's ``host`` is ``None``; the
contract's ``servers`` entry is marked inferred) and shows no response body (the Gravitex envelope
is used).
"""

from __future__ import annotations

from ..catalog import CountRule, Model, doc, inferred
from . import unified as u

DOC = "imageseries"  # doc(DOC, quote): this gateway's document (contracts.registry)


def _gemini(name: str) -> Model:
    return u.gemini_offer(
        "imageseries",
        name,
        doc(DOC, name),
        tiers=("1K", "2K", "4K"),
        sizes_src=doc(DOC, "Aspect ratio: 1:1, 3:2, 2:3, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9 … Image size: 1K (default), 2K, 4K"),
        inputs_src=doc(DOC, "Gemini: PNG, JPEG, JPG, WEBP, max 7MB"),
        max_images=None,
        formats=u.FORMATS_GEMINI,
        outputs_src=doc(DOC, "Gemini series: Only supports b64_jsonformat … Output format: image/png (default), image/jpeg"),
        count_src=inferred(
            "003 documents no n for Gemini; the unified API's n (002: 'sample_count parameter') "
            "takes 1-4, that parameter's upstream range (Imagen sampleCount)"
        ),
    )


_SEEDREAM_OUT = doc(DOC, "Doubao Seedream series: Usually returns URL links")
_SEED = doc(DOC, "Random seed for controlling generation randomness. Range: 0 to 2147483647")


def _seedream(name: str) -> Model:
    v = u.seedream_version(name)
    if v in ("3.0", "edit"):
        return u.seedream_offer("imageseries", name, doc(DOC, name), outputs_src=_SEEDREAM_OUT, seed_src=_SEED)
    return u.seedream_offer(
        "imageseries",
        name,
        doc(DOC, name),
        outputs_src=_SEEDREAM_OUT,
        seed_src=_SEED,
        count_src=doc(DOC, "Doubao Seedream 4.x: Use sequential image generation (1-4 images)"),
        inputs_src=doc(DOC, "Doubao Seedream 4.x: JPEG, PNG, WEBP, BMP, TIFF, GIF, max 10MB"),
        formats=u.FORMATS_SEEDREAM_WIDE,
    )


def _gpt(name: str) -> Model:
    return u.gpt_image_offer(
        "imageseries",
        name,
        doc(DOC, name),
        sizes_src=doc(DOC, "Image size: 1024x1024, 1024x1536, 1536x1024. Default: 1024x1024"),
        quality_src=doc(DOC, 'Image quality: "high", "medium", "low"'),
        fidelity_src=doc(DOC, 'Input fidelity for image-to-image: "auto", "high", "medium", "low"'),
        inputs_src=doc(DOC, "GPT Image: JPEG, PNG, GIF, WEBP, max 10MB"),
        max_images=None,
        outputs_src=doc(DOC, "GPT Image series: Only supports b64_jsonformat"),
    )


_ONE_IMAGE = CountRule(doc(DOC, "Qwen: 1 image per request, make multiple concurrent requests for more"), max=1)

MODELS: dict[str, Model] = {
    **{
        n: u.qwen_offer(
            "imageseries",
            n,
            doc(DOC, n),
            outputs_src=doc(DOC, "Qwen series: Supports both b64_jsonandurl"),
            inputs_src=doc(DOC, "Qwen: JPEG, JPG, PNG, BMP, TIFF, WEBP, max 10MB"),
            seed_src=doc(DOC, "Qwen series"),
            count=_ONE_IMAGE,
        )
        for n in ("qwen-image-plus", "qwen-image-edit-plus")
    },
    **{n: _gpt(n) for n in ("gpt-image-1", "gpt-image-1-mini")},
    **{
        n: _seedream(n)
        for n in (
            "doubao-seedream-3-0-t2i-250415",
            "doubao-seedream-4-0-250828",
            "doubao-seedream-4-5-251128",
            "doubao-seededit-3-0-i2i-250628",
        )
    },
    **{n: _gemini(n) for n in ("gemini-2.5-flash-image", "gemini-3-pro-image-preview")},
}

GATEWAY = u.build_gateway(id="imageseries", models=MODELS)
