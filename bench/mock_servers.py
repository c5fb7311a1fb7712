"""The servers ``bench/bench_mock.py`` compares, each on a free 127.0.0.1 port: ``imagegw serve``
(with and without its control plane), a bare Starlette + uvicorn app answering imagegw's own
pre-built answers, Stoplight Prism 5 on the PowerTokens and PieBox contracts, and WireMock 3 with
static stubs of the same answers; the :class:`Server` handle (base URL, path mapping, the process
tree's CPU time and RSS from Linux ``/proc``, stop) and imagegw's captured answers (:func:`capture`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from mock_measures import PB_POLL, PT_PATH, ROOT, ROUTES, RouteSpec, WrkResult, run_wrk

#: The entry point, re-run as ``--serve-bare`` to serve the bare app in its own process.
BENCH_MOCK = Path(__file__).with_name("bench_mock.py")

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
    """The bare app: ``bench/bench_mock.py`` re-run with ``--serve-bare``, answering imagegw's pre-built bodies."""
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="imagegw-bench-bare-"))
    for name, ans in answers.items():
        (folder / f"{name}.json").write_text(json.dumps({"status": ans.status, "path": ans.path, "method": ans.method}))
        (folder / f"{name}.body").write_bytes(ans.body)
    proc = popen([sys.executable, str(BENCH_MOCK), "--serve-bare", str(port), str(folder)], cwd=ROOT)
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
