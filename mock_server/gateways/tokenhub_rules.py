"""TokenHub's field rules shared by its three routes (document ``001_2deeaf4f61535733.txt``;
the gateway is :mod:`mock_server.gateways.tokenhub`).

Owns: the document id ``DOC``, the lexical rules the contract repeats as regular expressions
(``NOT_BLANK``, ``HTTP_URL``, ``MAX_URL_CHARS``) and the checks every route answers alike: a
non-blank text field, an input image reference, unknown and ``null`` fields, the moderation
refusal and the digest key of a request's inputs. Each raises :class:`~mock_server.errors.GatewayError`
(400, naming the parameter).
"""

from __future__ import annotations

import re
from typing import Any

from ..catalog import (
    InputRule,
)
from ..errors import GatewayError
from .base import check_image_ref

DOC = "tokenhub"  # doc(DOC, quote): this gateway's document (contracts.registry)

# -- shared lexical rules (the contract uses the very same regular expressions) -----------------

#: "Not blank": at least one character other than space, tab, CR, LF. Kept ASCII-explicit so
#: Python and every JSON Schema regex engine agree (necessity: contract <-> mock consistency).
NOT_BLANK = re.compile(r"[^ \t\n\r]")
#: An image URL: ``http(s)://`` then printable ASCII without spaces, at most 4096 characters
#: (inferred: URLs are percent-encoded; the length bound is necessity).
HTTP_URL = re.compile(r"https?://[!-~]+")
MAX_URL_CHARS = 4096


def text_field(value: object, param: str, *, required: bool = True) -> str | None:
    """A non-blank string, else a 400 naming ``param`` (the length cap is the model's prompt rule)."""
    if value is None:
        if required:
            raise GatewayError(400, "missing_parameter", f"{param} is required", param=param)
        return None
    if not isinstance(value, str):
        raise GatewayError(400, "invalid_type", f"{param} must be a string", param=param)
    if not NOT_BLANK.search(value):
        raise GatewayError(400, "missing_parameter", f"{param} must not be empty", param=param)
    return value


def image_ref(value: object, param: str, inputs: InputRule) -> None:
    """An input image: an ``http(s)`` URL (printable ASCII, not fetched) or a ``data:image/...;base64,``
    URL of the model's input formats and bytes.

    Raises:
        GatewayError: 400 naming ``param``.
    """
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        if len(value) > MAX_URL_CHARS or not HTTP_URL.fullmatch(value):
            raise GatewayError(
                400, "invalid_image", f"{param}: malformed image URL (printable ASCII, at most {MAX_URL_CHARS} characters)", param=param
            )
        return
    # data URLs: inferred (upstream DashScope and OpenAI both accept base64 data URLs)
    check_image_ref(value, param, max_bytes=inputs.max_bytes, formats=inputs.formats or None, allow_raw_base64=False)


def reject_unknown(body: dict[str, Any], allowed: tuple[str, ...], prefix: str = "", hint: dict[str, str] | None = None) -> None:
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


def reject_nulls(value: object) -> None:
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


def moderation_error(model_code: str, param: str = "prompt") -> GatewayError:
    # inferred from upstream OpenAI: gpt-image answers "moderation_blocked", other models "content_policy_violation"
    return GatewayError(
        400, model_code, "Your request was rejected by the safety system: the prompt may contain content that is not allowed.", param=param
    )


def digest_key(*parts: object) -> str:
    return "\x00".join(str(p) for p in parts)
