"""What every gateway module of the client shares: headers (the registry's auth scheme), URLs,
input-image encoding, and the body shapes several gateways take (OpenAI's, DashScope's, Seedream's
``sequential_image_generation``); on the answer side, the :class:`Answer` every parser reads,
the :class:`ContractViolation` it raises, and the shapes several gateways answer with (OpenAI's
``data[]`` items, ``b64_json`` decoding, per-item errors). Sans-IO: nothing here sends, sleeps or
reads a clock."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from contracts.registry import gateway_spec
from contracts.wire import request_id

from ..errors import ConfigurationError, ContractViolation
from ..types import GeneratedImage, ImageRequest, ImageResponse, ItemError, inspect_image

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


# -- answers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A client-side finding about a response that breaks the gateway's promise (same fields as
    the ``contracts`` findings): JSON-pointer ``location``, ``expected``, ``observed``, ``kind``."""

    location: str
    expected: str
    observed: str
    kind: str = "response_shape"


def violation(gateway: str, response: httpx.Response, location: str, expected: str, observed: str) -> ContractViolation:
    """The :class:`ContractViolation` (one :class:`Finding` at the JSON pointer ``location``) for
    ``response`` of ``gateway``, with its status and the request id of its headers."""
    return ContractViolation(
        [Finding(location, expected, observed)], status_code=response.status_code, gateway=gateway, request_id=request_id(response.headers)
    )


@dataclass(frozen=True)
class Answer:
    """A gateway's 2xx answer whose body is a JSON object, as each gateway module's
    ``parse_answer`` (and PieBox's ``parse_task``) reads it.

    Attributes:
        gateway: the gateway id the errors name; response: the ``httpx.Response`` (its request,
            when set, tells the route); body: the decoded JSON object.
    """

    gateway: str
    response: httpx.Response
    body: dict[str, Any]

    @property
    def request_id(self) -> str | None:
        """The gateway's request id: a request-id header, else the body's (:func:`contracts.wire.request_id`)."""
        return request_id(self.response.headers, self.body)

    def violation(self, location: str, expected: str, observed: str) -> ContractViolation:
        """:func:`violation` for this answer."""
        return violation(self.gateway, self.response, location, expected, observed)

    def unknown_shape(self, expected: str) -> ContractViolation:
        """The violation for a body of none of the gateway's answer shapes (``expected`` names them);
        the observation lists the body's keys."""
        return self.violation("", expected, ", ".join(sorted(self.body))[:80])

    def result(self, images: list[GeneratedImage], *, model: Any, text: str | None = None) -> ImageResponse:
        """The :class:`ImageResponse` of this answer: ``images``, the body as ``raw``, its request id,
        the gateway, ``model`` as reported and the assistant ``text``."""
        return ImageResponse(images, raw=self.body, request_id=self.request_id, gateway=self.gateway, model=model, text=text)


def text_or_none(value: Any) -> str | None:
    """``value`` as a string, ``None`` kept."""
    return None if value is None else str(value)


def item_error(err: Mapping[str, Any]) -> ItemError:
    """An ``error: {code, message}`` object as :class:`ItemError` (004 ``data[].error``; PieBox's
    failed task, inferred)."""
    return ItemError(text_or_none(err.get("code")), text_or_none(err.get("message")))


def b64_item(b64: str, *, url: str | None = None, revised_prompt: str | None = None) -> GeneratedImage:
    """The item of a ``b64_json`` value (or a data URL's payload): the decoded bytes, or an item
    error ``undecodable_image`` when the text is not strict base64 (the bytes' own check is
    :meth:`GeneratedImage.from_bytes`)."""
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return GeneratedImage(url=url, error=ItemError("undecodable_image", "b64_json is not valid base64"), revised_prompt=revised_prompt)
    return GeneratedImage.from_bytes(data, url=url, revised_prompt=revised_prompt)


def openai_items(answer: Answer, items: Any, where: str) -> list[GeneratedImage]:
    """OpenAI's images ``data[]`` at the JSON pointer ``where``, one item each, in order: ``b64_json``
    decoded (with ``url`` kept), else a ``url`` to download, else the item's ``error`` (004: items
    "may each carry an error"; kept in place, the good items survive), else an item error
    ``missing_image``. Empty strings count as absent (002 sends ``"url": ""`` beside ``b64_json``).

    Raises:
        ContractViolation: ``where`` is not an array, or an item is not an object.
    """
    if not isinstance(items, list):
        raise answer.violation(where, "an array of images", type(items).__name__)
    out: list[GeneratedImage] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise answer.violation(f"{where}/{i}", "an object", type(item).__name__)
        revised = item.get("revised_prompt") or None
        err = item.get("error")
        b64, url = item.get("b64_json") or None, item.get("url") or None
        if isinstance(err, dict) and not b64 and not url:
            out.append(GeneratedImage(error=item_error(err)))
        elif isinstance(b64, str):
            out.append(b64_item(b64, url=url if isinstance(url, str) else None, revised_prompt=revised))
        elif isinstance(url, str):
            out.append(GeneratedImage(url=url, revised_prompt=revised))
        else:
            out.append(GeneratedImage(error=ItemError("missing_image", f"{where}/{i} has neither b64_json nor url")))
    return out


def parse_openai_data(answer: Answer) -> ImageResponse:
    """A flat OpenAI-style answer ``{"data": [...], "model"?, "metadata"?: {"model"}}`` (001 flat,
    004 "Response"): :func:`openai_items` of ``/data``; the model is ``model``, else ``metadata.model``.

    Raises:
        ContractViolation: as :func:`openai_items`.
    """
    body = answer.body
    images = openai_items(answer, body.get("data"), "/data")
    meta = body.get("metadata")
    model = (
        body.get("model")
        if isinstance(body.get("model"), str)
        else (meta.get("model") if isinstance(meta, dict) and isinstance(meta.get("model"), str) else None)
    )
    return answer.result(images, model=model)
