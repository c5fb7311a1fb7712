"""Benchmark: how long the mock takes to render a labelled image, and that repeats come from the cache.

Usage::

    .venv/bin/python bench/bench_images.py [--size 4096x4096] [--distinct 5]

For each output kind the mock produces (PNG, PNG with a transparent background, JPEG, WebP, WebP
with a transparent background) it asks a fresh :class:`mock_server.images.ImageStore` for
``--distinct`` images that differ only in their prompt (so none is in the cache), timing each
first render, then asks for the same images again and times those (the store's ``renders``
counter must not move: they come from the cache). Prints per kind the first render's median and
worst time in ms, the median repeat in µs, and the encoded size. The first image of the process
also pays for loading the font; it is shown apart. The target is a first render of a 4096x4096
image within 300 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from mock_server.images import ImageStore, spec_for

KINDS: tuple[tuple[str, str, bool], ...] = (
    ("png", "png", False),
    ("png transparent", "png", True),
    ("jpeg", "jpeg", False),
    ("webp", "webp", False),
    ("webp transparent", "webp", True),
)
CACHE_BYTES = 2 << 30  # large enough that nothing is evicted during the run


def _spec(kind: int, k: int, width: int, height: int, fmt: str, transparent: bool):  # type: ignore[no-untyped-def]
    return spec_for(
        f"bench image {kind}.{k}: a lighthouse on a cliff at dusk, oil painting",
        width,
        height,
        fmt,
        seed=1234 + k,
        index=k % 4,
        count=4,
        model="gpt-image-2",
        gateway="tokenhub",  # type: ignore[arg-type]
        transparent=transparent,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="4096x4096", help="WxH (default 4096x4096)")
    parser.add_argument("--distinct", type=int, default=5, help="images per kind (default 5)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    store = ImageStore(b"bench-secret-0123456789abcdef", CACHE_BYTES)
    t0 = time.perf_counter()
    store.get(_spec(-1, 0, width, height, "png", False))
    print(f"{args.size}: process's first render (font load included): {(time.perf_counter() - t0) * 1000:.0f} ms")
    print(f"{'kind':18} {'first median':>13} {'first worst':>12} {'repeat median':>14} {'bytes':>10}")
    for n, (name, fmt, transparent) in enumerate(KINDS):
        specs = [_spec(n, k, width, height, fmt, transparent) for k in range(args.distinct)]
        firsts, repeats = [], []
        for spec in specs:
            t0 = time.perf_counter()
            image = store.get(spec)
            firsts.append(time.perf_counter() - t0)
        renders = store.renders
        for spec in specs:
            t0 = time.perf_counter()
            again = store.get(spec)
            repeats.append(time.perf_counter() - t0)
        if store.renders != renders or again is not store.get(specs[-1]):
            raise SystemExit(f"{name}: a repeat was rendered again instead of served from the cache")
        print(
            f"{name:18} {statistics.median(firsts) * 1000:10.0f} ms {max(firsts) * 1000:9.0f} ms "
            f"{statistics.median(repeats) * 1e6:11.1f} µs {len(image.data):10,}"
        )


if __name__ == "__main__":
    main()
