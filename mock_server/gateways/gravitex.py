"""Gravitex (document ``002_ab704fc42b2dda63.txt``): the unified ``POST /v1/images/generations``.

All behaviour lives in :mod:`mock_server.gateways.unified` (host, auth and error shape: the gateway
registry, :mod:`contracts.registry`); this module holds what is Gravitex's own:

* models ("Request Parameters" / "Supported Models"): Gemini ``gemini-2.5-flash-image``,
  ``gemini-3-pro-image-preview``; Doubao ``doubao-seedream-3-0-t2i-250415``,
  ``doubao-seedream-4-0-250828``, ``doubao-seedream-4-5-251128``, ``doubao-seededit-3-0-i2i-250628``;
  GPT Image ``gpt-image-2``; Qwen ``qwen-image-plus``, ``qwen-image-edit-plus``;
* Seedream 4.0 input images "Doubao Seedream 3.0/4.0: JPEG, PNG, max 10MB" (FAQ);
* qwen-image-edit-plus ``n`` "you can choose to output 1-6 images".

Models the document only hints at with "etc." are not served (they answer 400 naming ``model``).
"""

from __future__ import annotations

from ..catalog import Model
from .unified import FORMATS_SEEDREAM_BASIC, build_gateway, gemini_models, gpt_image_models, qwen_models, seedream_models

MODELS: dict[str, Model] = {
    **gemini_models(("gemini-2.5-flash-image", "gemini-3-pro-image-preview")),
    **seedream_models(formats_40=FORMATS_SEEDREAM_BASIC),
    **gpt_image_models(("gpt-image-2",)),
    **qwen_models(edit_max_n=6),
}

GATEWAY = build_gateway(id="gravitex", models=MODELS)
