"""String formats the contracts use for rules JSON Schema cannot express, and their checkers.

JSON Schema 2020-12 treats ``format`` as an annotation: generic tools (Schemathesis, Redocly, an
SDK generator) accept any string there, and the server enforces the rule. ``contracts`` asserts
these formats when it validates a message (:func:`format_checker`), and the test suite teaches
Schemathesis to generate valid values for them (``tests/contracts/schemathesis_run.py``).

=====================  ==========================================================================
``image-data-url``     ``data:image/<type>;base64,<data>`` whose data decodes to an image file
                       (PNG, JPEG, GIF, WebP, BMP or TIFF signature)
``image-base64``       bare base64 whose bytes are such an image file
``image-png-alpha``    a PNG file (a multipart file part) with an alpha channel (colour type RGBA
                       or grey+alpha, or a ``tRNS`` chunk) — an edit mask (OpenAI: "transparent
                       areas indicate where the image should be edited")
=====================  ==========================================================================

Use a format only beside a ``pattern`` or ``enum`` that already steers generators to the right
shape: a generator that treats the format as an annotation may send any value the rest of the
schema allows. (For this reason Seedream's pixel-count rule is not a format: the contracts list
the sizes a client may rely on and describe the full rule in ``x-server-enforces``.)
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

__all__ = ["is_image_data_url", "is_image_base64", "is_png_with_alpha", "format_checker", "formats_in"]

_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")
_DATA_URL = re.compile(r"^data:image/[a-zA-Z0-9.+-]+;base64,([A-Za-z0-9+/]*={0,2})\Z")
_B64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}\Z")


def _is_image(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def is_image_data_url(value: object) -> bool:
    """``True`` for ``data:image/...;base64,...`` whose payload decodes to an image file."""
    if not isinstance(value, str):
        return True  # formats apply to strings only
    m = _DATA_URL.match(value)
    if not m:
        return False
    try:
        return _is_image(base64.b64decode(m.group(1), validate=True))
    except (binascii.Error, ValueError):
        return False


def is_image_base64(value: object) -> bool:
    """``True`` for bare base64 whose bytes are an image file."""
    if not isinstance(value, str):
        return True
    if not _B64.match(value):
        return False
    try:
        return _is_image(base64.b64decode(value, validate=True))
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
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) < 26 or data[12:16] != b"IHDR":
        return False
    return data[25] in (4, 6) or b"tRNS" in data[:4096]


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
    """A ``FormatChecker`` with jsonschema's Draft 2020-12 formats plus this module's.

    ``spec`` (a contract) is accepted for formats that depend on it; none does today."""
    checker = FormatChecker(formats=list(Draft202012Validator.FORMAT_CHECKER.checkers))
    checker.checks("image-data-url")(is_image_data_url)
    checker.checks("image-base64")(is_image_base64)
    checker.checks("image-png-alpha")(is_png_with_alpha)
    return checker
