"""PowerTokens (004): Bearer; ``POST /v1/images/generations``; Seedream models take several images
through ``sequential_image_generation`` and reference images as an ``image`` list; the answer is
OpenAI's ``data[]`` whose items may each carry an ``error``, with ``metadata.model``."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..types import ImageRequest, ImageResponse
from .base import (
    GENERATIONS_PATH,
    Answer,
    encode_image,
    family_of,
    one_or_many,
    openai_body,
    openai_fields,
    parse_openai_data,
    post_json,
    seedream_n,
)

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


def parse_answer(answer: Answer) -> ImageResponse:
    """The answer ``{"created", "data": [{url | b64_json, size, error?}], "metadata"}`` (004
    "Response"; :func:`clients.gateways.base.parse_openai_data`).

    Raises:
        ContractViolation: a body without ``data``, or one whose ``data`` is not an array of objects.
    """
    if "data" not in answer.body:
        raise answer.unknown_shape("data[]")
    return parse_openai_data(answer)
