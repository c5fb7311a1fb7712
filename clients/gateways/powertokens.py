"""PowerTokens (004): Bearer; ``POST /v1/images/generations``; Seedream models take several images
through ``sequential_image_generation`` and reference images as an ``image`` list."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..types import ImageRequest
from .base import GENERATIONS_PATH, encode_image, family_of, one_or_many, openai_body, openai_fields, post_json, seedream_n

GATEWAY = "powertokens"


def build_request(req: ImageRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None) -> httpx.Request:
    """The generation ``POST`` for ``req`` (004 "Request body")."""
    if family_of(req.model) == "seedream":
        body = openai_fields(req)
        seedream_n(body, req.n)
        body.update(req.extra)
        if req.images:
            body["image"] = [encode_image(i) for i in req.images]  # 004: "image ... 1-14 reference images"
    else:
        body = openai_body(req)
        if req.images:
            body["image"] = one_or_many(req)
    return post_json(GATEWAY, GENERATIONS_PATH, body, base_url=base_url, api_key=api_key, headers=headers)
