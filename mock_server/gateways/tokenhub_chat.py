"""TokenHub's ``POST /v1/chat/completions`` (``createChatCompletion``, document
``001_2deeaf4f61535733.txt`` "Text-to-image (chat completions)"): the two Gemini image models.

Owns: the chat models (``CHAT_MODELS``), the body's fields, the ``X-TokenHub-Region: global``
header rule and :func:`chat_completions`, which answers an OpenAI ``chat.completion`` whose
``choices[0].message.content`` is an image as a Markdown data URL (or plain text for prompts that
ask for no picture, :mod:`~mock_server.gateways.chat_intent`); ``max_tokens`` at most 32,768 and
Gemini's input formats, counts and token limits (the catalog's).
"""

from __future__ import annotations

import time

from starlette.responses import Response

from ..catalog import (
    CATALOG,
    InputRule,
    Model,
    doc,
    estimate_tokens,
    get_float,
    get_int,
    get_list,
    get_obj,
    get_str,
    offer,
)
from ..catalog.gemini import MAX_OUTPUT_TOKENS
from ..errors import GatewayError
from .base import Ctx, ok, prompt_digest_specs
from .chat_intent import text_answer, wants_image
from .tokenhub_rules import DOC, image_ref, moderation_error, reject_nulls, reject_unknown

#: Chat models (001 "Models"): Gemini 3.1 Flash Image and Gemini 3 Pro Image (preview ids).
CHAT_MODELS: dict[str, Model] = {
    f"tokenhub/{name}": offer("tokenhub", f"tokenhub/{name}", CATALOG[name], doc(DOC, f"tokenhub/{name}"))
    for name in ("gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview")
}
CHAT_FIELDS = ("model", "messages", "modalities", "max_tokens", "temperature", "top_p")
CHAT_ROLES = ("system", "user", "assistant")  # inferred from OpenAI Chat Completions
REGION_HEADER = "X-TokenHub-Region"
#: Documented usage figure: "completion_tokens": 1120 ... "image_tokens": 1120 for one image (also
#: upstream Gemini's count for a 1K/2K image).
IMAGE_TOKENS = 1120
CHAT_IMAGE_SIZE = (1024, 1024)  # inferred: Gemini's default output is 1K at 1:1


def _message_parts(content: object, p: str, inputs: InputRule) -> tuple[list[str], int]:
    """Texts and image count of one message's ``content`` (string, or OpenAI content parts)."""
    if isinstance(content, str):
        if not content:
            raise GatewayError(400, "missing_parameter", f"{p} must not be empty", param=p)
        return [content], 0
    if not isinstance(content, list) or not content:
        raise GatewayError(400, "invalid_type", f"{p} must be a string or a non-empty array of content parts", param=p)
    texts: list[str] = []
    images = 0
    for i, part in enumerate(content):
        pi = f"{p}[{i}]"
        if not isinstance(part, dict):
            raise GatewayError(400, "invalid_type", f"{pi} must be an object", param=pi)
        kind = get_str(part, "type", required=True, choices=("text", "image_url"), param=f"{pi}.type")
        if kind == "text":
            reject_unknown(part, ("type", "text"), prefix=f"{pi}.")
            t = part.get("text")
            if not isinstance(t, str) or not t:
                raise GatewayError(
                    400, "missing_parameter" if not t else "invalid_type", f"{pi}.text must be a non-empty string", param=f"{pi}.text"
                )
            texts.append(t)
        else:
            # inferred from OpenAI Chat Completions: {"type": "image_url", "image_url": {"url": ...}}
            reject_unknown(part, ("type", "image_url"), prefix=f"{pi}.")
            iu = get_obj(part, "image_url", required=True, param=f"{pi}.image_url")
            assert iu is not None
            reject_unknown(iu, ("url",), prefix=f"{pi}.image_url.")
            if "url" not in iu:
                raise GatewayError(400, "missing_parameter", f"{pi}.image_url.url is required", param=f"{pi}.image_url.url")
            image_ref(iu["url"], f"{pi}.image_url.url", inputs)  # Gemini's formats and 7 MB (catalog)
            images += 1
    return texts, images


async def chat_completions(ctx: Ctx) -> Response:
    """``POST /v1/chat/completions`` for the Gemini image models -> an OpenAI ``chat.completion``
    (001 "Text-to-image (chat completions)").

    The image answer is ``![image](data:image/png;base64,...)`` in ``choices[0].message.content``
    with ``usage.completion_tokens_details.image_tokens`` = 1120; text-only prompts (see
    :func:`~.chat_intent.wants_image`) answer text. Missing ``X-TokenHub-Region: global`` answers 400 (inferred).
    """
    body = ctx.json()
    last_user = _last_user_text(body.get("messages"))
    ctx.pick_scenario(last_user)
    ctx.raise_generic_fault()
    model = get_str(body, "model", required=True)
    assert model is not None
    if model not in CHAT_MODELS:
        raise GatewayError(
            400,
            "model_not_found",
            f"The model {model[:60]!r} is not served on /v1/chat/completions; supported: {', '.join(CHAT_MODELS)}",
            param="model",
        )
    rules = CHAT_MODELS[model].rules
    reject_nulls(body)
    region = ctx.request.headers.get(REGION_HEADER)
    if region != "global":
        # documented: "X-TokenHub-Region: global — required header for these models (global listing only)";
        # the 400 status and this body are inferred
        what = "is required" if region is None else f"must be 'global', got {region[:20]!r}"
        raise GatewayError(
            400,
            "missing_parameter" if region is None else "invalid_parameter",
            f"{REGION_HEADER} header {what}: {model} is listed in the global region only; send '{REGION_HEADER}: global'",
            param=REGION_HEADER,
        )
    reject_unknown(body, CHAT_FIELDS)
    messages = get_list(body, "messages", required=True, min_items=1, max_items=256)
    assert messages is not None
    all_texts: list[str] = []
    last_images = 0
    last_user_texts: list[str] = []
    for i, msg in enumerate(messages):
        p = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise GatewayError(400, "invalid_type", f"{p} must be an object with role and content", param=p)
        reject_unknown(msg, ("role", "content"), prefix=f"{p}.")
        role = get_str(msg, "role", required=True, choices=CHAT_ROLES, param=f"{p}.role")
        if "content" not in msg:
            raise GatewayError(400, "missing_parameter", f"{p}.content is required", param=f"{p}.content")
        texts, images = _message_parts(msg["content"], f"{p}.content", rules.inputs)
        all_texts.extend(texts)
        if images > rules.inputs.max_count:
            # Gemini: "Maximum images per prompt: 14", counted per message (inferred: a request's messages
            # are the conversation; the contract can state a per-message bound exactly)
            raise GatewayError(
                400,
                "invalid_parameter",
                f"{p}.content: {model} takes at most {rules.inputs.max_count} input images per message; got {images}",
                param=f"{p}.content",
            )
        if role == "user":
            last_user_texts, last_images = texts, images
    modalities = get_list(body, "modalities", min_items=1, max_items=2)
    if modalities is not None:
        for j, m in enumerate(modalities):
            if m not in ("text", "image"):
                raise GatewayError(400, "invalid_parameter", f"modalities[{j}] must be 'text' or 'image'", param=f"modalities[{j}]")
        if len(set(modalities)) != len(modalities):
            raise GatewayError(400, "invalid_parameter", "modalities: items must be unique", param="modalities")
    rules.prompt.apply("".join(all_texts), "messages")  # Gemini's input-token limit (the mock's token estimate)
    get_int(body, "max_tokens", lo=1, hi=MAX_OUTPUT_TOKENS)  # Gemini: "Maximum output tokens: 32,768"
    get_float(body, "temperature", lo=0, hi=2)
    get_float(body, "top_p", lo=0, hi=1)
    if ctx.scenario == "moderation":
        raise moderation_error("content_policy_violation", "messages")
    prompt = "\n".join(last_user_texts)
    prompt_tokens = estimate_tokens("".join(all_texts))
    if wants_image(prompt, has_input_image=last_images > 0, modalities=modalities):
        spec = prompt_digest_specs(prompt, model, *CHAT_IMAGE_SIZE, "png", 1)[0]
        content = f"![image](data:image/png;base64,{ctx.image(spec).b64})"
        text_tokens, image_tokens = 0, IMAGE_TOKENS
    else:
        content = text_answer(prompt)
        text_tokens, image_tokens = estimate_tokens(content), 0
    now = ctx.now()
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now))
    return ok(
        {
            "id": f"chatcmpl-{stamp}{ctx.request_id.replace('-', '')[:17]}",  # format inferred from the documented example id
            "object": "chat.completion",
            "created": int(now),
            "model": model.removeprefix("tokenhub/"),  # documented: the example answers "gemini-3.1-flash-image-preview"
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": text_tokens + image_tokens,
                "total_tokens": prompt_tokens + text_tokens + image_tokens,
                "prompt_tokens_details": {"text_tokens": prompt_tokens, "image_tokens": 0},
                "completion_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
            },
        },
        ctx=ctx,
    )


def _last_user_text(messages: object) -> str | None:
    """Best-effort text of the last user message, for scenario tags only (never raises)."""
    if not isinstance(messages, list):
        return None
    for msg in reversed(messages):
        if isinstance(msg, dict) and msg.get("role") == "user":
            c = msg.get("content")
            if isinstance(c, str):
                return c
            if isinstance(c, list):
                return "\n".join(p["text"] for p in c if isinstance(p, dict) and isinstance(p.get("text"), str))
            return None
    return None
