"""What every gateway module of the client shares: headers (the registry's auth scheme), URLs,
input-image encoding, and the body shapes several gateways take (OpenAI's, DashScope's, Seedream's
``sequential_image_generation``). Sans-IO: nothing here sends, sleeps or reads a clock."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from typing import Any

import httpx

from contracts.registry import gateway_spec

from ..errors import ConfigurationError
from ..types import ImageRequest, inspect_image

USER_AGENT = "imagegw-client/0.1"

#: The generation path of every gateway but PieBox (001, 002, 003, 004: ``POST /v1/images/generations``).
GENERATIONS_PATH = "/v1/images/generations"


def family_of(model: str) -> str:
    """The upstream family of ``model``: ``"gemini" | "gpt_image" | "seedream" | "qwen" | "unknown"``.

    Decided by the name as the documents spell it (a ``provider/`` prefix is ignored):
    ``gemini*``; ``gpt-image*``; ``*seedream*`` / ``*seededit*``; ``wan*`` / ``qwen*`` (001: the
    DashScope passthrough is for "``wan*``, ``qwen*``" models).
    """
    m = str(model).rsplit("/", 1)[-1].lower()
    if m.startswith("gemini"):
        return "gemini"
    if m.startswith(("gpt-image", "gpt_image")):
        return "gpt_image"
    if "seedream" in m or "seededit" in m:
        return "seedream"
    if m.startswith(("wan", "qwen")):
        return "qwen"
    return "unknown"


def request_headers(gateway: str, api_key: str | None, extra: Mapping[str, str] | None, *, json_body: bool = True) -> dict[str, str]:
    """``Accept``, ``User-Agent``, ``Content-Type`` (JSON bodies), the gateway's credential header
    (:attr:`contracts.registry.GatewaySpec.auth`) when ``api_key`` is set, then ``extra``."""
    h = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if json_body:
        h["Content-Type"] = "application/json"
    if api_key:
        h.update(gateway_spec(gateway).auth.headers(api_key))
    for k, v in (extra or {}).items():
        h[k] = v
    return h


def url(base_url: str, path: str) -> str:
    """``path`` under the gateway root ``base_url``."""
    return base_url.rstrip("/") + path


def post_json(
    gateway: str, path: str, body: dict[str, Any], *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None
) -> httpx.Request:
    """``POST`` ``body`` as JSON to ``path`` of ``gateway``."""
    return httpx.Request("POST", url(base_url, path), headers=request_headers(gateway, api_key, headers), json=body)


def encode_image(image: Any) -> str:
    """An input image as the string the JSON bodies take: ``bytes`` and paths become a
    ``data:<mime>;base64,…`` URL; a string (URL, data URL, base64) is sent unchanged.

    Raises:
        ConfigurationError: for a value of another type.
    """
    if isinstance(image, os.PathLike):
        with open(os.fspath(image), "rb") as fh:
            image = fh.read()
    if isinstance(image, (bytes, bytearray, memoryview)):
        data = bytes(image)
        try:
            mime = inspect_image(data)[0]
        except ValueError:
            mime = "image/png"
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    if isinstance(image, str):
        return image
    raise ConfigurationError(f"an input image must be bytes, a path or a string, not {type(image).__name__}")


def drop_none(d: Mapping[str, Any]) -> dict[str, Any]:
    """``d`` without its ``None`` values (an unset option is not sent)."""
    return {k: v for k, v in d.items() if v is not None}


def no_n(gateway: str, req: ImageRequest, what: str) -> None:
    """Raises :class:`ConfigurationError` when ``req`` asks for several images of a route that returns one."""
    if req.n is not None and req.n != 1:
        raise ConfigurationError(f"{gateway} {what} returns one image per request (n={req.n} is not supported)")


def openai_fields(req: ImageRequest) -> dict[str, Any]:
    """``model``, ``prompt``, ``size`` and ``response_format`` as OpenAI's images API names them (unset ones left out)."""
    return drop_none({"model": req.model, "prompt": req.prompt, "size": req.size, "response_format": req.response_format})


def openai_body(req: ImageRequest) -> dict[str, Any]:
    """The OpenAI-shaped generation body without input images: :func:`openai_fields`, ``n``, then ``req.extra``."""
    body = openai_fields(req)
    if req.n is not None:
        body["n"] = req.n
    body.update(req.extra)
    return body


def one_or_many(req: ImageRequest) -> str | list[str]:
    """``req.images`` encoded: one string for one image, a list for several (inferred from Ark / OpenAI ``image``)."""
    refs = [encode_image(i) for i in req.images]
    return refs if len(refs) > 1 else refs[0]


def seedream_n(body: dict[str, Any], n: int | None) -> None:
    """Seedream 4.x/5.x have no ``n``: several images are asked for with
    ``sequential_image_generation: "auto"`` and ``sequential_image_generation_options.max_images``
    (003 FAQ "Doubao Seedream 4.x: Use sequential image generation (1-4 images)"), unless the
    caller set them."""
    if n is not None and n != 1 and "sequential_image_generation" not in body:
        body["sequential_image_generation"] = "auto"
        opts = dict(body.get("sequential_image_generation_options") or {})
        opts.setdefault("max_images", n)
        body["sequential_image_generation_options"] = opts


def dashscope_size(size: str | None) -> str | None:
    """001's DashScope examples write sizes ``1280*1280``; ``WxH`` is rewritten so."""
    if size is None:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*[x×]\s*(\d+)\s*", size)
    return f"{m.group(1)}*{m.group(2)}" if m else size


def dashscope_body(req: ImageRequest, *, with_format: bool) -> dict[str, Any]:
    """The DashScope shape (``wan*`` / ``qwen*``): ``input.messages[].content[]`` images then the
    text, options under ``parameters`` (``req.extra`` keys go there too, but ``input`` and
    ``response_format`` stay at the top); ``response_format`` only ``with_format``."""
    content: list[dict[str, Any]] = [{"image": encode_image(i)} for i in req.images]
    content.append({"text": req.prompt})
    params = drop_none({"size": dashscope_size(req.size), "n": req.n})
    extra = dict(req.extra)
    params.update(extra.pop("parameters", None) or {})
    top: dict[str, Any] = {}
    for k in list(extra):
        if k in ("input", "response_format"):
            top[k] = extra.pop(k)
    params.update(extra)
    body: dict[str, Any] = {"model": req.model, "input": {"messages": [{"role": "user", "content": content}]}}
    if params:
        body["parameters"] = params
    if with_format and req.response_format is not None:
        body["response_format"] = req.response_format  # 002: Qwen "returns the corresponding format based on the parameter value"
    body.update(top)
    return body
