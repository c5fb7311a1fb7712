"""What the sync and async shells share: configuration, argument checking and request building."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from contracts.registry import gateway_spec

from . import core, gateways
from .errors import ConfigurationError
from .flow import Settings, _Key, contract_validator
from .gateways import piebox
from .gateways.tokenhub import chat_messages
from .retry import PollPolicy, RetryPolicy
from .types import ChatRequest, EditRequest, ImageRequest, TaskHandle

DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)  # image answers are large (001: "~2–3 MB per image")
#: A call's whole deadline when none is given, seconds (raised to the poll timeout plus
#: :data:`DEADLINE_POLL_MARGIN` when that is longer).
DEFAULT_DEADLINE = 600.0
DEADLINE_POLL_MARGIN = 120.0


class BaseClient:
    """Configuration shared by :class:`~clients.ImageClient` and :class:`~clients.AsyncImageClient`."""

    def __init__(
        self,
        gateway: str,
        *,
        api_key: str | None,
        base_url: str | None,
        retry: RetryPolicy | None,
        poll: PollPolicy | None,
        strict: bool,
        download: bool,
        headers: Mapping[str, str] | None,
        deadline: float | None = None,
    ) -> None:
        gateways.check(gateway)
        spec = gateway_spec(gateway)
        key = api_key if api_key is not None else os.environ.get(spec.api_key_env)
        if not key:
            raise ConfigurationError(f"no API key for {gateway}: pass api_key= or set {spec.api_key_env}")
        if any(c in key for c in "\r\n"):
            raise ConfigurationError("the API key contains a line break")
        root = base_url or os.environ.get(spec.base_url_env) or core.default_base_url(gateway)
        if not root.startswith(("http://", "https://")):
            raise ConfigurationError(f"base_url must start with http:// or https://; got {root[:60]!r}")
        self.gateway = gateway
        self.base_url = root.rstrip("/")
        self.strict = strict
        poll = poll or PollPolicy()
        if deadline is None:
            deadline = max(DEFAULT_DEADLINE, poll.timeout + DEADLINE_POLL_MARGIN)
        if not deadline > 0:
            raise ConfigurationError(f"deadline must be > 0 seconds; got {deadline!r}")
        self._s = Settings(
            gateway=gateway,
            base_url=self.base_url,
            key=_Key(key),
            retry=retry or RetryPolicy(),
            poll=poll,
            validator=contract_validator(gateway, self.base_url) if strict else None,
            download=download,
            headers=dict(headers or {}),
            deadline=None if math.isinf(deadline) else float(deadline),
        )

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy in use."""
        return self._s.retry

    @property
    def deadline(self) -> float | None:
        """Seconds one call may take in all (``None``: unbounded)."""
        return self._s.deadline

    @property
    def poll(self) -> PollPolicy:
        """The task poll policy in use."""
        return self._s.poll

    def __repr__(self) -> str:
        return f"{type(self).__name__}(gateway={self.gateway!r}, base_url={self.base_url!r}, strict={self.strict})"

    # -- request building (pure) -----------------------------------------------------------
    def _headers(self, extra_headers: Mapping[str, str] | None) -> dict[str, str]:
        return {**self._s.headers, **dict(extra_headers or {})}

    def _generation(
        self,
        prompt: str,
        model: str,
        size: str | None,
        n: int | None,
        response_format: str | None,
        images: Sequence[Any] | None,
        extra_headers: Mapping[str, str] | None,
        gateway_specific: dict[str, Any],
    ) -> httpx.Request:
        if isinstance(images, (str, bytes, os.PathLike)):
            images = [images]
        req = ImageRequest(
            prompt=prompt,
            model=model,
            size=size,
            n=n,
            response_format=response_format,  # type: ignore[arg-type]
            images=tuple(images or ()),
            extra=gateway_specific,
        )
        return core.build_request(
            self.gateway, req, base_url=self.base_url, api_key=self._s.key.get(), headers=self._headers(extra_headers)
        )

    def _edit(
        self,
        image: Any,
        model: str,
        prompt: str | None,
        mask: Any,
        n: int | None,
        size: str | None,
        response_format: str | None,
        extra_headers: Mapping[str, str] | None,
        extra: dict[str, Any],
    ) -> httpx.Request:
        req = EditRequest(image=image, model=model, prompt=prompt, mask=mask, n=n, size=size, response_format=response_format, extra=extra)  # type: ignore[arg-type]
        return core.build_edit_request(
            self.gateway, req, base_url=self.base_url, api_key=self._s.key.get(), headers=self._headers(extra_headers)
        )

    def _chat(
        self,
        model: str,
        prompt: str | None,
        messages: Sequence[Mapping[str, Any]] | None,
        images: Sequence[Any] | None,
        region: str,
        extra_headers: Mapping[str, str] | None,
        extra: dict[str, Any],
    ) -> httpx.Request:
        if (prompt is None) == (messages is None):
            raise ConfigurationError("pass exactly one of prompt= or messages=")
        if messages is None:
            assert prompt is not None
            messages = chat_messages(prompt, list(images or ()))
        elif images:
            raise ConfigurationError("images= goes with prompt=; put images inside messages= yourself")
        req = ChatRequest(model=model, messages=tuple(messages), region=region, extra=extra)
        return core.build_chat_request(
            self.gateway, req, base_url=self.base_url, api_key=self._s.key.get(), headers=self._headers(extra_headers)
        )

    def _need_tasks(self) -> None:
        if not gateways.has_tasks(self.gateway):
            raise ConfigurationError(f"{self.gateway} answers synchronously; tasks are a PieBox feature")

    @staticmethod
    def _handle(handle: TaskHandle | str, model: str | None) -> TaskHandle:
        if isinstance(handle, TaskHandle):
            return handle
        return piebox.task_handle(handle, model)


def default_monotonic() -> float:
    """``time.monotonic()`` (seconds)."""
    return time.monotonic()
