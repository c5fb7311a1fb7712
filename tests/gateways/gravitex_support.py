"""Gravitex test helpers (document 002_ab704fc42b2dda63.txt): requests to the unified endpoint, request
builders per model family, and readers of its enveloped answers; shared by ``test_gravitex.py`` and
``test_gravitex_validation.py``."""

from __future__ import annotations

import base64
import io

import httpx
from PIL import Image

GEN = "/gravitex/v1/images/generations"


AUTH = {"Authorization": "Bearer sk-test"}


MB = 1024 * 1024


MAX_SEED = 2_147_483_647


def data_url(w: int = 8, h: int = 8, fmt: str = "PNG", pad: int = 0) -> str:
    """A real image as a data URL; ``pad`` zero bytes appended make it larger without making it undecodable."""
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (30, 120, 200)).save(buf, fmt)
    mime = {"PNG": "png", "JPEG": "jpeg", "GIF": "gif", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff"}[fmt]
    return f"data:image/{mime};base64," + base64.b64encode(buf.getvalue() + b"\0" * pad).decode()


PNG = data_url()


def post(client: httpx.Client, body: dict, headers: dict | None = None, path: str = GEN) -> httpx.Response:
    return client.post(path, headers={**AUTH, **(headers or {})}, json=body)


def items(r: httpx.Response) -> list[dict]:
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == 200 and body["msg"] == "Success"
    assert isinstance(body["data"]["created"], int)
    return body["data"]["data"]


def image_of(client: httpx.Client, item: dict) -> Image.Image:
    """Decode a b64_json item or fetch a url item; the image is loaded in memory."""
    assert set(item) == {"url", "b64_json", "revised_prompt"}
    if item["b64_json"]:
        assert item["url"] == ""
        raw = base64.b64decode(item["b64_json"])
    else:
        assert item["b64_json"] == "" and item["url"]
        got = client.get(item["url"])
        assert got.status_code == 200
        raw = got.content
    img = Image.open(io.BytesIO(raw))
    img.load()
    return img


def assert_error(r: httpx.Response, status: int, param: str | None = None) -> str:
    """The inferred envelope error ``{"code": status, "msg", "data": null}``; ``msg`` names ``param``."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"code", "msg", "data"}
    assert body["code"] == status and body["data"] is None and isinstance(body["msg"], str)
    if param is not None:
        assert param in body["msg"], body["msg"]
    return body["msg"]


def ratio(img: Image.Image) -> float:
    return img.size[0] / img.size[1]


def gemini(**kw: object) -> dict:
    return {"model": "gemini-2.5-flash-image", "prompt": "a lighthouse", **kw}


def seedream(model: str = "doubao-seedream-4-0-250828", **kw: object) -> dict:
    return {"model": model, "prompt": "a lighthouse", **kw}


def qwen(model: str = "qwen-image-plus", images: list[str] = (), text: str = "a poster", **kw: object) -> dict:
    content = [{"image": i} for i in images] + [{"text": text}]
    return {"model": model, "input": {"messages": [{"role": "user", "content": content}]}, **kw}
