"""One thin module per gateway, as in :mod:`mock_server.gateways`: how the client asks that
gateway for images (``build_request``; for TokenHub also its chat and multipart-edit requests)
and how it reads that gateway's answers (``parse_answer``; for PieBox also ``parse_task``).

The gateway ids are the registry's (:data:`contracts.registry.GATEWAY_IDS`); each module is named
after its id and exposes

* ``build_request(req, *, base_url, api_key, headers) -> httpx.Request``;
* ``parse_answer(answer: Answer) -> ImageResponse | TaskHandle``: a 2xx answer whose body is a
  JSON object (:class:`clients.gateways.base.Answer`), read in the gateway's own shapes;
* ``parse_task(answer: Answer) -> TaskStatus`` where the gateway has tasks (PieBox).

Gravitex and Image Series share :mod:`clients.gateways.unified`; the helpers every module uses
(headers, URLs, image encoding, the DashScope and Seedream body shapes, OpenAI's ``data[]``
answer items) live in :mod:`clients.gateways.base`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Protocol, cast

import httpx

from contracts.registry import GATEWAY_IDS

from ..errors import ConfigurationError
from ..types import ImageRequest, ImageResponse, TaskHandle
from .base import Answer

__all__ = ["AnswerParser", "Builder", "check", "has_tasks", "load", "parser"]


class Builder(Protocol):
    """``build_request(req, *, base_url, api_key, headers)``: the generation request of one gateway."""

    def __call__(
        self, req: ImageRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None
    ) -> httpx.Request: ...


class AnswerParser(Protocol):
    """``parse_answer(answer)``: one gateway's 2xx JSON-object answer as its result."""

    def __call__(self, answer: Answer) -> ImageResponse | TaskHandle: ...


def check(gateway_id: str) -> None:
    """Raises :class:`ConfigurationError` for an id outside :data:`contracts.registry.GATEWAY_IDS`."""
    if gateway_id not in GATEWAY_IDS:
        raise ConfigurationError(f"unknown gateway {gateway_id!r}; expected one of {', '.join(GATEWAY_IDS)}")


def _module(gateway_id: str) -> ModuleType:
    check(gateway_id)
    return importlib.import_module(f"{__name__}.{gateway_id}")


def load(gateway_id: str) -> Builder:
    """The ``build_request`` of ``gateway_id`` (one of :data:`contracts.registry.GATEWAY_IDS`).

    Raises:
        ConfigurationError: for an unknown id.
    """
    return cast(Builder, _module(gateway_id).build_request)


def parser(gateway_id: str) -> AnswerParser:
    """The ``parse_answer`` of ``gateway_id`` (one of :data:`contracts.registry.GATEWAY_IDS`).

    Raises:
        ConfigurationError: for an unknown id.
    """
    return cast(AnswerParser, _module(gateway_id).parse_answer)


def has_tasks(gateway_id: str) -> bool:
    """Whether ``gateway_id`` answers with tasks to poll (its module has ``parse_task``: PieBox).

    Raises:
        ConfigurationError: for an unknown id.
    """
    return hasattr(_module(gateway_id), "parse_task")
