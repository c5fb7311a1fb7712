"""Gravitex (document ``002_ab704fc42b2dda63.txt``): the unified ``POST /v1/images/generations``.

All behaviour lives in :mod:`mock_server.gateways.unified` (host, auth and error shape: the gateway
registry, :mod:`contracts.registry`); this module holds what is Gravitex's own: the models
("Request Parameters" / "Supported Models") and the rules 002 states explicitly, each overriding
the catalog entry with its quote:

* Gemini: ``image_size`` "1K (default), 2K, 4K" (plus ``3K``, which its examples send), the ten
  aspect ratios, ``mime_type`` "image/png (default), image/jpeg", "Multi-image-to-one (2-5
  images fusion generation)", inputs "PNG, JPEG, JPG, WEBP, max 7MB", "Only supports b64_json";
* Seedream: the 3.0 and 4.0/4.5 size lists (closed: no "etc."), ``seed`` "0 to 2147483647",
  ``max_images`` "range 1-4, default 4", fusion of 2-5 images, the FAQ's input formats, "Usually
  returns URL links";
* GPT Image (``gpt-image-2``): sizes "1024x1024, 1024x1536, 1536x1024. Default: 1024x1024",
  ``quality`` low/medium/high, ``input_fidelity`` low/medium/high/auto, inputs "JPEG, PNG, GIF,
  WEBP formats, max 10MB, up to 10 images", "forces base64";
* Qwen: "Supports both b64_json and url", inputs "JPEG, JPG, PNG, BMP, TIFF, WEBP, max 10MB",
  ``seed`` "range 0-2147483647".

Where 002 is silent the catalog's upstream rule holds (prompt caps, Qwen sizes and ``n``,
seededit's single image …). Models the document only hints at with "etc." are not served.
"""

from __future__ import annotations

from ..catalog import CATALOG, Model, doc, inferred
from . import unified as u

DOC = "gravitex"  # doc(DOC, quote): this gateway's document (contracts.registry)


def _gemini(name: str) -> Model:
    return u.gemini_offer(
        "gravitex",
        name,
        doc(DOC, f"{name}"),
        tiers=("1K", "2K", "3K", "4K"),
        sizes_src=doc(DOC, '1:1, 3:2, 2:3, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9 … 1K (default), 2K, 4K … "image_size": "3K"'),
        inputs_src=doc(DOC, "Multi-image-to-one (2-5 images fusion generation) … Gemini: PNG, JPEG, JPG, WEBP, max 7MB"),
        max_images=5,
        formats=u.FORMATS_GEMINI,
        outputs_src=doc(
            DOC,
            "Gemini series: Only supports b64_jsonformat, always returns base64-encoded image data "
            "regardless of the value passed … image/png (default), image/jpeg",
        ),
        count_src=inferred(
            "002 maps n to the Gemini request's 'sample_count parameter'; 1-4 is that parameter's upstream range (Imagen sampleCount)"
        ),
    )


_SEEDREAM_OUT = doc(DOC, "Doubao Seedream series: Usually returns URL links, response_formatparameter may not take effect")
_SEED = doc(DOC, "0 to 2147483647")
_MAX_IMAGES = doc(DOC, "max_images(integer): Maximum number of images, range1-4, default4")
_FUSION = "Multi-image fusion (2-5 images fusion generation)"


def _seedream(name: str) -> Model:
    v = u.seedream_version(name)
    if v == "3.0":
        sizes = u.listed_sizes(
            doc(DOC, "doubao-seedream-3.0: 1024x1024,1152x864,864x1152,1280x720,720x1280,1248x832,832x1248,1512x648"),
            CATALOG[name],
            u.SEEDREAM_30_SIZES,
        )
        return u.seedream_offer("gravitex", name, doc(DOC, name), sizes=sizes, outputs_src=_SEEDREAM_OUT, seed_src=_SEED)
    if v == "edit":
        return u.seedream_offer("gravitex", name, doc(DOC, name), outputs_src=_SEEDREAM_OUT, seed_src=_SEED)
    formats = u.FORMATS_SEEDREAM_BASIC if v == "4.0" else u.FORMATS_SEEDREAM_WIDE
    faq = "Doubao Seedream 3.0/4.0: JPEG, PNG, max 10MB" if v == "4.0" else "Doubao Seedream 4.5: JPEG, PNG, WEBP, BMP, TIFF, GIF, max 10MB"
    sizes = u.listed_sizes(
        doc(
            DOC,
            "doubao-seedream-4.0/4.5: 2048x2048,2304x1728,1728x2304,2560x1440,1440x2560,2496x1664,"
            "1664x2496,3024x1296(2K) or4096x4096,4704x3520,3520x4704,5504x3040,3040x5504,4992x3328,"
            "3328x4992,6240x2656(4K)",
        ),
        CATALOG[name],
        u.SEEDREAM_4X_SIZES,
        tiers=("2K", "4K"),
    )
    return u.seedream_offer(
        "gravitex",
        name,
        doc(DOC, name),
        sizes=sizes,
        outputs_src=_SEEDREAM_OUT,
        seed_src=_SEED,
        count_src=_MAX_IMAGES,
        inputs_src=doc(DOC, f"{_FUSION} … {faq}"),
        max_images=5,
        formats=formats,
    )


MODELS: dict[str, Model] = {
    **{n: _gemini(n) for n in ("gemini-2.5-flash-image", "gemini-3-pro-image-preview")},
    **{
        n: _seedream(n)
        for n in (
            "doubao-seedream-3-0-t2i-250415",
            "doubao-seedream-4-0-250828",
            "doubao-seedream-4-5-251128",
            "doubao-seededit-3-0-i2i-250628",
        )
    },
    "gpt-image-2": u.gpt_image_offer(
        "gravitex",
        "gpt-image-2",
        doc(DOC, "Model Name:gpt-image-2"),
        sizes_src=doc(DOC, "1024x1024, 1024x1536, 1536x1024. Default: 1024x1024"),
        quality_src=doc(
            DOC,
            '"low": Fastest generation speed, lowest cost"medium": Balance between quality and speed'
            '"high": Highest quality, most detailed (gpt-image-2 default)',
        ),
        fidelity_src=doc(DOC, "input_fidelity parameter controls the fidelity of input images, options: low, medium, high, auto"),
        inputs_src=doc(DOC, "Image Input: Supports JPEG, PNG, GIF, WEBP formats, max 10MB, up to 10 images"),
        max_images=10,
        outputs_src=doc(DOC, "GPT Image series: Only supports b64_jsonformat, forces base64-encoded image data"),
    ),
    **{
        n: u.qwen_offer(
            "gravitex",
            n,
            doc(DOC, n),
            outputs_src=doc(
                DOC, "Tongyi Qianwen series: Supports both b64_jsonandurl, returns the corresponding format based on the parameter value"
            ),
            inputs_src=doc(DOC, "Tongyi Qianwen: JPEG, JPG, PNG, BMP, TIFF, WEBP, max 10MB"),
            seed_src=doc(DOC, "seed(integer): Random seed, range0-2147483647"),
        )
        for n in ("qwen-image-plus", "qwen-image-edit-plus")
    },
}

GATEWAY = u.build_gateway(id="gravitex", models=MODELS)
