"""The rule types of the model catalog, and :class:`Model`, one model as one gateway serves it.

An :class:`Entry` is one upstream model (``gpt-image-2``, ``doubao-seedream-4-0-250828`` …) with one
rule object per concern, each carrying its :class:`~mock_server.catalog.provenance.Src`:

==============  ===========================================================================
``sizes``       :class:`SizeRule`: tier words, listed ``WxH``, a custom-size rule
                (:class:`PixelRange`: pixel count, aspect ratio, divisibility, side bounds),
                ``auto``, Gemini aspect ratios; the default size
``count``       :class:`CountRule`: how many images one request may ask for (``n`` or
                ``max_images``) and the default
``prompt``      :class:`PromptRule`: the cap, its unit, and whether an over-long prompt is
                refused or truncated (``negative_prompt`` likewise, when the model takes one)
``inputs``      :class:`InputRule`: input images: how many, which formats, how many bytes
``outputs``     :class:`OutputRule`: accepted ``response_format`` values, the output image
                format(s) and defaults
``params``      :class:`Param` per accepted request parameter: type, choices or range, default
==============  ===========================================================================

A gateway serves an entry under its own id through :func:`offer`, replacing only the rules its
document states explicitly (a closed list, a stated default, a stated limit), each override
carrying the document's quote. Where the document is silent the entry's rule holds, so the
same model behaves the same on every gateway unless a document says otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any, Literal

from ..errors import GatewayError
from ..images import ImageFormat
from .provenance import Src

Family = Literal["seedream", "gpt_image", "gemini", "qwen"]
Size = tuple[int, int]


def _n(value: float) -> str:
    """``3686400`` -> ``"3,686,400"``; ``16.0`` -> ``"16"``."""
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def parse_wxh(value: object, seps: str = "x*×") -> Size | None:
    """``"1024x1024"`` (or with ``*`` / ``×`` when in ``seps``) -> ``(1024, 1024)``; else ``None``.

    Width and height are 1 to 5 ASCII digits without a leading zero; nothing else is allowed
    (no spaces)."""
    if not isinstance(value, str):
        return None
    text = value
    for sep in seps:
        w, found, h = text.partition(sep)
        if found and _digits(w) and _digits(h):
            return int(w), int(h)
    return None


def _digits(text: str) -> bool:
    return 1 <= len(text) <= 5 and text.isascii() and text.isdigit() and text[0] != "0"


@dataclass(frozen=True)
class PixelRange:
    """Custom ``WxH`` sizes: total pixels in ``[min_pixels, max_pixels]``, aspect ratio (long side
    / short side) at most ``max_aspect``, both sides multiples of ``multiple_of`` and within
    ``[min_side, max_side]``."""

    min_pixels: int
    max_pixels: int
    max_aspect: float = 16.0
    multiple_of: int = 1
    min_side: int = 1
    max_side: int | None = None

    def problem(self, width: int, height: int) -> str | None:
        """Why ``width`` x ``height`` is outside the range, or ``None`` when it is inside."""
        if min(width, height) < self.min_side or (self.max_side is not None and max(width, height) > self.max_side):
            hi = _n(self.max_side) if self.max_side is not None else "any"
            return f"width and height must each be between {_n(self.min_side)} and {hi} pixels"
        if width % self.multiple_of or height % self.multiple_of:
            return f"width and height must both be multiples of {self.multiple_of}"
        pixels = width * height
        if not self.min_pixels <= pixels <= self.max_pixels:
            return f"{width}x{height} has {_n(pixels)} pixels; this model accepts {_n(self.min_pixels)} to {_n(self.max_pixels)}"
        if max(width, height) / min(width, height) > self.max_aspect:
            return f"the aspect ratio of {width}x{height} is outside 1/{_n(self.max_aspect)} to {_n(self.max_aspect)}"
        return None

    def accepts(self, width: int, height: int) -> bool:
        """Whether ``width`` x ``height`` is inside the range."""
        return self.problem(width, height) is None

    def check(self, width: int, height: int, param: str = "size") -> None:
        """Raise a 400 ``invalid_size`` naming ``param`` unless the size is inside the range."""
        why = self.problem(width, height)
        if why is not None:
            raise GatewayError(400, "invalid_size", f"{param}: {why}", param=param)

    def describe(self) -> str:
        """``"custom: 921,600-16,777,216 px, aspect <= 16"`` (plus divisibility and side bounds)."""
        parts = [f"{_n(self.min_pixels)}-{_n(self.max_pixels)} px", f"aspect <= {_n(self.max_aspect)}"]
        if self.max_aspect == math.inf:
            parts.pop()
        if self.multiple_of > 1:
            parts.append(f"sides multiple of {self.multiple_of}")
        if self.min_side > 1 or self.max_side is not None:
            parts.append(f"sides {_n(self.min_side)}-{_n(self.max_side) if self.max_side else 'any'}")
        return "custom: " + ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """The range as JSON (the keys the contracts' ``x-size-rules`` use)."""
        out: dict[str, Any] = {"min_pixels": self.min_pixels, "max_pixels": self.max_pixels}
        if self.max_aspect != math.inf:
            out["max_aspect_ratio"] = self.max_aspect
        if self.multiple_of > 1:
            out["multiple_of"] = self.multiple_of
        if self.min_side > 1:
            out["min_side"] = self.min_side
        if self.max_side is not None:
            out["max_side"] = self.max_side
        return out


#: Accepted ``size`` values remembered per :class:`SizeRule` (see :meth:`SizeRule.resolve`).
SIZE_MEMO = 256


@dataclass(frozen=True)
class SizeRule:
    """Which ``size`` values a model accepts and what each renders as.

    Attributes:
        src: provenance.
        default: pixel size when ``size`` is not sent.
        tiers: size words (``"2K"``) -> pixel size (the square one; Gemini: the 1:1 one).
        listed: ``"WxH"`` sizes accepted as listed.
        custom: any ``WxH`` inside this range is accepted too (``None``: only tiers and list).
        auto: ``"auto"`` is accepted and renders :attr:`default`.
        aspects: Gemini aspect ratios a tier combines with (empty for other families).
    """

    src: Src
    default: Size
    tiers: Mapping[str, Size] = field(default_factory=dict)
    listed: tuple[str, ...] = ()
    custom: PixelRange | None = None
    auto: bool = False
    aspects: tuple[str, ...] = ()

    def accepts(self, value: str, *, seps: str = "x") -> bool:
        """Whether ``value`` (a tier, ``auto``, or ``W{sep}H``) is accepted."""
        try:
            self.resolve(value, seps=seps)
        except GatewayError:
            return False
        return True

    def resolve(self, value: object, param: str = "size", *, seps: str = "x", any_case: bool = False) -> Size:
        """``size`` -> ``(width, height)`` pixels.

        Accepts a tier word, ``auto`` when :attr:`auto`, a listed ``WxH`` or a custom one inside
        :attr:`custom`, written with a separator in ``seps``. ``any_case`` is lenient: tier words
        in any letter case, surrounding spaces ignored.
        ``None`` gives :attr:`default`.

        Raises:
            GatewayError: 400 ``invalid_size`` naming ``param``.

        An accepted size depends on nothing but the value and the reading (``seps``, ``any_case``),
        so the last :data:`SIZE_MEMO` accepted ones are remembered per rule; a refused one is
        worked out again (its message names ``param``).
        """
        if value is None:
            return self.default
        key = (value, seps, any_case)
        memo = self._accepted
        size = memo.get(key) if isinstance(value, str) else None  # only a string is ever accepted
        if size is None:
            size = self._resolve(value, param, seps, any_case)
            if len(memo) >= SIZE_MEMO:
                memo.clear()
            memo[key] = size
        return size

    @cached_property
    def _accepted(self) -> dict[tuple[object, str, bool], Size]:
        """Accepted ``(value, seps, any_case)`` -> size (see :meth:`resolve`); not a dataclass field."""
        return {}

    def _resolve(self, value: object, param: str, seps: str, any_case: bool) -> Size:
        sep = seps[0]
        if not isinstance(value, str):
            raise GatewayError(400, "invalid_size", f'{param}: must be a string such as "1024{sep}1024"', param=param)
        if value in self.tiers:
            return self.tiers[value]
        if any_case and value.strip().upper() in self.tiers:
            return self.tiers[value.strip().upper()]
        if self.auto and value == "auto":
            return self.default
        wh = parse_wxh(value.strip() if any_case else value, seps)
        if wh is not None:
            if f"{wh[0]}x{wh[1]}" in self.listed:
                return wh
            if self.custom is not None:
                self.custom.check(*wh, param=param)
                return wh
        raise GatewayError(
            400, "invalid_size", f"{param}: {value[:40]!r} is not a size this model accepts; accepted: {self.describe(sep)}", param=param
        )

    def describe(self, sep: str = "x") -> str:
        """Human summary: tiers, ``auto``, the list (or its length) and the custom rule."""
        parts: list[str] = list(self.tiers)
        if self.auto:
            parts.append("auto")
        if self.listed:
            shown = [s.replace("x", sep) for s in self.listed]
            parts.append(", ".join(shown) if len(shown) <= 8 else ", ".join(shown[:8]) + f" (+{len(shown) - 8} listed)")
        if self.custom is not None:
            parts.append(self.custom.describe())
        if self.aspects:
            parts.append("aspect " + "/".join(self.aspects))
        return "; ".join(parts) if parts else "-"


@dataclass(frozen=True)
class CountRule:
    """How many images one request may produce: ``param`` (``n`` or ``max_images``) in
    ``[1, max]``, default ``default``. ``budget``: inputs + outputs at most this many (Ark's
    "reference images + generated images <= 15"), which caps the count instead of refusing."""

    src: Src
    max: int
    default: int = 1
    param: str = "n"
    budget: int | None = None

    def describe(self) -> str:
        """``"n 1-10 (default 1)"``."""
        text = f"{self.param} 1-{self.max} (default {self.default})" if self.max > 1 else f"{self.param} 1"
        if self.budget is not None:
            text += f"; inputs + outputs <= {self.budget}"
        return text


@dataclass(frozen=True)
class PromptRule:
    """The prompt cap: at most ``max`` ``unit`` (characters or estimated tokens); an over-long
    prompt is refused (400) or truncated to the cap (``over``). A truncating rule refuses past
    ``bound`` characters all the same (``bound_src`` says why), so no prompt of megabytes is
    ever accepted. ``recommended``: a length the vendor recommends without enforcing it.
    ``texts``: where the prompt is a list of content items, exactly this many text items
    (0: at least one)."""

    src: Src
    max: int
    unit: Literal["characters", "tokens"] = "characters"
    over: Literal["refuse", "truncate"] = "refuse"
    bound: int | None = None
    bound_src: Src | None = None
    recommended: str = ""
    texts: int = 0

    def __post_init__(self) -> None:
        if self.over == "truncate" and self.bound is None:
            raise ValueError("a truncating prompt rule needs a bound")
        if self.unit == "tokens" and self.over == "truncate":
            raise ValueError("token caps are refused, not truncated")

    @property
    def max_chars(self) -> int:
        """Longest prompt (characters) the mock accepts: ``max`` (characters), the characters whose
        token estimate is ``max`` (tokens), or ``bound`` for a truncating rule."""
        if self.over == "truncate":
            assert self.bound is not None
            return self.bound
        if self.unit == "tokens":
            return max_chars_for_tokens(self.max)
        return self.max

    def apply(self, text: str, param: str = "prompt") -> str:
        """``text`` as the model sees it: unchanged, or truncated to ``max`` characters.

        Raises:
            GatewayError: 400 ``string_above_max_length`` naming ``param`` past the cap (refusing
                rules) or past ``bound`` (truncating rules).
        """
        if self.over == "truncate":
            assert self.bound is not None
            if len(text) > self.bound:
                raise GatewayError(
                    400,
                    "string_above_max_length",
                    f"{param}: string too long: {len(text)} characters; the model truncates past "
                    f"{self.max} and the request is refused past {self.bound}",
                    param=param,
                )
            return text[: self.max]
        if self.unit == "tokens":
            tokens = estimate_tokens(text)
            if tokens > self.max:
                raise GatewayError(
                    400,
                    "string_above_max_length",
                    f"{param}: about {tokens} input tokens; the model accepts at most {self.max} input tokens",
                    param=param,
                )
            return text
        if len(text) > self.max:
            # OpenAI's code and words (observed: "Invalid 'prompt': string too long. Expected a string with maximum
            # length 32000, but got a string with length N instead."), led by the parameter as every mock error is
            raise GatewayError(
                400,
                "string_above_max_length",
                f"{param}: string too long. Expected a string with maximum length "
                f"{self.max}, but got a string with length {len(text)} instead.",
                param=param,
            )
        return text

    def describe(self) -> str:
        """``"32,000 chars, refused"`` / ``"800 chars, truncated (refused past 32,000)"``."""
        unit = "chars" if self.unit == "characters" else "input tokens"
        if self.over == "truncate":
            return f"{_n(self.max)} {unit}, truncated (refused past {_n(self.bound or 0)} chars)" + (
                f"; exactly {self.texts} text item" if self.texts else ""
            )
        text = f"{_n(self.max)} {unit}, refused"
        if self.unit == "tokens":
            text += f" (~{_n(self.max_chars)} chars)"
        return text


def estimate_tokens(text: str) -> int:
    """Estimated tokens of ``text``: ``ceil(0.7 * characters)``, at least 1.

    Inferred: a deterministic stand-in for Gemini's tokenizer, chosen so that TokenHub's
    documented example (001: the 10-character "画一只橘猫,摄影风格") answers the documented
    ``prompt_tokens`` of 7."""
    return max(1, (len(text) * 7 + 9) // 10)


def max_chars_for_tokens(tokens: int) -> int:
    """The longest text whose :func:`estimate_tokens` is at most ``tokens``."""
    return (10 * tokens) // 7


@dataclass(frozen=True)
class InputRule:
    """Input images: ``min_count`` to ``max_count`` per request (``min_count`` 1: the model needs
    one, it does not do pure text-to-image), of ``formats`` (Pillow names; empty: any decodable
    image), at most ``max_bytes`` each (``None``: no stated limit)."""

    src: Src
    max_count: int
    min_count: int = 0
    formats: frozenset[str] = frozenset()
    max_bytes: int | None = None

    def describe(self) -> str:
        """``"0-14; JPEG/PNG; 10 MiB"``."""
        if self.max_count == 0:
            return "none"
        parts = [f"{self.min_count}-{self.max_count}"]
        if self.formats:
            parts.append("/".join(sorted(self.formats)))
        if self.max_bytes is not None:
            mib = self.max_bytes / (1024 * 1024)
            parts.append(f"< {mib + 1 / (1024 * 1024):g} MiB" if self.max_bytes % (1024 * 1024) == 1024 * 1024 - 1 else f"{mib:g} MiB")
        return "; ".join(parts)


@dataclass(frozen=True)
class OutputRule:
    """What comes back: ``response_formats`` a request may send (empty: the parameter is not
    accepted), ``default_response_format``, ``forced`` (the form returned whatever was sent,
    when the model only returns one), and the output image ``formats`` a request may choose
    (``output_format``) with ``default_format`` — the format for every response format."""

    src: Src
    response_formats: tuple[str, ...] = ("url", "b64_json")
    default_response_format: str = "url"
    forced: str | None = None
    formats: tuple[ImageFormat, ...] = ()
    default_format: ImageFormat = "png"

    def returned(self, requested: str | None) -> str:
        """The response format actually returned for ``requested`` (``None``: not sent)."""
        return self.forced or requested or self.default_response_format

    def describe(self) -> str:
        """``"url|b64_json (default url) -> jpeg"``."""
        rf = "|".join(self.response_formats) or "-"
        text = f"{rf} (default {self.default_response_format})"
        if self.forced:
            text = f"{rf} (always {self.forced})"
        fmts = "|".join(self.formats) if self.formats else self.default_format
        return f"{text} -> {fmts}" + (f" (default {self.default_format})" if len(self.formats) > 1 else "")


@dataclass(frozen=True)
class Param:
    """One accepted request parameter: JSON ``type`` (``string``, ``integer``, ``number``,
    ``boolean``, ``object``, ``array``, or two joined by ``|``), ``choices`` or a ``[lo, hi]``
    range, the ``default`` (``None``: none stated), whether JSON ``null`` means "not sent", and
    ``only`` — the one operation that takes it (``generate`` or ``edit``; empty: every one)."""

    name: str
    type: str
    src: Src
    choices: tuple[Any, ...] = ()
    lo: float | None = None
    hi: float | None = None
    default: Any = None
    nullable: bool = True
    only: str = ""

    def describe(self) -> str:
        """``"quality: low|medium|high|auto (default auto)"``."""
        text = f"{self.name}: "
        if self.choices:
            text += "|".join(str(c) for c in self.choices)
        elif self.lo is not None or self.hi is not None:
            text += f"{self.type} {_n(self.lo) if self.lo is not None else '..'}-{_n(self.hi) if self.hi is not None else '..'}"
        else:
            text += self.type
        if self.default is not None:
            text += f" (default {self.default})"
        return text


@dataclass(frozen=True)
class Entry:
    """One upstream model: its vendor id, family, vendor, where the vendor documents it, and
    one rule per concern (see the module docstring)."""

    id: str
    family: Family
    vendor: str
    src: Src
    sizes: SizeRule
    count: CountRule
    prompt: PromptRule
    inputs: InputRule
    outputs: OutputRule
    params: tuple[Param, ...] = ()
    negative_prompt: PromptRule | None = None

    def param(self, name: str) -> Param | None:
        """The :class:`Param` called ``name``, if the model accepts it."""
        return self._params_by_name.get(name)

    @cached_property
    def _params_by_name(self) -> dict[str, Param]:
        """:attr:`params` by name (the first of a name wins); not a dataclass field."""
        by_name: dict[str, Param] = {}
        for p in self.params:
            by_name.setdefault(p.name, p)
        return by_name


#: The rule fields of :class:`Entry` a gateway may override.
RULE_FIELDS: tuple[str, ...] = ("sizes", "count", "prompt", "inputs", "outputs", "negative_prompt")


@dataclass(frozen=True)
class Model:
    """One model as one gateway serves it: the gateway's id for it (``name``), the catalog
    entry it fronts (``upstream``), the effective rules (``rules``: the entry with the gateway's
    overrides applied), which rule fields the gateway overrode, and where the gateway names the
    model (``src``). ``extras`` holds gateway-specific wire details.

    The properties below are the effective rules in the shape the gateway modules use.
    """

    name: str
    rules: Entry
    upstream: Entry
    gateway: str
    src: Src
    overridden: frozenset[str] = frozenset()
    extras: Mapping[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> Family:
        return self.rules.family

    @property
    def tiers(self) -> Mapping[str, Size]:
        return self.rules.sizes.tiers

    @property
    def sizes(self) -> tuple[str, ...]:
        return self.rules.sizes.listed

    @property
    def pixels(self) -> PixelRange | None:
        return self.rules.sizes.custom

    @property
    def default_size(self) -> Size:
        return self.rules.sizes.default

    @property
    def max_n(self) -> int:
        return self.rules.count.max

    @property
    def text_to_image(self) -> bool:
        return self.rules.inputs.min_count == 0

    @property
    def image_input(self) -> bool:
        return self.rules.inputs.max_count > 0

    @property
    def max_input_images(self) -> int:
        return self.rules.inputs.max_count

    @property
    def params(self) -> tuple[Param, ...]:
        return self.rules.params

    def resolve_size(self, value: object, param: str = "size") -> Size:
        """``size`` -> pixels, leniently: a tier in any letter case, ``x``, ``*`` or ``×`` (see
        :meth:`SizeRule.resolve`).

        Raises:
            GatewayError: 400 ``invalid_size`` naming ``param``.
        """
        return self.rules.sizes.resolve(value, param, seps="x*×", any_case=True)


def offer(
    gateway: str,
    name: str,
    entry: Entry,
    src: Src,
    *,
    extra_params: tuple[Param, ...] = (),
    drop_params: tuple[str, ...] = (),
    extras: Mapping[str, Any] | None = None,
    **overrides: Any,
) -> Model:
    """``entry`` as ``gateway`` serves it under ``name``.

    Args:
        src: where the gateway names the model (a document quote, or an inference).
        extra_params: parameters the gateway adds (each with its own provenance).
        drop_params: upstream parameters the gateway's document closes out.
        extras: gateway wire details kept beside the model.
        overrides: replacement rule objects for fields of :data:`RULE_FIELDS`; each carries the
            quote of the document that states it (or says why it is inferred).

    Raises:
        ValueError: for an unknown rule field or a value of the wrong type.
    """
    changes: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Entry)}
    for key, value in overrides.items():
        if key not in RULE_FIELDS:
            raise ValueError(f"{key!r} is not an overridable rule; use one of {RULE_FIELDS}")
        current = getattr(entry, key)
        if current is not None and type(value) is not type(current):
            raise ValueError(f"override {key!r} must be a {type(current).__name__}, got {type(value).__name__} ({types[key]})")
        changes[key] = value
    params = tuple(p for p in entry.params if p.name not in drop_params)
    known = {p.name for p in params}
    for p in extra_params:
        if p.name in known:
            params = tuple(p if q.name == p.name else q for q in params)
        else:
            params += (p,)
    if extra_params or drop_params:
        changes["params"] = params
    rules = replace(entry, **changes) if changes else entry
    touched = frozenset(changes) - {"params"} | (frozenset({"params"}) if extra_params or drop_params else frozenset())
    return Model(name=name, rules=rules, upstream=entry, gateway=gateway, src=src, overridden=touched, extras=dict(extras or {}))


def model_or_error(models: Mapping[str, Model], name: object, param: str = "model") -> Model:
    """Look ``name`` up in ``models``.

    Raises:
        GatewayError: 400 ``missing_parameter`` (absent or empty) or ``model_not_found``
            (not a string, or unknown) naming ``param``.
    """
    if name is None or name == "":
        raise GatewayError(400, "missing_parameter", f"{param} is required", param=param)
    if not isinstance(name, str) or name not in models:
        shown = name[:60] if isinstance(name, str) else type(name).__name__
        raise GatewayError(
            400,
            "model_not_found",
            f"The model {shown!r} does not exist or is not supported here; supported: {', '.join(models)}",
            param=param,
        )
    return models[name]


def nearest(sizes: tuple[str, ...], dims: Size) -> Size:
    """The ``WxH`` in ``sizes`` whose aspect ratio is closest to ``dims``."""
    target = math.log(dims[0] / dims[1])
    best = min(sizes, key=lambda s: abs(math.log(int(s.split("x")[0]) / int(s.split("x")[1])) - target))
    w, h = best.split("x")
    return int(w), int(h)
