"""TokenHub (001): Bearer; ``/v1/images/generations`` flat (OpenAI ``data[]``) or the DashScope
passthrough for ``wan*`` / ``qwen*`` (answering ``output.choices``); ``/v1/images/edits`` multipart;
``/v1/chat/completions`` for the Gemini image models (``X-TokenHub-Region`` required; the image
comes back as a data URL in the message text)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from contracts.wire import sniff_image

from ..errors import ConfigurationError
from ..types import ChatRequest, EditRequest, GeneratedImage, ImageRequest, ImageResponse
from .base import (
    GENERATIONS_PATH,
    Answer,
    b64_item,
    dashscope_body,
    drop_none,
    encode_image,
    family_of,
    no_n,
    one_or_many,
    openai_body,
    parse_openai_data,
    post_json,
    request_headers,
    url,
)

GATEWAY = "tokenhub"


def build_request(req: ImageRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None) -> httpx.Request:
    """The generation request for ``req``: the chat-completions ``POST`` for the Gemini models,
    the DashScope shape for ``wan*`` / ``qwen*`` (no ``response_format``: 001 "format is not
    switched via response_format on this protocol"), else OpenAI's.

    Raises:
        ConfigurationError: ``n`` other than 1, or a ``size``, for a Gemini model.
    """
    fam = family_of(req.model)
    if fam == "gemini":
        # 001: "These models use the Chat Completions API, not POST /v1/images/generations."
        no_n(GATEWAY, req, "Gemini chat")
        if req.size is not None:
            raise ConfigurationError("TokenHub's Gemini chat route takes no size; the model picks it")
        extra = dict(req.extra)
        # generate() wants a picture: ask for the image modality unless the caller chose (001 lists
        # "modalities" as optional; the value ["image"] is inferred from upstream Gemini responseModalities)
        extra.setdefault("modalities", ["image"])
        chat = ChatRequest(
            model=req.model, messages=tuple(chat_messages(req.prompt, req.images)), region=str(extra.pop("region", "global")), extra=extra
        )
        return build_chat_request(GATEWAY, chat, base_url=base_url, api_key=api_key, headers=headers)
    if fam == "qwen":
        body = dashscope_body(req, with_format=False)
    else:
        body = openai_body(req)
        if req.images:
            body["image"] = one_or_many(req)
    return post_json(GATEWAY, GENERATIONS_PATH, body, base_url=base_url, api_key=api_key, headers=headers)


def chat_messages(prompt: str, images: Sequence[Any]) -> list[dict[str, Any]]:
    """The ``messages`` of a one-turn chat asking for an image: the prompt as text, input images
    as OpenAI ``image_url`` parts."""
    if not images:
        return [{"role": "user", "content": prompt}]  # 001: "content (prompt string)"
    parts: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
    # inferred from upstream OpenAI chat: images as image_url parts
    parts.extend({"type": "image_url", "image_url": {"url": encode_image(i)}} for i in images)
    return [{"role": "user", "content": parts}]


def build_chat_request(
    gateway: str, req: ChatRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None
) -> httpx.Request:
    """TokenHub ``POST /v1/chat/completions`` with ``X-TokenHub-Region`` (001 "chat completions").

    Raises:
        ConfigurationError: on any gateway but TokenHub.
    """
    if gateway != GATEWAY:
        raise ConfigurationError(f"chat-based generation is a TokenHub operation; {gateway} has none")
    body = {"model": req.model, "messages": [dict(m) for m in req.messages], **dict(req.extra)}
    h = request_headers(gateway, api_key, None)
    h["X-TokenHub-Region"] = req.region  # 001: "X-TokenHub-Region: global — required header for these models"
    h.update(headers or {})
    return httpx.Request("POST", url(base_url, "/v1/chat/completions"), headers=h, json=body)


def _file_part(name: str, value: Any) -> tuple[str, bytes, str]:
    if isinstance(value, tuple):
        filename, data, *rest = value
        data = data if isinstance(data, bytes) else bytes(data)
        mime = rest[0] if rest else (sniff_image(data) or "application/octet-stream")
        return str(filename), data, mime
    if isinstance(value, os.PathLike) or (isinstance(value, str) and os.path.isfile(value)):
        p = os.fspath(value)
        with open(p, "rb") as fh:
            data = fh.read()
        return os.path.basename(p), data, (sniff_image(data) or "application/octet-stream")
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        mime = sniff_image(data) or "application/octet-stream"
        return f"{name}.{mime.rsplit('/', 1)[-1]}", data, mime
    raise ConfigurationError(f"{name} must be bytes, a file path or (filename, bytes[, mime]); got {type(value).__name__}")


def build_edit_request(
    gateway: str, req: EditRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None
) -> httpx.Request:
    """TokenHub ``POST /v1/images/edits`` as ``multipart/form-data`` (001 "Image edits": ``image``
    required PNG file, optional ``mask``, ``prompt``, ``n``, ``size``, ``response_format``).

    Raises:
        ConfigurationError: on any gateway but TokenHub, or an image that is not bytes/path/tuple.
    """
    if gateway != GATEWAY:
        raise ConfigurationError(f"multipart image edits are a TokenHub operation; {gateway} has none")
    files: list[tuple[str, tuple[str, bytes, str]]] = [("image", _file_part("image", req.image))]
    if req.mask is not None:
        files.append(("mask", _file_part("mask", req.mask)))
    data = drop_none(
        {
            "model": req.model,
            "prompt": req.prompt,
            "n": None if req.n is None else str(req.n),
            "size": req.size,
            "response_format": req.response_format,
        }
    )
    data.update({k: (json.dumps(v) if isinstance(v, (dict, list, bool)) else str(v)) for k, v in req.extra.items() if v is not None})
    return httpx.Request(
        "POST",
        url(base_url, "/v1/images/edits"),
        headers=request_headers(gateway, api_key, headers, json_body=False),
        data=data,
        files=files,
    )


# -- answers -----------------------------------------------------------------------------------

_MD_DATA_URL = re.compile(r"!\[[^\]]*\]\(\s*(data:(image/[A-Za-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]+?))\s*\)")
_BARE_DATA_URL = re.compile(r"data:(image/[A-Za-z0-9.+-]+);base64,([A-Za-z0-9+/=]+)")


def parse_answer(answer: Answer) -> ImageResponse:
    """A TokenHub answer, by its shape: chat completions ``choices`` (:func:`parse_chat`), the
    DashScope passthrough's ``output`` (:func:`parse_dashscope`), or OpenAI's flat ``data[]``
    (:func:`clients.gateways.base.parse_openai_data`; 001 "Response").

    Raises:
        ContractViolation: a body of none of these shapes, or one that breaks its shape.
    """
    if "choices" in answer.body:
        return parse_chat(answer)
    if "output" in answer.body:
        return parse_dashscope(answer)
    if "data" in answer.body:
        return parse_openai_data(answer)
    raise answer.unknown_shape("data[], output or choices")


def parse_chat(answer: Answer) -> ImageResponse:
    """A chat-completions answer (001 "chat completions"): each choice's ``message.content`` (a
    string, or OpenAI content parts joined: inferred tolerance) yields its Markdown data-URL images
    (001: "The image is in choices[0].message.content as ``![image](data:image/png;base64,...)``"),
    else its bare data URLs (001: "or match ``data:image/png;base64,([^)]+)`` in your client"); the
    text left over is :attr:`ImageResponse.text` (``None`` when blank). A choice without content is
    skipped.

    Raises:
        ContractViolation: ``/choices`` is not a non-empty array, or a content is neither a string,
            a list nor absent.
    """
    body = answer.body
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise answer.violation("/choices", "a non-empty array", repr(choices)[:60])
    images: list[GeneratedImage] = []
    texts: list[str] = []
    for i, choice in enumerate(choices):
        msg = choice.get("message") if isinstance(choice, dict) else None
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, list):
            content = "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
        if not isinstance(content, str):
            if content is None:
                continue
            raise answer.violation(f"/choices/{i}/message/content", "a string", type(content).__name__)
        found = False
        for m in _MD_DATA_URL.finditer(content):
            found = True
            images.append(b64_item(re.sub(r"\s+", "", m.group(3))))
        text = _MD_DATA_URL.sub("", content)
        if not found:
            for m in _BARE_DATA_URL.finditer(content):
                images.append(b64_item(m.group(2)))
            text = _BARE_DATA_URL.sub("", text)
        if text.strip():
            texts.append(text.strip())
    return answer.result(images, model=body.get("model"), text="\n".join(texts) or None)


def parse_dashscope(answer: Answer) -> ImageResponse:
    """A DashScope passthrough answer (001 §2 response example): every ``image`` part of
    ``output.choices[].message.content[]``, a URL to download or a data URL decoded.

    Raises:
        ContractViolation: ``/output/choices`` is not an array, or a choice's content is not one.
    """
    output = answer.body.get("output")
    choices = output.get("choices") if isinstance(output, dict) else None
    if not isinstance(choices, list):
        raise answer.violation("/output/choices", "an array", repr(choices)[:60])
    images: list[GeneratedImage] = []
    for i, choice in enumerate(choices):
        msg = choice.get("message") if isinstance(choice, dict) else None
        content = msg.get("content") if isinstance(msg, dict) else None
        if not isinstance(content, list):
            raise answer.violation(f"/output/choices/{i}/message/content", "an array", type(content).__name__)
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("image"), str):
                ref = part["image"]
                m = _BARE_DATA_URL.fullmatch(ref)
                images.append(b64_item(m.group(2)) if m else GeneratedImage(url=ref))
    return answer.result(images, model=answer.body.get("model"))
