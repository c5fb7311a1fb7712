"""The client's data types: what a call asks for and what it gives back.

Requests (plain frozen dataclasses, built by the shells from keyword arguments):
:class:`ImageRequest` (generation), :class:`EditRequest` (TokenHub multipart edits),
:class:`ChatRequest` (TokenHub Gemini chat). Results: :class:`ImageResponse` holding
:class:`GeneratedImage` items, :class:`TaskHandle` / :class:`TaskStatus` for PieBox tasks.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Union

from PIL import Image, UnidentifiedImageError

from contracts.registry import GatewayId

__all__ = [
    "GatewayId",
    "ResponseFormat",
    "TaskState",
    "ImageInput",
    "ImageRequest",
    "EditRequest",
    "ChatRequest",
    "ItemError",
    "GeneratedImage",
    "ImageResponse",
    "TaskHandle",
    "TaskStatus",
    "inspect_image",
    "PieBoxModel",
    "TokenHubModel",
    "GravitexModel",
    "ImageSeriesModel",
    "PowerTokensModel",
]

#: ``response_format`` values every document lists: ``url`` or ``b64_json``.
ResponseFormat = Literal["url", "b64_json"]
#: PieBox task states (000: "Status values: pending processing succeeded or failed").
TaskState = Literal["pending", "processing", "succeeded", "failed"]

#: Models each document names (for type hints and documentation; any string is sent as is).
PieBoxModel = Literal["seedream", "gemini-3.1-flash-image", "gemini-3-pro-image", "gpt-image-2"]
TokenHubModel = Literal[
    "tokenhub/gpt-image-2",
    "ark/doubao-seedream-4-0-250828",
    "wan2.6-t2i",
    "wan2.7-image-pro",
    "tokenhub/gemini-3.1-flash-image-preview",
    "tokenhub/gemini-3-pro-image-preview",
]
GravitexModel = Literal[
    "gemini-2.5-flash-image",
    "gemini-3-pro-image-preview",
    "doubao-seedream-3-0-t2i-250415",
    "doubao-seedream-4-0-250828",
    "doubao-seedream-4-5-251128",
    "doubao-seededit-3-0-i2i-250628",
    "gpt-image-2",
    "qwen-image-plus",
    "qwen-image-edit-plus",
]
ImageSeriesModel = Literal[
    "gemini-2.5-flash-image",
    "gemini-3-pro-image-preview",
    "doubao-seedream-3-0-t2i-250415",
    "doubao-seedream-4-0-250828",
    "doubao-seedream-4-5-251128",
    "doubao-seededit-3-0-i2i-250628",
    "gpt-image-1",
    "gpt-image-1-mini",
    "qwen-image-plus",
    "qwen-image-edit-plus",
]
PowerTokensModel = Literal["seedream-5-0-260128", "seedream-4-5-251128", "seedream-4-0-250828"]

#: An input image: raw bytes (sent as a ``data:`` URL or a file), an ``http(s)`` URL, a
#: ``data:image/...;base64,`` URL, or a filesystem path (``os.PathLike``).
ImageInput = Union[bytes, str, "os.PathLike[str]"]


@dataclass(frozen=True)
class ImageRequest:
    """One generation request, gateway-neutral; :func:`clients.core.build_request` maps it to the wire.

    Attributes:
        prompt: the text prompt.
        model: the model id as the gateway spells it (PieBox: ``"seedream"``, a Gemini model,
            or ``"gpt-image-2"`` — it picks the endpoint).
        size: ``"WxH"`` pixels, a tier (``"2K"``) or — Gemini on Gravitex/Image Series — an aspect ratio.
        n: number of images; sent as ``n``, ``parameters.n`` or Seedream sequential ``max_images``.
        response_format: ``"url"`` or ``"b64_json"`` where the gateway takes it.
        images: reference images (:data:`ImageInput`).
        extra: gateway-specific body fields, merged as given (DashScope shape: into ``parameters``).
    """

    prompt: str
    model: str
    size: str | None = None
    n: int | None = None
    response_format: ResponseFormat | None = None
    images: tuple[ImageInput, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EditRequest:
    """A TokenHub ``POST /v1/images/edits`` request (multipart; 001 "Image edits").

    Attributes:
        image: the source image (bytes, a path, or ``(filename, bytes, mime)``); required.
        prompt, model, n, size, response_format: as in the document; ``mask`` an optional PNG.
        extra: further form fields.
    """

    image: Any
    model: str
    prompt: str | None = None
    mask: Any = None
    n: int | None = None
    size: str | None = None
    response_format: ResponseFormat | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChatRequest:
    """A TokenHub ``POST /v1/chat/completions`` request for the Gemini image models (001).

    Attributes:
        model: ``tokenhub/gemini-3.1-flash-image-preview`` or ``tokenhub/gemini-3-pro-image-preview``.
        messages: the chat messages (``[{"role": "user", "content": "..."}]``).
        region: value of the required ``X-TokenHub-Region`` header (documented: ``global``).
        extra: further body fields (``modalities``, ``max_tokens`` …).
    """

    model: str
    messages: tuple[Mapping[str, Any], ...]
    region: str = "global"
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemError:
    """Why one result item carries no image: ``code`` and ``message`` (PowerTokens ``data[].error``,
    a failed download, or bytes that do not decode)."""

    code: str | None
    message: str | None


def inspect_image(data: bytes) -> tuple[str, int, int]:
    """``(mime_type, width, height)`` of encoded image bytes, read with Pillow.

    Raises:
        ValueError: when the bytes are not an image Pillow can open.
    """
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            width, height = img.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not a decodable image: {exc}") from None
    mime = Image.MIME.get(fmt.upper(), f"image/{fmt.lower()}" if fmt else "application/octet-stream")
    return mime, width, height


@dataclass(frozen=True)
class GeneratedImage:
    """One result item.

    Attributes:
        data: the encoded image bytes (empty for an item that failed, or a URL item not
            downloaded because the call passed ``download=False``).
        mime_type: ``"image/png"``, ``"image/jpeg"``, ``"image/webp"`` (read from the bytes), or ``None``.
        width / height: pixels, read from the bytes with Pillow, or ``None``.
        url: the source URL when the gateway answered with one.
        error: an :class:`ItemError` when this item carries no image.
        revised_prompt: the gateway's rewritten prompt, when it sends one.
    """

    data: bytes = field(default=b"", repr=False)
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    url: str | None = None
    error: ItemError | None = None
    revised_prompt: str | None = None

    @classmethod
    def from_bytes(cls, data: bytes, *, url: str | None = None, revised_prompt: str | None = None) -> GeneratedImage:
        """An item from encoded bytes; an undecodable payload becomes an item with
        ``error.code == "undecodable_image"`` (the bytes are kept)."""
        try:
            mime, w, h = inspect_image(data)
        except ValueError as exc:
            return cls(data=data, url=url, error=ItemError("undecodable_image", str(exc)), revised_prompt=revised_prompt)
        return cls(data=data, mime_type=mime, width=w, height=h, url=url, revised_prompt=revised_prompt)

    @property
    def ok(self) -> bool:
        """True when the item holds a decoded image."""
        return self.error is None and bool(self.data) and self.width is not None

    @property
    def size(self) -> tuple[int, int] | None:
        """``(width, height)`` or ``None``."""
        return (self.width, self.height) if self.width is not None and self.height is not None else None

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the bytes to ``path`` and return it as a string.

        Raises:
            ValueError: when the item holds no bytes (it failed, or was not downloaded).
        """
        if not self.data:
            raise ValueError(f"no image bytes to save ({self.error.code if self.error else 'not downloaded'})")
        p = os.fspath(path)
        with open(p, "wb") as fh:
            fh.write(self.data)
        return p

    def __repr__(self) -> str:
        src = f", url={self.url[:60]!r}" if self.url else ""
        err = f", error={self.error!r}" if self.error else ""
        return f"GeneratedImage({len(self.data)} bytes, {self.mime_type}, {self.width}x{self.height}{src}{err})"


@dataclass(frozen=True)
class ImageResponse:
    """The result of a call.

    Attributes:
        images: one :class:`GeneratedImage` per item the gateway returned, in order, failed
            items included (their ``error`` set).
        raw: the decoded JSON body (for PieBox: the final task body).
        request_id: the gateway's request id (``X-Request-Id`` or body ``request_id``), if any.
        gateway: the gateway id; ``model``: the model the gateway reported (or was asked for).
        text: the assistant text of a TokenHub chat answer (images removed), if any.
        task_id: the PieBox task id, for task results.
    """

    images: list[GeneratedImage]
    raw: Any = field(repr=False, default=None)
    request_id: str | None = None
    gateway: str | None = None
    model: str | None = None
    text: str | None = None
    task_id: str | None = None

    @property
    def ok_images(self) -> list[GeneratedImage]:
        """The items that hold an image."""
        return [im for im in self.images if im.error is None]

    @property
    def errors(self) -> list[ItemError]:
        """The per-item errors, in order."""
        return [im.error for im in self.images if im.error is not None]

    def with_images(self, images: Sequence[GeneratedImage]) -> ImageResponse:
        """A copy with ``images`` replaced."""
        return replace(self, images=list(images))

    def __repr__(self) -> str:
        return f"ImageResponse(gateway={self.gateway!r}, model={self.model!r}, images={self.images!r}, request_id={self.request_id!r})"


@dataclass(frozen=True)
class TaskHandle:
    """A created PieBox task (000 "Response": ``{"task_id", "model"}``).

    Attributes:
        gateway: ``"piebox"``; ``task_id``: ``"img_gen_…"``; ``model``: as the gateway reported;
        poll_path: the GET path relative to the gateway root (``/v2/extend/image/seedream/tasks/{id}``);
        request_id: the create call's request id.
    """

    gateway: str
    task_id: str
    model: str | None
    poll_path: str
    request_id: str | None = None


@dataclass(frozen=True)
class TaskStatus:
    """One poll answer: ``state``, the result URLs when ``succeeded``, the error when ``failed``.

    Attributes:
        task_id, state, model: as sent; ``urls``: ``result.images[].url``; ``error``: an
        :class:`ItemError` from the (inferred) ``error: {code, message}``; ``raw``: the body.
    """

    task_id: str
    state: TaskState
    model: str | None = None
    urls: tuple[str, ...] = ()
    error: ItemError | None = None
    raw: Any = field(default=None, repr=False)
    request_id: str | None = None

    @property
    def terminal(self) -> bool:
        """True for ``succeeded`` and ``failed``."""
        return self.state in ("succeeded", "failed")
