#!/usr/bin/env python3
"""Write the README's sample images (``docs/images/``) by asking the mock, in-process, as an app would.

Usage (from the repository root)::

    .venv/bin/python tools/sample_images.py

1. ``docs/images/sample-tokenhub.png``: TokenHub ``tokenhub/gpt-image-2``, 1536x1024, ``n: 2``,
   the second image (its ``b64_json``);
2. ``docs/images/sample-piebox-transparent.png``: a PieBox GPT-Image task with
   ``background: transparent``, 1024x1024, downloaded from its URL result once succeeded.
"""

from __future__ import annotations

import base64
from pathlib import Path

import httpx

from contracts.registry import gateway_spec
from mock_server import ManualClock, Settings, create_app
from mock_server.testing import SyncASGITransport

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"


def main() -> None:
    clock = ManualClock()
    app = create_app(Settings(task_pending_seconds=1, task_processing_seconds=1), clock=clock)
    OUT.mkdir(parents=True, exist_ok=True)
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000", timeout=60) as client:
        r = client.post(
            "/tokenhub/v1/images/generations",
            headers=gateway_spec("tokenhub").auth.headers("sk-demo"),
            json={"model": "tokenhub/gpt-image-2", "prompt": "A lighthouse on a cliff at dusk, oil painting", "size": "1536x1024", "n": 2},
        )
        r.raise_for_status()
        (OUT / "sample-tokenhub.png").write_bytes(base64.b64decode(r.json()["data"][1]["b64_json"]))

        piebox = gateway_spec("piebox").auth.headers("sk-demo")
        r = client.post(
            "/piebox/v2/extend/image/gpt_image/generations",
            headers=piebox,
            json={"prompt": "Flat vector logo of a coffee cup", "size": "1024x1024", "background": "transparent"},
        )
        r.raise_for_status()
        clock.advance(5)
        task = client.get(f"/piebox/v2/extend/image/gpt_image/tasks/{r.json()['task_id']}", headers=piebox).json()
        image = client.get(task["result"]["images"][0]["url"])
        image.raise_for_status()
        (OUT / "sample-piebox-transparent.png").write_bytes(image.content)
    for path in sorted(OUT.glob("sample-*.png")):
        print(f"{path.relative_to(OUT.parents[1])}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
