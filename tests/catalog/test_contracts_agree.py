"""Every contract agrees with the model catalog: its models, its custom-size rules, and — request
by request — the sizes, counts and prompt lengths it calls valid are the ones the catalog accepts.

No contract schema may refuse what a document allows, nor allow what the mock refuses: for each
model a gateway serves, sizes sampled from the catalog's own rule (tiers, listed sizes, and custom
sizes on and just outside every bound) are validated against the contract's request schema, and
the verdict must be the catalog's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from catalog_requests import Req, request, served

import contracts
from contracts.formats import size_rules
from mock_server.catalog import Model, PixelRange
from mock_server.errors import GatewayError

MODELS = list(served())
IDS = [f"{m.gateway}:{m.name}" for m in MODELS]


def valid(m: Model, req: Req) -> bool:
    return contracts.load(m.gateway).validate_request(req.method, req.path, req.headers, req.body) == []


def catalog_accepts(m: Model, size: str, seps: str) -> bool:
    try:
        m.rules.sizes.resolve(size, seps=seps)
    except GatewayError:
        return False
    return True


def edge_sizes(r: PixelRange) -> Iterator[tuple[int, int]]:
    """Custom sizes on and just outside each bound of ``r``: the smallest and largest pixel counts,
    the widest aspect ratio, and (for a grid) off-grid neighbours."""
    step = r.multiple_of
    for w in {
        r.min_side,
        int(math.sqrt(r.min_pixels)),
        int(math.sqrt(r.max_pixels)),
        r.max_side or 0,
        int(math.sqrt(r.max_pixels * min(r.max_aspect, 64))),
        int(math.sqrt(r.min_pixels * min(r.max_aspect, 64))),
    }:
        w = max(step, w // step * step)
        for h in (
            r.min_pixels // w,
            -(-r.min_pixels // w),
            r.max_pixels // w,
            -(-r.max_pixels // w),
            int(w / min(r.max_aspect, 1e6)),
            math.ceil(w / min(r.max_aspect, 1e6)),
        ):
            for hh in {h - step, h, h + step, h // step * step, -(-h // step) * step}:
                if 1 <= hh <= 99_999 and 1 <= w <= 99_999:
                    yield w, hh
                    yield hh, w


def _size_cases(m: Model) -> Iterator[str]:
    sizes = m.rules.sizes
    yield from sizes.tiers
    yield from sizes.listed
    if sizes.auto:
        yield "auto"
    if sizes.custom is not None:
        for w, h in edge_sizes(sizes.custom):
            yield f"{w}x{h}"
    yield from ("1x1", "4096x4096", "99999x99999", "2k", "big")


def _sep(m: Model, req: Req) -> str:
    return "*" if req.where == "parameters.size" and m.gateway == "tokenhub" else "x"


SIZED = [m for m in MODELS if request(m).where is not None and m.rules.sizes.aspects == ()]


@pytest.mark.parametrize("m", SIZED, ids=[f"{m.gateway}:{m.name}" for m in SIZED])
def test_contract_sizes_are_the_catalogs(m: Model) -> None:
    sep = _sep(m, request(m))
    checked = 0
    for size in dict.fromkeys(_size_cases(m)):
        text = size.replace("x", sep) if sep != "x" and size[0].isdigit() else size
        expected = catalog_accepts(m, text, sep)
        got = valid(m, request(m, size=text))
        assert got is expected, (
            f"{m.gateway} {m.name}: size {text!r}: contract {'accepts' if got else 'refuses'}, "
            f"catalog {'accepts' if expected else 'refuses'}"
        )
        checked += 1
    assert checked >= 5


GEMINI = [m for m in MODELS if m.rules.sizes.aspects and request(m).where is not None]


@pytest.mark.parametrize("m", GEMINI, ids=[f"{m.gateway}:{m.name}" for m in GEMINI])
def test_contract_gemini_tiers_are_the_catalogs(m: Model) -> None:
    for tier in ("0.5K", "1K", "2K", "3K", "4K", "8K"):
        assert valid(m, request(m, size=tier)) is (tier in m.tiers), (m.gateway, m.name, tier)


@pytest.mark.parametrize("m", MODELS, ids=IDS)
def test_contract_prompt_length_is_the_catalogs(m: Model) -> None:
    """The longest prompt the contract allows is the longest the catalog accepts (characters, or the
    characters of the token estimate; a truncating rule's bound) — where the contract states one."""
    if m.gateway == "tokenhub" and m.family == "gemini":
        # chat messages: the token cap covers every message together, which JSON Schema cannot sum
        # (x-server-enforces); each string is unbounded in the contract
        assert valid(m, request(m, prompt="x" * (m.rules.prompt.max_chars + 1)))
        return
    cap = m.rules.prompt.max_chars
    assert valid(m, request(m, prompt="x" * cap)), f"{m.gateway} {m.name}: contract refuses {cap} characters"
    assert not valid(m, request(m, prompt="x" * (cap + 1))), f"{m.gateway} {m.name}: contract allows {cap + 1}"


def _count_field(m: Model, req: Req) -> tuple[dict, str] | None:
    """Where ``n`` goes in ``req``'s body (``None``: this route takes no count)."""
    body = req.body
    if m.gateway == "powertokens" or (m.gateway == "tokenhub" and m.family == "gemini"):
        return None
    if m.family == "qwen":
        body.setdefault("parameters", {})
        return body["parameters"], "n"
    if m.family == "seedream" and m.gateway in ("gravitex", "imageseries"):
        return None  # counted by max_images below
    if m.gateway == "piebox" and m.family != "gpt_image":
        return None
    return body, "n"


@pytest.mark.parametrize("m", MODELS, ids=IDS)
def test_contract_counts_are_the_catalogs(m: Model) -> None:
    req = request(m)
    spot = _count_field(m, req)
    n_param = m.rules.param("n")
    hi = int(n_param.hi) if n_param is not None and n_param.hi is not None else m.rules.count.max
    if spot is not None:
        container, key = spot
        container[key] = hi
        assert valid(m, req), f"{m.gateway} {m.name}: n={hi} refused by the contract"
        container[key] = hi + 1
        assert not valid(m, req), f"{m.gateway} {m.name}: n={hi + 1} allowed by the contract"
        return
    if m.rules.count.param == "max_images" and m.rules.param("sequential_image_generation") is not None:
        for value, ok in ((m.rules.count.max, True), (m.rules.count.max + 1, False)):
            body = {**req.body, "sequential_image_generation": "auto", "sequential_image_generation_options": {"max_images": value}}
            assert valid(m, Req(req.method, req.path, req.headers, body, req.where)) is ok, (m.gateway, m.name, value)


@pytest.mark.parametrize("gateway", contracts.GATEWAY_IDS)
def test_contract_models_are_the_gateways(gateway: str) -> None:
    names = {m.name for m in MODELS if m.gateway == gateway}
    for m in (m for m in MODELS if m.gateway == gateway):
        assert valid(m, request(m)), f"{gateway}: the contract refuses a minimal request for {m.name}"
    # a model the gateway does not serve is refused by its contract
    stranger = next(m for m in MODELS if m.gateway == gateway)
    req = request(stranger)
    if "model" in req.body:
        assert not valid(stranger, Req(req.method, req.path, req.headers, {**req.body, "model": "dall-e-3"}, req.where))
    assert names


@pytest.mark.parametrize("gateway", contracts.GATEWAY_IDS)
def test_contract_size_rules_are_the_catalogs(gateway: str) -> None:
    """Each ``x-size-rules`` entry states the very numbers of the catalog rule its models use."""
    rules = size_rules(contracts.load(gateway).spec)
    by_name: dict[str, PixelRange] = {}
    for m in (m for m in MODELS if m.gateway == gateway and m.pixels is not None):
        for name in (m.name, m.upstream.id):
            by_name.setdefault(name, m.pixels)
    for name, rule in rules.items():
        assert name in by_name, f"{gateway}: x-size-rules {name!r} names no model with a custom-size rule"
        contract_numbers = {k: v for k, v in rule.as_dict().items() if k != "separator"}
        assert contract_numbers == by_name[name].as_dict(), (gateway, name)
