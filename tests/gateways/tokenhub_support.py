"""TokenHub test helpers (document 001_2deeaf4f61535733.txt): its routes and headers, request senders for
the flat, DashScope, edits and chat bodies, and readers of both error shapes; shared by the
``test_tokenhub*.py`` modules."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "fixtures" / "images"
CONTRACT = ROOT / "contracts" / "tokenhub.openapi.yaml"

GEN = "/tokenhub/v1/images/generations"
EDITS = "/tokenhub/v1/images/edits"
CHAT = "/tokenhub/v1/chat/completions"
AUTH = {"Authorization": "Bearer th-test-key"}
REGION = {**AUTH, "X-TokenHub-Region": "global"}
DATA_URL_IMAGE = re.compile(r"^!\[image\]\(data:image/png;base64,([^)]+)\)$")  # 001: "match data:image/png;base64,([^)]+)"


# -- helpers ---------------------------------------------------------------------------------------


def png_bytes(w: int = 16, h: int = 16, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (w, h)).save(buf, "PNG")
    return buf.getvalue()


def decode(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.format or "", img.size


def fetch(client: httpx.Client, url: str) -> httpx.Response:
    """GET a URL result in-process (the mock's own host, path only)."""
    parts = urlsplit(url)
    assert parts.hostname == "127.0.0.1"
    return client.get(parts.path)


def flat(client: httpx.Client, headers: dict[str, str] | None = None, **body: object) -> httpx.Response:
    return client.post(GEN, headers=headers or AUTH, json={"model": "tokenhub/gpt-image-2", "prompt": "a cat", **body})


def ds_body(model: str = "wan2.7-image-pro", content: list[dict] | None = None, **parameters: object) -> dict:
    body: dict = {"model": model, "input": {"messages": [{"role": "user", "content": content or [{"text": "a flower shop"}]}]}}
    if parameters:
        body["parameters"] = parameters
    return body


def ds(client: httpx.Client, body: dict, headers: dict[str, str] | None = None) -> httpx.Response:
    return client.post(GEN, headers=headers or AUTH, json=body)


def edit(
    client: httpx.Client, data: dict[str, str] | None = None, files: dict | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    if files is None:
        files = {"image": ("image.png", (IMAGES / "sample.png").read_bytes(), "image/png")}
    return client.post(EDITS, headers=headers or AUTH, data=data or {}, files=files)


def chat(
    client: httpx.Client, content: object = "画一只橘猫,摄影风格", headers: dict[str, str] | None = None, **body: object
) -> httpx.Response:
    payload = {"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user", "content": content}], **body}
    return client.post(CHAT, headers=REGION if headers is None else headers, json=payload)


def openai_error(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def dashscope_error(r: httpx.Response, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"code", "message", "request_id"}
    assert body["request_id"] == r.headers["X-Request-Id"]
    return body
