"""Whatever a server sends, the reference client raises only its own exceptions (clients/errors.py).

* the sans-IO parser (``parse_response``, ``parse_task``, ``error_from_response``,
  ``attach_download``) over arbitrary statuses, headers and bytes, JSON nested past the
  recursion limit, and mutations of valid answers (Hypothesis);
* the shells over what only a real exchange can produce: a ``Content-Encoding`` that does not
  decode, a redirect loop, a cross-origin redirect (the PieBox ``X-API-Key`` must not follow it);
* the whole-call deadline, against a server on 127.0.0.1 that sends one byte per second.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from client_env import KEY
from hypothesis import example, given
from hypothesis import strategies as st

from clients import (
    NO_RETRY,
    APIError,
    APITimeoutError,
    AsyncImageClient,
    DeadlineExceeded,
    ImageClient,
    PollPolicy,
    RetryPolicy,
    UnreadableResponseError,
    core,
)
from clients.errors import error_from_response
from clients.types import GeneratedImage
from contracts.registry import GATEWAY_IDS

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJ = b'{"error":' * 50_000 + b"1" + b"}" * 50_000


def _json_values() -> st.SearchStrategy[object]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
    return st.recursive(
        scalars, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4), max_leaves=20
    )


#: Valid-looking answers of every gateway, whose values Hypothesis replaces.
_SHAPES = [
    lambda v: {"task_id": v, "model": v},
    lambda v: {"task_id": "t", "status": v, "result": {"images": v}},
    lambda v: {"task_id": "t", "status": "succeeded", "result": {"images": [{"url": v}]}},
    lambda v: {"task_id": "t", "status": "failed", "error": v},
    lambda v: {"data": v, "created": 1},
    lambda v: {"data": [{"b64_json": v, "url": v, "error": v}]},
    lambda v: {"code": 200, "msg": "ok", "data": {"data": v}},
    lambda v: {"code": v, "msg": v, "data": v},
    lambda v: {"output": {"choices": v}},
    lambda v: {"output": {"choices": [{"message": {"content": [{"image": v}]}}]}},
    lambda v: {"choices": [{"message": {"content": v}}]},
    lambda v: {"error": v},
    lambda v: {"error": {"message": v, "code": v, "type": v, "param": v}},
    lambda v: {"code": v, "message": v, "request_id": v},
]

bodies = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([DEEP, DEEP_OBJ, b"\xff\xfe", b"null", b"1e400", b"NaN", b"-Infinity", b"9" * 5000]),
    st.builds(lambda shape, v: json.dumps(shape(v)).encode(), st.sampled_from(_SHAPES), _json_values()),
    st.builds(
        lambda s: json.dumps({"choices": [{"message": {"content": f"![x](data:image/png;base64,{s})"}}]}).encode(),
        st.text(alphabet="AQgw+/=\n ", max_size=60),
    ),
)
header_names = st.sampled_from(
    ["content-type", "retry-after", "retry-after-ms", "x-request-id", "request-id", "content-encoding", "location", "x-other"]
)
header_values = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
    st.sampled_from(
        [
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "1e309",
            "-5",
            "nan",
            "inf",
            "Mon, 01 Jan 0001 00:00:00 +9999",
            "application/json; charset=utf-8",
        ]
    ),
)
headers = st.lists(st.tuples(header_names, header_values), max_size=5)
statuses = st.integers(min_value=100, max_value=599)


def _response(status: int, hdrs: list[tuple[str, str]], content: bytes, path: str) -> httpx.Response:
    request = httpx.Request("POST", f"https://gw.example{path}")
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in hdrs if k != "content-encoding"]
    return httpx.Response(status, headers=raw, content=content, request=request)


@given(
    gateway=st.sampled_from(GATEWAY_IDS),
    status=statuses,
    hdrs=headers,
    content=bodies,
    path=st.sampled_from(["/v1/images/generations", "/v2/extend/image/seedream/generations", "/v1/chat/completions"]),
)
@example(gateway="tokenhub", status=200, hdrs=[], content=DEEP, path="/v1/images/generations")
@example(gateway="tokenhub", status=400, hdrs=[], content=DEEP_OBJ, path="/v1/images/generations")
@example(gateway="piebox", status=200, hdrs=[], content=DEEP, path="/v2/extend/image/seedream/generations")
def test_the_parser_raises_only_the_client_tree(gateway: str, status: int, hdrs: list[tuple[str, str]], content: bytes, path: str) -> None:
    response = _response(status, hdrs, content, path)
    for parse in (core.parse_response, core.parse_task):
        try:
            parse(gateway, response)
        except APIError:
            pass
    if status >= 400:
        assert isinstance(error_from_response(status, content, dict(response.headers), gateway=gateway), APIError)
    item = core.attach_download(GeneratedImage(url="https://gw.example/x.png"), response)
    assert isinstance(item, GeneratedImage)


# -- the shells, over a real exchange ------------------------------------------------------------


def _client(gateway: str, handler: Callable[[httpx.Request], httpx.Response], **kw: Any) -> ImageClient:
    kw.setdefault("retry", NO_RETRY)
    return ImageClient(gateway, api_key=KEY, base_url=f"https://gw.example/{gateway}", transport=httpx.MockTransport(handler), **kw)


def test_a_bad_content_encoding_is_an_unreadable_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}, content=b"not gzip at all")

    with _client("powertokens", handler) as c, pytest.raises(UnreadableResponseError, match="gzip|decod"):
        c.generate(prompt="a cat", model="seedream-4-0-250828")


def test_a_redirect_loop_is_an_unreadable_response() -> None:
    hops: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hops.append(str(request.url))
        return httpx.Response(302, headers={"Location": str(request.url)})

    with _client("tokenhub", handler) as c, pytest.raises(UnreadableResponseError, match="redirect"):
        c.generate(prompt="a cat", model="tokenhub/gpt-image-2")
    assert len(hops) == core.MAX_REDIRECTS + 1


@pytest.mark.parametrize("gateway, header", [("piebox", "x-api-key"), ("tokenhub", "authorization")])
def test_credentials_never_follow_a_cross_origin_redirect(gateway: str, header: str) -> None:
    seen: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.headers.get(header)))
        if request.url.host == "gw.example":
            return httpx.Response(307, headers={"Location": "https://elsewhere.example/steal"})
        return httpx.Response(401, json={"error": {"message": "no key"}})

    with _client(gateway, handler) as c, pytest.raises(APIError):
        c.generate(prompt="a cat", model="seedream" if gateway == "piebox" else "tokenhub/gpt-image-2")
    assert seen[0] == ("gw.example", KEY if gateway == "piebox" else f"Bearer {KEY}")
    assert seen[1] == ("elsewhere.example", None)


def test_credentials_follow_a_same_origin_redirect() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-api-key"))
        if request.url.path.endswith("/generations"):
            return httpx.Response(308, headers={"Location": "/piebox/v2/extend/image/seedream/generations2"})
        return httpx.Response(200, json={"task_id": "t1", "model": "seedream"})

    with _client("piebox", handler) as c:
        assert c.create_task(prompt="a cat", model="seedream").task_id == "t1"
    assert seen == [KEY, KEY]


# -- the whole-call deadline -----------------------------------------------------------------------


class DripServer:
    """A server on 127.0.0.1 that answers every connection with an HTTP response one byte per
    ``interval_s`` (the headers too), for at most ``limit_s`` seconds per connection."""

    def __init__(self, interval_s: float = 1.0, limit_s: float = 6.0) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.interval_s, self.limit_s = interval_s, limit_s
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        body = b'{"data": []}' * 100
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        end = time.monotonic() + self.limit_s
        with conn:
            for i in range(len(answer)):
                if self.stop.wait(self.interval_s) or time.monotonic() > end:  # the server's own pace, not a test sleep
                    return
                try:
                    conn.sendall(answer[i : i + 1])
                except OSError:
                    return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=2)


@pytest.fixture
def drip() -> Iterator[DripServer]:
    server = DripServer()
    yield server
    server.close()


def test_the_sync_deadline_bounds_a_server_that_drips(drip: DripServer) -> None:
    with ImageClient(
        "powertokens",
        api_key=KEY,
        base_url=drip.url,
        timeout=3,
        deadline=1.0,
        retry=RetryPolicy(max_retries=2, initial_delay=0.0, jitter=0),
    ) as c:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            c.generate(prompt="a cat", model="seedream-4-0-250828")
        took = time.monotonic() - started
    assert took < 2.5, took
    assert isinstance(info.value, APITimeoutError) and info.value.deadline == 1.0


@pytest.mark.anyio
async def test_the_async_deadline_bounds_a_server_that_drips(drip: DripServer) -> None:
    async with AsyncImageClient("powertokens", api_key=KEY, base_url=drip.url, timeout=3, deadline=1.0) as c:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            await c.generate(prompt="a cat", model="seedream-4-0-250828")
        assert time.monotonic() - started < 2.5


def test_the_deadline_covers_retries_and_polling() -> None:
    """On an injected clock: retries and polls stop at the deadline, not after the poll timeout."""
    now = [0.0]
    polls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"task_id": "t1", "model": "seedream"})
        polls.append(now[0])
        return httpx.Response(200, json={"task_id": "t1", "status": "processing"})

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with _client("piebox", handler, deadline=30.0, poll=PollPolicy(timeout=300.0), sleep=sleep, monotonic=lambda: now[0]) as c:
        with pytest.raises(DeadlineExceeded):
            c.generate(prompt="a cat", model="seedream")
    assert polls and max(polls) <= 30.0
    assert now[0] <= 30.0

    attempts: list[float] = []

    def busy(request: httpx.Request) -> httpx.Response:
        attempts.append(now[0])
        return httpx.Response(503, headers={"Retry-After": "20"}, json={"error": {"message": "busy"}})

    now[0] = 0.0
    with _client("tokenhub", busy, deadline=30.0, retry=RetryPolicy(max_retries=5), sleep=sleep, monotonic=lambda: now[0]) as c:
        with pytest.raises(DeadlineExceeded):
            c.generate(prompt="a cat", model="tokenhub/gpt-image-2")
    assert attempts == [0.0, 20.0]
