"""The sans-IO core: pure functions from requests to ``httpx.Request`` and from ``httpx.Response`` to results.

Nothing here sends, sleeps or reads a clock; the sync and async shells (``clients.sync``,
``clients.aio``) drive these functions. The gateway ids, documented hosts and auth headers are
the gateway registry's (:mod:`contracts.registry`). The requests are built by one module per
gateway (:mod:`clients.gateways`, mirroring :mod:`mock_server.gateways`), and the answers are read
by the same modules; here they are dispatched. Per gateway (documents in ``../shared/gateway-docs/``):

============  ==========================================================================================
piebox        000: ``X-API-Key``; POST ``/v2/extend/image/{seedream/|gpt_image/|}generations`` -> ``{task_id, model}``;
              GET ``…/tasks/{task_id}`` -> ``{status, result.images[].url}``. Always URLs.
tokenhub      001: Bearer; ``/v1/images/generations`` flat (OpenAI ``data[]``) or DashScope passthrough
              for ``wan*``/``qwen*`` (``output.choices[0].message.content[].image``);
              ``/v1/images/edits`` multipart; ``/v1/chat/completions`` for the Gemini image models
              (image as a Markdown data URL, ``X-TokenHub-Region: global`` required).
gravitex      002: Bearer; one ``/v1/images/generations``; answer ``{"code","msg","data":{"data":[…],"created"}}``.
imageseries   003: as gravitex; no documented host (``base_url`` is required).
powertokens   004: Bearer; ``/v1/images/generations``; ``data[]`` items ``{url|b64_json, size, error?}``.
============  ==========================================================================================

Mapping of the neutral :class:`~clients.types.ImageRequest` fields onto each body:

* ``n`` is sent as ``n`` (GPT Image, Gemini on Gravitex/Image Series, TokenHub flat),
  ``parameters.n`` (DashScope shape), or — for Seedream 4.x/5.x, which have no ``n`` — as
  ``sequential_image_generation: "auto"`` with ``sequential_image_generation_options.max_images``
  (documented as the way to get several images: 003 FAQ "Doubao Seedream 4.x: Use sequential image
  generation (1-4 images)"; the upstream may return fewer than ``max_images``). Where a gateway has
  no way to ask for several images (PieBox Seedream and Gemini) ``n > 1`` raises
  :class:`~clients.errors.ConfigurationError`.
* ``images`` become ``image`` (PowerTokens, PieBox Seedream: a list), ``contents[].parts[].image``
  (Gemini and Seedream on Gravitex/Image Series, as in 002's examples), ``image``/``images`` (GPT
  Image on Gravitex/Image Series), ``input.messages[].content[].image`` (DashScope shape), or
  OpenAI ``image_url`` parts (TokenHub chat; inferred from upstream OpenAI chat).
* ``response_format`` is not sent where the gateway has none (PieBox; TokenHub's DashScope shape:
  001 "format is not switched via response_format on this protocol"); URL results are downloaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from contracts.registry import CREDENTIAL_HEADERS as GATEWAY_CREDENTIAL_HEADERS
from contracts.registry import gateway_spec

from . import gateways
from .errors import ConfigurationError, decode_json, error_from_response
from .gateways import piebox
from .gateways.base import USER_AGENT, Answer, Finding, encode_image, family_of, request_headers, url, violation
from .gateways.piebox import PIEBOX_PATHS
from .gateways.tokenhub import build_chat_request, build_edit_request
from .types import GeneratedImage, ImageRequest, ImageResponse, ItemError, TaskHandle, TaskStatus

__all__ = [
    "Finding",
    "family_of",
    "default_base_url",
    "build_request",
    "build_edit_request",
    "build_chat_request",
    "build_poll_request",
    "build_download_request",
    "parse_response",
    "parse_task",
    "attach_download",
    "relative_path",
    "encode_image",
    "USER_AGENT",
    "PIEBOX_PATHS",
    "MAX_REDIRECTS",
    "REDIRECT_DROPPED_HEADERS",
    "redirect_request",
]


def default_base_url(gateway: str) -> str:
    """The documented host of ``gateway`` (:attr:`contracts.registry.GatewaySpec.host`).

    Raises:
        ConfigurationError: for an unknown gateway, or Image Series (its document names no host).
    """
    gateways.check(gateway)
    host = gateway_spec(gateway).host
    if host is None:
        raise ConfigurationError(f"the {gateway} document names no host: pass base_url=")
    return host


#: Redirects one request may follow (httpx's and requests' default).
MAX_REDIRECTS = 20
#: Request headers never sent to another origin on a redirect: the gateways' credential headers
#: (:data:`contracts.registry.CREDENTIAL_HEADERS`; httpx drops only ``Authorization``, and
#: PieBox's key travels in ``X-API-Key``) and the other headers that carry credentials.
REDIRECT_DROPPED_HEADERS = GATEWAY_CREDENTIAL_HEADERS | {"cookie", "proxy-authorization"}


def redirect_request(original: httpx.Request, next_request: httpx.Request) -> httpx.Request:
    """The request that follows a redirect of ``original``: httpx's ``next_request`` (method,
    body and ``Authorization`` handled per RFC 9110 §15.4), without any of
    :data:`REDIRECT_DROPPED_HEADERS` when it leaves ``original``'s origin (scheme, host, port; an
    ``http`` to ``https`` upgrade on the same host keeps them, as httpx does)."""
    a, b = original.url, next_request.url
    same = (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)
    upgrade = a.host == b.host and a.scheme == "http" and b.scheme == "https" and a.port in (None, 80) and b.port in (None, 443)
    if not (same or upgrade):
        for name in REDIRECT_DROPPED_HEADERS:
            next_request.headers.pop(name, None)
    return next_request


def relative_path(base_url: str, url: httpx.URL | str) -> str:
    """The path of ``url`` relative to the gateway root ``base_url`` (``/v1/images/generations``)."""
    root = urlsplit(base_url).path.rstrip("/")
    path = httpx.URL(str(url)).path
    return path[len(root) :] if root and path.startswith(root) else path


def build_request(
    gateway: str, req: ImageRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None
) -> httpx.Request:
    """The HTTP request that asks ``gateway`` for ``req``: the gateway module's
    (:mod:`clients.gateways`, one per gateway as in :mod:`mock_server.gateways`).

    Args:
        gateway: a gateway id; base_url: the gateway root (its documented host or
            ``http://127.0.0.1:8000/tokenhub``); api_key: sent as the gateway's credential;
        headers: extra headers (e.g. ``X-Mock-Scenario``).

    Returns:
        An ``httpx.Request`` (for PieBox, the task-creating POST; for TokenHub's Gemini models,
        the chat-completions POST).

    Raises:
        ConfigurationError: unknown gateway, or ``n`` where the gateway cannot return several images.
    """
    return gateways.load(gateway)(req, base_url=base_url, api_key=api_key, headers=headers)


def build_poll_request(
    handle: TaskHandle, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None
) -> httpx.Request:
    """``GET`` the task of ``handle`` (000 "Checking Image Generation Results")."""
    return httpx.Request("GET", url(base_url, handle.poll_path), headers=request_headers(handle.gateway, api_key, headers, json_body=False))


def build_download_request(url: str) -> httpx.Request:
    """``GET`` a result URL. No credentials are attached: result URLs are signed links that may
    live on another host (001: ``dashscope-xxxx.oss-accelerate.aliyuncs.com``)."""
    return httpx.Request("GET", url, headers={"Accept": "image/*", "User-Agent": USER_AGENT})


# -- parsing -----------------------------------------------------------------------------------


def _answer(gateway: str, response: httpx.Response) -> Answer:
    """``response`` as an :class:`~clients.gateways.base.Answer`: an error status raised, the body
    decoded and checked to be a JSON object."""
    if response.status_code >= 400:
        req = response._request  # may be None for a hand-built response
        raise error_from_response(
            response.status_code,
            response.content,
            dict(response.headers),
            gateway=gateway,
            method=req.method if req is not None else None,
            url=str(req.url) if req is not None else None,
        )
    try:
        body = decode_json(response.content)
    except ValueError:
        ctype = response.headers.get("content-type", "")
        raise violation(gateway, response, "", "a JSON body", f"{ctype or 'no content type'}, {len(response.content)} bytes") from None
    if not isinstance(body, dict):
        raise violation(gateway, response, "", "a JSON object", type(body).__name__)
    return Answer(gateway, response, body)


def parse_response(gateway: str, response: httpx.Response) -> ImageResponse | TaskHandle:
    """Turn a gateway answer into a result: the status checked, the JSON body decoded, then read by
    the gateway module's ``parse_answer`` (:mod:`clients.gateways`, one per gateway).

    Returns:
        :class:`TaskHandle` for a PieBox create answer; otherwise an :class:`ImageResponse` whose
        items hold decoded bytes (``b64_json``, data URLs) or only a ``url`` (to be downloaded by
        the shell with :func:`build_download_request` and :func:`attach_download`).

    Raises:
        ConfigurationError: for an unknown gateway.
        APIStatusError: (a subclass) for a 4xx/5xx answer, or a Gravitex/Image Series envelope
            whose ``code`` is an error status.
        ContractViolation: for a 2xx answer that is not JSON or lacks the documented fields.
    """
    parse = gateways.parser(gateway)
    return parse(_answer(gateway, response))


def parse_task(gateway: str, response: httpx.Response) -> TaskStatus:
    """A PieBox poll answer as :class:`TaskStatus` (000: ``{task_id, status, model, result: {images: [{url}]}}``;
    :func:`clients.gateways.piebox.parse_task`, the one task shape; ``gateway`` names the errors).

    Raises:
        APIStatusError: for a 4xx/5xx answer (404 -> :class:`~clients.errors.NotFoundError`).
        ContractViolation: for an unknown ``status`` or a ``succeeded`` task without ``result.images``.
    """
    return piebox.parse_task(_answer(gateway, response))


def attach_download(image: GeneratedImage, response: httpx.Response) -> GeneratedImage:
    """``image`` with the bytes of its downloaded URL (``response``); a failed download becomes an
    item error ``download_failed`` (the message names the status and the gateway's text), so the
    other items of the call are kept."""
    if response.status_code >= 400:
        err = error_from_response(response.status_code, response.content, dict(response.headers))
        return GeneratedImage(url=image.url, error=ItemError("download_failed", str(err)), revised_prompt=image.revised_prompt)
    return GeneratedImage.from_bytes(response.content, url=image.url, revised_prompt=image.revised_prompt)
