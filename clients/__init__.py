"""imagegw's reference client: one API over the five documented image gateways, sync and async.

::

    from clients import ImageClient

    with ImageClient.for_gateway("tokenhub", api_key="sk-…") as client:
        result = client.generate(prompt="an orange cat", model="tokenhub/gpt-image-2", size="1024x1024")
        result.images[0].save("cat.png")

Layers (``clients`` never imports ``mock_server``):

* :mod:`clients.core` — sans-IO: ``build_request`` / ``parse_response`` and friends, pure functions;
* :mod:`clients.flow` — retry, polling, downloads and strict validation, written once as generators of effects;
* :mod:`clients.sync` / :mod:`clients.aio` — :class:`ImageClient` and :class:`AsyncImageClient`, which run the flows;
* :mod:`clients.errors` — the exception tree (drawn in its docstring) and one mapping function per error shape;
* :mod:`clients.types` — requests and results; :mod:`clients.retry` — retry and poll policies.

The gateway ids, documented hosts, auth headers and environment variable names come from the
gateway registry, :mod:`contracts.registry`.
"""

from __future__ import annotations

from .aio import AsyncImageClient
from .core import build_chat_request, build_edit_request, build_request, parse_response, parse_task
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    ContentPolicyError,
    ContractViolation,
    DeadlineExceeded,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    TaskFailed,
    TaskTimeout,
    UnreadableResponseError,
)
from .retry import NO_RETRY, PollPolicy, RetryPolicy
from .sync import ImageClient
from .types import ChatRequest, EditRequest, GeneratedImage, ImageRequest, ImageResponse, ItemError, TaskHandle, TaskStatus

__all__ = [
    "ImageClient",
    "AsyncImageClient",
    "RetryPolicy",
    "PollPolicy",
    "NO_RETRY",
    "ImageRequest",
    "EditRequest",
    "ChatRequest",
    "ImageResponse",
    "GeneratedImage",
    "ItemError",
    "TaskHandle",
    "TaskStatus",
    "build_request",
    "build_edit_request",
    "build_chat_request",
    "parse_response",
    "parse_task",
    "APIError",
    "APIStatusError",
    "InvalidRequestError",
    "ContentPolicyError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "RateLimitError",
    "QuotaExceededError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
    "DeadlineExceeded",
    "UnreadableResponseError",
    "TaskFailed",
    "TaskTimeout",
    "ContractViolation",
    "ConfigurationError",
]
