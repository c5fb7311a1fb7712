"""The shared wire helpers (contracts/wire.py): their rules, and that no other module restates them."""

from __future__ import annotations

import datetime as dt
import io
import re
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from contracts.wire import (
    REQUEST_ID_HEADERS,
    REQUEST_ID_MAX_CHARS,
    escape_token,
    is_json_media,
    media_type,
    parse_retry_after,
    pointer,
    request_id,
    sniff_image,
    unescape_token,
    unpointer,
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
tokens = st.from_regex(TOKEN, fullmatch=True)


# -- media types -----------------------------------------------------------------------------------


@given(tokens, tokens, st.lists(st.tuples(tokens, tokens), max_size=3), st.sampled_from(["", " ", "\t"]))
def test_media_type_drops_parameters_and_case(typ: str, sub: str, params: list[tuple[str, str]], ws: str) -> None:
    header = f"{ws}{typ}/{sub}{ws}" + "".join(f";{ws}{k}={v}" for k, v in params)
    assert media_type(header) == f"{typ}/{sub}".lower()
    assert media_type(header.upper()) == f"{typ}/{sub}".lower()


def test_media_type_of_nothing_is_empty() -> None:
    assert media_type(None) == "" and media_type("") == "" and media_type("; charset=utf-8") == ""


@pytest.mark.parametrize(
    ("media", "is_json"),
    [
        ("application/json", True),
        ("application/problem+json", True),
        ("application/vnd.api+json", True),
        ("text/json", False),
        ("application/jsonl", False),
        ("application/x-ndjson", False),
        ("", False),
        ("multipart/form-data", False),
    ],
)
def test_is_json_media(media: str, is_json: bool) -> None:
    assert is_json_media(media) is is_json


# -- Retry-After ---------------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**6))
def test_retry_after_seconds(seconds: int) -> None:
    assert parse_retry_after({"Retry-After": str(seconds)}) == float(seconds)


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=10**6))
def test_retry_after_ms_wins_over_seconds(ms: int, seconds: int) -> None:
    assert parse_retry_after({"Retry-After": str(seconds), "Retry-After-Ms": str(ms)}) == ms / 1000.0


def test_retry_after_http_date_from_an_injected_now() -> None:
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    later = format_datetime(now + dt.timedelta(seconds=42), usegmt=True)
    earlier = format_datetime(now - dt.timedelta(seconds=42), usegmt=True)
    assert parse_retry_after({"retry-after": later}, now=now) == 42.0
    assert parse_retry_after({"retry-after": earlier}, now=now) == 0.0


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf", "", "1e999"])
def test_retry_after_unreadable_or_negative_is_none(value: str) -> None:
    assert parse_retry_after({"Retry-After": value}) is None
    assert parse_retry_after({"retry-after-ms": value}) is None
    assert parse_retry_after({}) is None


# -- request ids -----------------------------------------------------------------------------------


@given(st.sampled_from(REQUEST_ID_HEADERS), st.text(min_size=1, max_size=300).filter(str.strip), st.booleans())
def test_request_id_from_any_listed_header_in_any_case(name: str, value: str, upper: bool) -> None:
    headers = {name.upper() if upper else name: value}
    assert request_id(headers, {"request_id": "from-body"}) == value[:REQUEST_ID_MAX_CHARS]


def test_request_id_prefers_the_first_listed_header_then_the_body() -> None:
    assert request_id({"request-id": "b", "X-Request-Id": "a"}) == "a"
    assert request_id({}, {"request_id": "dash-1"}) == "dash-1"
    assert request_id({}, {"requestId": "cam-1"}) == "cam-1"
    assert request_id({"x-request-id": ""}, {"request_id": 7}) is None
    assert request_id({}, ["request_id"]) is None and request_id({}) is None


# -- JSON pointers ---------------------------------------------------------------------------------


@given(st.lists(st.text(max_size=12), max_size=6))
def test_pointer_round_trips(parts: list[str]) -> None:
    ptr = pointer(parts)
    assert unpointer(ptr) == parts
    assert unpointer("#" + ptr) == parts
    assert all(unescape_token(escape_token(p)) == p for p in parts)
    assert ptr.count("/") == len(parts)


def test_pointer_escapes_per_rfc_6901() -> None:
    # RFC 6901 §5's examples
    assert pointer(["a/b"]) == "/a~1b" and pointer(["m~n"]) == "/m~0n" and pointer([""]) == "/"
    assert unescape_token("~01") == "~1"  # ~0 is undone last, so "~01" is "~1", not "/"
    assert pointer(["paths", "/v1/x", 0]) == "/paths/~1v1~1x/0" and unpointer("") == []


# -- image sniffing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("GIF", "image/gif"),
        ("WEBP", "image/webp"),
        ("BMP", "image/bmp"),
        ("TIFF", "image/tiff"),
    ],
)
def test_sniff_image_agrees_with_pillow(fmt: str, mime: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(out, format=fmt)
    assert Image.MIME[fmt] == mime
    assert sniff_image(out.getvalue()) == mime


@given(st.binary(max_size=64))
def test_sniff_image_none_for_bytes_without_a_signature(data: bytes) -> None:
    signed = data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    )
    assert (sniff_image(data) is not None) is signed


# -- one place -------------------------------------------------------------------------------------

#: What a restated helper looks like: a hand-rolled media-type split, pointer escaping, an image
#: signature table, a Retry-After date parser.
RESTATED = {
    "media type": re.compile(r"""\.split\(\s*["'];["']\s*(,\s*1\s*)?\)\s*\[0\]"""),
    "JSON pointer": re.compile(r"""replace\(\s*["']~[01]["']|replace\(\s*["']~["']\s*,"""),
    "image sniffing": re.compile(r"""b["']\\x89PNG|b["']RIFF["']"""),
    "Retry-After": re.compile(r"parsedate_to_datetime"),
}


def test_no_module_restates_a_wire_helper() -> None:
    # the project's own modules, not the packages installed beside them (tools/contract-tools/.venv)
    sources = [
        p
        for d in ("contracts", "mock_server", "clients", "drift", "recordings", "imagegw", "tools", "bench")
        for p in sorted((ROOT / d).rglob("*.py"))
        if not {".venv", "node_modules"} & set(p.relative_to(ROOT).parts)
    ] + [ROOT / "tests" / "doc_examples.py"]
    found = [
        f"{p.relative_to(ROOT)}: {what}"
        for p in sources
        if p.name != "wire.py" or p.parent.name != "contracts"
        for what, rx in RESTATED.items()
        if rx.search(p.read_text(encoding="utf-8"))
    ]
    assert sources and found == []
