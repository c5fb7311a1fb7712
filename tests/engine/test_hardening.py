"""The mock under abuse: a journal bounded in bytes, a control plane a web page cannot drive, no
credentials in the access log, bounded connections, truncated echoes, bounded large bodies.

In-process (ASGI) where the behaviour lives in the app; a real uvicorn on 127.0.0.1 (a free
port, sub-second timeouts) where it lives in the connection.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mock_apps import build_app
from typer.testing import CliRunner

from mock_server import Settings
from mock_server.journal import REDACTED, redact_target
from mock_server.serving import RedactQueryFilter, uvicorn_options
from mock_server.testing import SyncASGITransport

GEN = "/powertokens/v1/images/generations"
AUTH = {"Authorization": "Bearer sk-test-123"}
BODY = {"model": "seedream-4-0-250828", "prompt": "a cat", "size": "1024x1024", "response_format": "url"}


def _client(app: Any, base: str = "http://127.0.0.1:8000") -> httpx.Client:
    return httpx.Client(transport=SyncASGITransport(app), base_url=base, timeout=30)


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# -- the journal, bounded in bytes ------------------------------------------------------------------


def test_hostile_requests_cannot_grow_the_journal(imagegw_client: httpx.Client) -> None:
    """Long JSON keys, long header and query values: each entry stays within its budget, marked."""
    mock = imagegw_client._transport._inner.app.state.mock  # type: ignore[attr-defined]
    limit = mock.settings.journal_entry_max_bytes
    long_keys = {("k" * 2000) + str(i): "v" for i in range(500)}  # 1 MB of keys
    nested = {"x" * 300: {"y" * 300: ["z" * 300] * 1000}}
    for body in (long_keys, nested):
        r = imagegw_client.post(
            GEN,
            content=json.dumps({**BODY, **body}),
            headers={**AUTH, "Content-Type": "application/json", "X-Long": "h" * 20_000},
            params={"q" * 500: "v" * 20_000},
        )
        assert r.status_code < 500
    many_headers = [(f"x-h{i}", "v" * 4000) for i in range(100)]
    imagegw_client.post(GEN, json=BODY, headers=[*AUTH.items(), *many_headers])
    entries = imagegw_client.get("/__mock/requests").json()["requests"]
    assert len(entries) == 3
    for entry in entries:
        assert _json_size(entry) <= limit, _json_size(entry)
        assert entry["truncated"] is True
    assert entries[0]["body"]["…"].endswith("more keys (journal entry size limit)")
    assert "(20000 chars)" in entries[0]["headers"]["x-long"]
    assert entries[2]["headers"]["…"].endswith("more (journal entry size limit)")
    normal = imagegw_client.post(GEN, json=BODY, headers=AUTH)
    assert normal.status_code == 200
    last = imagegw_client.get("/__mock/requests").json()["requests"][-1]
    assert last["truncated"] is False and last["body"]["prompt"] == "a cat"
    assert last["headers"]["authorization"] == REDACTED


def test_the_whole_journal_is_bounded_in_bytes() -> None:
    settings = Settings(raise_server_exceptions=True, journal_max_bytes=64 * 1024, journal_entry_max_bytes=8 * 1024)
    app = build_app(settings)
    with _client(app) as c:
        for _ in range(40):
            c.post(GEN, json={**BODY, "pad": ["p" * 200] * 100}, headers=AUTH)
        entries = c.get("/__mock/requests").json()["requests"]
    assert _json_size(entries) <= 64 * 1024
    assert 0 < len(entries) < 40
    assert entries[-1]["id"] == 40  # the newest are kept
    assert app.state.mock.journal.size_bytes <= 64 * 1024


# -- the control plane ------------------------------------------------------------------------------


def test_a_cross_site_form_post_cannot_queue_a_scenario(imagegw_client: httpx.Client) -> None:
    """What a web page can send without a CORS preflight: text/plain, a foreign Origin and Host."""
    evil = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
    body = json.dumps({"name": "server_error", "times": 5})
    r = imagegw_client.post("/__mock/scenarios", content=body, headers=evil)
    assert r.status_code == 403 and r.json()["error"]["code"] == "cross_site_request"
    rebound = imagegw_client.post("/__mock/scenarios", content=body, headers={**evil, "Host": "evil.example:8000"})
    assert rebound.status_code == 403 and rebound.json()["error"]["code"] == "untrusted_host"
    plain = imagegw_client.post("/__mock/scenarios", content=body, headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    fetch = imagegw_client.post("/__mock/reset", headers={"Sec-Fetch-Site": "cross-site"})
    assert fetch.status_code == 403
    assert imagegw_client.get("/__mock/scenarios").json()["queued"] == []
    ok = imagegw_client.post("/__mock/scenarios", json={"name": "server_error"}, headers={"Origin": "http://localhost:8000"})
    assert ok.status_code == 201
    huge = imagegw_client.post("/__mock/scenarios", json={"name": "server_error", "pad": "p" * 100_000})
    assert huge.status_code == 413  # control-plane bodies are small


def test_dns_rebinding_cannot_read_the_journal(imagegw_client: httpx.Client) -> None:
    imagegw_client.post(GEN, json=BODY, headers=AUTH)
    r = imagegw_client.get("/__mock/requests", headers={"Host": "attacker.example:8000"})
    assert r.status_code == 403 and "requests" not in r.json()
    for host in ("127.0.0.1:8000", "localhost", "[::1]:8000", "app.localhost", "testserver"):
        assert imagegw_client.get("/__mock/requests", headers={"Host": host}).status_code == 200, host


def test_allowed_hosts_and_public_url_are_trusted() -> None:
    app = build_app(Settings(allowed_hosts=("mock.internal",), public_base_url="https://mock.example/base"))
    with _client(app) as c:
        for host in ("mock.internal:8000", "mock.example"):
            assert c.get("/__mock/requests", headers={"Host": host}).status_code == 200
        assert c.get("/__mock/requests", headers={"Host": "other.example"}).status_code == 403
    anyhost = build_app(Settings(allowed_hosts=("*",)))
    with _client(anyhost) as c:
        assert c.get("/__mock/requests", headers={"Host": "other.example"}).status_code == 200


def test_the_admin_token() -> None:
    app = build_app(Settings(admin_token="s3cret-admin"))
    with _client(app) as c:
        assert c.get("/__mock/health").status_code == 200
        r = c.get("/__mock/requests")
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_admin_token"
        assert "s3cret-admin" not in r.text
        assert c.get("/__mock/requests", headers={"X-Mock-Admin-Token": "wrong"}).status_code == 401
        assert c.get("/__mock/requests", headers={"X-Mock-Admin-Token": "s3cret-admin"}).status_code == 200
        assert c.post("/__mock/reset", headers={"X-Mock-Admin-Token": "s3cret-admin"}).status_code == 204
    assert "s3cret-admin" not in repr(app.state.mock.settings)
    settings = Settings(admin_token="t", allowed_hosts=["a.example"])  # --workers hands settings over as JSON
    assert Settings.from_json(settings.to_json()) == settings and settings.allowed_hosts == ("a.example",)


def test_url_results_never_name_an_untrusted_host(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.post(GEN, json=BODY, headers={**AUTH, "Host": "attacker.example"})
    url = r.json()["data"][0]["url"]
    assert "attacker.example" not in url
    assert url.startswith("http://127.0.0.1/powertokens/files/")  # the address the request arrived on
    assert imagegw_client.get(url).status_code == 200
    trusted = imagegw_client.post(GEN, json=BODY, headers={**AUTH, "Host": "localhost:8000"}).json()["data"][0]["url"]
    assert trusted.startswith("http://localhost:8000/powertokens/files/")
    spec = imagegw_client.get("/powertokens/openapi.json", headers={"Host": "attacker.example"}).json()
    assert "attacker.example" not in spec["servers"][0]["url"]


def test_in_process_test_clients_keep_working(imagegw_client: httpx.Client) -> None:
    assert imagegw_client.post("/__mock/scenarios", json={"name": "rate_limited"}).status_code == 201
    app = build_app(Settings())
    with _client(app, "http://testserver") as c:
        assert c.post("/__mock/reset").status_code == 204


def _serve_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, dict[str, Any]]:
    import uvicorn

    from mock_server.cli import app as cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: seen.update(kw, target=target))
    return CliRunner().invoke(cli, ["serve", *args]), seen


def test_serve_warns_on_an_open_control_plane_off_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    res, seen = _serve_cli(["--host", "0.0.0.0"], monkeypatch)
    assert res.exit_code == 0, res.output
    assert "WARNING" in res.output and "--admin-token" in res.output
    for args in (["--host", "0.0.0.0", "--admin-token", "t0ken"], ["--host", "127.0.0.1"], ["--host", "0.0.0.0", "--no-admin"]):
        res, seen = _serve_cli(args, monkeypatch)
        assert res.exit_code == 0 and "WARNING" not in res.output, args
    mock = seen["target"].state.mock
    assert mock.settings.admin is False


def test_serve_flags_reach_settings_and_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    res, seen = _serve_cli(
        [
            "--host",
            "192.0.2.7",
            "--admin-token",
            "t0ken",
            "--allowed-host",
            "mock.internal",
            "--public-url",
            "https://pub.example",
            "--image-cache-mb",
            "32",
            "--journal-max-mb",
            "2",
            "--log-level",
            "warning",
            "--access-log",
            "--header-timeout",
            "3",
            "--body-timeout",
            "7",
            "--keep-alive",
            "4",
        ],
        monkeypatch,
    )
    assert res.exit_code == 0, res.output
    settings = seen["target"].state.mock.settings
    assert settings.image_cache_bytes == 32 * 1024 * 1024 and settings.journal_max_bytes == 2 * 1024 * 1024
    assert settings.admin_token == "t0ken" and set(settings.allowed_hosts) == {"mock.internal", "192.0.2.7"}
    assert (settings.header_timeout_seconds, settings.body_timeout_seconds, settings.keep_alive_seconds) == (3, 7, 4)
    assert seen["log_level"] == "warning" and seen["access_log"] is True and seen["timeout_keep_alive"] == 4
    assert seen["http"].keywords["header_timeout_s"] == 3
    res, seen = _serve_cli([], monkeypatch)
    # off by default: the journal (/__mock/requests) records every request, and a log line costs more than
    # the mocked answer (bench/bench_mock.py)
    assert seen["access_log"] is False and seen["log_level"] == "info"
    assert seen["target"].state.mock.settings.image_cache_bytes == Settings().image_cache_bytes


def test_record_has_the_same_logging_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import uvicorn

    from mock_server.cli import app as cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: seen.update(kw))
    res = CliRunner().invoke(
        cli,
        [
            "record",
            "--gateway",
            "tokenhub",
            "--upstream",
            "http://127.0.0.1:9",
            "--out",
            str(tmp_path),
            "--log-level",
            "info",
            "--no-access-log",
        ],
    )
    assert res.exit_code == 0, res.output
    assert seen["log_level"] == "info" and seen["access_log"] is False
    assert seen["log_config"]["loggers"]["uvicorn.access"]["filters"] == ["redact_credentials"]


# -- the access log -------------------------------------------------------------------------------------


def test_redact_target_keeps_everything_but_credentials() -> None:
    assert (
        redact_target("/v1/x?key=sk-1&n=2&API_KEY=sk-2&%6Bey=sk-3&token")
        == f"/v1/x?key={REDACTED}&n=2&API_KEY={REDACTED}&%6Bey={REDACTED}&token"
    )
    assert redact_target("/v1/x") == "/v1/x"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/v1/models?key=sk-abc", "1.1", 200),
        None,
    )
    assert RedactQueryFilter().filter(record) and "sk-abc" not in record.getMessage()


@contextlib.contextmanager
def served(app: Any, settings: Settings, *, log_level: str = "warning") -> Iterator[tuple[str, int]]:
    """``app`` on uvicorn at 127.0.0.1:<free port>, configured as ``imagegw serve`` configures it."""
    import uvicorn

    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(settings, log_level=log_level, access_log=True)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    end = time.monotonic() + 10
    while not server.started and time.monotonic() < end:  # waiting for a real server to bind, not a test sleep
        time.sleep(0.01)
    try:
        yield sock.getsockname()
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.mark.parametrize("which", ["serve", "record"])
def test_the_access_log_never_holds_a_query_key(which: str, tmp_path: Any) -> None:
    settings = Settings()
    if which == "serve":
        app = build_app(settings)
        path = "/tokenhub/v1/models?key=sk-LEAK-1&api_key=sk-LEAK-2&n=1"
    else:
        from mock_server.recorder import build_recorder_app

        app = build_recorder_app("tokenhub", "http://127.0.0.1:9", tmp_path)
        path = "/v1/models?key=sk-LEAK-1&api_key=sk-LEAK-2&n=1"
    records = _Records()
    with served(app, settings, log_level="info") as (host, port):
        logging.getLogger("uvicorn.access").addHandler(records)
        try:
            httpx.get(f"http://{host}:{port}{path}", timeout=10)
        finally:
            logging.getLogger("uvicorn.access").removeHandler(records)
    line = next(line for line in records.lines if "/v1/models" in line)
    assert "sk-LEAK" not in line and f"key={REDACTED}" in line and "n=1" in line


# -- connections ------------------------------------------------------------------------------------------


def _recv_all(sock: socket.socket, limit_s: float) -> bytes:
    sock.settimeout(limit_s)
    data = b""
    with contextlib.suppress(OSError):
        while chunk := sock.recv(4096):
            data += chunk
    return data


def test_slow_headers_and_idle_connections_are_closed() -> None:
    settings = Settings(header_timeout_seconds=0.5, keep_alive_seconds=0.5)
    with served(build_app(settings), settings) as addr:
        silent = socket.create_connection(addr)
        slow = socket.create_connection(addr)
        slow.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        answer = _recv_all(slow, 5)
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert _recv_all(silent, 5) == b""  # closed without an answer it did not ask for
        assert time.monotonic() - started < 3
        kept = socket.create_connection(addr)
        kept.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = _recv_all(kept, 5)  # answered, then closed once idle for keep_alive_seconds
        assert answer.startswith(b"HTTP/1.1 200")
        for s in (silent, slow, kept):
            s.close()


def test_slow_headers_on_a_kept_alive_connection_get_408() -> None:
    """The header timeout counts from the request's first byte on a connection that already
    answered one: the one timer a connection keeps is re-armed for the later due time."""
    settings = Settings(header_timeout_seconds=0.6, keep_alive_seconds=5)
    with served(build_app(settings), settings) as addr:
        s = socket.create_connection(addr)
        s.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        s.settimeout(5)
        first = s.recv(4096)
        assert first.startswith(b"HTTP/1.1 200"), first
        s.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        answer = _recv_all(s, 5)
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert 0.3 < time.monotonic() - started < 3
        s.close()


def test_an_oversized_header_block_is_refused() -> None:
    settings = Settings(max_header_bytes=8 * 1024)
    with served(build_app(settings), settings) as addr:
        s = socket.create_connection(addr)
        s.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Big: " + b"a" * 20_000 + b"\r\n")
        assert _recv_all(s, 5).startswith(b"HTTP/1.1 431")
        s.close()


@pytest.mark.no_contract_guard  # 408 is the transport's answer to a stalled client (as a proxy's), not a gateway answer
def test_a_stalled_body_gets_408_and_the_connection_closes() -> None:
    settings = Settings(body_timeout_seconds=0.5, api_keys={"powertokens": "sk-test-123"})
    with served(build_app(settings), settings) as addr:
        s = socket.create_connection(addr)
        s.sendall(
            b"POST " + GEN.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-test-123\r\n"
            b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model": '
        )
        started = time.monotonic()
        answer = _recv_all(s, 5)
        assert time.monotonic() - started < 3
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408") and b"connection: close" in head.lower()
        assert json.loads(body)["error"]["code"] == "request_timeout"
        s.close()


@pytest.mark.no_contract_guard  # 408 is the transport's answer to a stalled client (as a proxy's), not a gateway answer
def test_a_stalled_body_in_process() -> None:
    app = build_app(Settings(body_timeout_seconds=0.2, raise_server_exceptions=True))

    async def run() -> tuple[int, dict[str, str], bytes]:
        sent: list[dict[str, Any]] = []
        chunks = [{"type": "http.request", "body": b'{"model": ', "more_body": True}]

        async def receive() -> dict[str, Any]:
            if chunks:
                return chunks.pop()
            await anyio.sleep_forever()  # a client that stopped sending
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": GEN,
            "raw_path": GEN.encode(),
            "query_string": b"",
            "headers": [
                (b"host", b"127.0.0.1"),
                (b"authorization", b"Bearer k"),
                (b"content-type", b"application/json"),
                (b"content-length", b"1000"),
            ],
            "root_path": "",
            "scheme": "http",
            "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 1),
            "http_version": "1.1",
            "asgi": {"version": "3.0"},
        }
        await app(scope, receive, send)
        start = sent[0]
        return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, b"".join(m.get("body", b"") for m in sent[1:])

    status, headers, body = anyio.run(run)
    assert status == 408 and headers["connection"] == "close"
    assert json.loads(body)["error"]["code"] == "request_timeout"


# -- echoes and large bodies ----------------------------------------------------------------------------------


def test_an_unknown_scenario_is_not_echoed_whole(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.post(GEN, json=BODY, headers={**AUTH, "X-Mock-Scenario": "x" * 10_000})
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_scenario"
    assert len(r.content) < 1024
    r = imagegw_client.get("/powertokens/" + "p" * 10_000, headers=AUTH)
    assert r.status_code == 404 and len(r.content) < 1024


def test_large_bodies_wait_for_a_slot() -> None:
    settings = Settings(large_body_bytes=1024, large_body_concurrency=1, body_timeout_seconds=0.3, api_keys={"powertokens": "k"})
    app = build_app(settings)
    mock = app.state.mock
    big = {**BODY, "pad": "p" * 4096}

    async def run() -> list[int]:
        holder = mock.large_bodies.ticket()
        await holder.need(10_000)  # another upload holds the only slot
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
            waiting = await c.post(GEN, json=big, headers={"Authorization": "Bearer k"})
            small = await c.post(GEN, json=BODY, headers={"Authorization": "Bearer k"})
            holder.release()
            after = await c.post(GEN, json=big, headers={"Authorization": "Bearer k"})
        assert waiting.headers["retry-after"] == "1"
        return [waiting.status_code, small.status_code, after.status_code]

    assert anyio.run(run) == [503, 200, 200]
    again = mock.large_bodies.ticket()
    anyio.run(again.need, 10_000)  # every request gave its slot back
    again.release()


_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=400)
    | st.text(alphabet='\x00"\\\u2028\U0001f600', min_size=200, max_size=300)
)
_json = st.recursive(
    _scalars, lambda kids: st.lists(kids, max_size=30) | st.dictionaries(st.text(max_size=90), kids, max_size=30), max_leaves=200
)
_pairs = st.lists(st.tuples(st.text(min_size=1, max_size=80), st.text(max_size=400)), max_size=40)


@given(body=_json, headers=_pairs, query=_pairs, path=st.text(max_size=600))
def test_every_journal_entry_fits_its_byte_budget(
    body: Any, headers: list[tuple[str, str]], query: list[tuple[str, str]], path: str
) -> None:
    from mock_server.journal import Journal

    journal = Journal(100, max_bytes=8 * 1024, entry_max_bytes=2048)
    for _ in range(6):
        entry = journal.record(
            time=0.0,
            gateway="tokenhub",
            method="POST",
            path=path,
            query=query,
            headers=headers,
            body=body,
            status=200,
            request_id="r" * 36,
            operation="createImage",
        )
        assert _json_size(entry.as_dict()) <= 2048
    assert _json_size([e.as_dict() for e in journal.entries()]) <= 8 * 1024
    assert journal.size_bytes <= 8 * 1024
