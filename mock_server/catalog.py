"""Model families and their documented limits, shared by the gateway modules.

Four families recur across the five documents: Seedream (ByteDance, via Ark), GPT Image
(OpenAI), Gemini image ("Nano Banana") and Qwen/Wan (Alibaba, via DashScope). The size
rules live here once; each gateway module lists its own models with :class:`Model`.

Sources (file names in ``../shared/gateway-docs/``):

* Seedream pixel ranges and tiers: 004 (PowerTokens) ``size``; 002 (Gravitex) "Model-Specific
  Parameters"; 000 (PieBox) "minimum 1920×1920 (must be ≥ 3.68M pixels)".
* GPT Image sizes ``1024x1024, 1024x1536, 1536x1024``: 002 and 003.
* Gemini aspect ratios and ``1K/2K/4K``: 002, 003; PieBox adds ``0.5K`` (000).
  The concrete pixel sizes per tier are inferred from upstream Gemini's published table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .errors import GatewayError

Family = Literal["seedream", "gpt_image", "gemini", "qwen"]

#: Gemini output sizes at 1K by aspect ratio (inferred from upstream Gemini image docs).
GEMINI_1K: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024), "2:3": (832, 1248), "3:2": (1248, 832), "3:4": (864, 1184),
    "4:3": (1184, 864), "4:5": (896, 1152), "5:4": (1152, 896), "9:16": (768, 1344),
    "16:9": (1344, 768), "21:9": (1536, 672),
}
GEMINI_TIER_SCALE: dict[str, float] = {"0.5K": 0.5, "1K": 1.0, "2K": 2.0, "3K": 3.0, "4K": 4.0}

GPT_IMAGE_SIZES: tuple[str, ...] = ("1024x1024", "1024x1536", "1536x1024")

#: Seedream size tiers -> a concrete square size (inferred: Ark picks the aspect ratio from
#: the prompt for a tier; the mock answers the square one so results are predictable).
SEEDREAM_TIERS: dict[str, tuple[int, int]] = {
    "1K": (1024, 1024), "2K": (2048, 2048), "3K": (3072, 3072), "4K": (4096, 4096),
}


def gemini_size(tier: str, aspect_ratio: str) -> tuple[int, int]:
    """Pixel size of a Gemini image for ``tier`` (``0.5K|1K|2K|3K|4K``) and ``aspect_ratio``
    (a key of :data:`GEMINI_1K`). Sizes are rounded to multiples of 8.

    Raises:
        KeyError: for an unknown tier or aspect ratio.
    """
    w, h = GEMINI_1K[aspect_ratio]
    s = GEMINI_TIER_SCALE[tier]
    return int(w * s) // 8 * 8, int(h * s) // 8 * 8


def nearest_aspect(width: int, height: int) -> str:
    """The Gemini aspect ratio closest to ``width:height`` (002: pixel sizes are "automatically
    converted to the corresponding ratio")."""
    target = width / height
    return min(GEMINI_1K, key=lambda k: abs(GEMINI_1K[k][0] / GEMINI_1K[k][1] - target))


@dataclass(frozen=True)
class PixelRange:
    """Custom-size limits: total pixels in ``[min_pixels, max_pixels]`` and aspect ratio
    (long side / short side) at most ``max_aspect``."""

    min_pixels: int
    max_pixels: int
    max_aspect: float = 16.0

    def check(self, width: int, height: int, param: str = "size") -> None:
        """Raise a 400 naming ``param`` unless ``width`` x ``height`` is inside the range."""
        pixels = width * height
        if not self.min_pixels <= pixels <= self.max_pixels:
            raise GatewayError(400, "invalid_size",
                               f"{param}: {width}x{height} has {pixels} pixels; this model accepts {self.min_pixels} to {self.max_pixels}",
                               param=param)
        if max(width, height) / min(width, height) > self.max_aspect:
            raise GatewayError(400, "invalid_size",
                               f"{param}: aspect ratio of {width}x{height} is outside 1/{self.max_aspect:g} to {self.max_aspect:g}",
                               param=param)


@dataclass(frozen=True)
class Model:
    """One model as a gateway documents it.

    Attributes:
        name: the model id sent in ``model``.
        family: which upstream family answers it.
        tiers: size words accepted (``"2K"`` …) mapped to pixel sizes.
        sizes: explicit ``"WxH"`` sizes accepted (empty: any size inside ``pixels``).
        pixels: custom-size limits, when custom sizes are allowed.
        default_size: pixel size when ``size`` is omitted.
        max_n: most images one request may ask for.
        text_to_image / image_input: capabilities (``False`` -> the request is rejected).
        max_input_images: how many reference images it takes.
        extras: anything else a gateway module wants to keep beside the model.
    """

    name: str
    family: Family
    tiers: dict[str, tuple[int, int]] = field(default_factory=dict)
    sizes: tuple[str, ...] = ()
    pixels: PixelRange | None = None
    default_size: tuple[int, int] = (1024, 1024)
    max_n: int = 1
    text_to_image: bool = True
    image_input: bool = True
    max_input_images: int = 10
    extras: dict[str, object] = field(default_factory=dict)

    def resolve_size(self, value: object, param: str = "size") -> tuple[int, int]:
        """Turn a ``size`` value into ``(width, height)`` pixels for this model.

        Accepts a tier word (``"2K"``), a listed ``"WxH"`` (``x``, ``*`` or ``×``), or a custom
        ``"WxH"`` inside :attr:`pixels`. ``None`` gives :attr:`default_size`.

        Raises:
            GatewayError: 400 ``invalid_size`` naming ``param``.
        """
        from .gateways.base import parse_wxh  # local: gateways depend on catalog, not the reverse at import

        if value is None:
            return self.default_size
        if not isinstance(value, str):
            raise GatewayError(400, "invalid_size", f"{param}: must be a string such as \"2048x2048\"", param=param)
        tier = value.strip().upper()
        if tier in self.tiers:
            return self.tiers[tier]
        wh = parse_wxh(value)
        if wh is None:
            raise GatewayError(400, "invalid_size", f"{param}: {value[:40]!r} is not a size this model accepts{self._accepted()}", param=param)
        text = f"{wh[0]}x{wh[1]}"
        if self.sizes and text in self.sizes:
            return wh
        if self.pixels is not None:
            if min(wh) <= 0:
                raise GatewayError(400, "invalid_size", f"{param}: width and height must be positive", param=param)
            self.pixels.check(*wh, param=param)
            return wh
        raise GatewayError(400, "invalid_size", f"{param}: {text} is not supported by {self.name}{self._accepted()}", param=param)

    def _accepted(self) -> str:
        opts = list(self.tiers) + list(self.sizes)
        return f"; accepted: {', '.join(opts)}" if opts else ""


def model_or_error(models: dict[str, Model], name: object, param: str = "model") -> Model:
    """Look ``name`` up in ``models``.

    Raises:
        GatewayError: 400 ``model_not_found`` (missing, not a string, or unknown) naming ``param``.
    """
    if name is None or name == "":
        raise GatewayError(400, "missing_parameter", f"{param} is required", param=param)
    if not isinstance(name, str) or name not in models:
        shown = name[:60] if isinstance(name, str) else type(name).__name__
        raise GatewayError(400, "model_not_found", f"The model {shown!r} does not exist or is not supported here; supported: {', '.join(models)}", param=param)
    return models[name]


# -- small typed getters used by every gateway module ---------------------------------------

def get_str(body: dict, key: str, *, required: bool = False, choices: tuple[str, ...] | None = None,
            param: str | None = None, max_len: int | None = None) -> str | None:
    """``body[key]`` as a string, checked.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``) when required and missing/empty,
            not a string, longer than ``max_len``, or outside ``choices``.
    """
    p = param or key
    v = body.get(key)
    if v is None:
        if required:
            raise GatewayError(400, "missing_parameter", f"{p} is required", param=p)
        return None
    if not isinstance(v, str):
        raise GatewayError(400, "invalid_type", f"{p} must be a string", param=p)
    if required and not v.strip():
        raise GatewayError(400, "missing_parameter", f"{p} must not be empty", param=p)
    if max_len is not None and len(v) > max_len:
        raise GatewayError(400, "invalid_parameter", f"{p} is longer than {max_len} characters", param=p)
    if choices is not None and v not in choices:
        raise GatewayError(400, "invalid_parameter", f"{p}: {v[:40]!r} is not one of {', '.join(choices)}", param=p)
    return v


def get_int(body: dict, key: str, *, lo: int | None = None, hi: int | None = None, default: int | None = None,
            param: str | None = None, allow_numeric_string: bool = False) -> int | None:
    """``body[key]`` as an int in ``[lo, hi]`` (booleans and floats with a fraction rejected).

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``).
    """
    p = param or key
    v = body.get(key)
    if v is None:
        return default
    if allow_numeric_string and isinstance(v, str) and v.strip().lstrip("-").isdigit():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise GatewayError(400, "invalid_type", f"{p} must be an integer", param=p)
    v = int(v)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise GatewayError(400, "invalid_parameter", f"{p} must be between {lo} and {hi}; got {v}", param=p)
    return v


def get_float(body: dict, key: str, *, lo: float | None = None, hi: float | None = None,
              param: str | None = None) -> float | None:
    """``body[key]`` as a finite number in ``[lo, hi]``.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``).
    """
    p = param or key
    v = body.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v in (float("inf"), float("-inf")):
        raise GatewayError(400, "invalid_type", f"{p} must be a number", param=p)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise GatewayError(400, "invalid_parameter", f"{p} must be between {lo} and {hi}; got {v}", param=p)
    return float(v)


def get_bool(body: dict, key: str, *, default: bool | None = None, param: str | None = None) -> bool | None:
    """``body[key]`` as a JSON boolean.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``) when present and not a boolean.
    """
    p = param or key
    v = body.get(key)
    if v is None:
        return default
    if not isinstance(v, bool):
        raise GatewayError(400, "invalid_type", f"{p} must be a boolean", param=p)
    return v


def get_obj(body: dict, key: str, *, required: bool = False, param: str | None = None) -> dict | None:
    """``body[key]`` as a JSON object.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``).
    """
    p = param or key
    v = body.get(key)
    if v is None:
        if required:
            raise GatewayError(400, "missing_parameter", f"{p} is required", param=p)
        return None
    if not isinstance(v, dict):
        raise GatewayError(400, "invalid_type", f"{p} must be an object", param=p)
    return v


def get_list(body: dict, key: str, *, required: bool = False, max_items: int | None = None, min_items: int = 0,
             param: str | None = None) -> list | None:
    """``body[key]`` as a JSON array with ``min_items``..``max_items`` items.

    Raises:
        GatewayError: 400 naming ``param`` (default ``key``).
    """
    p = param or key
    v = body.get(key)
    if v is None:
        if required:
            raise GatewayError(400, "missing_parameter", f"{p} is required", param=p)
        return None
    if not isinstance(v, list):
        raise GatewayError(400, "invalid_type", f"{p} must be an array", param=p)
    if len(v) < min_items or (max_items is not None and len(v) > max_items):
        raise GatewayError(400, "invalid_parameter", f"{p} must hold {min_items} to {max_items} items; got {len(v)}", param=p)
    return v
