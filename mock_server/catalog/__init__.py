"""The model catalog: one entry per upstream model the gateway documents name, each rule with
its provenance; gateways serve entries under their own ids and declare only their overrides.

Layout::

    catalog/provenance.py  Src: document (file + quote) | upstream (vendor location + quote) | inferred (why)
    catalog/rules.py       the rule types (SizeRule, CountRule, PromptRule, InputRule, OutputRule, Param),
                           Entry (one upstream model), Model (one model as one gateway serves it), offer()
    catalog/openai.py      gpt-image-1, gpt-image-1-mini, gpt-image-1.5, gpt-image-2
    catalog/seedream.py    Seedream 3.0 t2i, SeedEdit 3.0, 4.0, 4.5, 5.0-lite (Volcengine and BytePlus ids)
    catalog/gemini.py      gemini-2.5-flash-image, gemini-3-pro-image(-preview), gemini-3.1-flash-image(-preview)
    catalog/dashscope.py   qwen-image, qwen-image-plus, qwen-image-edit-plus, wan2.6-t2i, wan2.7-image(-pro)
    catalog/getters.py     typed getters for JSON bodies (get_str, get_int, ..., check_param)

Precedence (DESIGN.md): a gateway document overrides the upstream only where it is explicit — a
closed list, a stated default, a stated limit; an "e.g." or "etc." list closes nothing. Where the
document is silent the entry's rule holds, so one model behaves the same on every gateway unless
a document says otherwise. A gateway module builds its models with :func:`offer`::

    MODELS = {"tokenhub/gpt-image-2": offer("tokenhub", "tokenhub/gpt-image-2", CATALOG["gpt-image-2"],
                                            doc(TOKENHUB_DOC, "tokenhub/gpt-image-2"),
                                            outputs=OutputRule(doc(TOKENHUB_DOC, "response_format— optional"), ...))}

``imagegw models`` prints every gateway's models with their effective rules and sources.
"""

from __future__ import annotations

from . import dashscope, gemini, openai, seedream
from .gemini import GEMINI_1K, gemini_size, nearest_aspect
from .getters import check_param, get_bool, get_float, get_int, get_list, get_obj, get_str
from .openai import STANDARD_SIZES as GPT_IMAGE_SIZES
from .provenance import DOCUMENTS, Src, doc, inferred, upstream
from .rules import (
    RULE_FIELDS,
    CountRule,
    Entry,
    Family,
    InputRule,
    Model,
    OutputRule,
    Param,
    PixelRange,
    PromptRule,
    Size,
    SizeRule,
    estimate_tokens,
    max_chars_for_tokens,
    model_or_error,
    offer,
    parse_wxh,
)
from .seedream import TIERS as SEEDREAM_TIERS

#: Every upstream model, by its vendor id.
CATALOG: dict[str, Entry] = {e.id: e for e in (*openai.ENTRIES, *seedream.ENTRIES, *gemini.ENTRIES, *dashscope.ENTRIES)}

__all__ = [
    "CATALOG",
    "DOCUMENTS",
    "Src",
    "doc",
    "inferred",
    "upstream",
    "Entry",
    "Model",
    "offer",
    "model_or_error",
    "RULE_FIELDS",
    "Family",
    "Size",
    "SizeRule",
    "PixelRange",
    "CountRule",
    "PromptRule",
    "InputRule",
    "OutputRule",
    "Param",
    "estimate_tokens",
    "max_chars_for_tokens",
    "parse_wxh",
    "GEMINI_1K",
    "gemini_size",
    "nearest_aspect",
    "GPT_IMAGE_SIZES",
    "SEEDREAM_TIERS",
    "get_str",
    "get_int",
    "get_float",
    "get_bool",
    "get_obj",
    "get_list",
    "check_param",
]
