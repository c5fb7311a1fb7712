"""The recordings folder format (``recordings``) on its own: what a writer stores, what a reader
gives back, how requests are matched, and that no key is written."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import httpx
import pytest
from PIL import Image

from contracts.wire import sniff_image
from recordings import REDACTED, Recordings, RecordingWriter, Redactor, match_key

KEY = "sk-recordings-SECRET-0a1b2c3d4e5f"


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, format="PNG")
    return buf.getvalue()


def _multipart(boundary: str) -> bytes:
    request = httpx.Request("POST", "http://x.test/v1/images/edits", files={"model": (None, "m"), "prompt": (None, "p")})
    body = request.read()
    old = request.headers["content-type"].split("boundary=")[1]
    return body.replace(old.encode(), boundary.encode())


def test_a_request_matches_whatever_its_json_layout_or_multipart_boundary() -> None:
    assert match_key(b'{"b": 1, "a": [1, 2]}') == match_key(b'{\n  "a": [1, 2],\n  "b": 1\n}')
    assert match_key(b'{"a": 1}') != match_key(b'{"a": 2}')
    assert match_key(_multipart("one-boundary")) == match_key(_multipart("another-boundary"))
    assert match_key(b"") == match_key(b"")


def test_written_exchanges_read_back_with_images_restored_and_keys_redacted(tmp_path: Path) -> None:
    png = _png()
    b64 = base64.b64encode(png).decode()
    writer = RecordingWriter(tmp_path, "powertokens", f"https://user:{KEY}@gateway.test", Redactor([KEY]))
    body = json.dumps({"data": [{"b64_json": b64}], "echo": f"your key {KEY}", "api_key": "x"}).encode()
    writer.record(
        method="post",
        path="/v1/images/generations",
        query=[("api_key", KEY), ("n", "1")],
        request_headers=[("Authorization", f"Bearer {KEY}"), ("Content-Type", "application/json")],
        request_body=b'{"prompt": "p"}',
        status=200,
        response_headers=[("Content-Type", "application/json")],
        response_body=body,
        latency_s=0.25,
        probe="generation/send",
    )
    writer.record(
        method="GET",
        path="/files/a.png",
        query=[],
        request_headers=[],
        request_body=b"",
        status=200,
        response_headers=[("content-type", "image/png")],
        response_body=png,
        latency_s=None,
    )
    rec = Recordings(tmp_path)
    assert rec.gateways() == ["powertokens"]
    first, second = rec.exchanges("powertokens")
    assert (first.seq, first.method, first.status, first.probe, first.latency_ms) == (1, "POST", 200, "generation/send", 250.0)
    assert first.request["headers"]["authorization"] == REDACTED
    assert first.request["query"] == [["api_key", REDACTED], ["n", "1"]]
    restored = rec.response_json(first)
    assert restored["data"][0]["b64_json"] == b64 and restored["echo"] == f"your key {REDACTED}"
    assert restored["api_key"] == REDACTED
    assert rec.response_bytes(second) == png and sniff_image(rec.response_bytes(second)) == "image/png"
    assert len(list((tmp_path / "blobs").iterdir())) == 1  # the same image, stored once
    manifest = json.loads((tmp_path / "recordings.json").read_text())
    assert manifest["gateways"]["powertokens"] == {"upstream": "https://gateway.test", "exchanges": 2}
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()]


def test_a_writer_continues_the_numbering_of_an_existing_folder(tmp_path: Path) -> None:
    for _ in range(2):
        RecordingWriter(tmp_path, "gravitex").record(
            method="GET",
            path="/x",
            query=[],
            request_headers=[],
            request_body=b"",
            status=404,
            response_headers=[],
            response_body=b"",
            latency_s=0.0,
        )
    assert [e.seq for e in Recordings(tmp_path).exchanges("gravitex")] == [1, 2]


def test_a_reader_refuses_what_is_not_a_recordings_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Recordings(tmp_path / "missing")
    (tmp_path / "recordings.json").write_text(json.dumps({"format": "something-else", "version": 1}))
    with pytest.raises(ValueError, match="not an imagegw-recordings"):
        Recordings(tmp_path)
