"""PieBox (000): ``X-API-Key``; one create path per model family, each answering ``{task_id,
model}``; the task is polled at the family's own tasks path (``PIEBOX_PATHS``). Results are URLs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ..types import ImageRequest
from .base import drop_none, encode_image, family_of, no_n, post_json

GATEWAY = "piebox"

#: PieBox endpoints per family: create path, poll path (000 "Request" and "Checking Image Generation Results").
PIEBOX_PATHS: dict[str, tuple[str, str]] = {
    "seedream": ("/v2/extend/image/seedream/generations", "/v2/extend/image/seedream/tasks/{task_id}"),
    "gemini": ("/v2/extend/image/generations", "/v2/extend/image/tasks/{task_id}"),
    "gpt_image": ("/v2/extend/image/gpt_image/generations", "/v2/extend/image/gpt_image/tasks/{task_id}"),
}


def build_request(req: ImageRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None) -> httpx.Request:
    """The task-creating ``POST`` for ``req``: Seedream and GPT-Image-2 bodies carry no ``model``
    (000); Gemini's does. Input images go in ``image`` (a list).

    Raises:
        ConfigurationError: ``n`` other than 1 for Seedream or Gemini (one image per task).
    """
    fam = family_of(req.model)
    body: dict[str, Any]
    if fam == "seedream":
        no_n(GATEWAY, req, "Seedream")
        body = drop_none({"prompt": req.prompt, "size": req.size})  # 000 Seedream: no model field
        if req.images:
            body["image"] = [encode_image(i) for i in req.images]
    elif fam == "gpt_image":
        body = drop_none({"prompt": req.prompt, "size": req.size, "n": req.n})  # 000 GPT-Image-2: no model field
        if req.images:
            body["image"] = [encode_image(i) for i in req.images]  # inferred: not documented for PieBox GPT
    else:
        no_n(GATEWAY, req, "Gemini")
        body = drop_none({"model": req.model, "prompt": req.prompt, "size": req.size})
        if req.images:
            body["image"] = [encode_image(i) for i in req.images]  # inferred: not documented for PieBox Gemini
    body.update(req.extra)
    path = PIEBOX_PATHS[fam if fam in ("seedream", "gpt_image") else "gemini"][0]
    return post_json(GATEWAY, path, body, base_url=base_url, api_key=api_key, headers=headers)
