"""TokenHub's DashScope passthrough on ``POST /v1/images/generations`` (document
``001_2deeaf4f61535733.txt`` §2, "TokenHub passes through upstream fields"), for ``wan*`` /
``qwen*`` models.

Owns: the passthrough models (``DS_MODELS``), the body's fields and bounds, and :func:`passthrough`,
which checks ``model``, ``input.messages[0].content[]`` (``{text}`` | ``{image}``) and
``parameters`` and answers DashScope's JSON ``{output: {choices, finished}, usage, request_id}``.
As DashScope does, an over-long prompt or ``negative_prompt`` is truncated. Which body shape a
request has is decided by :func:`mock_server.gateways.tokenhub.generations`.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..catalog import (
    CATALOG,
    Model,
    OutputRule,
    doc,
    get_bool,
    get_int,
    get_list,
    get_obj,
    get_str,
    inferred,
    model_or_error,
    offer,
)
from ..errors import GatewayError
from .base import Ctx, ok, prompt_digest_specs
from .tokenhub_rules import DOC, digest_key, image_ref, reject_nulls, reject_unknown, text_field

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


def _ds_texts(body: dict[str, Any]) -> str | None:
    """Best-effort text of a DashScope body, for scenario tags only (never raises)."""
    try:
        content = body["input"]["messages"][0]["content"]
        return "\n".join(i["text"] for i in content if isinstance(i, dict) and isinstance(i.get("text"), str))
    except (KeyError, IndexError, TypeError):
        return None


def passthrough(ctx: Ctx, body: dict[str, Any]) -> Response:
    ctx.pick_scenario(_ds_texts(body))
    ctx.raise_generic_fault()
    model = model_or_error(DS_MODELS, body.get("model"))
    reject_nulls(body)
    flat_hint = {
        k: f"{k}: {model.name} uses the DashScope passthrough body: put the prompt in input.messages[0].content[].text "
        f"and options in parameters (size, n, watermark, ...)"
        for k in ("prompt", "size", "n", "output_format", "watermark")
        if k not in DS_FIELDS
    }
    reject_unknown(body, DS_FIELDS, hint=flat_hint)
    # documented: "format is not switched via response_format on this protocol" -> accepted, ignored
    get_str(body, "response_format", choices=RESPONSE_FORMATS)
    inp = get_obj(body, "input", required=True)
    assert inp is not None
    reject_unknown(inp, ("messages",), prefix="input.")
    # inferred from DashScope: one user message per request (001: "Typical examples use a single user message")
    messages = get_list(inp, "messages", required=True, min_items=1, max_items=1, param="input.messages")
    assert messages is not None
    msg = messages[0]
    if not isinstance(msg, dict):
        raise GatewayError(400, "invalid_type", "input.messages[0] must be an object with role and content", param="input.messages[0]")
    reject_unknown(msg, ("role", "content"), prefix="input.messages[0].")
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
            t = text_field(item["text"], f"{p}.text")
            assert t is not None
            # DashScope truncates past the model's cap ("超出部分将自动截断"); the image follows the kept text
            texts.append(model.rules.prompt.apply(t, f"{p}.text"))
        else:
            image_ref(item["image"], f"{p}.image", model.rules.inputs)
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
    reject_unknown(params, tuple(p.name for p in model.params), prefix="parameters.")
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
    specs = prompt_digest_specs("\n".join(texts), model.name, width, height, "png", n, seed=seed, inputs=digest_key(*images))
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
