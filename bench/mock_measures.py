"""What ``bench/bench_mock.py`` sends and how it measures it: the benchmarked routes (``ROUTES``:
the PowerTokens document's example at ``url`` and ``b64_json``, its validation error, a PieBox
Seedream create + poll), the wrk scripts and runs that load a server over its socket, and the
in-process measures (CPU microseconds per call of an ASGI app, the first render of a 4096x4096
image). The servers themselves are ``bench/mock_servers.py``'s.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_servers import Server


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PT_PATH = "/v1/images/generations"
PB_CREATE = "/v2/extend/image/seedream/generations"
PB_POLL = "/v2/extend/image/seedream/tasks/"
EXAMPLE = {
    "model": "seedream-4-5-251128",
    "prompt": "A cute corgi running on grass, sunny day, realistic style",
    "size": "2048x2048",
    "response_format": "url",
}
PIEBOX_BODY = {"prompt": "A cute corgi running on grass, sunny day, realistic style", "size": "2048x2048"}
KEY = "bench-key"


@dataclass(frozen=True)
class RouteSpec:
    """One benchmarked request: ``gateway`` prefix (imagegw), method, path and JSON body."""

    name: str
    gateway: str
    method: str
    path: str
    body: dict[str, Any] | None
    title: str

    def headers(self) -> dict[str, str]:
        from contracts.registry import gateway_spec

        return {"Content-Type": "application/json", **gateway_spec(self.gateway).auth.headers(KEY)}


ROUTES: dict[str, RouteSpec] = {
    "url": RouteSpec("url", "powertokens", "POST", PT_PATH, EXAMPLE, "PowerTokens url (document's example)"),
    "b64": RouteSpec("b64", "powertokens", "POST", PT_PATH, {**EXAMPLE, "response_format": "b64_json"}, "PowerTokens b64_json 2048x2048"),
    "invalid": RouteSpec(
        "invalid", "powertokens", "POST", PT_PATH, {**EXAMPLE, "size": "10x10"}, "PowerTokens validation error (size 10x10)"
    ),
    "piebox": RouteSpec("piebox", "piebox", "POST", PB_CREATE, PIEBOX_BODY, "PieBox Seedream create + poll"),
}


# -- wrk ---------------------------------------------------------------------------------------

WRK_PLAIN = """
wrk.method = {method}
wrk.body = {body}
{headers}
"""

# create, then poll each created task once: the queue of ids is per wrk thread (-t1: one)
WRK_PIEBOX = """
local ids = {{}}
local create_body = {body}
local hdrs = {{}}
{headers_table}
request = function()
  local id = table.remove(ids)
  if id then return wrk.format("GET", {poll} .. id, hdrs) end
  return wrk.format("POST", {create}, hdrs, create_body)
end
response = function(status, headers, body)
  if not body:find('"status"', 1, true) then
    local id = body:match('"task_id"%s*:%s*"([^"]+)"')
    if id and #ids < 10000 then table.insert(ids, id) end
  end
end
"""


def lua_str(s: str) -> str:
    return json.dumps(s)  # a JSON string literal is a valid Lua string literal for ASCII text


def wrk_script(server: Server, route: RouteSpec) -> tuple[str, str]:
    """``(url, lua)`` for ``route`` on ``server``."""
    url = server.path_for(route)
    full = url if url.startswith("http") else server.base + url
    body = json.dumps(route.body)
    if route.name == "piebox":
        from urllib.parse import urlsplit

        poll = server.poll_prefix()
        poll_path = urlsplit(poll).path if poll.startswith("http") else poll
        lua = WRK_PIEBOX.format(
            body=lua_str(body),
            poll=lua_str(poll_path),
            create=lua_str(urlsplit(full).path),
            headers_table="\n".join(f"hdrs[{lua_str(k)}] = {lua_str(v)}" for k, v in route.headers().items()),
        )
    else:
        lua = WRK_PLAIN.format(
            method=lua_str(route.method),
            body=lua_str(body),
            headers="\n".join(f"wrk.headers[{lua_str(k)}] = {lua_str(v)}" for k, v in route.headers().items()),
        )
    return full, lua


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    requests: int
    errors: int
    cpu_us: float = float("nan")  # the server's CPU (user + system, whole process tree) per request


def _ms(text: str) -> float:
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
    for u in ("us", "ms", "s", "m"):
        if text.endswith(u):
            return float(text[: -len(u)]) * units[u]
    return float("nan")


def run_wrk(url: str, lua: str, seconds: int, connections: int) -> WrkResult:
    import re

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", f.name, url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(f.name)

    def grab(pattern: str) -> str | None:
        m = re.search(pattern, out, re.MULTILINE)
        return m.group(1) if m else None

    errors = sum(int(v) for v in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return WrkResult(
        rps=float(grab(r"Requests/sec:\s+([\d.]+)") or 0),
        p50_ms=_ms(grab(r"^\s+50%\s+(\S+)") or "?"),
        p99_ms=_ms(grab(r"^\s+99%\s+(\S+)") or "?"),
        non2xx=int(grab(r"Non-2xx or 3xx responses: (\d+)") or 0),
        requests=int(grab(r"(\d+) requests in") or 0),
        errors=errors,
    )


# -- in-process measures -------------------------------------------------------------------------


async def _asgi_call(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def asgi_cost_us(app: Any, route: RouteSpec, n: int, batch: int = 50) -> tuple[float, float]:
    """CPU microseconds per call of ``app`` for ``route`` (no socket): ``(best, median)`` of the
    per-call means of ``n // batch`` batches, after a warm-up batch. The best batch is the
    figure least disturbed by other processes (as ``timeit`` reports its best run)."""
    body = json.dumps(route.body).encode() if route.body is not None else b""
    hdrs = [(b"host", b"127.0.0.1:8000"), (b"content-length", str(len(body)).encode()), (b"user-agent", b"bench")]
    hdrs += [(k.lower().encode(), v.encode()) for k, v in route.headers().items()]
    get_hdrs = [h for h in hdrs if h[0] not in (b"content-length", b"content-type")]
    path = f"/{route.gateway}{route.path}"

    async def one() -> None:
        status, out = await _asgi_call(app, route.method, path, hdrs, body)
        if route.name == "piebox" and status == 200 and b'"task_id"' in out:
            task = json.loads(out).get("task_id", "x")
            await _asgi_call(app, "GET", f"/piebox{PB_POLL}{task}", get_hdrs, b"")

    async def loop() -> list[float]:
        means: list[float] = []
        for b in range(max(2, n // batch) + 1):
            t0 = time.process_time_ns()
            for _ in range(batch):
                await one()
            if b:
                means.append((time.process_time_ns() - t0) / 1000 / batch)
        return means

    means = asyncio.run(loop())
    return min(means), statistics.median(means)


def first_render_ms() -> dict[str, float]:
    """Cold-cache time to encode a 4096x4096 image, per format (ms, wall clock)."""
    from mock_server.images import ImageStore, spec_for

    out = {}
    for fmt in ("png", "jpeg"):
        store = ImageStore(b"bench", 512 * 1024 * 1024)
        spec = spec_for(f"first render {fmt}", 4096, 4096, fmt)  # type: ignore[arg-type]
        t0 = time.perf_counter()
        store.get(spec)
        out[fmt] = (time.perf_counter() - t0) * 1000
    return out
