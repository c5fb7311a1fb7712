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

This module owns the flat models, the generations route and its flat body, and the multipart
edits; the DashScope passthrough lives in :mod:`.tokenhub_dashscope`, the chat route in
:mod:`.tokenhub_chat`, the field rules all three share in :mod:`.tokenhub_rules`.
"""

from __future__ import annotations

import hashlib
import io
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
    get_str,
    inferred,
    model_or_error,
    offer,
)
from ..errors import GatewayError
from . import ark
from .base import Ctx, Gateway, Operation, decode_image_bytes, ok, openai_item, prompt_digest_specs
from .tokenhub_chat import CHAT_MODELS, chat_completions
from .tokenhub_dashscope import DS_MODELS, passthrough
from .tokenhub_rules import DOC, digest_key, moderation_error, text_field

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

#: Every model TokenHub serves, by the id sent in ``model``.
MODELS: dict[str, Model] = {**FLAT_MODELS, **DS_MODELS, **CHAT_MODELS}


# -- small helpers -----------------------------------------------------------------------------


def _unknown_openai(key: str, hint: dict[str, str] | None = None) -> GatewayError:
    """OpenAI's answer to a parameter it does not know (observed from api.openai.com:
    ``"Unknown parameter: 'response_format'."``, code ``unknown_parameter``)."""
    return GatewayError(400, "unknown_parameter", (hint or {}).get(key) or f"Unknown parameter: '{key[:60]}'.", param=key)


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
        return passthrough(ctx, body)
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
    text = text_field(sent.get("prompt"), "prompt")
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
        raise moderation_error(str(model.extras["moderation_code"]))
    specs = prompt_digest_specs(prompt, model.name, width, height, fmt, n, seed=seed, transparent=sent.get("background") == "transparent")
    return ok(
        {
            "created": int(ctx.now()),  # inferred from upstream OpenAI
            "data": [openai_item(ctx, spec, response_format) for spec in specs],
            "usage": {"input_tokens": openai_prompt_tokens(prompt), "output_tokens": 0},  # documented shape
        },
        ctx=ctx,
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
    text = text_field(fields.get("prompt"), "prompt", required=False)  # documented optional: "prompt,n,size— optional"
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
        raise moderation_error(str(model.extras["moderation_code"]))
    inputs = digest_key("edits", *(hashlib.blake2b(data, digest_size=8).hexdigest() for data, _, _ in images), mask_digest)
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


GATEWAY = Gateway(
    id="tokenhub",  # auth, host and error shapes (openai; dashscope on the passthrough): contracts.registry
    operations=(
        Operation("/v1/images/generations", ("POST",), generations, "createImage"),
        Operation("/v1/images/edits", ("POST",), edits, "createImageEdit"),
        Operation("/v1/chat/completions", ("POST",), chat_completions, "createChatCompletion"),
    ),
    models=MODELS,
)
