"""The unified endpoint Gravitex (002) and Image Series (003) share: Bearer; one
``POST /v1/images/generations`` for four model families, each with the body shape 002's examples
show (Qwen: DashScope's; Seedream and Gemini image-to-image: ``contents[].parts``; GPT Image:
``image`` / ``images``), answering inside the envelope ``{"code", "msg", "data": {"data": [...],
"created"}}`` (002 "Response Format"; 003 shows no response body, the same envelope is inferred)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ..errors import error_from_envelope
from ..types import ImageRequest, ImageResponse
from .base import (
    GENERATIONS_PATH,
    Answer,
    dashscope_body,
    encode_image,
    family_of,
    one_or_many,
    openai_body,
    openai_fields,
    openai_items,
    post_json,
    seedream_n,
)


def build_unified_request(
    gateway: str, req: ImageRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None
) -> httpx.Request:
    """The generation ``POST`` for ``req`` on ``gateway`` (``gravitex`` or ``imageseries``)."""
    fam = family_of(req.model)
    body: dict[str, Any]
    if fam == "qwen":
        body = dashscope_body(req, with_format=True)
    elif fam == "seedream":
        body = openai_fields(req)
        seedream_n(body, req.n)
        body.update(req.extra)
        if req.images:
            parts: list[dict[str, Any]] = [{"image": encode_image(i)} for i in req.images]
            parts.append({"text": req.prompt})
            body.setdefault("contents", [{"role": "user", "parts": parts}])  # 002 Seedream image-to-image example
    elif fam == "gemini":
        body = openai_body(req)
        if req.images and "contents" not in body:
            # 002 Gemini image-to-image example: the text travels in contents[].parts, no top-level prompt
            body.pop("prompt", None)
            parts = [{"text": req.prompt}] + [{"image": encode_image(i)} for i in req.images]
            body["contents"] = [{"role": "user", "parts": parts}]
    else:
        body = openai_body(req)
        if req.images and fam == "gpt_image":
            refs = [encode_image(i) for i in req.images]
            if len(refs) == 1:
                body["image"] = refs[0]  # 002 GPT Image image-to-image: "image": "data:..."
            else:
                body["images"] = refs  # 002 GPT Image multi-image fusion: "images": [...]
        elif req.images:
            body["image"] = one_or_many(req)
    return post_json(gateway, GENERATIONS_PATH, body, base_url=base_url, api_key=api_key, headers=headers)


def parse_envelope(answer: Answer) -> ImageResponse:
    """The envelope ``{"code": 200, "msg": "Success", "data": {"data": [...], "created"}}`` (002
    "Response Format"): :func:`clients.gateways.base.openai_items` of ``/data/data``; the model is
    the body's ``model``, if any. An envelope ``code`` of 400 or more is the gateway's error, even
    inside an HTTP 200.

    Raises:
        APIStatusError: (a subclass, :func:`clients.errors.error_from_envelope`) for an error ``code``.
        ContractViolation: a body without the integer ``code`` and ``msg``, another non-error
            ``code`` than 200, ``/data`` not an object, or ``/data/data`` not an array of objects.
    """
    body = answer.body
    code = body.get("code")
    if "msg" not in body or not isinstance(code, int):
        raise answer.unknown_shape('the {"code", "msg", "data"} envelope')
    inner = body.get("data")
    if code != 200 or not isinstance(inner, dict):
        if code >= 400:
            raise error_from_envelope(code, body, dict(answer.response.headers), gateway=answer.gateway)
        raise answer.violation("/data", "an object holding data[]", repr(inner)[:60])
    return answer.result(openai_items(answer, inner.get("data"), "/data/data"), model=body.get("model"))
