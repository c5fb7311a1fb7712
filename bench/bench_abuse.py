"""Load and abuse benchmark: what the mock holds under volume, hostile requests and slow clients.

Usage::

    .venv/bin/python bench/bench_abuse.py [--requests 200000] [--concurrency 16] [--time-limit 900]
                                          [--slow 200] [--probe 2000] [--large 4] [--large-mb 50]

Starts ``imagegw serve`` at its default settings (one process, access log on and discarded) on a
free 127.0.0.1 port, and prints:

1. **RSS after mixed traffic**: ``--requests`` requests round-robin over seven kinds (PowerTokens
   ``url`` and ``b64_json``, a PieBox task create, a validation error, an unknown route, a queued
   ``rate_limited`` scenario, ``GET /__mock/health``) on ``--concurrency`` keep-alive connections,
   stopping early at ``--time-limit`` seconds (the count reached is printed);
2. **the journal's size after hostile requests**: five ~8 MB bodies of long JSON keys, requests
   with 60 KB of headers and with 60 KB query strings, then the byte size of ``GET /__mock/requests``;
3. **a normal client's latency while slow connections are open**: ``--slow`` connections send a
   request's headers one byte per second (re-opened when the server closes them), while one
   client sends at least ``--probe`` normal requests for at least ``--slow-seconds``; prints
   p50/p99 and how many slow connections the server closed;
4. **peak memory of concurrent large bodies**: in a fresh server, ``--large`` uploads of
   ``--large-mb`` MiB at once; prints the process's peak RSS (``VmHWM``) before and after.

Every phase is bounded in count and time; all traffic stays on 127.0.0.1. ``--server-cmd`` runs
another build (e.g. ``"env PYTHONPATH=/path/to/other/checkout .venv/bin/python -m mock_server.cli serve"``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from contracts.registry import GATEWAY_IDS, gateway_spec

KEY = "bench-key"
URL_BODY = {"model": "seedream-4-0-250828", "prompt": "a cat on the moon", "size": "1024x1024", "response_format": "url"}
B64_BODY = {**URL_BODY, "response_format": "b64_json"}


def _request(method: str, path: str, body: object = None, headers: dict[str, str] | None = None) -> bytes:
    """One raw HTTP/1.1 request; a gateway path (``/<id>/…``) carries that gateway's credential header."""
    data = b"" if body is None else json.dumps(body).encode()
    gateway = path.split("/")[1]
    auth = gateway_spec(gateway).auth.headers(KEY) if gateway in GATEWAY_IDS else {}
    h = {"Host": "127.0.0.1", **auth, **(headers or {})}
    if body is not None:
        h["Content-Type"] = "application/json"
    h["Content-Length"] = str(len(data))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode() + data


MIXED = [
    _request("POST", "/powertokens/v1/images/generations", URL_BODY),
    _request("POST", "/powertokens/v1/images/generations", B64_BODY),
    _request("POST", "/piebox/v2/extend/image/seedream/generations", {"prompt": "a cat", "size": "2048x2048"}),
    _request("POST", "/tokenhub/v1/images/generations", {"model": "tokenhub/gpt-image-2", "prompt": "a cat", "size": "7x7"}),
    _request("GET", "/tokenhub/v1/nothing-here"),
    _request("POST", "/powertokens/v1/images/generations", URL_BODY, {"X-Mock-Scenario": "rate_limited"}),
    _request("GET", "/__mock/health"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


@contextmanager
def server(cmd: list[str]) -> Iterator[tuple[int, int]]:
    """``imagegw serve`` at its defaults on a free port; yields ``(port, pid)``."""
    port = free_port()
    proc = subprocess.Popen(
        [*cmd, "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> tuple[int, bytes]:
    """Send one request on a keep-alive connection and read its answer (Content-Length framed)."""
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


async def mixed(port: int, total: int, concurrency: int, time_limit: float) -> tuple[int, dict[int, int], float]:
    counter = iter(range(total))
    statuses: dict[int, int] = {}
    end = time.monotonic() + time_limit
    done = 0

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in counter:
            if time.monotonic() > end:
                break
            status, _ = await exchange(reader, writer, MIXED[i % len(MIXED)])
            statuses[status] = statuses.get(status, 0) + 1
            done += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, statuses, time.monotonic() - started


async def hostile(port: int) -> tuple[int, list[int]]:
    statuses: list[int] = []
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(5):  # ~8 MB of long JSON keys each
        body = {**URL_BODY, **{("k" * 40_000) + str(j): j for j in range(200)}}
        statuses.append((await exchange(reader, writer, _request("POST", "/powertokens/v1/images/generations", body)))[0])
    for _ in range(20):  # ~60 KB of header values
        headers = {f"X-Junk-{j}": "h" * 1000 for j in range(60)}
        statuses.append((await exchange(reader, writer, _request("POST", "/powertokens/v1/images/generations", URL_BODY, headers)))[0])
    for _ in range(20):  # ~60 KB query strings
        query = "&".join(f"{'q' * 50}{j}={'v' * 1000}" for j in range(55))
        statuses.append((await exchange(reader, writer, _request("GET", f"/tokenhub/v1/models?{query}")))[0])
    _, journal = await exchange(reader, writer, _request("GET", "/__mock/requests"))
    writer.close()
    return len(journal), statuses


async def slowloris(port: int, slow: int, probes: int, seconds: float) -> tuple[list[float], int, int]:
    stop = asyncio.Event()
    closed = 0
    opened = 0

    async def drip() -> None:
        nonlocal closed, opened
        line = b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 10_000
        while not stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.5)
                continue
            opened += 1
            try:
                for byte in line:
                    writer.write(bytes([byte]))
                    await writer.drain()
                    try:
                        await asyncio.wait_for(stop.wait(), 1.0)  # one byte per second
                        break
                    except TimeoutError:
                        pass
                    if reader.at_eof() or writer.is_closing():
                        break
                    if reader._buffer:  # type: ignore[attr-defined]  # the server answered (408) and closes
                        break
            except (ConnectionError, OSError):
                pass
            closed += 0 if stop.is_set() else 1
            writer.close()

    tasks = [asyncio.create_task(drip()) for _ in range(slow)]
    await asyncio.sleep(3)  # let every slow connection open and start dripping
    latencies: list[float] = []
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    raw = MIXED[0]
    until = time.monotonic() + seconds
    while len(latencies) < probes or time.monotonic() < until:
        t0 = time.perf_counter()
        await exchange(reader, writer, raw)
        latencies.append((time.perf_counter() - t0) * 1000)
    writer.close()
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return latencies, opened, closed


async def large(port: int, pid: int, count: int, mib: int) -> tuple[int, int, list[int]]:
    body = json.dumps({**URL_BODY, "pad": "A" * (mib * 1024 * 1024 - 200)}).encode()
    raw = (
        f"POST /powertokens/v1/images/generations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    before = rss_kib(pid, "VmHWM")

    async def one() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        status, _ = await exchange(reader, writer, raw)
        writer.close()
        return status

    statuses = await asyncio.gather(*(one() for _ in range(count)))
    return before, rss_kib(pid, "VmHWM"), list(statuses)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=200_000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--time-limit", type=float, default=900.0, help="seconds for the mixed phase at most")
    ap.add_argument("--slow", type=int, default=200)
    ap.add_argument("--probe", type=int, default=2000, help="normal requests while the slow connections are open (at least)")
    ap.add_argument("--slow-seconds", type=float, default=15.0, help="...and for at least this long (past the header timeout)")
    ap.add_argument("--large", type=int, default=4)
    ap.add_argument("--large-mb", type=int, default=50)
    ap.add_argument("--server-cmd", default=f"{sys.executable} -m mock_server.cli serve")
    ap.add_argument("--skip", default="", help="comma-separated phases to skip: mixed,hostile,slow,large")
    args = ap.parse_args()
    cmd = shlex.split(args.server_cmd)
    skip = set(filter(None, args.skip.split(",")))
    print(f"imagegw abuse benchmark: {args.server_cmd!r}, 127.0.0.1, pid-level RSS from /proc")
    with server(cmd) as (port, pid):
        print(f"RSS at start: {rss_kib(pid) / 1024:.0f} MiB")
        if "mixed" not in skip:
            done, statuses, took = asyncio.run(mixed(port, args.requests, args.concurrency, args.time_limit))
            note = "" if done >= args.requests else f" (stopped by --time-limit {args.time_limit:g} s)"
            print(
                f"RSS after {done} mixed requests{note}: {rss_kib(pid) / 1024:.0f} MiB   "
                f"[{done / took:.0f} req/s over {took:.0f} s, statuses {dict(sorted(statuses.items()))}]"
            )
        if "hostile" not in skip:
            size, statuses = asyncio.run(hostile(port))
            print(
                f"journal after 45 hostile requests (5 x ~8 MB of JSON keys, 60 KB headers, 60 KB queries): "
                f"GET /__mock/requests = {size} bytes ({size / 1024 / 1024:.2f} MiB); statuses {sorted(set(statuses))}; "
                f"RSS {rss_kib(pid) / 1024:.0f} MiB"
            )
        if "slow" not in skip:
            lat, opened, closed = asyncio.run(slowloris(port, args.slow, args.probe, args.slow_seconds))
            q = statistics.quantiles(lat, n=100)
            print(
                f"normal client with {args.slow} slow-header connections open: p50 {q[49]:.1f} ms   p99 {q[98]:.1f} ms   "
                f"max {max(lat):.1f} ms over {len(lat)} requests; slow connections opened {opened}, closed by the server {closed}"
            )
    if "large" not in skip:
        with server(cmd) as (port, pid):
            before, after, statuses = asyncio.run(large(port, pid, args.large, args.large_mb))
            print(
                f"{args.large} concurrent {args.large_mb} MiB bodies: peak RSS {before / 1024:.0f} MiB -> {after / 1024:.0f} MiB "
                f"(+{(after - before) / 1024:.0f} MiB); statuses {statuses}"
            )


if __name__ == "__main__":
    main()
