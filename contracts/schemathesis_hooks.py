"""Schemathesis hooks: teach Schemathesis the contracts' own string formats.

The contracts use formats JSON Schema does not know (``contracts/formats.py``): the image formats
``image-data-url``, ``image-base64`` and ``image-png-alpha``, and one ``size:<rule>`` per
custom-size rule of a contract (``components.x-size-rules``). Without this module a generator
treats them as "any string", sends text that cannot decode as an image or a size no rule allows,
and reports the server's rightful 400 as "schema-valid request rejected". Importing it
registers:

* for each image format, the valid sample values of :func:`contracts.formats.samples`;
* for the ``image/png`` media type (multipart file parts such as TokenHub's ``image`` and
  ``mask``) and the ``binary`` format (the items of TokenHub's ``image[]``) a 1x1 RGBA PNG, which
  is both a valid image and a valid mask of the same size;
* a ``before_load_schema`` hook that registers, for the schema being loaded, one
  :func:`size_strategy` per custom-size rule.

Command line (the module ships in the wheel; Schemathesis imports it by name)::

    imagegw serve --port 8000 --api-key tokenhub=sk-test &
    SCHEMATHESIS_HOOKS=contracts.schemathesis_hooks st run \\
        http://127.0.0.1:8000/tokenhub/openapi.json --checks all -H 'Authorization: Bearer sk-test'

In-process: import this module before loading the schema (the hook then runs for
``schemathesis.openapi.from_dict`` too), or call :func:`register` with the contract. Needs the
``schemathesis`` package (the ``test`` extra); nothing else imports this module.
"""

from __future__ import annotations

import math
from typing import Any

import schemathesis
from hypothesis import strategies as st

from .formats import HOUSE_FORMATS, SIZE_FORMAT_PREFIX, SizeRule, samples, size_rules

__all__ = ["register", "size_strategy"]


def size_strategy(rule: SizeRule) -> st.SearchStrategy[str]:
    """``WxH`` strings inside ``rule`` (a contract's ``x-size-rules`` entry), boundaries included:
    a width on the rule's grid, then a height that keeps pixels, aspect ratio and sides inside.

    Raises:
        ValueError: when the rule admits no size at all.
    """
    m = rule.multiple_of
    lo_side = max(rule.min_side, 1)
    hi_side = rule.max_side or 99_999

    def heights(width: int) -> tuple[int, int]:
        aspect = rule.max_aspect_ratio
        lo = max(lo_side, -(-rule.min_pixels // width), math.ceil(width / aspect) if aspect != math.inf else 1)
        hi = min(hi_side, rule.max_pixels // width, math.floor(width * aspect) if aspect != math.inf else hi_side)
        return -(-lo // m) * m, hi // m * m

    widths = [w for w in range(-(-lo_side // m) * m, hi_side + 1, m) if heights(w)[0] <= heights(w)[1]]
    if not widths:
        raise ValueError(f"size rule {rule.name} admits no size")

    @st.composite
    def draw(d: st.DrawFn) -> str:
        w = d(st.sampled_from([widths[0], widths[-1]]) | st.sampled_from(widths))
        lo, hi = heights(w)
        h = d(st.sampled_from([lo, hi]) | st.integers(lo // m, hi // m).map(lambda k: k * m))
        return f"{w}{rule.separator}{h}"

    return draw()


def register(spec: dict[str, Any] | None = None) -> None:
    """Register a strategy for every image format and for ``image/png`` bodies, and, for
    ``spec`` (a contract), one per custom-size rule. Idempotent."""
    for name in HOUSE_FORMATS:
        schemathesis.openapi.format(name, st.sampled_from(samples(name)))
    png_parts = st.sampled_from(samples("image-png-alpha"))  # the 1x1 RGBA PNG (sample_png_rgba)
    schemathesis.openapi.media_type("image/png", png_parts)
    # the items of an array of file parts (TokenHub edits' `image[]`) get no `encoding` entry: Schemathesis
    # would send the encoded array as one part without a filename. They are plain `format: binary`, the
    # contracts' only binary values (every one a PNG upload), so that format yields the same PNG.
    schemathesis.openapi.format("binary", png_parts)
    for name, rule in size_rules(spec).items():
        schemathesis.openapi.format(SIZE_FORMAT_PREFIX + name, size_strategy(rule))
    send_binary_parts_as_files()


def send_binary_parts_as_files() -> None:
    """Make Schemathesis's HTTP and ASGI transports send every binary multipart part as a file
    (with a filename), as multipart clients do for binary data (curl ``-F name=@file``, the
    OpenAI SDK).

    Schemathesis names a part's file only when the body schema's top-level ``properties`` declare
    it ``format: binary``; TokenHub's edit request declares ``image[]`` inside the condition where it
    applies (a top-level ``image[]`` beside ``image`` gives generated clients one field for both),
    so its PNG parts would go out as plain text fields, which a server rightly refuses as "no file".
    The parts' values and names are unchanged. Idempotent."""
    from schemathesis.transport.asgi import ASGI_TRANSPORT
    from schemathesis.transport.requests import REQUESTS_TRANSPORT
    from schemathesis.transport.serialization import Binary

    for transport in (REQUESTS_TRANSPORT, ASGI_TRANSPORT):
        if getattr(transport, "_imagegw_binary_parts_as_files", False):
            continue
        builtin = transport.get_first_matching_media_type("multipart/form-data")
        if builtin is None:
            raise RuntimeError("Schemathesis has no multipart/form-data serializer")
        serialize = builtin[1]

        def with_filenames(ctx: Any, value: Any, serialize: Any = serialize) -> dict[str, Any]:
            out: dict[str, Any] = serialize(ctx, value)
            files = out.get("files")
            if files:
                out["files"] = [
                    (name, (f"{name.removesuffix('[]')}.png", part[1], *part[2:]))
                    if isinstance(part, tuple) and part[0] is None and isinstance(part[1], (bytes, Binary))
                    else (name, part)
                    for name, part in files
                ]
            return out

        transport.serializer("multipart/form-data")(with_filenames)
        transport._imagegw_binary_parts_as_files = True  # type: ignore[attr-defined]


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    """Register the size rules of the schema Schemathesis is loading (CLI or in-process)."""
    register(raw_schema)


register()
