"""The asynchronous shell: :class:`AsyncImageClient` drives the flows of :mod:`clients.flow` with ``httpx.AsyncClient``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import anyio
import httpx

from . import flow
from ._base import DEFAULT_TIMEOUT, BaseClient, default_monotonic
from .retry import PollPolicy, RetryPolicy
from .types import GatewayId, ImageInput, ImageResponse, ResponseFormat, TaskHandle, TaskStatus

__all__ = ["AsyncImageClient"]


class AsyncImageClient(BaseClient):
    """An asynchronous client for one gateway (the same arguments and flows as :class:`~clients.ImageClient`).

    Args:
        gateway: a gateway id (:data:`contracts.registry.GATEWAY_IDS`).
        api_key: the gateway's key (default: ``IMAGEGW_<ID>_API_KEY``). Never shown in reprs,
            exceptions or logs, and never sent to result-download hosts.
        base_url: the gateway root (default: ``IMAGEGW_<ID>_BASE_URL``, else the documented host;
            Image Series documents none, so it is required there). For the mock:
            ``http://127.0.0.1:8000/tokenhub``.
        transport: an ``httpx`` transport (tests: ``httpx.ASGITransport(app=app)``).
        timeout: the HTTP timeout of each network operation (seconds or ``httpx.Timeout``).
        deadline: seconds one call may take in all — retries, task polling and downloads
            included — before :class:`~clients.errors.DeadlineExceeded` (default: 600, or the
            poll timeout plus 120 when that is longer; ``math.inf``: no bound). Each send is
            cancelled when it would pass it, however slowly the server answers.
        retry / poll: :class:`~clients.retry.RetryPolicy` / :class:`~clients.retry.PollPolicy`.
        strict: validate every gateway response against its contract (``contracts``) and raise
            :class:`~clients.errors.ContractViolation` on findings.
        download: fetch URL results into bytes (default ``True``).
        headers: extra headers on every gateway request (not on downloads).
        sleep: ``async sleep(seconds)`` used between polls and retries (default ``anyio.sleep``).
        monotonic: ``() -> seconds`` for the poll timeout (default ``time.monotonic``).
        http_client: an ``httpx.AsyncClient`` to use instead of creating one (not closed by :meth:`close`).

    Raises:
        ConfigurationError: unknown gateway, no API key, no base URL for Image Series, or
            ``strict=True`` without the gateway's contract.
    """

    def __init__(
        self,
        gateway: GatewayId | str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        strict: bool = False,
        download: bool = True,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[Any]] = anyio.sleep,
        monotonic: Callable[[], float] = default_monotonic,
        http_client: httpx.AsyncClient | None = None,
        deadline: float | None = None,
    ) -> None:
        super().__init__(
            gateway,
            api_key=api_key,
            base_url=base_url,
            retry=retry,
            poll=poll,
            strict=strict,
            download=download,
            headers=headers,
            deadline=deadline,
        )
        self._own = http_client is None
        self._http = http_client or httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False)
        self._sleep = sleep
        self._monotonic = monotonic

    @classmethod
    def for_gateway(cls, gateway: GatewayId | str, **kwargs: Any) -> AsyncImageClient:
        """``AsyncImageClient(gateway, **kwargs)``, e.g. ``AsyncImageClient.for_gateway("tokenhub", api_key=..., base_url=...)``."""
        return cls(gateway, **kwargs)

    # -- lifecycle ----------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Close the HTTP client (when this client created it)."""
        if self._own:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncImageClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the driver ------------------------------------------------------------------------------
    async def _run(self, gen: flow.Flow) -> Any:
        deadline = flow.Deadline.start(self._monotonic(), self._s.deadline)
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = gen.throw(error) if error is not None else gen.send(value)
            except StopIteration as stop:
                return stop.value
            value, error = None, None
            if isinstance(effect, flow.Send):
                left, error = deadline.before_send(effect.request, self._http.timeout, self._monotonic(), self.gateway)
                if error is not None:
                    continue
                try:
                    with anyio.fail_after(left):
                        value = await self._http.send(effect.request, follow_redirects=False)
                except TimeoutError as exc:  # anyio's: the deadline passed
                    error = flow.send_error(exc, effect.request, self.gateway, deadline=deadline)
                except flow.SEND_ERRORS as exc:
                    error = flow.send_error(exc, effect.request, self.gateway)
            elif isinstance(effect, flow.Sleep):
                error = deadline.before_sleep(effect.seconds, self._monotonic(), self.gateway)
                if error is None:
                    await self._sleep(effect.seconds)
            elif isinstance(effect, flow.Now):
                value = self._monotonic()
            else:  # pragma: no cover - a flow bug
                raise TypeError(f"unknown effect {effect!r}")

    # -- operations --------------------------------------------------------------------------------
    async def generate(
        self,
        *,
        prompt: str,
        model: str,
        size: str | None = None,
        n: int | None = None,
        response_format: ResponseFormat | None = None,
        images: Sequence[ImageInput] | ImageInput | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **gateway_specific: Any,
    ) -> ImageResponse:
        """Generate images and return them decoded (PieBox: create the task, poll until terminal,
        download; URL results downloaded everywhere).

        Args:
            prompt: the text prompt; model: the model id (see :mod:`clients.types` for the
                documented ones); size / n / response_format / images: see
                :class:`~clients.types.ImageRequest`; extra_headers: per-call headers;
            **gateway_specific: further body fields as the gateway names them (``seed``,
                ``watermark``, ``quality``, ``aspect_ratio``, ``output_format`` …).

        ``response_format`` is not sent where the gateway has none (PieBox always answers URLs;
        TokenHub's DashScope shape, 001: "format is not switched via response_format"); URL
        results are downloaded either way, so ``images[i].data`` always holds the bytes.

        Returns:
            :class:`~clients.types.ImageResponse`; items that failed carry ``error``.

        Raises:
            APIStatusError subclasses, APIConnectionError, TaskFailed, TaskTimeout,
            ContractViolation (strict), ConfigurationError (see :mod:`clients.errors`).
        """
        req = self._generation(prompt, model, size, n, response_format, images, extra_headers, gateway_specific)  # type: ignore[arg-type]
        return await self._run(flow.generate(self._s, req, model=model))

    async def create_task(
        self,
        *,
        prompt: str,
        model: str,
        size: str | None = None,
        n: int | None = None,
        images: Sequence[ImageInput] | ImageInput | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **gateway_specific: Any,
    ) -> TaskHandle:
        """PieBox only: create a task and return its handle without waiting.

        Raises:
            ConfigurationError: on another gateway; APIStatusError subclasses as for :meth:`generate`.
        """
        self._need_tasks()
        req = self._generation(prompt, model, size, n, None, images, extra_headers, gateway_specific)  # type: ignore[arg-type]
        return await self._run(flow.create_task(self._s, req))

    async def get_task(self, handle: TaskHandle | str, *, model: str | None = None) -> TaskStatus:
        """PieBox only: poll once. ``handle`` is a :class:`TaskHandle` or a task id (then ``model``
        picks the endpoint family: ``seedream``, ``gpt-image-2``, else Gemini)."""
        self._need_tasks()
        return await self._run(flow.poll_once(self._s, self._handle(handle, model)))

    async def wait(self, handle: TaskHandle | str, *, model: str | None = None, timeout: float | None = None) -> ImageResponse:
        """PieBox only: poll with backoff until terminal, then download the images.

        Raises:
            TaskFailed, TaskTimeout (after ``timeout`` or ``poll.timeout`` seconds), APIStatusError subclasses.
        """
        self._need_tasks()
        return await self._run(flow.wait(self._s, self._handle(handle, model), timeout=timeout))

    async def edit(
        self,
        *,
        image: Any,
        prompt: str | None = None,
        model: str = "tokenhub/gpt-image-2",
        mask: Any = None,
        n: int | None = None,
        size: str | None = None,
        response_format: ResponseFormat | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> ImageResponse:
        """TokenHub only: ``POST /v1/images/edits`` (multipart). ``image``/``mask``: bytes, a path, or
        ``(filename, bytes[, mime])``.

        Raises:
            ConfigurationError: on another gateway; InvalidRequestError for e.g. a non-image upload.
        """
        req = self._edit(image, model, prompt, mask, n, size, response_format, extra_headers, extra)
        return await self._run(flow.generate(self._s, req, model=model))

    async def chat(
        self,
        *,
        model: str,
        prompt: str | None = None,
        messages: Sequence[Mapping[str, Any]] | None = None,
        images: Sequence[ImageInput] | None = None,
        region: str = "global",
        extra_headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> ImageResponse:
        """TokenHub only: chat-based generation with the Gemini image models
        (``POST /v1/chat/completions``, ``X-TokenHub-Region: global``). Images come back decoded
        from the Markdown data URL; a text answer is in ``.text``.

        Raises:
            ConfigurationError: on another gateway, or neither/both of ``prompt`` and ``messages``.
        """
        req = self._chat(model, prompt, messages, images, region, extra_headers, extra)
        return await self._run(flow.generate(self._s, req, model=model))

    async def download(self, result: ImageResponse) -> ImageResponse:
        """Fetch the bytes of every URL-only item of ``result`` (e.g. one obtained with
        ``download=False``). No credentials are sent. A link past its lifetime (the documents:
        about 24 hours) or otherwise failing becomes an item error ``download_failed``."""
        return await self._run(flow.download_all(replace(self._s, download=True), result))
