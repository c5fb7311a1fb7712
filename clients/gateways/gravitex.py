"""Gravitex (002): the unified endpoint (:mod:`clients.gateways.unified`)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..types import ImageRequest, ImageResponse
from .base import Answer
from .unified import build_unified_request, parse_envelope

GATEWAY = "gravitex"


def build_request(req: ImageRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None) -> httpx.Request:
    """The generation ``POST`` for ``req`` (:func:`clients.gateways.unified.build_unified_request`)."""
    return build_unified_request(GATEWAY, req, base_url=base_url, api_key=api_key, headers=headers)


def parse_answer(answer: Answer) -> ImageResponse:
    """The enveloped answer (:func:`clients.gateways.unified.parse_envelope`)."""
    return parse_envelope(answer)
