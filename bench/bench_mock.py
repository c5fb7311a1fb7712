"""Benchmark: requests per second of the imagegw mock, optionally against Prism on the same request.

Usage::

    .venv/bin/python bench/bench_mock.py [--requests 2000] [--concurrency 16] [--prism]

Starts ``imagegw serve`` (one uvicorn worker) on a free 127.0.0.1 port, warms it up, then sends
the PowerTokens document's example request (``response_format: url``) ``--requests`` times with
``--concurrency`` connections, and prints requests/second and latency percentiles (ms). Also
measures a ``b64_json`` answer (a cached 2048x2048 PNG, base64) and a validation error.
With ``--prism`` it starts Stoplight Prism (``npx @stoplight/prism-cli mock``) on the same
contract and sends it the same request, then prints the ratio. When ``wrk`` is installed
(Debian package ``wrk``) each server is also loaded with it: the Python load generator saturates
before the servers do, so the wrk figures are the ones to compare. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = {"model": "seedream-4-5-251128", "prompt": "A cute corgi running on grass, sunny day, realistic style",
           "size": "2048x2048", "response_format": "url"}
HEADERS = {"Authorization": "Bearer bench-key", "Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


async def load(url: str, body: dict, requests: int, concurrency: int) -> tuple[float, list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        async def worker() -> None:
            for _ in queue:
                t0 = time.perf_counter()
                r = await client.post(url, json=body, headers=HEADERS)
                await r.aread()
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return requests / elapsed, latencies, statuses


def report(name: str, rps: float, lat: list[float], statuses: dict[int, int]) -> None:
    q = statistics.quantiles(lat, n=100)
    print(f"{name:<38} {rps:8.0f} req/s   p50 {q[49]:6.1f} ms   p99 {q[98]:6.1f} ms   statuses {statuses}")


def run(url: str, body: dict, n: int, c: int) -> tuple[float, list[float], dict[int, int]]:
    asyncio.run(load(url, body, min(100, n), c))  # warm-up
    return asyncio.run(load(url, body, n, c))


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-key"
"""


def run_wrk(url: str, body: dict, seconds: int, c: int) -> tuple[float, str]:
    """Load ``url`` with wrk (C load generator, one thread) for ``seconds``; returns (requests/s, summary line)."""
    import json
    import re
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % json.dumps(body))
    subprocess.run(["wrk", "-t1", f"-c{c}", "-d2s", "-s", f.name, url], capture_output=True, text=True)  # warm-up
    out = subprocess.run(["wrk", "-t1", f"-c{c}", f"-d{seconds}s", "--latency", "-s", f.name, url], capture_output=True, text=True).stdout
    os.unlink(f.name)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    value = float(rps.group(1)) if rps else 0.0
    return value, (f"{value:8.0f} req/s   p50 {p50.group(1) if p50 else '?':>8}   p99 {p99.group(1) if p99 else '?':>8}"
            f"   non-2xx {non2xx.group(1) if non2xx else 0}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--prism", action="store_true", help="also benchmark Prism on the same contract and request")
    ap.add_argument("--wrk-seconds", type=int, default=10, help="duration of each wrk run (when wrk is installed)")
    args = ap.parse_args()

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mock_server.cli", "serve", "--port", str(port), "--log-level", "warning"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(f"http://127.0.0.1:{port}/__mock/health")
        url = f"http://127.0.0.1:{port}/powertokens/v1/images/generations"
        print(f"{args.requests} requests, concurrency {args.concurrency}, python {sys.version.split()[0]}, {os.cpu_count()} cores")
        ours = run(url, EXAMPLE, args.requests, args.concurrency)
        report("imagegw  powertokens url (doc example)", *ours)
        report("imagegw  powertokens b64_json 2048x2048", *run(url, {**EXAMPLE, "response_format": "b64_json"}, max(200, args.requests // 10), args.concurrency))
        report("imagegw  powertokens 400 invalid size", *run(url, {**EXAMPLE, "size": "10x10"}, args.requests, args.concurrency))
        if shutil.which("wrk"):
            ours_wrk = run_wrk(url, EXAMPLE, args.wrk_seconds, args.concurrency)
            print(f"{'imagegw  doc example, wrk':<38} {ours_wrk[1]}")
    finally:
        server.terminate()
        server.wait(timeout=10)

    if args.prism:
        npx = shutil.which("npx")
        if not npx:
            print("prism: npx not found; skipped")
            return 0
        pport = free_port()
        prism = subprocess.Popen([npx, "--yes", "@stoplight/prism-cli@5", "mock", "-p", str(pport), "-h", "127.0.0.1",
                                  str(ROOT / "contracts" / "powertokens.openapi.yaml")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            wait_up(f"http://127.0.0.1:{pport}/", timeout=180)
            theirs = run(f"http://127.0.0.1:{pport}/v1/images/generations", EXAMPLE, args.requests, args.concurrency)
            report("prism    powertokens (same request)", *theirs)
            if shutil.which("wrk"):
                theirs_wrk = run_wrk(f"http://127.0.0.1:{pport}/v1/images/generations", EXAMPLE, args.wrk_seconds, args.concurrency)
                print(f"{'prism    same request, wrk':<38} {theirs_wrk[1]}")
                if theirs_wrk[0]:
                    print(f"imagegw / prism requests per second (wrk): {ours_wrk[0] / theirs_wrk[0]:.2f}x")
            print(f"imagegw / prism requests per second (python load generator): {ours[0] / theirs[0]:.2f}x")
        finally:
            import signal

            os.killpg(prism.pid, signal.SIGTERM)  # npx starts node as a child: stop the whole group
            prism.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
