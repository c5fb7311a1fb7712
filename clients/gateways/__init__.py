"""One thin module per gateway, as in :mod:`mock_server.gateways`: how the client asks that
gateway for images (``build_request``) and, for TokenHub, its chat and multipart-edit requests.

The gateway ids are the registry's (:data:`contracts.registry.GATEWAY_IDS`); each module is named
after its id and exposes ``build_request(req, *, base_url, api_key, headers) -> httpx.Request``.
Gravitex and Image Series share :mod:`clients.gateways.unified`; the helpers every module uses
(headers, URLs, image encoding, the DashScope and Seedream body shapes) live in
:mod:`clients.gateways.base`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Protocol, cast

import httpx

from contracts.registry import GATEWAY_IDS

from ..errors import ConfigurationError
from ..types import ImageRequest

__all__ = ["Builder", "load"]


class Builder(Protocol):
    """``build_request(req, *, base_url, api_key, headers)``: the generation request of one gateway."""

    def __call__(
        self, req: ImageRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None
    ) -> httpx.Request: ...


def load(gateway_id: str) -> Builder:
    """The ``build_request`` of ``gateway_id`` (one of :data:`contracts.registry.GATEWAY_IDS`).

    Raises:
        ConfigurationError: for an unknown id.
    """
    if gateway_id not in GATEWAY_IDS:
        raise ConfigurationError(f"unknown gateway {gateway_id!r}; expected one of {', '.join(GATEWAY_IDS)}")
    return cast(Builder, importlib.import_module(f"{__name__}.{gateway_id}").build_request)
