"""The model catalog itself: every rule carries its provenance, document quotes occur in their
documents, gateways override only with a document (or a stated inference), and the rule types
behave as their docstrings say.

Expected values come from the vendors' documents quoted beside each assertion, never from the
catalog's own output.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_requests import served

from contracts.lint import quote_missing
from mock_server.catalog import (
    CATALOG,
    DOCUMENTS,
    RULE_FIELDS,
    Model,
    PixelRange,
    PromptRule,
    SizeRule,
    Src,
    doc,
    estimate_tokens,
    inferred,
    max_chars_for_tokens,
    offer,
    upstream,
)
from mock_server.errors import GatewayError

ROOT = Path(__file__).resolve().parents[2]
DOCS = Path(os.environ.get("IMAGEGW_DOCS", ROOT.parent / "shared" / "gateway-docs"))

MODELS = list(served())
IDS = [f"{m.gateway}:{m.name}" for m in MODELS]


def _sources(m: Model) -> Iterator[tuple[str, Src]]:
    """Every Src of a served model: where it is named, each rule, each parameter."""
    yield "named_by", m.src
    for name in RULE_FIELDS:
        rule = getattr(m.rules, name)
        if rule is not None:
            yield name, rule.src
    for p in m.rules.params:
        yield f"param {p.name}", p.src
    if m.rules.prompt.bound_src is not None:
        yield "prompt bound", m.rules.prompt.bound_src


# -- provenance --------------------------------------------------------------------------------------------


def test_catalog_covers_the_models_the_documents_name() -> None:
    # the list: the gpt-image-1 family and gpt-image-2, Seedream 3.0/4.0/4.5/5.0-lite, the Gemini image
    # models, qwen-image (plus and edit-plus) and wan 2.6/2.7
    for model_id in (
        "gpt-image-1",
        "gpt-image-1-mini",
        "gpt-image-2",
        "doubao-seedream-3-0-t2i-250415",
        "doubao-seedream-4-0-250828",
        "doubao-seedream-4-5-251128",
        "seedream-5-0-260128",
        "gemini-2.5-flash-image",
        "gemini-3-pro-image-preview",
        "gemini-3.1-flash-image-preview",
        "qwen-image",
        "qwen-image-plus",
        "qwen-image-edit-plus",
        "wan2.6-t2i",
        "wan2.7-image",
        "wan2.7-image-pro",
    ):
        assert model_id in CATALOG, model_id
    # and every model a gateway serves fronts a catalog entry
    assert {m.upstream.id for m in MODELS} <= set(CATALOG)


@pytest.mark.parametrize("m", MODELS, ids=IDS)
def test_every_rule_says_where_it_comes_from(m: Model) -> None:
    for what, src in _sources(m):
        assert isinstance(src, Src), what
        assert src.ref.strip(), f"{what}: empty source"
        if src.kind in ("document", "upstream"):
            assert src.quote.strip(), f"{what}: a {src.kind} rule quotes its source"
        if src.kind == "document":
            assert src.ref in DOCUMENTS, what


@pytest.mark.parametrize("m", MODELS, ids=IDS)
def test_document_quotes_occur_in_their_documents(m: Model) -> None:
    if not DOCS.is_dir():
        pytest.skip(f"gateway documents not found at {DOCS} (set IMAGEGW_DOCS)")
    for what, src in _sources(m):
        if src.kind == "document":
            text = (DOCS / src.ref).read_text(encoding="utf-8")
            missing = quote_missing(src.quote, text)
            assert missing is None, f"{what}: {missing!r} is not in {src.ref}"


@pytest.mark.parametrize("m", MODELS, ids=IDS)
def test_a_gateway_overrides_only_what_its_document_states(m: Model) -> None:
    """Precedence: where the document is silent the entry's rule holds, so a rule that is not
    overridden is the upstream's own object; an override cites the gateway's document (or says
    why it is inferred), never "upstream"."""
    for name in RULE_FIELDS:
        rule, up = getattr(m.rules, name), getattr(m.upstream, name)
        if name in m.overridden:
            assert rule.src.kind in ("document", "inferred"), f"{name}: {rule.src}"
            if rule.src.kind == "document":
                assert DOCUMENTS[rule.src.ref] == m.gateway, f"{name} cites another gateway's document {rule.src.ref}"
        else:
            assert rule is up, f"{m.gateway}:{m.name} changed {name} without declaring an override"


def test_same_model_same_rules_unless_a_document_says_otherwise() -> None:
    by_upstream: dict[str, list[Model]] = {}
    for m in MODELS:
        by_upstream.setdefault(m.upstream.id, []).append(m)
    shared = {k: v for k, v in by_upstream.items() if len(v) > 1}
    assert shared, "some upstream models are served by several gateways"
    for ms in shared.values():
        for name in RULE_FIELDS:
            plain = [m for m in ms if name not in m.overridden]
            assert len({id(getattr(m.rules, name)) for m in plain}) <= 1


# -- rule types --------------------------------------------------------------------------------------------


def test_pixel_range_bounds_aspect_divisibility_and_sides() -> None:
    # OpenAI gpt-image-2: multiples of 16, aspect 1:3..3:1, max edge 3840, 655,360..8,294,400 pixels
    r = PixelRange(655_360, 8_294_400, 3.0, multiple_of=16, max_side=3840)
    assert r.accepts(3840, 2160) and r.accepts(1024, 640) and r.accepts(2048, 2048)
    assert not r.accepts(3840, 2176)  # 8,355,840 pixels
    assert not r.accepts(1024, 624)  # 638,976 pixels
    assert not r.accepts(1000, 1000)  # not multiples of 16
    assert not r.accepts(3072, 1008)  # aspect 3.05
    assert not r.accepts(4096, 1536)  # edge over 3840
    with pytest.raises(GatewayError) as exc:
        r.check(1000, 1000, "size")
    assert exc.value.status == 400 and exc.value.param == "size" and "16" in exc.value.message
    assert "aspect" not in PixelRange(1, 10, math.inf).describe()


def test_size_rule_resolves_tiers_auto_lists_and_custom_sizes() -> None:
    rule = SizeRule(
        inferred("test"),
        default=(1024, 1024),
        tiers={"2K": (2048, 2048)},
        listed=("1024x1536",),
        custom=PixelRange(3_686_400, 16_777_216),
        auto=True,
    )
    assert rule.resolve(None) == (1024, 1024) and rule.resolve("auto") == (1024, 1024)
    assert rule.resolve("2K") == (2048, 2048) and rule.resolve("1024x1536") == (1024, 1536)
    assert rule.resolve("2560x1440") == (2560, 1440)
    assert rule.resolve("2560*1440", seps="*") == (2560, 1440)
    assert rule.resolve(" 2k ", any_case=True) == (2048, 2048)
    for bad, kw in (("2k", {}), ("2560*1440", {}), ("02560x1440", {}), ("2560x1440 ", {}), ("1024x1024", {}), (2048, {})):
        with pytest.raises(GatewayError) as exc:
            rule.resolve(bad, "parameters.size", **kw)
        assert exc.value.param == "parameters.size"
    assert rule.accepts("2560x1440") and not rule.accepts("1024x1024") and not rule.accepts("2560*1440")


def test_prompt_rule_refuses_or_truncates() -> None:
    refuse = PromptRule(inferred("test"), max=10)
    assert refuse.apply("x" * 10) == "x" * 10
    with pytest.raises(GatewayError) as exc:
        refuse.apply("x" * 11, "prompt")
    # OpenAI's observed answer: "Invalid 'prompt': string too long. Expected a string with maximum length ..."
    assert exc.value.code == "string_above_max_length" and "maximum length 10" in exc.value.message
    truncate = PromptRule(inferred("test"), max=5, over="truncate", bound=8, bound_src=inferred("test"))
    assert truncate.apply("abcdefg") == "abcde" and truncate.max_chars == 8
    with pytest.raises(GatewayError):
        truncate.apply("x" * 9, "parameters.negative_prompt")
    with pytest.raises(ValueError):
        PromptRule(inferred("test"), max=5, over="truncate")  # a truncating rule needs a bound


def test_token_caps_use_the_documented_token_estimate() -> None:
    # TokenHub 001: the 10-character "画一只橘猫,摄影风格" answers prompt_tokens 7
    assert estimate_tokens("画一只橘猫,摄影风格") == 7
    # Gemini 3 Pro Image: "Maximum input tokens: 65,536"
    rule = CATALOG["gemini-3-pro-image-preview"].prompt
    assert rule.unit == "tokens" and rule.max == 65_536
    n = max_chars_for_tokens(65_536)
    assert estimate_tokens("x" * n) <= 65_536 < estimate_tokens("x" * (n + 1))
    rule.apply("x" * n)
    with pytest.raises(GatewayError):
        rule.apply("x" * (n + 1))


def test_offer_refuses_what_is_not_a_rule() -> None:
    entry = CATALOG["gpt-image-2"]
    with pytest.raises(ValueError):
        offer("tokenhub", "x", entry, inferred("test"), colour="red")
    with pytest.raises(ValueError):
        offer("tokenhub", "x", entry, inferred("test"), sizes=entry.count)
    with pytest.raises(ValueError):
        doc("nope", "quote")
    with pytest.raises(ValueError):
        doc("tokenhub", " ")
    m = offer("tokenhub", "x", entry, upstream("u", "q"), sizes=entry.sizes)
    assert m.overridden == {"sizes"} and m.rules.count is entry.count
