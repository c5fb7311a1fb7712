"""Deterministic, real images that say what they are: rendering (Pillow), a byte-bounded LRU
cache, signed expiring URLs.

Every result the mock returns is a decodable PNG, JPEG or WebP at exactly the pixel size
asked for, and the same request always gives the same bytes (DESIGN.md, "Images are real").
Like a placeholder service, each image shows, in legible text on a background whose colour
comes from the request's digest, the gateway, the model, the pixel size and format, the index
("image 2 of 4"), the seed and the start of the prompt, so a developer looking at an app that
runs on the mock can tell which request produced which picture. Where transparency was asked
the image is RGBA and everything outside the label card is fully transparent (alpha 0).

An image is rendered and encoded once, then served from the cache; its base64 text is computed
once too. Rendering is built for large sizes: the picture is drawn once as an 8-bit grey canvas
(antialiased text) whose values index a colour ramp, so a 4096x4096 PNG is a palette PNG
encoded in about a tenth of a second.

URL results (``response_format: url``) point at ``{base}/files/{token}.{ext}`` on the mock
itself; the token is signed and carries its expiry, so any replica can serve it and an
expired or forged link answers a clear error instead of an image.
"""

from __future__ import annotations

import base64
import colorsys
import functools
import hashlib
import io
import textwrap
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from PIL import Image, ImageDraw, ImageFont

from . import signing
from .errors import GatewayError

ImageFormat = Literal["png", "jpeg", "webp"]

MIME: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
EXT: dict[str, str] = {"png": "png", "jpeg": "jpg", "webp": "webp"}
_ALIASES = {
    "png": "png",
    "image/png": "png",
    "jpeg": "jpeg",
    "jpg": "jpeg",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "webp": "webp",
    "image/webp": "webp",
}

#: File tokens remembered per store (see :meth:`ImageStore.token_for`).
TOKEN_MEMO = 1024

#: Largest image the mock renders (pixels): above every documented limit (PowerTokens custom sizes: 16,777,216; Gemini 4K 21:9).
MAX_PIXELS = 36_000_000


def normalize_format(value: str | None, default: ImageFormat = "png") -> ImageFormat | None:
    """Map ``"png" | "jpeg" | "jpg" | "webp" | "image/png" | …`` to ``"png" | "jpeg" | "webp"``.

    Returns ``default`` for ``None`` and ``None`` for anything unknown (the caller raises).
    """
    if value is None:
        return default
    return _ALIASES.get(str(value).strip().lower())  # type: ignore[return-value]


#: Characters of the prompt an image carries (and a file URL's token signs): its start, not all of it.
PROMPT_HEAD_CHARS = 60


class ImageSpec(NamedTuple):
    """What to render: ``width`` x ``height`` pixels, ``fmt``, a content ``digest`` (hex: picks the
    colours), alpha, and the label drawn on the picture.

    Label fields: ``gateway`` and ``model`` (ids as the request named them), ``position`` (0-based)
    of ``total`` images in the answer, ``seed`` (as text, ``None`` when the request gave none)
    and ``prompt`` (its start, as :func:`prompt_head` gives it).

    Immutable and hashable (the cache's key); a named tuple because one is built for every
    image of every request, at a fraction of a frozen dataclass's cost.
    """

    width: int
    height: int
    fmt: ImageFormat = "png"
    digest: str = "0" * 16
    transparent: bool = False
    gateway: str = ""
    model: str = ""
    position: int = 0  # not `index`/`count`: a tuple's methods
    total: int = 1
    seed: str | None = None
    prompt: str = ""

    @property
    def mime(self) -> str:
        return MIME[self.fmt]

    @property
    def size_text(self) -> str:
        """``"WxH"``, e.g. ``"2048x2048"``."""
        return f"{self.width}x{self.height}"

    def label_lines(self) -> list[str]:
        """The text drawn on the image, one string per line (the prompt may wrap to two lines)."""
        lines = [
            " · ".join(x for x in (self.gateway, self.model) if x) or "imagegw",
            f"{self.width} x {self.height} {self.fmt.upper()}" + (" · transparent" if self.transparent else ""),
            f"image {self.position + 1} of {self.total}" + (f" · seed {self.seed}" if self.seed is not None else ""),
        ]
        if self.prompt:
            lines.extend(_wrap_prompt(self.prompt))
        return lines


def spec_for(
    prompt: str,
    width: int,
    height: int,
    fmt: ImageFormat = "png",
    *,
    seed: int | str | None = None,
    index: int = 0,
    count: int = 1,
    model: str = "",
    gateway: str = "",
    inputs: str = "",
    transparent: bool = False,
) -> ImageSpec:
    """The :class:`ImageSpec` of output image ``index`` (0-based) of ``count``; same inputs give the same spec.

    ``prompt`` is the text the user wrote (its start is drawn on the image); ``inputs`` is any
    other material that makes the answer differ (digests of input images and masks); both, with
    ``model``, ``seed`` and ``index``, pick the colours. ``gateway`` may be left empty and filled
    in by the serving gateway (``Ctx.image``).

    Raises:
        ValueError: when the size is not positive or exceeds :data:`MAX_PIXELS`.
    """
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise ValueError(f"cannot render {width}x{height}")
    key = f"{model}\x00{prompt}\x00{seed}\x00{index}" + (f"\x00{inputs}" if inputs else "")
    digest = _DIGESTS.get(key)
    if digest is None:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        if len(_DIGESTS) >= DIGEST_MEMO:
            _DIGESTS.clear()
        _DIGESTS[key] = digest
    return ImageSpec(
        width,
        height,
        fmt,
        digest,
        transparent and fmt != "jpeg",
        gateway=gateway,
        model=model,
        position=index,
        total=count,
        seed=None if seed is None else str(seed),
        prompt=prompt_head(prompt),
    )


def prompt_head(prompt: str) -> str:
    """The start of ``prompt`` as an image shows it: as the built-in font can draw it (see
    :func:`_printable`), at most :data:`PROMPT_HEAD_CHARS` characters, ``…`` ending a cut one."""
    return _prompt_head(prompt[: PROMPT_HEAD_CHARS * 4])


@functools.lru_cache(maxsize=1024)  # a stream of equal requests cleans its prompt once
def _prompt_head(start: str) -> str:
    text = _printable(start)
    return text if len(text) <= PROMPT_HEAD_CHARS else text[: PROMPT_HEAD_CHARS - 1] + "…"


#: Image digests remembered by :func:`spec_for` (by the text they hash): a stream of equal
#: requests hashes once.
DIGEST_MEMO = 1024
_DIGESTS: dict[str, str] = {}


@dataclass
class RenderedImage:
    """Encoded bytes of one :class:`ImageSpec`, with its base64 text computed at most once."""

    spec: ImageSpec
    data: bytes
    _b64: str | None = field(default=None, repr=False)

    @property
    def b64(self) -> str:
        """The image bytes as base64 text (computed once, then kept)."""
        if self._b64 is None:
            self._b64 = base64.b64encode(self.data).decode("ascii")
        return self._b64

    @property
    def nbytes(self) -> int:
        """Bytes this entry may hold in the cache: raw data plus its base64 text (exact length, computed or not)."""
        return len(self.data) + 4 * ((len(self.data) + 2) // 3)


# -- rendering --------------------------------------------------------------------------------

# Levels of the grey canvas, which the palette turns into colours. Antialiased text blends the
# card level into the text level, so the levels in between form a ramp; background and grid sit
# outside it, which lets the background alone be transparent.
_BACKGROUND = 0  # a tint of the deep colour (alpha 0 when transparency was asked)
_GRID = 1  # a lighter tint: an 8x8 grid over the background (shows the aspect ratio at a glance)
_CARD = 2  # the label card: the deep colour itself
_TEXT = 255  # the text: white
_LINE_HEIGHT = 1.3  # line pitch, in font sizes
_MIN_FONT_PX = 6  # below this no text is drawn (images of a few pixels)
_WRAP_CHARS = 32  # prompt characters per line, two lines at most


def _printable(text: str) -> str:
    """``text`` as the built-in font can draw it: accents dropped (NFKD), control characters as
    spaces, any other character the font has no glyph for as ``?``, runs of spaces collapsed."""
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            continue
        out.append(" " if unicodedata.category(ch)[0] in "CZ" else ch if _drawable(ch) else "?")
    return " ".join("".join(out).split())


@functools.lru_cache(maxsize=4096)
def _drawable(ch: str) -> bool:
    """Whether the built-in font has a glyph for ``ch`` (its mask differs from the "missing" box)."""
    return _glyph(ch) != _glyph("\ue000")  # U+E000: private use, never in the font


@functools.lru_cache(maxsize=4096)
def _glyph(ch: str) -> tuple[tuple[int, int], bytes]:
    mask = _font(20).getmask(ch)
    return mask.size, bytes(mask)


def _wrap_prompt(text: str) -> list[str]:
    """The prompt in quotes, on at most two lines of :data:`_WRAP_CHARS` characters (``…`` when cut)."""
    lines = textwrap.wrap(text, width=_WRAP_CHARS, max_lines=2, placeholder=" …") or [text[:_WRAP_CHARS]]
    lines[0] = "“" + lines[0]
    if not lines[-1].endswith("…"):
        lines[-1] += "”"
    return lines


@functools.lru_cache(maxsize=64)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled scalable font (Aileron, Pillow >= 10.1) at ``size`` pixels."""
    return ImageFont.load_default(size=size)


def _palette(digest: str, transparent: bool) -> tuple[bytes, str]:
    """The 256 colours of the canvas levels, and their raw mode (``"RGB"``, or ``"RGBA"`` with
    ``transparent``, where the background level alone has alpha 0). The deep colour's hue,
    saturation and value come from ``digest``; card to text is a ramp from it to white."""
    bits = int(digest[:8], 16)
    hue = (bits & 0xFFFF) / 0x10000
    deep = colorsys.hsv_to_rgb(hue, 0.55 + ((bits >> 16) & 0xFF) / 0xFF * 0.3, 0.30 + ((bits >> 24) & 0x3F) / 0x3F * 0.12)

    def towards_white(t: float) -> bytes:
        return bytes(round(255 * (c + (1 - c) * t)) for c in deep)

    colours = [towards_white(0.41), towards_white(0.52)]  # background, grid
    colours += [towards_white((level - _CARD) / (_TEXT - _CARD)) for level in range(_CARD, 256)]
    if not transparent:
        return b"".join(colours), "RGB"
    return b"".join(c + (b"\x00" if level == _BACKGROUND else b"\xff") for level, c in enumerate(colours)), "RGBA"


def _canvas(spec: ImageSpec) -> Image.Image:
    """The picture as grey levels (mode ``L``): background, grid, label card and antialiased text."""
    w, h = spec.width, spec.height
    img = Image.new("L", (w, h), _BACKGROUND)
    draw = ImageDraw.Draw(img)
    if not spec.transparent:
        step = max(w, h) / 8
        width = max(1, round(min(w, h) / 400))
        for k in range(1, 8):
            x, y = round(k * step), round(k * step)
            if x < w:
                draw.line([(x, 0), (x, h)], fill=_GRID, width=width)
            if y < h:
                draw.line([(0, y), (w, y)], fill=_GRID, width=width)
    lines = spec.label_lines()
    probe = _font(100)
    widest = max(probe.getlength(line) for line in lines) / 100  # text width per pixel of font size
    size = int(min(0.84 * w / widest, 0.78 * h / (len(lines) * _LINE_HEIGHT)))
    if size < _MIN_FONT_PX:
        return img
    font = _font(size)
    pitch = round(size * _LINE_HEIGHT)
    text_w = max(font.getlength(line) for line in lines)
    pad = max(2, size // 2)
    box_w, box_h = round(text_w) + 2 * pad, pitch * len(lines) + 2 * pad - (pitch - size)
    left, top = (w - box_w) // 2, (h - box_h) // 2
    draw.rectangle([left, top, left + box_w - 1, top + box_h - 1], fill=_CARD)
    for k, line in enumerate(lines):
        draw.text((left + pad, top + pad + k * pitch), line, font=font, fill=_TEXT)
    return img


def render(spec: ImageSpec) -> bytes:
    """Encode the picture of ``spec`` (see the module docstring); returns the file bytes.

    PNG: a palette PNG (8-bit, ``compress_level=1``), or RGBA when ``spec.transparent``;
    JPEG: RGB, quality 80; WebP: RGB or RGBA, quality 80, ``method=0`` (fastest).
    """
    img = _canvas(spec)
    palette, rawmode = _palette(spec.digest, spec.transparent)
    img.putpalette(palette, rawmode=rawmode)  # the "L" canvas becomes a "P" image
    out = io.BytesIO()
    if spec.fmt == "png":
        if spec.transparent:
            img.convert("RGBA").save(out, format="PNG", compress_level=1)
        else:
            img.save(out, format="PNG", compress_level=1)
    elif spec.fmt == "jpeg":
        img.convert("RGB").save(out, format="JPEG", quality=80)
    else:
        img.convert("RGBA" if spec.transparent else "RGB").save(out, format="WEBP", quality=80, method=0)
    return out.getvalue()


def return_large_buffers_to_os() -> bool:
    """Have the C allocator hand buffers of 1 MiB and more back to the OS when freed (glibc's
    ``mallopt``; elsewhere nothing is done). For long-running servers.

    Rendering allocates a full-size pixel buffer (64 MB at 4096x4096). After the first large
    buffer is freed, glibc raises its mmap threshold to that size, so later pixel buffers land in
    the heap, and the cached images allocated after them pin the heap's top: with a full cache
    evicting 4096x4096 images a process holds about twice the cache's bound. A fixed threshold
    of 1 MiB keeps every pixel buffer out of the heap, while answers (an 80 KB ``b64_json``
    body, grown in steps by its encoder) stay in it; the heap's top is trimmed past 2 MiB, as
    glibc's own rule would for that threshold, so answers do not grow and shrink it every time.

    Returns:
        whether the settings were applied.
    """
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # malloc.h
    return bool(mallopt(M_MMAP_THRESHOLD, 1024 * 1024)) and bool(mallopt(M_TRIM_THRESHOLD, 2 * 1024 * 1024))


def spec_label(spec: ImageSpec) -> dict[str, object]:
    """The alpha flag and label of ``spec`` as compact token fields (defaults left out), so a
    signed file URL or task id carries everything needed to re-render the same bytes."""
    out: dict[str, object] = {}
    for key, name, default in _LABEL_FIELDS:
        value = getattr(spec, name)
        if value != default:
            out[key] = int(value) if isinstance(value, bool) else value
    return out


def label_from(payload: dict[str, object]) -> dict[str, Any]:
    """Inverse of :func:`spec_label`: ``ImageSpec`` keyword arguments from token fields.

    Raises:
        TypeError, ValueError: on a field of the wrong type (the caller answers "not found").
    """
    out: dict[str, Any] = {}
    for key, name, default in _LABEL_FIELDS:
        if key in payload:
            value = payload[key]
            kind = type(default) if default is not None else str
            if kind is bool:
                value = bool(value)
            elif not isinstance(value, kind) or isinstance(value, bool):
                raise TypeError(f"{name}: {type(value).__name__}")
            out[name] = value
    return out


#: token key, ImageSpec field, default
_LABEL_FIELDS: tuple[tuple[str, str, object], ...] = (
    ("t", "transparent", False),
    ("g", "gateway", ""),
    ("m", "model", ""),
    ("i", "position", 0),
    ("n", "total", 1),
    ("s", "seed", None),
    ("p", "prompt", ""),
)


class ImageStore:
    """Renders images once and keeps them in an LRU cache bounded by ``max_bytes``.

    Args:
        secret: HMAC key for file URLs.
        max_bytes: cache bound in bytes (raw + base64 text); the least recently used go first.
    """

    def __init__(self, secret: bytes, max_bytes: int) -> None:
        self._secret = secret
        self._max = max_bytes
        self._cache: OrderedDict[ImageSpec, RenderedImage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.renders = 0  # how many times an image was actually encoded (benchmarks, tests)
        self._tokens: dict[tuple[ImageSpec, int], str] = {}

    def get(self, spec: ImageSpec) -> RenderedImage:
        """The rendered image for ``spec`` (from the cache when present)."""
        with self._lock:
            hit = self._cache.get(spec)
            if hit is not None:
                self._cache.move_to_end(spec)
                return hit
        image = RenderedImage(spec, render(spec))
        with self._lock:
            self.renders += 1
            existing = self._cache.get(spec)
            if existing is not None:
                return existing
            self._cache[spec] = image
            self._bytes += image.nbytes
            while self._bytes > self._max and len(self._cache) > 1:
                _, old = self._cache.popitem(last=False)
                self._bytes -= old.nbytes
        return image

    def token_for(self, spec: ImageSpec, expires_at: float) -> str:
        """Signed file token for ``spec`` expiring at ``expires_at`` (Unix seconds, whole seconds count).

        The token depends on nothing else, so the last :data:`TOKEN_MEMO` are remembered: a
        stream of equal requests (a load test) signs once per second, not once per request.
        """
        key = (spec, int(expires_at))
        token = self._tokens.get(key)
        if token is None:
            payload: dict[str, object] = {"w": spec.width, "h": spec.height, "f": spec.fmt, "d": spec.digest, "e": key[1]}
            payload.update(spec_label(spec))
            token = signing.sign(payload, self._secret)
            if len(self._tokens) >= TOKEN_MEMO:
                self._tokens.clear()
            self._tokens[key] = token
        return token

    def url_for(self, spec: ImageSpec, base_url: str, expires_at: float) -> str:
        """Absolute URL ``{base_url}/files/{token}.{ext}`` serving ``spec`` until ``expires_at``."""
        return f"{base_url.rstrip('/')}/files/{self.token_for(spec, expires_at)}.{EXT[spec.fmt]}"

    def resolve(self, token: str, now: float) -> ImageSpec:
        """The spec behind a file token (``token`` may carry its ``.ext``).

        Raises:
            GatewayError: 404 ``file_not_found`` for an unknown or forged token, 410
                ``url_expired`` once ``now`` is past its expiry.
        """
        base = token.rsplit(".", 1)[0] if token.count(".") == 2 else token
        payload = signing.verify(base, self._secret)
        try:
            assert payload is not None
            spec = ImageSpec(int(payload["w"]), int(payload["h"]), payload["f"], str(payload["d"]), **label_from(payload))
            expires = float(payload["e"])
            if spec.fmt not in MIME:
                raise ValueError
        except (AssertionError, KeyError, TypeError, ValueError):
            raise GatewayError(404, "file_not_found", "No such file: the link is unknown or was not issued by this server") from None
        if now > expires:
            # Inferred: the documents only say URLs are temporary (~24 h); a signed-URL store answers 4xx once expired.
            raise GatewayError(
                410, "url_expired", "This image URL has expired (URLs are valid for a limited time); generate the image again"
            )
        return spec

    def stats(self) -> dict[str, int]:
        """Cache figures: entries, bytes, renders."""
        with self._lock:
            return {"entries": len(self._cache), "bytes": self._bytes, "renders": self.renders}
