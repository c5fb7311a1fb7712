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

The routes and the measures are ``bench/mock_measures.py``; the servers and their launchers
``bench/mock_servers.py``; this script runs the rounds and prints the tables.

Tools (none is needed by the test suite; a missing one is reported as ``skipped: …``):

* ``wrk``: ``apt-get install wrk`` (Debian/Ubuntu);
* Prism: ``npx --yes @stoplight/prism-cli@5`` is used (node/npm on PATH), or a ``prism`` on PATH;
* WireMock: ``npm install wiremock`` (the package ships the standalone jar) and Java 17+; the jar is
  looked for in ``$WIREMOCK_JAR``, ``./node_modules``, ``bench/node_modules`` and the global
  ``npm root -g``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from mock_measures import (
    EXAMPLE,
    PB_POLL,
    PT_PATH,
    ROOT,
    ROUTES,
    RouteSpec,
    WrkResult,
    asgi_cost_us,
    first_render_ms,
    run_wrk,
    wrk_script,
)
from mock_servers import (
    Answer,
    Server,
    capture,
    free_port,
    popen,
    serve_bare,
    start_bare,
    start_imagegw,
    start_prism,
    start_wiremock,
    wait_up,
)

#: What the other benchmarks take from here (the routes, the server handle, the measures).
__all__ = ["PB_POLL", "ROOT", "ROUTES", "RouteSpec", "Server", "asgi_cost_us", "free_port", "popen", "wait_up", "wrk_script"]


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
