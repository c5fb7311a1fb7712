"""Benchmark: imagegw against Prism, WireMock and a bare Starlette app, on the same requests, in one run.

Usage::

    .venv/bin/python bench/bench_mock.py [--seconds 5] [--rounds 3] [--connections 32]
                                         [--skip prism,wiremock] [--routes url,b64,invalid,piebox]

What it measures (all traffic on 127.0.0.1):

* **Servers**, each on a free port: ``imagegw serve`` with its default settings (one process);
  ``imagegw serve --no-admin`` (no control plane, no journal: the journal's cost is the
  difference); a bare Starlette + uvicorn app answering each route with imagegw's own answer,
  pre-built (the framework's ceiling); Stoplight Prism 5 mocking the PowerTokens and PieBox
  contracts; WireMock 3 with static stubs of imagegw's own answers (the ``b64_json`` body from a
  file), request journal capped at 1000 entries.
* **Routes**: ``url`` — the PowerTokens document's example (``response_format: url``);
  ``b64`` — the same at ``b64_json`` (a 2048x2048 PNG, about 110 KB of JSON); ``invalid`` — the
  same with ``size: 10x10`` (a validation error); ``piebox`` — a PieBox Seedream task created
  and polled (each create answer's ``task_id`` is polled once: half creates, half polls).
* **Load**: ``wrk -t1 -c{connections} -d{seconds}s`` per server and route. Rounds are interleaved
  (every server once per route per round; imagegw runs right between the bare app and
  ``--no-admin``, and the order flips every round); the tables give the medians of requests/s,
  p50, p99 and the server's CPU time (user + system, whole process tree) per request, and each
  ratio is the median of the per-round ratios, so load from other processes on the machine
  hits both sides of a ratio alike. On a shared machine the ratios and the CPU per request mean
  more than absolute requests/s.
* **RSS** of each server's process tree after the load (Linux ``/proc``), and imagegw's RSS after
  its image cache was filled with distinct images (``--fill-mb``, default: the cache's bound).
* **In-process cost** per request of imagegw's ASGI app and of the bare app (no socket, no
  uvicorn): median microseconds of CPU per request over ``--asgi-requests`` calls.
* **First render** of a 4096x4096 image (PNG and JPEG), in-process, cold cache.

The last line holds the ratios the performance goals are stated in.

Tools (none is needed by the test suite; a missing one is reported as ``skipped: …``):

* ``wrk``: ``apt-get install wrk`` (Debian/Ubuntu);
* Prism: ``npx --yes @stoplight/prism-cli@5`` is used (node/npm on PATH), or a ``prism`` on PATH;
* WireMock: ``npm install wiremock`` (the package ships the standalone jar) and Java 17+; the jar is
  looked for in ``$WIREMOCK_JAR``, ``./node_modules``, ``bench/node_modules`` and the global
  ``npm root -g``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

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


# -- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, timeout: float = 120.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until ``url`` answers anything over HTTP."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.25)
    raise RuntimeError(f"server at {url} did not start within {timeout:.0f} s")


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux ``/proc``; empty elsewhere)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    children: dict[int, list[int]] = {}
    for d in proc.iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _tree_sum(pid: int, read: Callable[[int], float]) -> float | None:
    """``read(p)`` summed over ``pid`` and its descendants (a process gone meanwhile counts 0)."""
    pids = _tree(pid)
    if not pids:
        return None
    total = 0.0
    for p in pids:
        try:
            total += read(p)
        except (OSError, IndexError, ValueError, StopIteration):  # gone, or a zombie without VmRSS
            continue
    return total


def _rss_kb(pid: int) -> float:
    return next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))


def _cpu_ticks(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def tree_rss_mb(pid: int) -> float | None:
    """Resident set size of ``pid`` and all its descendants, MiB (Linux ``/proc``; ``None`` elsewhere)."""
    kb = _tree_sum(pid, _rss_kb)
    return None if kb is None else kb / 1024


def tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds used so far by ``pid`` and its descendants (``None`` without ``/proc``)."""
    ticks = _tree_sum(pid, _cpu_ticks)
    return None if ticks is None else ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A started server: its name, base URL, process and how its paths map from imagegw's."""

    name: str
    base: str
    proc: subprocess.Popen[bytes]
    path_for: Callable[[RouteSpec], str]
    poll_prefix: Callable[[], str]
    routes: frozenset[str]
    extra_procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def rss_mb(self) -> float | None:
        values = [tree_rss_mb(p.pid) for p in [self.proc, *self.extra_procs]]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    def cpu_seconds(self) -> float | None:
        values = [tree_cpu_seconds(p.pid) for p in [self.proc, *self.extra_procs]]
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    def load(self, url: str, lua: str, seconds: int, connections: int) -> WrkResult:
        """One wrk run against this server, with the server's CPU per request."""
        c0 = self.cpu_seconds()
        result = run_wrk(url, lua, seconds, connections)
        c1 = self.cpu_seconds()
        if c0 is not None and c1 is not None and result.requests:
            result.cpu_us = (c1 - c0) / result.requests * 1e6
        return result

    def stop(self) -> None:
        for p in [self.proc, *self.extra_procs]:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)  # npx / java launchers start children: stop the group
                except ProcessLookupError:
                    pass
        for p in [self.proc, *self.extra_procs]:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=5)


def popen(cmd: list[str], **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **kw)


def start_imagegw(name: str, *flags: str) -> Server:
    port = free_port()
    proc = popen([sys.executable, "-m", "mock_server.cli", "serve", "--port", str(port), *flags], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    wait_up(f"{base}/powertokens/openapi.json", proc=proc)
    return Server(name, base, proc, lambda r: f"/{r.gateway}{r.path}", lambda: f"/piebox{PB_POLL}", frozenset(ROUTES))


def start_bare(answers: dict[str, Answer]) -> Server:
    """The bare app: this script re-run with ``--serve-bare``, answering imagegw's pre-built bodies."""
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="imagegw-bench-bare-"))
    for name, ans in answers.items():
        (folder / f"{name}.json").write_text(json.dumps({"status": ans.status, "path": ans.path, "method": ans.method}))
        (folder / f"{name}.body").write_bytes(ans.body)
    proc = popen([sys.executable, __file__, "--serve-bare", str(port), str(folder)], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    wait_up(f"{base}/", proc=proc)
    return Server("bare starlette", base, proc, lambda r: f"/{r.gateway}{r.path}", lambda: f"/piebox{PB_POLL}", frozenset(ROUTES))


def serve_bare(port: int, folder: Path) -> None:
    """Run a Starlette app answering each captured route with its constant body (no parsing, no logic)."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    routes: dict[tuple[str, str], tuple[int, bytes]] = {}
    for meta in folder.glob("*.json"):
        info = json.loads(meta.read_text())
        routes[(info["method"], info["path"])] = (info["status"], meta.with_suffix(".body").read_bytes())
    by_path: dict[str, list[tuple[int, bytes]]] = {}
    for (_method, path), answer in routes.items():
        by_path.setdefault(path, []).append(answer)

    def constant(status: int, body: bytes) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            return Response(body, status_code=status, media_type="application/json")

        return endpoint

    # b64 and url share a path: the bare app answers by a marker in the body, the cheapest split
    pt = {
        n: routes[("POST", f"/powertokens{PT_PATH}#{n}")]
        for n in ("url", "b64", "invalid")
        if ("POST", f"/powertokens{PT_PATH}#{n}") in routes
    }

    async def powertokens(request: Request) -> Response:
        raw = await request.body()
        name = "b64" if b"b64_json" in raw else "invalid" if b"10x10" in raw else "url"
        status, body = pt[name]
        return Response(body, status_code=status, media_type="application/json")

    app_routes = [Route(f"/powertokens{PT_PATH}", powertokens, methods=["POST"])]
    for (method, path), (status, body) in routes.items():
        if not path.startswith(f"/powertokens{PT_PATH}"):
            app_routes.append(Route(path, constant(status, body), methods=[method]))
    app_routes.append(Route("/", constant(200, b"{}"), methods=["GET"]))
    uvicorn.run(Starlette(routes=app_routes), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def npx_prism() -> list[str] | None:
    if shutil.which("prism"):
        return [shutil.which("prism") or "prism"]
    if shutil.which("npx"):
        return [shutil.which("npx") or "npx", "--yes", "@stoplight/prism-cli@5"]
    return None


def start_prism() -> Server | str:
    cmd = npx_prism()
    if cmd is None:
        return "skipped: prism not found (needs npx, or prism on PATH)"
    ports = {g: free_port() for g in ("powertokens", "piebox")}
    procs = {
        g: popen([*cmd, "mock", "-p", str(p), "-h", "127.0.0.1", str(ROOT / "contracts" / f"{g}.openapi.yaml")]) for g, p in ports.items()
    }
    try:
        for g, p in ports.items():
            wait_up(f"http://127.0.0.1:{p}/", timeout=240, proc=procs[g])
    except RuntimeError as exc:
        for proc in procs.values():
            Server("", "", proc, str, str, frozenset()).stop()
        return f"skipped: prism did not start ({exc})"
    base = f"http://127.0.0.1:{ports['powertokens']}"
    pbase = f"http://127.0.0.1:{ports['piebox']}"
    return Server(
        "prism 5",
        base,
        procs["powertokens"],
        lambda r: (pbase if r.gateway == "piebox" else base) + r.path,
        lambda: pbase + PB_POLL,
        frozenset(ROUTES),
        extra_procs=[procs["piebox"]],
    )


def wiremock_jar() -> Path | None:
    candidates = [os.environ.get("WIREMOCK_JAR", "")]
    roots = [ROOT / "node_modules", ROOT / "bench" / "node_modules", Path.cwd() / "node_modules"]
    if shutil.which("npm"):
        try:
            roots.append(Path(subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=30).stdout.strip()))
        except (OSError, subprocess.TimeoutExpired):
            pass
    for r in roots:
        candidates.extend(str(p) for p in sorted((r / "wiremock" / "build").glob("wiremock-standalone-*.jar")))
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def start_wiremock(answers: dict[str, Answer]) -> Server | str:
    java = shutil.which("java")
    if java is None:
        return "skipped: wiremock needs java (17+), not found"
    jar = wiremock_jar()
    if jar is None:
        return "skipped: wiremock not found (npm install wiremock, or set WIREMOCK_JAR)"
    root = Path(tempfile.mkdtemp(prefix="imagegw-bench-wiremock-"))
    (root / "mappings").mkdir()
    (root / "__files").mkdir()
    for name, ans in answers.items():
        path = ans.path.split("#")[0]
        request: dict[str, Any] = {"method": ans.method}
        if name == "piebox-poll":
            request["urlPathPattern"] = f"/piebox{PB_POLL}[^/]+"
        else:
            request["urlPath"] = path
        response: dict[str, Any] = {"status": ans.status, "headers": {"Content-Type": "application/json"}}
        priority = 5
        if name == "b64":
            request["bodyPatterns"] = [{"contains": "b64_json"}]
            (root / "__files" / "b64.json").write_bytes(ans.body)
            response["bodyFileName"] = "b64.json"  # the same bytes, served from a file
            priority = 1
        else:
            if name == "invalid":
                request["bodyPatterns"] = [{"contains": "10x10"}]
                priority = 1
            response["body"] = ans.body.decode("utf-8")
        (root / "mappings" / f"{name}.json").write_text(json.dumps({"priority": priority, "request": request, "response": response}))
    port = free_port()
    proc = popen(
        [
            java,
            "-jar",
            str(jar),
            "--port",
            str(port),
            "--bind-address",
            "127.0.0.1",
            "--root-dir",
            str(root),
            "--max-request-journal-entries",
            "1000",
            "--disable-banner",
        ]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(f"{base}/__admin/health", timeout=120, proc=proc)
    except RuntimeError as exc:
        Server("", "", proc, str, str, frozenset()).stop()
        return f"skipped: wiremock did not start ({exc})"
    return Server(
        f"wiremock {jar.stem.rsplit('-', 1)[-1]}",
        base,
        proc,
        lambda r: f"/{r.gateway}{r.path}",
        lambda: f"/piebox{PB_POLL}",
        frozenset(ROUTES),
    )


# -- imagegw's own answers (what WireMock and the bare app serve) -------------------------------


@dataclass
class Answer:
    method: str
    path: str
    status: int
    body: bytes


def capture(imagegw: Server) -> dict[str, Answer]:
    """imagegw's answer to each route (the piebox poll included), for the static servers."""
    out: dict[str, Answer] = {}
    with httpx.Client(base_url=imagegw.base, timeout=60) as c:
        for name, route in ROUTES.items():
            r = c.request(route.method, imagegw.path_for(route), json=route.body, headers=route.headers())
            key = f"/{route.gateway}{route.path}" + (f"#{name}" if route.gateway == "powertokens" else "")
            out[name] = Answer(route.method, key, r.status_code, r.content)
            if name == "piebox":
                task = r.json()["task_id"]
                p = c.get(f"/piebox{PB_POLL}{task}", headers=route.headers())
                out["piebox-poll"] = Answer("GET", f"/piebox{PB_POLL}{{id}}", p.status_code, p.content)
    return out


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


def fill_cache(imagegw: Server, megabytes: float) -> tuple[float | None, dict[str, Any]]:
    """Render distinct 4096x4096 ``b64_json`` images until the image cache is full and has gone on
    evicting for half as many again (its steady state), or ``megabytes`` if smaller; return
    (RSS MiB, cache stats)."""
    stats: dict[str, Any] = {}
    tag = os.urandom(4).hex()  # distinct from any earlier run's images
    full_at = None
    with httpx.Client(base_url=imagegw.base, timeout=120) as c:
        for i in range(100000):
            body = {**EXAMPLE, "response_format": "b64_json", "prompt": f"fill {tag} {i}", "size": "4096x4096"}
            r = c.post(f"/powertokens{PT_PATH}", json=body, headers=ROUTES["b64"].headers())
            if r.status_code != 200:
                break
            stats = c.get("/__mock/health").json().get("cache", {})
            if full_at is None and (stats.get("entries", 0) <= i or stats.get("bytes", 0) >= megabytes * 1024 * 1024):
                full_at = i  # eviction began (or the asked size was reached)
            if full_at is not None and i >= full_at * 1.5:
                break
    time.sleep(1.0)
    return imagegw.rss_mb(), stats


# -- main --------------------------------------------------------------------------------------


def fmt_ms(v: float) -> str:
    return f"{v:.1f} ms" if v == v else "?"


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-bare":
        serve_bare(int(sys.argv[2]), Path(sys.argv[3]))
        return 0
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seconds", type=int, default=3, help="duration of each wrk run (s)")
    ap.add_argument("--rounds", type=int, default=7, help="interleaved rounds (medians are taken over them)")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections")
    ap.add_argument("--routes", default=",".join(ROUTES), help="comma-separated subset of " + ",".join(ROUTES))
    ap.add_argument("--skip", default="", help="comma-separated servers to leave out: prism, wiremock, bare, no-admin")
    ap.add_argument("--asgi-requests", type=int, default=2000, help="in-process calls per route")
    ap.add_argument(
        "--fill-mb",
        type=float,
        default=None,
        help="fill imagegw's image cache to this many MiB before the last RSS reading (default: its bound; 0: skip)",
    )
    args = ap.parse_args()
    routes = [ROUTES[r] for r in args.routes.split(",") if r]
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    from mock_server.settings import Settings

    print(
        f"imagegw benchmark: python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}, wrk -t1 -c{args.connections} -d{args.seconds:g}s x {args.rounds} rounds"
    )

    # in-process first (no servers running yet)
    from mock_server.app import create_app

    print("\n## In-process (ASGI, no socket): CPU per request, best / median batch (µs)")
    answers_app = create_app(Settings())
    bare_costs: dict[str, float] = {}
    ours_costs: dict[str, float] = {}
    for route in routes:
        best, med = asgi_cost_us(answers_app, route, args.asgi_requests)
        ours_costs[route.name] = best
        print(f"imagegw   {route.name:<8} {best:6.0f} / {med:6.0f}" + ("   (create + poll)" if route.name == "piebox" else ""))
    renders = first_render_ms()
    print("first render 4096x4096, cold cache: " + ", ".join(f"{k} {v:.0f} ms" for k, v in renders.items()))

    servers: list[Server] = []
    notes: list[str] = []
    results: dict[tuple[str, str], list[WrkResult]] = {}
    rss: dict[str, float | None] = {}
    ratio_bits: list[str] = []
    try:
        imagegw = start_imagegw("imagegw")
        servers.append(imagegw)
        answers = capture(imagegw)
        if "no-admin" not in skip:
            servers.append(start_imagegw("imagegw --no-admin", "--no-admin"))
        if "bare" not in skip:
            servers.append(start_bare(answers))
            bare_app_costs(answers, routes, args.asgi_requests, bare_costs)
            print("bare      " + "   ".join(f"{k} {v:.0f}" for k, v in bare_costs.items()))
        for name, starter in (("prism", start_prism), ("wiremock", lambda: start_wiremock(answers))):
            if name in skip:
                notes.append(f"{name}: skipped (--skip)")
                continue
            started = starter()
            if isinstance(started, str):
                notes.append(f"{name}: {started}")
                print(started)
            else:
                servers.append(started)
        if not shutil.which("wrk"):
            print("skipped: wrk not found (apt-get install wrk): no load figures")
            return 0

        scripts = {(s.name, r.name): wrk_script(s, r) for s in servers for r in routes}
        for s in servers:  # warm-up: JIT (WireMock), caches (imagegw's images), Prism's first compile
            for r in routes:
                run_wrk(*scripts[(s.name, r.name)], seconds=2, connections=args.connections)
        # imagegw runs between the bare app and --no-admin, so each ratio compares adjacent runs;
        # the order flips every round, so no server always runs first
        by_name = {s.name: s for s in servers}
        middle = [by_name[n] for n in ("bare starlette", "imagegw", "imagegw --no-admin") if n in by_name]
        others = [s for s in servers if s not in middle]
        base_order = others[:1] + middle + others[1:]
        for rnd in range(args.rounds):
            for r in routes:
                order = base_order if rnd % 2 == 0 else base_order[::-1]
                for s in order:
                    results.setdefault((s.name, r.name), []).append(s.load(*scripts[(s.name, r.name)], args.seconds, args.connections))
            print(f"round {rnd + 1}/{args.rounds} done (load average {os.getloadavg()[0]:.1f})", flush=True)
        for s in servers:
            rss[s.name] = s.rss_mb()

        def med(server: str, route: str, attr: str) -> float:
            vals = [v for v in (getattr(x, attr) for x in results.get((server, route), [])) if v == v]
            return statistics.median(vals) if vals else float("nan")

        def ratio(a: str, b: str, route: str) -> str:
            """Median over rounds of a's req/s over b's in the same round."""
            pairs = [x.rps / y.rps for x, y in zip(results.get((a, route), []), results.get((b, route), []), strict=False) if y.rps > 0]
            return f"{statistics.median(pairs):.2f}" if pairs else "n/a"

        for r in routes:
            print(f"\n## {r.title}: wrk medians over {args.rounds} rounds\n")
            print("| server | req/s | vs imagegw | p50 | p99 | CPU/request | non-2xx | socket errors | body bytes |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for s in servers:
                rs = results[(s.name, r.name)]
                size = len(answers[r.name].body) if s.name != "prism 5" else "(contract example)"
                cpu = med(s.name, r.name, "cpu_us")
                print(
                    f"| {s.name} | {med(s.name, r.name, 'rps'):.0f} | {ratio(s.name, 'imagegw', r.name)} | "
                    f"{fmt_ms(med(s.name, r.name, 'p50_ms'))} | {fmt_ms(med(s.name, r.name, 'p99_ms'))} | "
                    f"{f'{cpu:.0f} µs' if cpu == cpu else '?'} | {sum(x.non2xx for x in rs)}/{sum(x.requests for x in rs)} | "
                    f"{sum(x.errors for x in rs)} | {size} |"
                )

        print("\n## RSS after the load (process tree, MiB)\n")
        for s in servers:
            v = rss[s.name]
            print(f"{s.name:<22} {v:8.0f}" if v is not None else f"{s.name:<22}        ?")
        fill = args.fill_mb if args.fill_mb is not None else Settings().image_cache_bytes / 1024 / 1024
        filled: float | None = None
        if fill > 0:
            filled, stats = fill_cache(imagegw, fill)
            print(
                f"imagegw after filling its image cache ({stats.get('entries', '?')} images, "
                f"{stats.get('bytes', 0) / 1024 / 1024:.0f} MiB cached): {filled:.0f} MiB"
                if filled is not None
                else "imagegw: RSS unknown"
            )

        names = {s.name for s in servers}
        wm = next((n for n in names if n.startswith("wiremock")), None)
        if "url" in args.routes:
            ratio_bits.append(f"url: imagegw/bare {ratio('imagegw', 'bare starlette', 'url') if 'bare starlette' in names else 'n/a'}")
            ratio_bits.append(f"/prism {ratio('imagegw', 'prism 5', 'url') if 'prism 5' in names else 'n/a'}")
            ratio_bits.append(f"/wiremock {ratio('imagegw', wm, 'url') if wm else 'n/a'}")
            if "bare starlette" in names:
                ratio_bits.append(
                    f"CPU/request bare/imagegw {med('bare starlette', 'url', 'cpu_us') / med('imagegw', 'url', 'cpu_us'):.2f}"
                )
            ratio_bits.append(
                f"p99 {fmt_ms(med('imagegw', 'url', 'p99_ms'))} at {args.connections} conns"
                + (f" (bare {fmt_ms(med('bare starlette', 'url', 'p99_ms'))})" if "bare starlette" in names else "")
            )
            if "imagegw --no-admin" in names:
                ratio_bits.append(f"journal on/off {ratio('imagegw', 'imagegw --no-admin', 'url')}")
        if "b64" in args.routes:
            ratio_bits.append(f"b64: imagegw/wiremock {ratio('imagegw', wm, 'b64') if wm else 'n/a'}")
        if ours_costs and bare_costs:
            ratio_bits.append(
                "in-process url cost imagegw/bare "
                + (f"{ours_costs['url'] / bare_costs['url']:.1f}x" if "url" in bare_costs and "url" in ours_costs else "n/a")
            )
        ratio_bits.append(f"RSS {rss.get('imagegw') or 0:.0f} MiB" + (f", {filled:.0f} MiB with a full image cache" if filled else ""))
    finally:
        for s in servers:
            s.stop()
    for n in notes:
        print(n)
    print("\nratios: " + "; ".join(ratio_bits))
    return 0


def bare_app_costs(answers: dict[str, Answer], routes: list[RouteSpec], n: int, out: dict[str, float]) -> None:
    """In-process cost of the bare app (same constant answers), for the per-request framework floor."""
    folder = Path(tempfile.mkdtemp(prefix="imagegw-bench-bare-"))
    for name, ans in answers.items():
        (folder / f"{name}.json").write_text(json.dumps({"status": ans.status, "path": ans.path, "method": ans.method}))
        (folder / f"{name}.body").write_bytes(ans.body)
    import uvicorn

    captured: list[Any] = []
    real_run = uvicorn.run
    uvicorn.run = lambda app, **kw: captured.append(app)  # type: ignore[assignment]
    try:
        serve_bare(0, folder)
    finally:
        uvicorn.run = real_run
    for route in routes:
        out[route.name] = asgi_cost_us(captured[0], route, n)[0]


if __name__ == "__main__":
    raise SystemExit(main())
