"""Minimal valid requests for every model every gateway serves, for tests that vary one field.

:func:`request` builds ``(method, path, headers, body)`` for ``(gateway, model)`` with a given
prompt, size and image count; :func:`served` lists the models (from the gateways themselves, so
a model added to a gateway is covered without touching the tests). Paths are relative to the
gateway root (prefix ``/{gateway}`` for the mock's combined app).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image

from mock_server.catalog import Model
from mock_server.gateways import load
from mock_server.settings import GATEWAY_IDS

KEY = "sk-catalog-test"


def png_data_url(w: int = 16, h: int = 16) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (90, 160, 30)).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@dataclass(frozen=True)
class Req:
    """One request: ``method``, gateway-relative ``path``, ``headers`` and JSON ``body``; ``where``
    names the field that carries the size (``None``: the route takes no size)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    where: str | None


def served() -> Iterator[Model]:
    """Every (gateway, model) the mock serves, each model once per gateway."""
    for gid in GATEWAY_IDS:
        seen: set[int] = set()
        for m in load(gid).models.values():
            if id(m) not in seen:
                seen.add(id(m))
                yield m


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}"}


def request(m: Model, *, prompt: str = "a red apple", size: str | None = None, images: int = 0) -> Req:
    """A minimal valid request for model ``m`` on its gateway (``images`` input images where the
    model takes them; models that need one get one anyway)."""
    images = max(images, m.rules.inputs.min_count)
    refs = [png_data_url() for _ in range(images)]
    g, fam = m.gateway, m.family
    if g == "powertokens":
        body: dict[str, Any] = {"model": m.name, "prompt": prompt}
        if size is not None:
            body["size"] = size
        if refs:
            body["image"] = refs
        return Req("POST", "/v1/images/generations", _bearer(), body, "size")
    if g == "piebox":
        key = {"seedream": "seedream/generations", "gemini": "generations", "gpt_image": "gpt_image/generations"}[fam]
        body = {"prompt": prompt}
        if fam == "gemini":
            body["model"] = m.name
        if size is not None:
            body["size"] = size
        if refs and fam == "seedream":
            body["image"] = refs
        return Req("POST", f"/v2/extend/image/{key}", {"X-API-Key": KEY}, body, "size")
    if g == "tokenhub":
        if fam == "gemini":
            content: Any = (
                prompt
                if not refs
                else ([{"type": "text", "text": prompt}] + [{"type": "image_url", "image_url": {"url": r}} for r in refs])
            )
            return Req(
                "POST",
                "/v1/chat/completions",
                {**_bearer(), "X-TokenHub-Region": "global"},
                {"model": m.name, "messages": [{"role": "user", "content": content}]},
                None,
            )
        if fam == "qwen":
            items = [{"image": r} for r in refs] + [{"text": prompt}]
            body = {"model": m.name, "input": {"messages": [{"role": "user", "content": items}]}}
            if size is not None:
                body["parameters"] = {"size": size}
            return Req("POST", "/v1/images/generations", _bearer(), body, "parameters.size")
        body = {"model": m.name, "prompt": prompt, "response_format": "url"}
        if size is not None:
            body["size"] = size
        if refs:
            body["image"] = refs
        return Req("POST", "/v1/images/generations", _bearer(), body, "size")
    # gravitex, imageseries: the unified body
    body = {"model": m.name}
    where = "size"
    if fam == "qwen":
        items = [{"image": r} for r in refs] + [{"text": prompt}]
        body["input"] = {"messages": [{"role": "user", "content": items}]}
        if size is not None:
            body["parameters"] = {"size": size}
        where = "parameters.size"
    else:
        body["prompt"] = prompt
        if refs:
            if fam == "gpt_image":
                body["images"] = refs
            else:
                body["contents"] = [{"role": "user", "parts": [{"image": r} for r in refs]}]
        if size is not None:
            if fam == "gemini":
                body["image_size"] = size
                where = "image_size"
            else:
                body["size"] = size
    return Req("POST", "/v1/images/generations", _bearer(), body, where)
