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
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda kids: st.lists(kids, max_size=5) | st.dictionaries(_text, kids, max_size=5),
    max_leaves=30,
)


@given(
    body=st.dictionaries(_text, _json, max_size=6),
    headers=st.lists(
        st.tuples(
            st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=20),
            st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60),
        ),
        max_size=6,
    ),
    query=st.lists(st.tuples(st.text("abcdefghijk_", min_size=1, max_size=10), st.text("xyz019", max_size=10)), max_size=3),
)
def test_an_entry_built_when_read_equals_one_built_at_once(
    body: dict[str, Any], headers: list[tuple[str, str]], query: list[tuple[str, str]]
) -> None:
    """record_request keeps references and builds on read; record builds at once: same entry."""
    from urllib.parse import urlencode

    raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in [("authorization", "Bearer sk-x"), *headers]]
    text = json.dumps(body).encode("utf-8")
    now, later = Journal(10, max_bytes=64 * 1024), Journal(10, max_bytes=64 * 1024)  # default entry budget: 8 KiB
    common = dict(
        time=1.5,
        gateway="powertokens",
        method="POST",
        path=GEN,
        status=200,
        request_id="r-1",
        scenario=None,
        operation="createImage",
        error_code=None,
    )
    built = now.record(query=query, headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers], body=body, **common)
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
    for body in (
        {"a": 'é 画 \u2028 \x01 "q"', "n": [1, -2, 3.5, None, True], "nested": {"k": []}},
        {1: "int key"},
        {"big": 2**70},
        ["x" * 100_000],
    ):
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


def test_a_remembered_size_is_the_size_worked_out_afresh() -> None:
    """SizeRule.resolve remembers accepted sizes: the same answer as a rule that has never seen
    the value, per reading (separators, letter case); refused values stay refused."""
    from dataclasses import replace

    from mock_server.catalog import CATALOG
    from mock_server.errors import GatewayError

    rule = CATALOG["seedream-4-5-251128"].sizes
    readings = [("x*×", True), ("x", False), ("*", False)]
    for value in ("2K", "2k", " 2K ", "2048x2048", "2048*2048", "2048×2048", "2560x1440", "10x10", "4K", "auto", None, 7, ["2K"]):
        for seps, any_case in readings * 2:  # twice: the second answer is the remembered one
            fresh = replace(rule)  # an equal rule with nothing remembered
            try:
                expected: object = fresh.resolve(value, "size", seps=seps, any_case=any_case)
            except GatewayError as err:
                expected = (err.status, err.code, err.message)
            try:
                got: object = rule.resolve(value, "size", seps=seps, any_case=any_case)
            except GatewayError as err:
                got = (err.status, err.code, err.message)
            assert got == expected, (value, seps, any_case)
    assert replace(rule) == rule  # what is remembered is not part of the rule


def test_a_remembered_key_is_checked_as_before() -> None:
    """Presented keys are remembered per header value; a pinned key still refuses every other one."""
    app = build_app(Settings(api_keys={"powertokens": "sk-test-123"}))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1:8000") as c:
        for _ in range(2):
            assert c.post(GEN, json=BODY, headers=AUTH).status_code == 200
            assert c.post(GEN, json=BODY, headers={"Authorization": "Bearer sk-other"}).json()["error"]["code"] == "invalid_api_key"
            assert c.post(GEN, json=BODY, headers={"Authorization": "Bearer"}).json()["error"]["code"] == "missing_api_key"
            assert c.post(GEN, json=BODY, headers={"Authorization": "Basic sk-test-123"}).json()["error"]["code"] == "invalid_api_key"
            assert c.post(GEN, json=BODY, headers={"Authorization": "  bearer   sk-test-123 "}).status_code == 200


def test_the_body_deadline_keeps_asyncio_timeouts_rule() -> None:
    """The body read's deadline: its own cancellation becomes TimeoutError; a cancellation from
    elsewhere passes through as CancelledError; no deadline (None) never fires."""
    import asyncio

    import pytest

    from mock_server.gateways.base import _WATCHES, _Deadline

    async def stalls(seconds: float | None) -> None:
        with _Deadline(seconds):
            await asyncio.Event().wait()

    async def expires(seconds: float) -> None:
        task = asyncio.ensure_future(stalls(seconds))
        done, _ = await asyncio.wait([task], timeout=5)
        assert done, "the deadline never fired"
        assert isinstance(task.exception(), TimeoutError)

    async def main() -> None:
        await expires(0.01)
        task = asyncio.ensure_future(stalls(30))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        task = asyncio.ensure_future(stalls(None))
        done, _ = await asyncio.wait([task], timeout=0.05)
        assert not done
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # one timer per loop: a later deadline first, then an earlier one, then one after the first expired
        slow = asyncio.ensure_future(stalls(30))
        await asyncio.sleep(0)
        for seconds in (0.02, 0.01):
            await expires(seconds)
        assert not slow.done()
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        with _Deadline(30):  # a read that finishes in time leaves nothing pending
            await asyncio.sleep(0)
        assert _WATCHES[asyncio.get_running_loop()].pending == {}

    asyncio.run(main())


def test_json_answers_carry_the_headers_starlette_would_set() -> None:
    from starlette.responses import Response

    from mock_server.errors import json_response

    for status in (200, 201, 204, 400, 503):
        ours = json_response({"a": [1, "é"]}, status=status, headers={"X-Request-Id": "r-1", "Retry-After": "1"})
        theirs = Response(
            json_bytes({"a": [1, "é"]}),
            status_code=status,
            headers={"X-Request-Id": "r-1", "Retry-After": "1"},
            media_type="application/json",
        )
        assert (ours.status_code, ours.body, ours.media_type) == (theirs.status_code, theirs.body, theirs.media_type)
        assert sorted(ours.raw_headers) == sorted(theirs.raw_headers)


def test_image_digests_are_remembered_by_the_text_they_hash() -> None:
    """spec_for remembers digests: a seed of ``1`` and ``"1"`` hash the same text, ``True`` another."""
    import hashlib

    for seed in (1, "1", True, 1.0, None):
        for _ in range(2):
            spec = spec_for("p", 64, 64, "png", seed=seed, model="m")
            assert spec.digest == hashlib.blake2b(f"m\x00p\x00{seed}\x000".encode(), digest_size=8).hexdigest()
