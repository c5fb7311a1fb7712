"""The Ark image-generation body (``POST /api/v3/images/generations`` of Volcengine Ark / BytePlus
ModelArk), as PowerTokens (document 004) and TokenHub's flat body for ``ark/`` models (001) pass
it on. One parser, :func:`plan`, reads it against a catalog :class:`~mock_server.catalog.Model`.

Rules (upstream Ark unless the model's gateway overrides them; see ``mock_server/catalog/seedream.py``):

* ``prompt`` required, checked against the model's prompt rule; ``size`` a tier, a listed size or
  a custom ``WxH`` in the model's pixel and aspect range;
* ``image``: a string or a list of reference images (URL or ``data:image/<fmt>;base64,``), at most
  the model's count, formats and bytes;
* ``sequential_image_generation`` ``auto`` returns up to
  ``sequential_image_generation_options.max_images`` (1-15, default 15) images, capped so that
  reference images + generated images <= 15 (Ark: "The actual number of generated images is
  determined jointly by max_images and the number of input reference images"); ``disabled`` one;
* ``response_format`` ``url`` | ``b64_json``; the image is JPEG for both ("The generated image is
  in JPEG"), or ``output_format`` where the model takes it (5.0-lite: ``png`` | ``jpeg``);
* ``seed``, ``guidance_scale``, ``watermark``, ``optimize_prompt_options.mode``, ``stream`` as the
  model's parameters say. JSON ``null`` is "not sent" (the Ark SDK sends every key, null when unset).
"""

from __future__ import annotations

from typing import Any

from ..catalog import Model, check_param, get_int, get_list, get_obj, get_str
from ..catalog.seedream import PROMPT_MODES
from ..errors import GatewayError
from .base import Plan, check_image_ref

#: Ark's "optimize_prompt_options.mode" values per Seedream version (catalog/seedream.py).
_MODES_BY_ID = {"4-0": PROMPT_MODES["4.0"], "4-5": PROMPT_MODES["4.5"], "5-0": PROMPT_MODES["5.0"]}


def stream_unsupported(body: dict[str, Any]) -> None:
    """400 naming ``stream`` for ``stream: true``: the mock answers whole responses only.

    Raises:
        GatewayError: when ``stream`` is ``true``.
    """
    if body.get("stream") is True:
        raise GatewayError(
            400,
            "unsupported_parameter",
            "stream: the imagegw mock does not stream images (server-sent events); send stream false or omit it",
            param="stream",
        )


#: Parameters :func:`plan` reads with their own rules rather than :func:`check_param`.
_READ_ON_THEIR_OWN = frozenset({"size", "response_format", "image", "sequential_image_generation_options", "optimize_prompt_options"})


def plan(body: dict[str, Any], model: Model, *, size_seps: str = "x*×", any_case: bool = True, prompt: str | None = None) -> Plan:
    """Read an Ark generation body for ``model``.

    Args:
        size_seps: separators accepted in a custom ``size`` (PowerTokens: ``x``, ``*``, ``×``).
        any_case: tier words in any letter case (PowerTokens, inferred) or only as listed.
        prompt: the prompt when the caller has already read and checked it (its own blank rule).

    Raises:
        GatewayError: 400 naming the offending parameter (``prompt``, ``size``, ``image[1]``,
            ``sequential_image_generation_options.max_images`` …).
    """
    rules = model.rules
    stream_unsupported(body)
    if prompt is None:
        raw = get_str(body, "prompt", required=True)
        assert raw is not None
        prompt = rules.prompt.apply(raw)
    width, height = rules.sizes.resolve(body.get("size"), "size", seps=size_seps, any_case=any_case)
    outputs = rules.outputs
    response_format = get_str(body, "response_format", choices=outputs.response_formats) or outputs.default_response_format
    seed = None
    for p in rules.params:
        if p.name in _READ_ON_THEIR_OWN or p.name not in body:  # absent: not sent, nothing to check
            continue
        value = check_param(body, p)
        if p.name == "seed" and isinstance(value, int) and value != -1:
            seed = value
    refs = _images(body, model)
    count = 1
    if rules.param("sequential_image_generation_options") is not None:
        options = get_obj(body, "sequential_image_generation_options") or {}
        max_images = get_int(
            options,
            "max_images",
            lo=1,
            hi=rules.count.max,
            default=rules.count.default,
            param="sequential_image_generation_options.max_images",
        )
        assert max_images is not None
        if body.get("sequential_image_generation") == "auto":
            budget = rules.count.budget or max_images + len(refs)
            count = max(1, min(max_images, budget - len(refs)))
    if rules.param("optimize_prompt_options") is not None:
        _optimize(body, model)
    fmt_param = rules.param("output_format")
    chosen = check_param(body, fmt_param) if fmt_param is not None else None
    fmt = next((f for f in outputs.formats if f == chosen), outputs.default_format)
    return Plan(prompt, width, height, count, fmt, response_format, seed)


def _images(body: dict[str, Any], model: Model) -> tuple[str, ...]:
    """``image``: one reference image as a string, or a list of them (Ark: "string or array")."""
    inputs = model.rules.inputs
    value = body.get("image")
    if value is None:
        return ()
    if inputs.max_count == 0:
        raise GatewayError(
            400, "invalid_parameter", f"image: {model.name} does not take reference images (text-to-image only)", param="image"
        )
    if isinstance(value, str):
        refs, names = [value], ["image"]
    else:
        listed = get_list(body, "image", min_items=1, max_items=inputs.max_count)
        assert listed is not None
        refs, names = listed, [f"image[{i}]" for i in range(len(listed))]
    formats = inputs.formats or None
    for ref, name in zip(refs, names, strict=True):
        # Ark: "The format must be data:image/<image format>;base64,<Base64 encoding>" (no bare base64)
        check_image_ref(ref, name, max_bytes=inputs.max_bytes, formats=formats, allow_raw_base64=False)
    return tuple(refs)


def _optimize(body: dict[str, Any], model: Model) -> None:
    options = get_obj(body, "optimize_prompt_options")
    if options is None:
        return
    modes = next((m for key, m in _MODES_BY_ID.items() if key in model.upstream.id), ("standard",))
    get_str(options, "mode", choices=modes, param="optimize_prompt_options.mode")
