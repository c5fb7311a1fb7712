"""TokenHub (document ``001_2deeaf4f61535733.txt``): three synchronous operations, Bearer auth.

``POST /v1/images/generations`` (``createImage``) takes two body shapes (001 §2, "TokenHub routes
by invocation recipe (bodyShape)"):

* **flat** OpenAI-style JSON for ``tokenhub/gpt-image-2`` and the Ark Seedream models
  (``ark/<model_id>`` "or canonical id from catalog"). 001 calls these routes OpenAI-compatible and
  lists ``prompt``, ``size`` ("e.g."), ``n``, ``output_format``, ``watermark`` and
  ``response_format`` ``url | b64_json`` (default ``b64_json``); beyond that the route is as open
  as the model's upstream: OpenAI's own parameters for gpt-image-2 (``quality``, ``background``,
  ``moderation``, ``output_compression``, ``partial_images``, ``user`` …) and its custom sizes,
  Ark's for the Seedream models (``image``, sequential generation, ``optimize_prompt_options`` …);
  JSON ``null`` means "not sent"; a field the model does not know answers OpenAI's
  ``Unknown parameter: '<name>'.``. Answer ``{"data": [{"b64_json" | "url"}], "usage":
  {"input_tokens", "output_tokens"}}`` plus ``created`` (inferred from upstream OpenAI).
* **DashScope passthrough** for ``wan*`` / ``qwen*`` models: ``model``, ``input.messages[]``
  (``role`` + ``content[]`` of ``{text}`` | ``{image}``) and ``parameters``. Answer the
  DashScope JSON ``output.choices[0].message.content[].image`` with ``output.finished``,
  ``usage`` and ``request_id``; errors switch to DashScope's ``{"code","message","request_id"}``.
  As DashScope does, an over-long prompt or ``negative_prompt`` is truncated, and qwen-image*,
  qwen-image-edit-plus and wan2.6-t2i take exactly one text item.

``POST /v1/images/edits`` (``createImageEdit``) is multipart only ("Not JSON"): ``image`` PNG
< 4MB required ("image file is required" otherwise), or several as ``image[]`` parts (as the
OpenAI SDK and litellm send a list), optional ``mask``, ``prompt``, ``n``, ``size``,
``response_format``, ``model``, and OpenAI's other edit parameters.

``POST /v1/chat/completions`` (``createChatCompletion``) serves the two Gemini image models; it
needs ``X-TokenHub-Region: global`` and answers an image as a Markdown data URL in
``choices[0].message.content`` (or plain text for prompts that ask for no picture); ``max_tokens``
at most 32,768 and Gemini's input formats, counts and token limits (the catalog's).

Models: every one is a catalog entry (``mock_server/catalog``) served through :func:`offer`, with
only 001's explicit statements as overrides. Documented (001): ``tokenhub/gpt-image-2``,
``ark/doubao-seedream-4-0-250828``, ``wan2.6-t2i``, ``wan2.7-image-pro``,
``tokenhub/gemini-3.1-flash-image-preview``, ``tokenhub/gemini-3-pro-image-preview``. Inferred:
``ark/doubao-seedream-4-5-251128`` and ``ark/doubao-seedream-3-0-t2i-250415`` (Ark ids listed by the
sibling document 002), the unprefixed canonical ids of the three Ark models, ``wan2.7-image`` (the
non-pro Wan 2.7), ``qwen-image``, ``qwen-image-plus`` and ``qwen-image-edit-plus``.

The contract (``contracts/tokenhub.openapi.yaml``) states these rules as JSON Schema; custom sizes
are ``size:<rule>`` formats whose limits are its ``x-size-rules``, and the few rules beyond schema
(edit image/mask bytes, the chat token cap) are marked ``x-rules-beyond-schema`` /
``x-server-enforces``.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from typing import Any

from PIL import Image
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from ..catalog import (
    CATALOG,
    InputRule,
    Model,
    OutputRule,
    Param,
    check_param,
    doc,
    estimate_tokens,
    get_bool,
    get_float,
    get_int,
    get_list,
    get_obj,
    get_str,
    inferred,
    model_or_error,
    offer,
)
from ..catalog.gemini import MAX_OUTPUT_TOKENS
from ..errors import GatewayError
from . import ark
from .base import Ctx, Gateway, Operation, check_image_ref, decode_image_bytes, ok, openai_item, prompt_digest_specs
from .chat_intent import text_answer, wants_image

DOC = "tokenhub"  # doc(DOC, quote): this gateway's document (contracts.registry)

# -- shared lexical rules (the contract uses the very same regular expressions) -----------------

#: "Not blank": at least one character other than space, tab, CR, LF. Kept ASCII-explicit so
#: Python and every JSON Schema regex engine agree (necessity: contract <-> mock consistency).
_NOT_BLANK = re.compile(r"[^ \t\n\r]")
#: An image URL: ``http(s)://`` then printable ASCII without spaces, at most 4096 characters
#: (inferred: URLs are percent-encoded; the length bound is necessity).
_HTTP_URL = re.compile(r"https?://[!-~]+")
MAX_URL_CHARS = 4096

# -- models ------------------------------------------------------------------------------------
#
# Each model is a catalog entry; only what 001 states explicitly overrides the entry (each with its
# quote). Where 001 is silent — sizes ("e.g.1024x1024"), counts, prompt caps, parameters — the
# upstream model's own rules hold: OpenAI's for tokenhub/gpt-image-2, Ark's for ark/ Seedream ids,
# DashScope's for wan*/qwen*, Gemini's for the chat models.

#: 001 "Key fields": "response_format— optional:urlorb64_json(defaultb64_json)" — the flat body's rule.
_FLAT_RESPONSE = doc(DOC, "response_format— optional:urlorb64_json(defaultb64_json)")
_WATERMARK = Param("watermark", "boolean", doc(DOC, "output_format,watermark— optional"), only="generate")

GPT_IMAGE_2 = offer(
    "tokenhub",
    "tokenhub/gpt-image-2",
    CATALOG["gpt-image-2"],
    doc(DOC, "tokenhub/gpt-image-2"),
    outputs=OutputRule(
        _FLAT_RESPONSE,
        response_formats=("url", "b64_json"),
        default_response_format="b64_json",
        formats=("png", "jpeg", "webp"),
        default_format="png",
    ),
    # edits: 001 states the file type and size; how many images stays OpenAI's (up to 16)
    inputs=InputRule(
        doc(DOC, "image— required PNG file (< 4MB)"),
        max_count=CATALOG["gpt-image-2"].inputs.max_count,
        formats=frozenset({"PNG"}),
        max_bytes=4 * 1024 * 1024 - 1,
    ),
    extra_params=(_WATERMARK,),
    extras={"moderation_code": "moderation_blocked"},
)


def _ark(entry_id: str, documented: bool) -> Model:
    """An Ark Seedream model in the flat body: 001's ``response_format`` rule (default
    ``b64_json``), ``watermark`` and ``output_format`` keys and the flat body's ``n`` (one image;
    Ark itself has no ``n``); every other rule is the Volcengine Ark entry's."""
    src = (
        doc(DOC, '"model": "ark/doubao-seedream-4-0-250828"')
        if documented
        else inferred("001 'Use ark/<model_id> or canonical id from catalog'; the Ark id is listed by 002")
    )
    entry = CATALOG[entry_id]
    return offer(
        "tokenhub",
        f"ark/{entry_id}",
        entry,
        src,
        outputs=OutputRule(
            _FLAT_RESPONSE,
            response_formats=("url", "b64_json"),
            default_response_format="b64_json",
            formats=entry.outputs.formats,
            default_format=entry.outputs.default_format,
        ),
        extra_params=(
            _WATERMARK,
            Param(
                "output_format",
                "string",
                inferred(
                    "001 lists output_format among the flat body's optional fields; "
                    "Ark's 3.0/4.x output is JPEG only ('custom settings are not "
                    "supported')"
                ),
                choices=entry.outputs.formats,
            ),
            Param(
                "n",
                "integer",
                inferred("001's flat body has n (its example sends 1); Ark has no n and answers one image outside sequential generation"),
                lo=1,
                hi=1,
                default=1,
            ),
        ),
        extras={"moderation_code": "content_policy_violation"},
    )


#: Flat-shape models, by the id sent in ``model`` (001 "Use ark/<model_id> or canonical id from
#: catalog": the unprefixed Ark ids are aliases, inferred).
FLAT_MODELS: dict[str, Model] = {"tokenhub/gpt-image-2": GPT_IMAGE_2}
for _id, _documented in (
    ("doubao-seedream-4-0-250828", True),
    ("doubao-seedream-4-5-251128", False),
    ("doubao-seedream-3-0-t2i-250415", False),
):
    FLAT_MODELS[f"ark/{_id}"] = FLAT_MODELS[_id] = _ark(_id, _documented)

#: 001 §2: "TokenHub passes through upstream fields; format is not switched via response_format on
#: this protocol" — accepted, and the answer is DashScope's URL JSON whatever was sent.
_DS_OUTPUT = doc(DOC, "format is not switched via response_format on this protocol")


def _ds(name: str, documented: bool) -> Model:
    src = (
        doc(DOC, name)
        if documented
        else inferred(f"001 routes wan*/qwen* models to the DashScope passthrough; {name} is a DashScope model (002 lists the Qwen ones)")
    )
    entry = CATALOG[name]
    return offer(
        "tokenhub",
        name,
        entry,
        src,
        outputs=OutputRule(
            _DS_OUTPUT,
            response_formats=("url", "b64_json"),
            default_response_format="url",
            forced="url",
            formats=entry.outputs.formats,
            default_format=entry.outputs.default_format,
        ),
    )


#: DashScope passthrough models (001: wan2.6-t2i, wan2.7-image-pro; inferred: the others).
DS_MODELS: dict[str, Model] = {
    "wan2.6-t2i": _ds("wan2.6-t2i", True),
    "wan2.7-image-pro": _ds("wan2.7-image-pro", True),
    "wan2.7-image": _ds("wan2.7-image", False),
    "qwen-image-plus": _ds("qwen-image-plus", False),
    "qwen-image": _ds("qwen-image", False),
    "qwen-image-edit-plus": _ds("qwen-image-edit-plus", False),
}
DS_FIELDS = ("model", "input", "parameters", "response_format")
DS_CONTENT_MAX = 16  # necessity: a bound on content items (text + image); DashScope documents none
BBOX_MAX_PER_IMAGE = 10  # necessity: a bound; DashScope documents no number
RESPONSE_FORMATS = ("url", "b64_json")

EDIT_MODELS = ("tokenhub/gpt-image-2",)  # documented: "POST /v1/images/edits ... for tokenhub/gpt-image-2"
#: Multipart edit fields besides the model's parameters (001 "Key fields": image, mask, prompt, n, size,
#: response_format; model from the example).
EDIT_FIELDS = ("image", "image[]", "mask", "prompt", "model", "response_format")
#: The edit images travel as ``image`` (one file: 001's curl example ``-F "image=@/path/to/image.png"``)
#: or as ``image[]``, one part per file: how OpenAI's SDK sends a list (openai-python
#: ``resources/images.py`` ``extract_files(..., paths=[["image"], ["image", "<array>"], ...])`` with
#: ``array_format="brackets"``) and how OpenAI's own examples write it (``-F "image[]=@a.png"``);
#: litellm's ``image_edit`` always sends ``image[]``. How many: the model's ``inputs.max_count``.
EDIT_IMAGE_FIELDS = ("image", "image[]")
#: OpenAI's mask: "Must be a valid PNG file, less than 4MB" (001: "mask— optional PNG mask").
MASK_MAX_BYTES = 4 * 1024 * 1024 - 1

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

#: Every model TokenHub serves, by the id sent in ``model``.
MODELS: dict[str, Model] = {**FLAT_MODELS, **DS_MODELS, **CHAT_MODELS}


# -- small helpers -----------------------------------------------------------------------------


def _text(value: object, param: str, *, required: bool = True) -> str | None:
    """A non-blank string, else a 400 naming ``param`` (the length cap is the model's prompt rule)."""
    if value is None:
        if required:
            raise GatewayError(400, "missing_parameter", f"{param} is required", param=param)
        return None
    if not isinstance(value, str):
        raise GatewayError(400, "invalid_type", f"{param} must be a string", param=param)
    if not _NOT_BLANK.search(value):
        raise GatewayError(400, "missing_parameter", f"{param} must not be empty", param=param)
    return value


def _image_ref(value: object, param: str, inputs: InputRule) -> None:
    """An input image: an ``http(s)`` URL (printable ASCII, not fetched) or a ``data:image/...;base64,``
    URL of the model's input formats and bytes.

    Raises:
        GatewayError: 400 naming ``param``.
    """
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        if len(value) > MAX_URL_CHARS or not _HTTP_URL.fullmatch(value):
            raise GatewayError(
                400, "invalid_image", f"{param}: malformed image URL (printable ASCII, at most {MAX_URL_CHARS} characters)", param=param
            )
        return
    # data URLs: inferred (upstream DashScope and OpenAI both accept base64 data URLs)
    check_image_ref(value, param, max_bytes=inputs.max_bytes, formats=inputs.formats or None, allow_raw_base64=False)


def _reject_unknown(body: dict[str, Any], allowed: tuple[str, ...], prefix: str = "", hint: dict[str, str] | None = None) -> None:
    for key in body:
        if key not in allowed:
            param = f"{prefix}{key}"
            extra = (hint or {}).get(key)
            raise GatewayError(
                400,
                "unknown_parameter",
                extra or f"{param}: unrecognized request argument supplied; accepted: {', '.join(prefix + a for a in allowed)}",
                param=param,
            )


def _unknown_openai(key: str, hint: dict[str, str] | None = None) -> GatewayError:
    """OpenAI's answer to a parameter it does not know (observed from api.openai.com:
    ``"Unknown parameter: 'response_format'."``, code ``unknown_parameter``)."""
    return GatewayError(400, "unknown_parameter", (hint or {}).get(key) or f"Unknown parameter: '{key[:60]}'.", param=key)


def _reject_nulls(value: object) -> None:
    """400 naming the first JSON ``null`` inside ``value``: no field of the DashScope passthrough
    or the chat route takes null (the contract's types say so; inferred — omit a field to leave
    it unset). Iterative, so any nesting depth the JSON parser accepted is safe."""
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            children = [(f"{path}.{k}" if path else str(k), v) for k, v in node.items()]
        elif isinstance(node, list):
            children = [(f"{path}[{i}]", v) for i, v in enumerate(node)]
        else:
            continue
        for p, v in children:
            if v is None:
                raise GatewayError(400, "invalid_type", f"{p} must not be null; omit it to use the default", param=p)
        stack.extend((v, p) for p, v in reversed(children))


def _accepted(model: Model, operation: str, *fixed: str) -> tuple[str, ...]:
    """The body fields ``operation`` (``generate`` | ``edit``) takes for ``model``: ``fixed`` plus
    the model's parameters for that operation."""
    return fixed + tuple(p.name for p in model.params if p.only in ("", operation) and p.name not in fixed)


def openai_prompt_tokens(prompt: str) -> int:
    """Estimated ``usage.input_tokens`` of a flat-shape prompt: one per character plus 10.

    Inferred: a deterministic stand-in for OpenAI's tokenizer, chosen so that the documented
    example (001: the 12-character prompt "一只橘猫在窗边,摄影风格") answers the documented 22.
    """
    return len(prompt) + 10


def _moderation(model_code: str, param: str = "prompt") -> GatewayError:
    # inferred from upstream OpenAI: gpt-image answers "moderation_blocked", other models "content_policy_violation"
    return GatewayError(
        400, model_code, "Your request was rejected by the safety system: the prompt may contain content that is not allowed.", param=param
    )


def _digest_key(*parts: object) -> str:
    return "\x00".join(str(p) for p in parts)


# -- POST /v1/images/generations ----------------------------------------------------------------


def _is_ds_model(model: object) -> bool:
    # documented: the passthrough serves "wan*" / "qwen*" models (001 §2; "Model Identifier ... wan2.6-t2i")
    return isinstance(model, str) and (model in DS_MODELS or model.startswith(("wan", "qwen")))


async def generations(ctx: Ctx) -> Response:
    """``POST /v1/images/generations``: flat body -> ``{created, data, usage}``; DashScope body ->
    ``{output, usage, request_id}`` (001 §2).

    The body shape is chosen by the model (``wan*``/``qwen*`` -> DashScope), else by the
    presence of ``input`` / ``parameters``. A body that mixes the two, or a model sent in the
    other shape, answers 400 naming the stray field.
    """
    body = ctx.json()
    model = body.get("model")
    if _is_ds_model(model) or (not (isinstance(model, str) and model in FLAT_MODELS) and ("input" in body or "parameters" in body)):
        ctx.shape = "dashscope"  # documented: "TokenHub passes through upstream fields"
        return _dashscope(ctx, body)
    return _flat(ctx, body)


def _flat(ctx: Ctx, body: dict[str, Any]) -> Response:
    """The flat body (001 "Text-to-image (generations)"), an OpenAI-compatible route: the model's
    own parameters are accepted as its upstream documents them (OpenAI's for gpt-image-2, Ark's for
    Seedream) plus 001's keys; JSON ``null`` means "not sent" (OpenAI's spec marks every optional
    field nullable; the Ark SDK sends unset keys as null); a field the model does not know is
    answered as OpenAI answers it: 400 ``Unknown parameter: '<name>'.``"""
    ctx.pick_scenario(body.get("prompt"))
    ctx.raise_generic_fault()
    model = model_or_error(FLAT_MODELS, body.get("model"))
    rules = model.rules
    for p in model.params:
        if p.only in ("", "generate") and p.name in body and body[p.name] is None:
            check_param(body, p)  # a parameter that is not nullable (OpenAI's `user`) refuses null
    sent = {k: v for k, v in body.items() if v is not None}
    shape_hint = {
        k: f"{k}: {model.name} takes the flat OpenAI-style body (prompt, size, n, output_format, watermark, response_format); "
        f"input.messages and parameters belong to the DashScope passthrough for wan*/qwen* models"
        for k in ("input", "parameters")
    }
    allowed = _accepted(model, "generate", "model", "prompt", "response_format")
    for key in sent:
        if key not in allowed:
            raise _unknown_openai(key, shape_hint)
    text = _text(sent.get("prompt"), "prompt")
    assert text is not None
    prompt = rules.prompt.apply(text)
    outputs = rules.outputs
    if model.family == "seedream":
        n_param = rules.param("n")
        if n_param is not None:
            check_param(sent, n_param)
        plan = ark.plan(sent, model, size_seps="x", any_case=False, prompt=prompt)
        width, height, n, fmt, response_format = plan.width, plan.height, plan.count, plan.fmt, plan.response_format
        seed = plan.seed
    else:
        ark.stream_unsupported(sent)
        width, height = rules.sizes.resolve(sent.get("size"), "size", seps="x")
        for p in model.params:
            if p.only in ("", "generate") and p.name != "size":
                check_param(sent, p)
        n = int(sent.get("n", rules.count.default))
        fmt = sent.get("output_format") or outputs.default_format
        if sent.get("background") == "transparent" and fmt == "jpeg":
            # OpenAI: "When using `transparent`, set the output format to `png` or `webp`."
            raise GatewayError(
                400, "invalid_value", "background: transparent backgrounds need output_format png or webp, not jpeg", param="background"
            )
        response_format = get_str(sent, "response_format", choices=outputs.response_formats) or outputs.default_response_format
        seed = None
    if ctx.scenario == "moderation":
        raise _moderation(str(model.extras["moderation_code"]))
    specs = prompt_digest_specs(prompt, model.name, width, height, fmt, n, seed=seed, transparent=sent.get("background") == "transparent")
    return ok(
        {
            "created": int(ctx.now()),  # inferred from upstream OpenAI
            "data": [openai_item(ctx, spec, response_format) for spec in specs],
            "usage": {"input_tokens": openai_prompt_tokens(prompt), "output_tokens": 0},  # documented shape
        },
        ctx=ctx,
    )


def _ds_texts(body: dict[str, Any]) -> str | None:
    """Best-effort text of a DashScope body, for scenario tags only (never raises)."""
    try:
        content = body["input"]["messages"][0]["content"]
        return "\n".join(i["text"] for i in content if isinstance(i, dict) and isinstance(i.get("text"), str))
    except (KeyError, IndexError, TypeError):
        return None


def _dashscope(ctx: Ctx, body: dict[str, Any]) -> Response:
    ctx.pick_scenario(_ds_texts(body))
    ctx.raise_generic_fault()
    model = model_or_error(DS_MODELS, body.get("model"))
    _reject_nulls(body)
    flat_hint = {
        k: f"{k}: {model.name} uses the DashScope passthrough body: put the prompt in input.messages[0].content[].text "
        f"and options in parameters (size, n, watermark, ...)"
        for k in ("prompt", "size", "n", "output_format", "watermark")
        if k not in DS_FIELDS
    }
    _reject_unknown(body, DS_FIELDS, hint=flat_hint)
    # documented: "format is not switched via response_format on this protocol" -> accepted, ignored
    get_str(body, "response_format", choices=RESPONSE_FORMATS)
    inp = get_obj(body, "input", required=True)
    assert inp is not None
    _reject_unknown(inp, ("messages",), prefix="input.")
    # inferred from DashScope: one user message per request (001: "Typical examples use a single user message")
    messages = get_list(inp, "messages", required=True, min_items=1, max_items=1, param="input.messages")
    assert messages is not None
    msg = messages[0]
    if not isinstance(msg, dict):
        raise GatewayError(400, "invalid_type", "input.messages[0] must be an object with role and content", param="input.messages[0]")
    _reject_unknown(msg, ("role", "content"), prefix="input.messages[0].")
    get_str(msg, "role", required=True, choices=("user",), param="input.messages[0].role")
    content = get_list(msg, "content", required=True, min_items=1, max_items=DS_CONTENT_MAX, param="input.messages[0].content")
    assert content is not None
    texts: list[str] = []
    images: list[str] = []
    for i, item in enumerate(content):
        p = f"input.messages[0].content[{i}]"
        if not isinstance(item, dict) or len(item) != 1 or not ({"text", "image"} & item.keys()):
            raise GatewayError(400, "invalid_parameter", f"{p} must be an object with exactly one of text or image", param=p)
        if "text" in item:
            t = _text(item["text"], f"{p}.text")
            assert t is not None
            # DashScope truncates past the model's cap ("超出部分将自动截断"); the image follows the kept text
            texts.append(model.rules.prompt.apply(t, f"{p}.text"))
        else:
            _image_ref(item["image"], f"{p}.image", model.rules.inputs)
            images.append(item["image"])
    if not texts:  # documented: "at least one text item is required"
        raise GatewayError(
            400, "missing_parameter", "input.messages[0].content: at least one text item is required", param="input.messages[0].content"
        )
    exact = model.rules.prompt.texts
    if exact and len(texts) != exact:
        # DashScope (qwen-image*, qwen-image-edit-plus, wan2.6-t2i): "仅支持传入一个text，不传或传入多个将报错"
        raise GatewayError(
            400,
            "invalid_parameter",
            f"input.messages[0].content: {model.name} takes exactly {exact} text item; got {len(texts)}",
            param="input.messages[0].content",
        )
    min_images = model.rules.inputs.min_count
    if images and not model.image_input:
        raise GatewayError(
            400,
            "invalid_parameter",
            f"input.messages[0].content: {model.name} is text-to-image only; remove the image items",
            param="input.messages[0].content",
        )
    if not min_images <= len(images) <= model.max_input_images:
        raise GatewayError(
            400,
            "invalid_parameter",
            f"input.messages[0].content: {model.name} takes {min_images} to {model.max_input_images} input images; got {len(images)}",
            param="input.messages[0].content",
        )
    params = get_obj(body, "parameters") or {}
    _reject_unknown(params, tuple(p.name for p in model.params), prefix="parameters.")
    negative = get_str(params, "negative_prompt", param="parameters.negative_prompt")
    if negative is not None and model.rules.negative_prompt is not None:
        model.rules.negative_prompt.apply(negative, "parameters.negative_prompt")  # truncated past 500 (DashScope)
    # DashScope writes "宽*高" (001 §2 example "1280*1280"); tier words exactly as listed
    width, height = model.rules.sizes.resolve(params.get("size"), "parameters.size", seps="*")
    n = get_int(params, "n", lo=1, hi=model.max_n, default=model.rules.count.default, param="parameters.n")
    assert n is not None
    for flag in ("prompt_extend", "watermark", "thinking_mode", "enable_sequential"):
        get_bool(params, flag, param=f"parameters.{flag}")
    seed_param = model.rules.param("seed")
    seed = get_int(params, "seed", lo=0, hi=int(seed_param.hi) if seed_param and seed_param.hi else None, param="parameters.seed")
    _check_bbox_list(params.get("bbox_list"), len(images))
    if ctx.scenario == "moderation":
        # inferred from upstream DashScope content moderation ("DataInspectionFailed")
        raise GatewayError(400, "data_inspection_failed", "Input data may contain inappropriate content.", param="input.messages")
    specs = prompt_digest_specs("\n".join(texts), model.name, width, height, "png", n, seed=seed, inputs=_digest_key(*images))
    # inferred from DashScope (qwen-image-edit-plus answers n images as n content items of one choice)
    items = [{"image": ctx.image_url(spec), "type": "image"} for spec in specs]
    return ok(
        {
            "output": {
                "choices": [{"finish_reason": "stop", "message": {"content": items, "role": "assistant"}}],
                "finished": True,
            },
            "usage": {"image_count": n, "input_tokens": 0, "output_tokens": 0, "size": f"{width}*{height}", "total_tokens": 0},
            "request_id": ctx.request_id,
        },
        ctx=ctx,
    )


def _check_bbox_list(value: object, image_count: int) -> None:
    """``parameters.bbox_list``: one list of at most 10 boxes per input image, each box
    ``[x1, y1, x2, y2]`` of non-negative integer pixel coordinates (documented shape 001 §4.3
    ``[[],[[989, 515, 1138, 681]]]``; the rules inferred from DashScope interactive editing). The
    corner order is not checked: no document states it, and JSON Schema could not say it.

    Raises:
        GatewayError: 400 naming the offending ``parameters.bbox_list[...]`` path.
    """
    if value is None:
        return
    p = "parameters.bbox_list"
    if not isinstance(value, list):
        raise GatewayError(400, "invalid_type", f"{p} must be an array (one list of boxes per input image)", param=p)
    if len(value) != image_count:
        raise GatewayError(
            400,
            "invalid_parameter",
            f"{p} must hold one entry per input image: {image_count} image(s) sent, {len(value)} entries given",
            param=p,
        )
    for i, boxes in enumerate(value):
        pi = f"{p}[{i}]"
        if not isinstance(boxes, list) or len(boxes) > BBOX_MAX_PER_IMAGE:
            raise GatewayError(400, "invalid_parameter", f"{pi} must be an array of at most {BBOX_MAX_PER_IMAGE} boxes", param=pi)
        for j, box in enumerate(boxes):
            pj = f"{pi}[{j}]"
            if (
                not isinstance(box, list)
                or len(box) != 4
                or any(
                    isinstance(c, bool) or not isinstance(c, (int, float)) or (isinstance(c, float) and not c.is_integer()) or c < 0
                    for c in box
                )
            ):
                raise GatewayError(
                    400, "invalid_parameter", f"{pj} must be [x1, y1, x2, y2] with non-negative integer pixel coordinates", param=pj
                )


# -- POST /v1/images/edits ------------------------------------------------------------------------


async def edits(ctx: Ctx) -> Response:
    """``POST /v1/images/edits`` (multipart) -> ``{created, data, usage}`` (001 "Image edits").

    The images come as ``image`` (one file) or ``image[]`` (one part per file, up to the model's
    ``inputs.max_count``; see :data:`EDIT_IMAGE_FIELDS`); an optional ``mask`` applies to the
    first image (upstream OpenAI: "If there are multiple images provided, the mask will be applied
    on the first image").

    Raises (as answers): 415 for a non-multipart body (001: "Not JSON ... Do not use -d '{...}'");
    400 ``image file is required`` (documented text) when no image is sent or one is sent as text;
    400 for ``image`` and ``image[]`` together, too many images, a non-PNG or undecodable upload,
    a file of 4MB or more, a bad ``mask`` or field.
    """
    # the parser's file cap: the most images an edit model takes, and the mask
    form = await ctx.form(max_files=max(FLAT_MODELS[m].rules.inputs.max_count for m in EDIT_MODELS) + 1)
    raw_model = form.get("model")
    if isinstance(raw_model, UploadFile):
        raise GatewayError(400, "invalid_type", "model must be a text field, not a file", param="model")
    model = model_or_error(FLAT_MODELS, raw_model if raw_model is not None else "tokenhub/gpt-image-2")
    allowed = _accepted(model, "edit", *EDIT_FIELDS)
    seen: set[str] = set()
    for key, _ in form.multi_items():
        if key not in allowed:
            raise _unknown_openai(key)
        if key in seen and key != "image[]":
            hint = "; send several images as image[] parts" if key == "image" else ""
            raise GatewayError(400, "invalid_parameter", f"{key}: send this field once{hint}", param=key)
        seen.add(key)
    fields: dict[str, Any] = {}
    for key in allowed:
        v = form.get(key)
        if key in (*EDIT_IMAGE_FIELDS, "mask"):
            continue
        if isinstance(v, UploadFile):
            raise GatewayError(400, "invalid_type", f"{key} must be a text field, not a file", param=key)
        if v is not None:
            fields[key] = v
    ctx.pick_scenario(fields.get("prompt"))
    ctx.raise_generic_fault()
    if model.name not in EDIT_MODELS:
        raise GatewayError(
            400,
            "model_not_supported",
            f"model: {model.name} does not support /v1/images/edits; use {', '.join(EDIT_MODELS)}",
            param="model",
        )
    rules = model.rules
    images = await _edit_images(form, model)
    width, height = images[0][1], images[0][2]
    mask = form.get("mask")
    mask_digest = ""
    if mask is not None:
        if not isinstance(mask, UploadFile):
            raise GatewayError(
                400, "invalid_request", "mask must be uploaded as a PNG file (curl: -F mask=@/path/to/mask.png)", param="mask"
            )
        mask_data = await mask.read()
        _check_mask(mask_data, width, height)
        mask_digest = hashlib.blake2b(mask_data, digest_size=8).hexdigest()
    text = _text(fields.get("prompt"), "prompt", required=False)  # documented optional: "prompt,n,size— optional"
    prompt = rules.prompt.apply(text) if text is not None else ""
    typed: dict[str, Any] = {p.name: _form_value(p, fields[p.name]) for p in model.params if p.name in fields}
    ark.stream_unsupported(typed)
    for p in model.params:
        if p.only in ("", "edit") and p.name != "size":
            check_param(typed, p)
    n = int(typed.get("n", rules.count.default))
    out_w, out_h = rules.sizes.resolve(fields.get("size"), "size", seps="x")
    fmt = typed.get("output_format") or rules.outputs.default_format
    if typed.get("background") == "transparent" and fmt == "jpeg":
        # OpenAI: "When using `transparent`, set the output format to `png` or `webp`."
        raise GatewayError(
            400, "invalid_value", "background: transparent backgrounds need output_format png or webp, not jpeg", param="background"
        )
    response_format = (
        get_str(fields, "response_format", choices=rules.outputs.response_formats) or rules.outputs.default_response_format
    )  # documented default b64_json
    if ctx.scenario == "moderation":
        raise _moderation(str(model.extras["moderation_code"]))
    inputs = _digest_key("edits", *(hashlib.blake2b(data, digest_size=8).hexdigest() for data, _, _ in images), mask_digest)
    specs = prompt_digest_specs(
        prompt, model.name, out_w, out_h, fmt, n, inputs=inputs, transparent=typed.get("background") == "transparent"
    )
    return ok(
        {
            "created": int(ctx.now()),  # inferred from upstream OpenAI
            "data": [openai_item(ctx, spec, response_format) for spec in specs],
            "usage": {"input_tokens": openai_prompt_tokens(prompt), "output_tokens": 0},  # "same as generations"
        },
        ctx=ctx,
    )


def _form_value(p: Param, text: str) -> object:
    """A multipart text field as the JSON value its parameter's type expects: ``"2"`` -> 2 for
    integers, ``"true"``/``"false"`` for booleans (how the OpenAI SDK serialises them); anything
    else stays text, so the type check names the field."""
    kinds = p.type.split("|")
    t = text.strip()
    if "integer" in kinds and t.lstrip("-").isdigit() and t.isascii():
        return int(t)
    if "number" in kinds:
        try:
            return float(t)
        except ValueError:
            return text
    if "boolean" in kinds and t in ("true", "false"):
        return t == "true"
    return text


async def _edit_images(form: FormData, model: Model) -> list[tuple[bytes, int, int]]:
    """The edit images as ``(bytes, width, height)``, in the order sent: the ``image`` file, or
    every ``image[]`` part, each within ``model.rules.inputs`` (TokenHub: "image— required PNG file
    (< 4MB)").

    Raises:
        GatewayError: 400 ``image file is required`` (documented) when none is sent or a part is
            text; 400 for both names at once (inferred: neither OpenAI nor 001 defines a mix), for
            more files than ``inputs.max_count``, or for a file outside the input rule.
    """
    if "image" in form and "image[]" in form:
        raise GatewayError(400, "invalid_parameter", "image: send one file as image or several as image[] parts, not both", param="image")
    param = "image[]" if "image[]" in form else "image"
    parts = form.getlist(param)
    if not parts or not all(isinstance(part, UploadFile) for part in parts):
        # documented: "Without @, curl sends the path as plain text and the gateway returns image file is required."
        raise GatewayError(400, "invalid_request", "image file is required", param=param)
    inputs = model.rules.inputs
    if len(parts) > inputs.max_count:
        raise GatewayError(
            400, "invalid_parameter", f"{param}: {model.name} takes at most {inputs.max_count} images; got {len(parts)}", param=param
        )
    images: list[tuple[bytes, int, int]] = []
    for i, part in enumerate(parts):
        assert isinstance(part, UploadFile)
        data = await part.read()
        _, width, height = decode_image_bytes(
            data, param if param == "image" else f"image[{i}]", max_bytes=inputs.max_bytes, formats=inputs.formats or None
        )
        images.append((data, width, height))
    return images


def _check_mask(data: bytes, width: int, height: int) -> None:
    """``mask``: a PNG under 4MB (OpenAI; 001 "optional PNG mask") with an alpha channel ("transparent regions = edit
    area", documented) and the pixel size of the (first) image (inferred from upstream OpenAI: "If
    there are multiple images provided, the mask will be applied on the first image ... have the
    same dimensions as `image`").

    Raises:
        GatewayError: 400 naming ``mask``.
    """
    decode_image_bytes(data, "mask", max_bytes=MASK_MAX_BYTES, formats=frozenset({"PNG"}))
    with Image.open(io.BytesIO(data)) as img:
        size, mode, info = img.size, img.mode, img.info
    if size != (width, height):
        raise GatewayError(
            400, "invalid_image", f"mask: must have the same size as image ({width}x{height}); got {size[0]}x{size[1]}", param="mask"
        )
    if mode not in ("RGBA", "LA", "PA") and "transparency" not in info:
        raise GatewayError(
            400, "invalid_image", f"mask: needs an alpha channel (transparent areas mark the region to edit); got mode {mode}", param="mask"
        )


# -- POST /v1/chat/completions ----------------------------------------------------------------------


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
            _reject_unknown(part, ("type", "text"), prefix=f"{pi}.")
            t = part.get("text")
            if not isinstance(t, str) or not t:
                raise GatewayError(
                    400, "missing_parameter" if not t else "invalid_type", f"{pi}.text must be a non-empty string", param=f"{pi}.text"
                )
            texts.append(t)
        else:
            # inferred from OpenAI Chat Completions: {"type": "image_url", "image_url": {"url": ...}}
            _reject_unknown(part, ("type", "image_url"), prefix=f"{pi}.")
            iu = get_obj(part, "image_url", required=True, param=f"{pi}.image_url")
            assert iu is not None
            _reject_unknown(iu, ("url",), prefix=f"{pi}.image_url.")
            if "url" not in iu:
                raise GatewayError(400, "missing_parameter", f"{pi}.image_url.url is required", param=f"{pi}.image_url.url")
            _image_ref(iu["url"], f"{pi}.image_url.url", inputs)  # Gemini's formats and 7 MB (catalog)
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
    _reject_nulls(body)
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
    _reject_unknown(body, CHAT_FIELDS)
    messages = get_list(body, "messages", required=True, min_items=1, max_items=256)
    assert messages is not None
    all_texts: list[str] = []
    last_images = 0
    last_user_texts: list[str] = []
    for i, msg in enumerate(messages):
        p = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise GatewayError(400, "invalid_type", f"{p} must be an object with role and content", param=p)
        _reject_unknown(msg, ("role", "content"), prefix=f"{p}.")
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
        raise _moderation("content_policy_violation", "messages")
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


GATEWAY = Gateway(
    id="tokenhub",  # auth, host and error shapes (openai; dashscope on the passthrough): contracts.registry
    operations=(
        Operation("/v1/images/generations", ("POST",), generations, "createImage"),
        Operation("/v1/images/edits", ("POST",), edits, "createImageEdit"),
        Operation("/v1/chat/completions", ("POST",), chat_completions, "createChatCompletion"),
    ),
    models=MODELS,
)
