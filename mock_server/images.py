"""Deterministic, real images: rendering (Pillow), a byte-bounded LRU cache, signed expiring URLs.

Every result the mock returns is a decodable PNG, JPEG or WebP at exactly the pixel size
asked for, and the same prompt, seed, size, format and index always give the same bytes
(DESIGN.md, "Images are real"). An image is rendered and encoded once, then served from the
cache; its base64 text is computed once too.

URL results (``response_format: url``) point at ``{base}/files/{token}.{ext}`` on the mock
itself; the token is signed and carries its expiry, so any replica can serve it and an
expired or forged link answers a clear error instead of an image.
"""

from __future__ import annotations

import base64
import hashlib
import io
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from PIL import Image

from . import signing
from .errors import GatewayError

ImageFormat = Literal["png", "jpeg", "webp"]

MIME: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
EXT: dict[str, str] = {"png": "png", "jpeg": "jpg", "webp": "webp"}
_ALIASES = {
    "png": "png", "image/png": "png",
    "jpeg": "jpeg", "jpg": "jpeg", "image/jpeg": "jpeg", "image/jpg": "jpeg",
    "webp": "webp", "image/webp": "webp",
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


class ImageSpec(NamedTuple):
    """What to render: ``width`` x ``height`` pixels, ``fmt``, a content ``digest`` (hex) and alpha.

    Immutable and hashable (the cache's key); a named tuple because one is built for every
    image of every request, at a fraction of a frozen dataclass's cost.
    """

    width: int
    height: int
    fmt: ImageFormat = "png"
    digest: str = "0" * 16
    transparent: bool = False

    @property
    def mime(self) -> str:
        return MIME[self.fmt]

    @property
    def size_text(self) -> str:
        """``"WxH"``, e.g. ``"2048x2048"``."""
        return f"{self.width}x{self.height}"


def spec_for(
    prompt: str,
    width: int,
    height: int,
    fmt: ImageFormat = "png",
    *,
    seed: int | str | None = None,
    index: int = 0,
    model: str = "",
    transparent: bool = False,
) -> ImageSpec:
    """The :class:`ImageSpec` for one output image; same inputs give the same spec.

    Raises:
        ValueError: when the size is not positive or exceeds :data:`MAX_PIXELS`.
    """
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise ValueError(f"cannot render {width}x{height}")
    key = f"{model}\x00{prompt}\x00{seed}\x00{index}"
    digest = _DIGESTS.get(key)
    if digest is None:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        if len(_DIGESTS) >= DIGEST_MEMO:
            _DIGESTS.clear()
        _DIGESTS[key] = digest
    return ImageSpec(width, height, fmt, digest, transparent and fmt != "jpeg")


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


def render(spec: ImageSpec) -> bytes:
    """Encode a deterministic picture for ``spec``: an 8x8 grid of colours from its digest,
    scaled (nearest neighbour) to ``spec.width`` x ``spec.height``; returns the file bytes."""
    rng = random.Random(int(spec.digest, 16))
    mode = "RGBA" if spec.transparent else "RGB"
    tile = Image.new(mode, (8, 8))
    pixels = []
    for i in range(64):
        rgb = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        pixels.append(rgb + ((0 if i % 3 == 0 else 255),) if spec.transparent else rgb)
    tile.putdata(pixels)
    img = tile.resize((spec.width, spec.height), Image.Resampling.NEAREST)
    out = io.BytesIO()
    if spec.fmt == "png":
        img.save(out, format="PNG", compress_level=1)
    elif spec.fmt == "jpeg":
        img.save(out, format="JPEG", quality=80)
    else:
        img.save(out, format="WEBP", quality=80, method=0)
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
            payload = {"w": spec.width, "h": spec.height, "f": spec.fmt, "d": spec.digest, "e": key[1]}
            if spec.transparent:
                payload["t"] = 1
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
            spec = ImageSpec(int(payload["w"]), int(payload["h"]), payload["f"], str(payload["d"]), bool(payload.get("t")))
            expires = float(payload["e"])
            if spec.fmt not in MIME:
                raise ValueError
        except (AssertionError, KeyError, TypeError, ValueError):
            raise GatewayError(404, "file_not_found", "No such file: the link is unknown or was not issued by this server") from None
        if now > expires:
            # Inferred: the documents only say URLs are temporary (~24 h); a signed-URL store answers 4xx once expired.
            raise GatewayError(410, "url_expired", "This image URL has expired (URLs are valid for a limited time); generate the image again")
        return spec

    def stats(self) -> dict[str, int]:
        """Cache figures: entries, bytes, renders."""
        with self._lock:
            return {"entries": len(self._cache), "bytes": self._bytes, "renders": self.renders}
