"""The sans-IO core: pure functions from requests to ``httpx.Request`` and from ``httpx.Response`` to results.

Nothing here sends, sleeps or reads a clock; the sync and async shells (``clients.sync``,
``clients.aio``) drive these functions. The gateway ids, documented hosts and auth headers are
the gateway registry's (:mod:`contracts.registry`). The requests are built by one module per
gateway (:mod:`clients.gateways`, mirroring :mod:`mock_server.gateways`); the answers are parsed
here. Per gateway (documents in ``../shared/gateway-docs/``):

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

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from contracts.registry import CREDENTIAL_HEADERS as GATEWAY_CREDENTIAL_HEADERS
from contracts.registry import GATEWAY_IDS, gateway_spec
from contracts.wire import request_id

from . import gateways
from .errors import ConfigurationError, ContractViolation, decode_json, error_from_envelope, error_from_response
from .gateways.base import USER_AGENT, encode_image, family_of, request_headers, url
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
    "MAX_REDIRECTS",
    "REDIRECT_DROPPED_HEADERS",
    "redirect_request",
]


@dataclass(frozen=True)
class Finding:
    """A client-side finding about a response that breaks the gateway's promise (same fields as
    the ``contracts`` findings): JSON-pointer ``location``, ``expected``, ``observed``, ``kind``."""

    location: str
    expected: str
    observed: str
    kind: str = "response_shape"


def _violation(gateway: str, response: httpx.Response, location: str, expected: str, observed: str) -> ContractViolation:
    return ContractViolation(
        [Finding(location, expected, observed)], status_code=response.status_code, gateway=gateway, request_id=request_id(response.headers)
    )


def default_base_url(gateway: str) -> str:
    """The documented host of ``gateway`` (:attr:`contracts.registry.GatewaySpec.host`).

    Raises:
        ConfigurationError: for an unknown gateway, or Image Series (its document names no host).
    """
    _check_gateway(gateway)
    host = gateway_spec(gateway).host
    if host is None:
        raise ConfigurationError(f"the {gateway} document names no host: pass base_url=")
    return host


def _check_gateway(gateway: str) -> None:
    """Raises :class:`ConfigurationError` for an id outside :data:`contracts.registry.GATEWAY_IDS`."""
    if gateway not in GATEWAY_IDS:
        raise ConfigurationError(f"unknown gateway {gateway!r}; expected one of {', '.join(GATEWAY_IDS)}")


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

_MD_DATA_URL = re.compile(r"!\[[^\]]*\]\(\s*(data:(image/[A-Za-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]+?))\s*\)")
_BARE_DATA_URL = re.compile(r"data:(image/[A-Za-z0-9.+-]+);base64,([A-Za-z0-9+/=]+)")


def _json_body(gateway: str, response: httpx.Response) -> Any:
    try:
        return decode_json(response.content)
    except ValueError:
        ctype = response.headers.get("content-type", "")
        raise _violation(gateway, response, "", "a JSON body", f"{ctype or 'no content type'}, {len(response.content)} bytes") from None


def _raise_for_status(gateway: str, response: httpx.Response) -> None:
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


def _b64_item(b64: str, *, url: str | None = None, revised_prompt: str | None = None) -> GeneratedImage:
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return GeneratedImage(url=url, error=ItemError("undecodable_image", "b64_json is not valid base64"), revised_prompt=revised_prompt)
    return GeneratedImage.from_bytes(data, url=url, revised_prompt=revised_prompt)


def _openai_items(gateway: str, response: httpx.Response, items: Any, where: str) -> list[GeneratedImage]:
    if not isinstance(items, list):
        raise _violation(gateway, response, where, "an array of images", type(items).__name__)
    out: list[GeneratedImage] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _violation(gateway, response, f"{where}/{i}", "an object", type(item).__name__)
        revised = item.get("revised_prompt") or None
        err = item.get("error")
        b64, url = item.get("b64_json") or None, item.get("url") or None
        if isinstance(err, dict) and not b64 and not url:
            # 004: a data[] item "may each carry an error" — kept in place, the good items survive
            out.append(GeneratedImage(error=ItemError(_s(err.get("code")), _s(err.get("message")))))
        elif isinstance(b64, str):
            out.append(_b64_item(b64, url=url if isinstance(url, str) else None, revised_prompt=revised))
        elif isinstance(url, str):
            out.append(GeneratedImage(url=url, revised_prompt=revised))
        else:
            out.append(GeneratedImage(error=ItemError("missing_image", f"{where}/{i} has neither b64_json nor url")))
    return out


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def parse_response(gateway: str, response: httpx.Response) -> ImageResponse | TaskHandle:
    """Turn a gateway answer into a result.

    Returns:
        :class:`TaskHandle` for a PieBox create answer; otherwise an :class:`ImageResponse` whose
        items hold decoded bytes (``b64_json``, data URLs) or only a ``url`` (to be downloaded by
        the shell with :func:`build_download_request` and :func:`attach_download`).

    Raises:
        APIStatusError: (a subclass) for a 4xx/5xx answer, or a Gravitex/Image Series envelope
            whose ``code`` is an error status.
        ContractViolation: for a 2xx answer that is not JSON or lacks the documented fields.
    """
    _check_gateway(gateway)
    _raise_for_status(gateway, response)
    body = _json_body(gateway, response)
    if not isinstance(body, dict):
        raise _violation(gateway, response, "", "a JSON object", type(body).__name__)
    rid = request_id(response.headers, body)

    if gateway == "piebox":
        task_id = body.get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise _violation(gateway, response, "/task_id", "a task id string", repr(task_id)[:60])
        model = body.get("model") if isinstance(body.get("model"), str) else None
        return TaskHandle(gateway, task_id, model, _poll_path(response, model, task_id), rid)

    if "choices" in body:  # TokenHub chat completions (001)
        return _parse_chat(gateway, response, body, rid)

    if "output" in body:  # TokenHub DashScope passthrough (001)
        return _parse_dashscope(gateway, response, body, rid)

    if "msg" in body and isinstance(body.get("code"), int):  # Gravitex / Image Series envelope (002)
        code = body["code"]
        inner = body.get("data")
        if code != 200 or not isinstance(inner, dict):
            if code >= 400:
                raise error_from_envelope(code, body, dict(response.headers), gateway=gateway)
            raise _violation(gateway, response, "/data", "an object holding data[]", repr(inner)[:60])
        images = _openai_items(gateway, response, inner.get("data"), "/data/data")
        return ImageResponse(images, raw=body, request_id=rid, gateway=gateway, model=body.get("model"))

    if "data" in body:  # OpenAI-style data[] (TokenHub flat, PowerTokens)
        images = _openai_items(gateway, response, body.get("data"), "/data")
        meta = body.get("metadata")
        model = (
            body.get("model")
            if isinstance(body.get("model"), str)
            else (meta.get("model") if isinstance(meta, dict) and isinstance(meta.get("model"), str) else None)
        )
        return ImageResponse(images, raw=body, request_id=rid, gateway=gateway, model=model)

    raise _violation(gateway, response, "", "data[], output, choices or an envelope", ", ".join(sorted(body))[:80])


def _poll_path(response: httpx.Response, model: str | None, task_id: str) -> str:
    family = None
    req = response._request
    if req is not None:
        path = req.url.path
        for fam, (create, _) in PIEBOX_PATHS.items():
            if path.endswith(create):
                family = fam
                break
    if family is None:
        fam = family_of(model or "")
        family = fam if fam in PIEBOX_PATHS else "gemini"
    return PIEBOX_PATHS[family][1].format(task_id=quote(task_id, safe=""))


def _parse_chat(gateway: str, response: httpx.Response, body: dict[str, Any], rid: str | None) -> ImageResponse:
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise _violation(gateway, response, "/choices", "a non-empty array", repr(choices)[:60])
    images: list[GeneratedImage] = []
    texts: list[str] = []
    for i, choice in enumerate(choices):
        msg = choice.get("message") if isinstance(choice, dict) else None
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, list):  # OpenAI content parts (inferred tolerance)
            content = "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
        if not isinstance(content, str):
            if content is None:
                continue
            raise _violation(gateway, response, f"/choices/{i}/message/content", "a string", type(content).__name__)
        found = False
        # 001: "The image is in choices[0].message.content as ![image](data:image/png;base64,...)"
        for m in _MD_DATA_URL.finditer(content):
            found = True
            images.append(_b64_item(re.sub(r"\s+", "", m.group(3))))
        text = _MD_DATA_URL.sub("", content)
        if not found:
            # 001: "or match data:image/png;base64,([^)]+) in your client"
            for m in _BARE_DATA_URL.finditer(content):
                images.append(_b64_item(m.group(2)))
            text = _BARE_DATA_URL.sub("", text)
        if text.strip():
            texts.append(text.strip())
    return ImageResponse(images, raw=body, request_id=rid, gateway=gateway, model=body.get("model"), text="\n".join(texts) or None)


def _parse_dashscope(gateway: str, response: httpx.Response, body: dict[str, Any], rid: str | None) -> ImageResponse:
    output = body.get("output")
    choices = output.get("choices") if isinstance(output, dict) else None
    if not isinstance(choices, list):
        raise _violation(gateway, response, "/output/choices", "an array", repr(choices)[:60])
    images: list[GeneratedImage] = []
    for i, choice in enumerate(choices):
        msg = choice.get("message") if isinstance(choice, dict) else None
        content = msg.get("content") if isinstance(msg, dict) else None
        if not isinstance(content, list):
            raise _violation(gateway, response, f"/output/choices/{i}/message/content", "an array", type(content).__name__)
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("image"), str):
                ref = part["image"]
                m = _BARE_DATA_URL.fullmatch(ref)
                images.append(_b64_item(m.group(2)) if m else GeneratedImage(url=ref))
    return ImageResponse(images, raw=body, request_id=rid, gateway=gateway, model=body.get("model"))


def parse_task(gateway: str, response: httpx.Response) -> TaskStatus:
    """A PieBox poll answer as :class:`TaskStatus` (000: ``{task_id, status, model, result: {images: [{url}]}}``).

    Raises:
        APIStatusError: for a 4xx/5xx answer (404 -> :class:`~clients.errors.NotFoundError`).
        ContractViolation: for an unknown ``status`` or a ``succeeded`` task without ``result.images``.
    """
    _raise_for_status(gateway, response)
    body = _json_body(gateway, response)
    if not isinstance(body, dict):
        raise _violation(gateway, response, "", "a JSON object", type(body).__name__)
    state = body.get("status")
    if state not in ("pending", "processing", "succeeded", "failed"):
        raise _violation(gateway, response, "/status", "pending | processing | succeeded | failed", repr(state)[:40])
    urls: tuple[str, ...] = ()
    if state == "succeeded":
        result = body.get("result")
        imgs = result.get("images") if isinstance(result, dict) else None
        if not isinstance(imgs, list) or not all(isinstance(i, dict) and isinstance(i.get("url"), str) for i in imgs):
            raise _violation(gateway, response, "/result/images", "an array of {url}", repr(imgs)[:60])
        urls = tuple(i["url"] for i in imgs)
    error = None
    if state == "failed":
        err = body.get("error")
        if isinstance(err, dict):
            error = ItemError(_s(err.get("code")), _s(err.get("message")))
        elif isinstance(err, str):
            error = ItemError(None, err)
        else:
            error = ItemError(None, None)
    return TaskStatus(
        task_id=str(body.get("task_id") or ""),
        state=state,
        model=_s(body.get("model")),
        urls=urls,
        error=error,
        raw=body,
        request_id=request_id(response.headers, body),
    )


def attach_download(image: GeneratedImage, response: httpx.Response) -> GeneratedImage:
    """``image`` with the bytes of its downloaded URL (``response``); a failed download becomes an
    item error ``download_failed`` (the message names the status and the gateway's text), so the
    other items of the call are kept."""
    if response.status_code >= 400:
        err = error_from_response(response.status_code, response.content, dict(response.headers))
        return GeneratedImage(url=image.url, error=ItemError("download_failed", str(err)), revised_prompt=image.revised_prompt)
    return GeneratedImage.from_bytes(response.content, url=image.url, revised_prompt=image.revised_prompt)
