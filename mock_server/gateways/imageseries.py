"""Image Series (document ``003_6adaea01228e01a0.txt``): the unified ``POST /v1/images/generations``
of the Gravitex family.

All behaviour lives in :mod:`mock_server.gateways.unified`; this module holds the differences:

* models ("Supported Models" tables): Gemini ``gemini-2.5-flash-image``, ``gemini-3-pro-image-preview``;
  Doubao ``doubao-seedream-3-0-t2i-250415``, ``doubao-seedream-4-0-250828``,
  ``doubao-seedream-4-5-251128``, ``doubao-seededit-3-0-i2i-250628``; GPT Image ``gpt-image-1`` and
  ``gpt-image-1-mini`` ("Lower cost, faster speed"); Qwen ``qwen-image-plus``, ``qwen-image-edit-plus``.
  ``gpt-image-2`` is not in the document, so it answers 400 naming ``model``;
* Seedream 4.0 inputs: "Doubao Seedream 4.x: JPEG, PNG, WEBP, BMP, TIFF, GIF, max 10MB" (FAQ);
* Qwen: "1 image per request, make multiple concurrent requests for more" (FAQ), so ``parameters.n``
  is 1 for both Qwen models.

Inferred: the document names no host (its registry entry's ``host`` is ``None``; the contract's
``servers`` entry is marked inferred) and shows no response body (the Gravitex envelope is used). Everything
the document leaves out (the Gemini ``quality`` mapping, ``top_p``, pixel ``size``, ``contents``
parts, Qwen's body, the Seedream size lists given only as "etc.") follows Gravitex's document 002.
"""

from __future__ import annotations

from ..catalog import Model
from .unified import FORMATS_SEEDREAM_WIDE, build_gateway, gemini_models, gpt_image_models, qwen_models, seedream_models

MODELS: dict[str, Model] = {
    **qwen_models(edit_max_n=1),
    **gpt_image_models(("gpt-image-1", "gpt-image-1-mini")),
    **seedream_models(formats_40=FORMATS_SEEDREAM_WIDE),
    **gemini_models(("gemini-2.5-flash-image", "gemini-3-pro-image-preview")),
}

GATEWAY = build_gateway(id="imageseries", models=MODELS)
