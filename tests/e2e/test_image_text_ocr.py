"""The images say what they are, legibly: Tesseract OCR (Debian ``tesseract-ocr``) reads back each
line of the label from images the gateways return, in every format, on every gateway.

The mock runs in-process; each answer's image is read with ``tesseract <file> -``; every line of
the label (``ImageSpec.label_lines()``: gateway and model, size and format, "image i of n" and
the seed, the prompt's start) must be found in what the OCR read, compared as lower-case letters
and digits only (OCR reads "·" as ":" or "-", and may read "on a" as "ona"). An image is shown
to the OCR as a viewer shows it: over a white page (a transparent background is white there).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from e2e_support import TOOL_VERSIONS
from mock_apps import build_app
from PIL import Image

from contracts.registry import gateway_spec
from mock_server import ManualClock, Settings
from mock_server.engine import Mock
from mock_server.testing import SyncASGITransport

pytestmark = pytest.mark.slow

KEY = "sk-ocr"
#: (gateway, path, body, which answered image): one request per gateway, PNG, JPEG and WebP, opaque and transparent
CASES = [
    (
        "tokenhub",
        "/v1/images/generations",
        {"model": "tokenhub/gpt-image-2", "prompt": "Two owls on a branch at night", "size": "1024x1024", "n": 2},
        1,
    ),
    (
        "powertokens",
        "/v1/images/generations",
        {"model": "seedream-4-0-250828", "prompt": "A red fox in the snow", "size": "2048x2048", "response_format": "url", "seed": 12},
        0,
    ),
    (
        "piebox",
        "/v2/extend/image/gpt_image/generations",
        {"prompt": "Flat vector logo of a coffee cup", "size": "1024x1536", "background": "transparent", "output_format": "webp"},
        0,
    ),
    (
        "gravitex",
        "/v1/images/generations",
        {
            "model": "doubao-seedream-4-0-250828",
            "prompt": "A cute orange kitten sitting in a garden, sunny day",
            "size": "2048x2048",
            "seed": 12345,
        },
        0,
    ),
    (
        "imageseries",
        "/v1/images/generations",
        {
            "model": "gemini-2.5-flash-image",
            "prompt": "A lighthouse on a cliff at dusk",
            "size": "16:9",
            "image_size": "1K",
            "response_format": "b64_json",
            "mime_type": "image/jpeg",
        },
        0,
    ),
]


def _letters(text: str) -> str:
    """Lower-case letters and digits only: OCR reads "·" as ":" or "-" and may merge two words."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _answered_image(client: httpx.Client, mock: Mock, clock: ManualClock, gateway: str, path: str, body: dict, which: int) -> str:
    """The ``which``-th image of the answer: its file token (the journal's ``images[].file``)."""
    headers = gateway_spec(gateway).auth.headers(KEY)
    r = client.post(f"/{gateway}{path}", headers=headers, json=body)
    assert r.status_code == 200, r.text
    if gateway == "piebox":
        clock.advance(60)
        poll = client.get(f"/piebox/v2/extend/image/gpt_image/tasks/{r.json()['task_id']}", headers=headers)
        url = poll.json()["result"]["images"][which]["url"]
        return urlsplit(url).path.rsplit("/", 1)[1]
    return mock.journal.entries()[-1].images[which]["file"]


@pytest.mark.parametrize("gateway,path,body,which", CASES, ids=[c[0] for c in CASES])
def test_ocr_reads_every_line_of_the_label(gateway: str, path: str, body: dict, which: int, tmp_path: Path) -> None:
    tesseract = shutil.which("tesseract")
    assert tesseract, "Debian tesseract-ocr is missing (.ci/run installs it: apt-get install -y tesseract-ocr)"
    TOOL_VERSIONS.setdefault("tesseract", subprocess.run([tesseract, "--version"], capture_output=True, text=True).stdout.split("\n")[0])
    clock = ManualClock()
    app = build_app(Settings(raise_server_exceptions=True, task_pending_seconds=1, task_processing_seconds=1), clock=clock)
    mock = app.state.mock
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1", timeout=60) as client:
        file = _answered_image(client, mock, clock, gateway, path, body, which)
    spec = mock.images.resolve(file, clock.now())
    with Image.open(io.BytesIO(mock.images.get(spec).data)) as answered:
        assert answered.format == {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[spec.fmt]
        page = Image.new("RGBA", answered.size, "white")
        page.alpha_composite(answered.convert("RGBA"))
    image = tmp_path / "as-shown.png"
    page.convert("RGB").save(image)
    read = subprocess.run([tesseract, str(image), "-"], capture_output=True, text=True, timeout=120)
    assert read.returncode == 0, read.stderr
    seen = _letters(read.stdout)
    assert spec.gateway == gateway and spec.prompt
    missing = [line for line in spec.label_lines() if _letters(line) not in seen]
    assert not missing, f"OCR did not read {missing}; it read:\n{read.stdout}"
