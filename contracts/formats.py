"""String formats the contracts use for rules JSON Schema cannot express, and their checkers.

JSON Schema 2020-12 treats ``format`` as an annotation: generic tools (Schemathesis, Redocly, an
SDK generator) accept any string there, and the server enforces the rule. ``contracts`` asserts
these formats when it validates a message (:func:`format_checker`); :data:`HOUSE_FORMATS` maps
each image format to its checker and :func:`samples` gives valid values of each, which
``contracts.schemathesis_hooks`` hands to Schemathesis (CLI and in-process alike), with a
generator for each ``size:<rule>``.

=====================  ==========================================================================
``image-data-url``     ``data:image/<type>;base64,<data>`` whose data decodes to an image file
                       (PNG, JPEG, GIF, WebP, BMP or TIFF signature)
``image-base64``       bare base64 whose bytes are such an image file
``image-png-alpha``    a PNG file (a multipart file part) with an alpha channel (colour type RGBA
                       or grey+alpha, or a ``tRNS`` chunk) — an edit mask (OpenAI: "transparent
                       areas indicate where the image should be edited")
``size:<rule>``        ``WIDTHxHEIGHT`` (``WIDTH*HEIGHT`` when the rule's ``separator`` is ``*``)
                       inside the custom-size rule ``<rule>`` of the contract's
                       ``components.x-size-rules``: ``min_pixels`` .. ``max_pixels`` total pixels,
                       aspect ratio (long / short side) at most ``max_aspect_ratio``, sides
                       multiples of ``multiple_of`` and within ``min_side`` .. ``max_side`` (each
                       key optional but the pixel bounds)
=====================  ==========================================================================

Use a format only beside a ``pattern`` or ``enum`` that already steers generators to the right
shape: a generator that treats the format as an annotation may send any value the rest of the
schema allows. A ``size:<rule>`` sits beside the ``WxH`` pattern, so a generic generator sends
well-formed sizes, and the contract's own rule (``x-size-rules``) decides which are accepted —
no schema refuses a size a document allows (JSON Schema cannot multiply width by height).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from .wire import sniff_image

__all__ = [
    "is_image_data_url",
    "is_image_base64",
    "is_png_with_alpha",
    "format_checker",
    "formats_in",
    "size_rules",
    "SizeRule",
    "SIZE_FORMAT_PREFIX",
    "HOUSE_FORMATS",
    "samples",
    "sample_png_rgba",
]

_DATA_URL = re.compile(r"^data:image/[a-zA-Z0-9.+-]+;base64,([A-Za-z0-9+/]*={0,2})\Z")
_B64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}\Z")


def is_image_data_url(value: object) -> bool:
    """``True`` for ``data:image/...;base64,...`` whose payload decodes to an image file."""
    if not isinstance(value, str):
        return True  # formats apply to strings only
    m = _DATA_URL.match(value)
    if not m:
        return False
    try:
        return sniff_image(base64.b64decode(m.group(1), validate=True)) is not None
    except (binascii.Error, ValueError):
        return False


def is_image_base64(value: object) -> bool:
    """``True`` for bare base64 whose bytes are an image file."""
    if not isinstance(value, str):
        return True
    if not _B64.match(value):
        return False
    try:
        return sniff_image(base64.b64decode(value, validate=True)) is not None
    except (binascii.Error, ValueError):
        return False


def is_png_with_alpha(value: object) -> bool:
    """``True`` for PNG bytes (or their latin-1 text, as a multipart file part reads) with alpha."""
    if isinstance(value, str):
        try:
            value = value.encode("latin-1")
        except UnicodeEncodeError:
            return False
    if not isinstance(value, (bytes, bytearray)):
        return True
    data = bytes(value)
    if sniff_image(data) != "image/png" or len(data) < 26 or data[12:16] != b"IHDR":
        return False
    return data[25] in (4, 6) or b"tRNS" in data[:4096]


#: format name -> checker (``True`` when the value conforms); the one list of the image formats.
HOUSE_FORMATS: dict[str, Callable[[object], bool]] = {
    "image-data-url": is_image_data_url,
    "image-base64": is_image_base64,
    "image-png-alpha": is_png_with_alpha,
}


def _encoded(mode: str, size: tuple[int, int], colour: tuple[int, ...], fmt: str) -> bytes:
    from PIL import Image  # a dependency of the package; imported late so the checkers stay light

    buf = io.BytesIO()
    Image.new(mode, size, colour).save(buf, fmt)
    return buf.getvalue()


def sample_png_rgba() -> bytes:
    """A 1x1 fully transparent RGBA PNG (67 bytes): a valid image *and* a valid edit mask of
    the same size, as a generator needs for a multipart ``image`` + ``mask`` pair."""
    return _encoded("RGBA", (1, 1), (0, 0, 0, 0), "PNG")


def samples(name: str) -> list[Any]:
    """Small valid values of the image format ``name``, for generators (Schemathesis hooks).

    ``image-data-url`` and ``image-base64``: text (a 4x4 PNG, a 16x8 JPEG, a 64x64 PNG);
    ``image-png-alpha``: bytes (:func:`sample_png_rgba`).

    Raises:
        KeyError: for a name not in :data:`HOUSE_FORMATS`.
    """
    if name not in HOUSE_FORMATS:
        raise KeyError(name)
    if name == "image-png-alpha":
        return [sample_png_rgba()]
    images = [
        ("png", _encoded("RGB", (4, 4), (200, 30, 30), "PNG")),
        ("jpeg", _encoded("RGB", (16, 8), (30, 200, 30), "JPEG")),
        ("png", _encoded("RGB", (64, 64), (30, 30, 200), "PNG")),
    ]
    texts = [(fmt, base64.b64encode(data).decode("ascii")) for fmt, data in images]
    if name == "image-base64":
        return [text for _, text in texts]
    return [f"data:image/{fmt};base64,{text}" for fmt, text in texts]


#: Prefix of the custom-size formats: ``size:<rule name>``.
SIZE_FORMAT_PREFIX = "size:"
_WXH = {sep: re.compile(rf"^([1-9][0-9]{{0,4}}){re.escape(sep)}([1-9][0-9]{{0,4}})\Z") for sep in "x*"}


class SizeRule:
    """One entry of ``components.x-size-rules``: a custom-size rule (see the module docstring)."""

    def __init__(self, name: str, rule: Mapping[str, Any]) -> None:
        self.name = name
        self.min_pixels = int(rule["min_pixels"])
        self.max_pixels = int(rule["max_pixels"])
        self.max_aspect_ratio = float(rule.get("max_aspect_ratio", float("inf")))
        self.multiple_of = int(rule.get("multiple_of", 1))
        self.min_side = int(rule.get("min_side", 1))
        self.max_side = int(rule["max_side"]) if "max_side" in rule else None
        self.separator = str(rule.get("separator", "x"))

    def accepts(self, width: int, height: int) -> bool:
        """Whether ``width`` x ``height`` is inside the rule."""
        return (
            self.min_side <= min(width, height)
            and (self.max_side is None or max(width, height) <= self.max_side)
            and width % self.multiple_of == 0
            and height % self.multiple_of == 0
            and self.min_pixels <= width * height <= self.max_pixels
            and max(width, height) / min(width, height) <= self.max_aspect_ratio
        )

    def check(self, value: object) -> bool:
        """The format check: strings must be ``W{separator}H`` inside the rule; other types pass."""
        if not isinstance(value, str):
            return True
        m = _WXH[self.separator].match(value)
        return m is not None and self.accepts(int(m.group(1)), int(m.group(2)))

    def as_dict(self) -> dict[str, Any]:
        """The rule's numbers, as ``x-size-rules`` writes them (absent keys left out)."""
        out: dict[str, Any] = {"min_pixels": self.min_pixels, "max_pixels": self.max_pixels}
        if self.max_aspect_ratio != float("inf"):
            out["max_aspect_ratio"] = self.max_aspect_ratio
        if self.multiple_of > 1:
            out["multiple_of"] = self.multiple_of
        if self.min_side > 1:
            out["min_side"] = self.min_side
        if self.max_side is not None:
            out["max_side"] = self.max_side
        if self.separator != "x":
            out["separator"] = self.separator
        return out


def size_rules(spec: Any) -> dict[str, SizeRule]:
    """The custom-size rules of a contract (``components.x-size-rules``), by name."""
    rules = ((spec or {}).get("components") or {}).get("x-size-rules") or {} if isinstance(spec, Mapping) else {}
    return {name: SizeRule(name, rule) for name, rule in rules.items() if isinstance(rule, Mapping)}


def formats_in(spec: Any) -> Iterator[str]:
    """Every ``format`` value used anywhere in ``spec`` (duplicates included)."""
    if isinstance(spec, Mapping):
        fmt = spec.get("format")
        if isinstance(fmt, str):
            yield fmt
        for key, value in spec.items():
            if key not in ("examples", "example", "x-provenance"):
                yield from formats_in(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from formats_in(value)


def format_checker(spec: Any = None) -> FormatChecker:
    """A ``FormatChecker`` with jsonschema's Draft 2020-12 formats plus this module's, and one
    ``size:<rule>`` format per custom-size rule of ``spec`` (a contract)."""
    checker = FormatChecker(formats=list(Draft202012Validator.FORMAT_CHECKER.checkers))
    for name, check in HOUSE_FORMATS.items():
        checker.checks(name)(check)
    for name, rule in size_rules(spec).items():
        checker.checks(SIZE_FORMAT_PREFIX + name)(rule.check)
    return checker
