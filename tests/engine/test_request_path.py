"""The request path's shortcuts keep the mock's behaviour: the journal built when read equals the
one built at once, tokens and ids keep their formats, JSON answers keep their bytes."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st
from mock_apps import build_app

from mock_server.errors import json_bytes, new_request_id
from mock_server.images import ImageStore, return_large_buffers_to_os, spec_for
from mock_server.journal import REDACTED, Journal
from mock_server.settings import Settings
from mock_server.testing import SyncASGITransport

GEN = "/powertokens/v1/images/generations"
AUTH = {"Authorization": "Bearer sk-test-123"}
BODY = {"model": "seedream-4-0-250828", "prompt": "a cat", "size": "1024x1024", "response_format": "url"}


def _stdlib(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_text = st.text(max_size=40)
_json = st.recursive(st.none() | st.booleans() | st.integers() | _text,
                     lambda kids: st.lists(kids, max_size=5) | st.dictionaries(_text, kids, max_size=5), max_leaves=30)


@given(body=st.dictionaries(_text, _json, max_size=6),
       headers=st.lists(st.tuples(st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20),
                                  st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60)), max_size=6),
       query=st.lists(st.tuples(st.text("abcdefghijk_", min_size=1, max_size=10), st.text("xyz019", max_size=10)), max_size=3))
def test_an_entry_built_when_read_equals_one_built_at_once(body: dict[str, Any], headers: list[tuple[str, str]],
                                                          query: list[tuple[str, str]]) -> None:
    """record_request keeps references and builds on read; record builds at once: same entry."""
    from urllib.parse import urlencode

    raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in [("authorization", "Bearer sk-x"), *headers]]
    text = json.dumps(body).encode("utf-8")
    now, later = Journal(10, max_bytes=64 * 1024), Journal(10, max_bytes=64 * 1024)  # default entry budget: 8 KiB
    common = dict(time=1.5, gateway="powertokens", method="POST", path=GEN, status=200, request_id="r-1",
                  scenario=None, operation="createImage", error_code=None)
    built = now.record(query=query, headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers],
                       body=body, **common)
    later.record_request(query_string=urlencode(query).encode(), headers=raw_headers, body=body, body_json=text, **common)
    assert later.size_bytes <= 64 * 1024
    (read,) = later.entries()
    assert read == built
    assert "sk-x" not in json.dumps(read.as_dict())
    assert later.size_bytes == now.size_bytes  # the charge is corrected to the real size once built


def test_the_request_path_journals_what_it_did_before() -> None:
    app = build_app(Settings(raise_server_exceptions=True))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000") as c:
        assert c.post(GEN, json={**BODY, "api_key": "sk-in-body"}, headers=AUTH, params={"key": "sk-q", "a": "b"}).status_code == 200
        assert c.post(GEN, content=b"not json", headers={**AUTH, "Content-Type": "application/json"}).status_code == 400
        big = {**BODY, "prompt": "p" * 30_000}  # past an entry's budget: built at once, shortened
        c.post(GEN, json=big, headers=AUTH)
        entries = c.get("/__mock/requests").json()["requests"]
    assert "sk-in-body" not in json.dumps(entries) and "sk-test-123" not in json.dumps(entries) and "sk-q" not in json.dumps(entries)
    first, bad, long = entries
    assert first["body"]["prompt"] == "a cat" and first["body"]["api_key"] == REDACTED
    assert first["query"] == {"key": REDACTED, "a": "b"} and first["path"] == GEN
    assert first["operation"] == "createImage" and first["status"] == 200 and first["truncated"] is False
    assert bad["body"] == {"bytes": 8, "content_type": "application/json"} and bad["error_code"] == "invalid_json"
    assert long["body"]["prompt"].endswith("(30000 chars)")


def test_no_admin_keeps_no_journal() -> None:
    """``imagegw serve --no-admin`` (``journal_size=0``): nothing could read a journal, none is kept."""
    app = build_app(Settings(admin=False, journal_size=0))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000") as c:
        assert c.post(GEN, json=BODY, headers=AUTH).status_code == 200
    journal = app.state.mock.journal
    assert not journal.enabled and journal.entries() == [] and len(journal) == 0


def test_json_answers_keep_the_standard_librarys_bytes() -> None:
    for body in ({"a": "é 画 \u2028 \x01 \"q\"", "n": [1, -2, 3.5, None, True], "nested": {"k": []}},
                 {1: "int key"}, {"big": 2 ** 70}, ["x" * 100_000]):
        assert json_bytes(body) == _stdlib(body)


def test_request_ids_are_distinct_uuid4s() -> None:
    ids = {new_request_id() for _ in range(5000)}
    assert len(ids) == 5000
    for rid in list(ids)[:200]:
        u = uuid.UUID(rid)
        assert str(u) == rid and u.version == 4 and u.variant == uuid.RFC_4122


def test_file_tokens_depend_only_on_the_spec_and_the_expiry_second() -> None:
    store = ImageStore(b"k" * 32, 1 << 20)
    spec = spec_for("p", 64, 64, "png")
    assert store.token_for(spec, 1000.2) == store.token_for(spec, 1000.9) == ImageStore(b"k" * 32, 1 << 20).token_for(spec, 1000.0)
    assert store.token_for(spec, 1001.0) != store.token_for(spec, 1000.0)
    assert store.resolve(store.token_for(spec, 1000.5), now=999.0) == spec


def test_large_buffer_setting_applies_on_glibc() -> None:
    import platform

    applied = return_large_buffers_to_os()
    assert applied is (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")
