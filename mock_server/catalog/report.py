"""The catalog as data for people and tools: one row per model a gateway serves.

:func:`model_record` turns a :class:`~mock_server.catalog.rules.Model` into JSON-ready data (every
rule with its values and its source); :func:`model_row` into the short cells of ``imagegw models``'
table. Both read only the model, so the command shows exactly what the mock enforces.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

from .provenance import Src
from .rules import Model

#: The rule fields shown, in table order.
RULES: tuple[str, ...] = ("sizes", "count", "prompt", "negative_prompt", "inputs", "outputs")


def _plain(value: Any) -> Any:
    """JSON-ready copy of a rule value: dataclasses as dicts (``src`` as ``source``), sets sorted,
    tuples as lists, infinity as ``None``."""
    if isinstance(value, Src):
        return value.as_dict()
    if is_dataclass(value) and not isinstance(value, type):
        return {("source" if f.name == "src" else f.name): _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def model_record(model: Model) -> dict[str, Any]:
    """Everything the mock enforces for ``model``: ids, vendor, which rules the gateway's document
    overrides, each rule with its values and ``source`` ({kind, ref[, quote]}), and the parameters."""
    rules = model.rules
    out: dict[str, Any] = {
        "gateway": model.gateway,
        "model": model.name,
        "upstream": model.upstream.id,
        "vendor": rules.vendor,
        "family": rules.family,
        "named_by": model.src.as_dict(),
        "overridden": sorted(model.overridden),
    }
    for name in RULES:
        value = getattr(rules, name)
        if value is not None:
            out[name] = _plain(value) | {"summary": value.describe()}
    out["params"] = [_plain(p) for p in rules.params]
    return out


def model_row(model: Model) -> dict[str, str]:
    """Short table cells for ``model``: each rule's summary and, on the next line, where it comes
    from (``doc 002``, ``upstream`` or ``inferred``; ``*`` marks a rule the gateway overrides)."""
    rules = model.rules

    def cell(name: str) -> str:
        value = getattr(rules, name)
        if value is None:
            return "-"
        mark = "*" if name in model.overridden else ""
        return f"{value.describe()}\n({value.src.label}{mark})"

    prompt = cell("prompt")
    if rules.negative_prompt is not None:
        prompt += f"\nnegative: {rules.negative_prompt.describe()}"
    return {
        "gateway": model.gateway,
        "model": f"{model.name}\n= {model.upstream.id}" if model.name != model.upstream.id else model.name,
        "sizes": cell("sizes"),
        "n": cell("count"),
        "prompt": prompt,
        "inputs": cell("inputs"),
        "outputs": cell("outputs"),
    }
