"""Helpers for drift tests: the mock (one gateway at the root, key enforced), a drift run against
it in-process, and baselines recorded through the recording proxy from the unmodified mock.

All traffic is in-process (ASGI). Time: the mock runs on a ManualClock that the probe's ``sleep``
advances; latency is measured with a FakeTimer that only injected delays move.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import typer
from contract_guard import record as record_violation
from drift_mutations import FakeTimer, Mutator, Rule
from mock_apps import build_app
from starlette.applications import Starlette

from drift import DriftReport, DriftRun, Limits, MockTarget, Target
from drift.cli import build_command
from imagegw.cli import in_process_mock
from mock_server import ManualClock, Settings
from mock_server.recorder import build_recorder_app
from mock_server.testing import SyncASGITransport

#: The ``mutated`` fixture (tests/drift/conftest.py): ``mutated(gateway, rules)`` -> the mock wrapped in a Mutator.
Mutated = Callable[[str, list[Rule]], Mutator]

#: The key every test uses; redaction tests look for it in every file written.
KEY = "sk-drift-SECRET-7f3a9c1e5b2d4a60"
HOST = "http://gateway.test"
SECRET = b"drift-test-secret-0123456789abcdef"


def mock_app(gateway: str, clock: ManualClock, **settings: Any) -> Starlette:
    """The mock with ``gateway`` at the root too, accepting only :data:`KEY`."""
    return build_app(
        Settings(raise_server_exceptions=True, secret=SECRET, root_gateway=gateway, api_keys={gateway: KEY}, **settings), clock=clock
    )


def run_drift_on(
    gateway: str,
    app: Any,
    clock: ManualClock,
    *,
    timer: FakeTimer | None = None,
    budget: int = 1,
    baseline: Path | None = None,
    **kwargs: Any,
) -> DriftReport:
    """One drift run against ``app`` in-process (polls advance ``clock``)."""
    transport = SyncASGITransport(app)
    try:
        limits = {k: kwargs.pop(k) for k in list(kwargs) if k in Limits.__dataclass_fields__}
        return DriftRun(
            gateway,
            Target(HOST, KEY, transport),
            budget=budget,
            baseline=baseline,
            limits=Limits(**limits),
            timer=(timer or FakeTimer()).now,
            sleep=clock.advance,
            **kwargs,
        ).run()
    finally:
        transport.close()


def record_through_proxy(gateway: str, out: Path, *, budget: int, rules: list[Rule] | None = None) -> DriftReport:
    """Run drift through ``imagegw record``'s proxy in front of the (optionally mutated) mock."""
    clock = ManualClock()
    timer = FakeTimer()
    app = mock_app(gateway, clock)
    upstream = Mutator(app, rules or [], timer) if rules else app
    recorder = build_recorder_app(gateway, HOST, out, transport=httpx.ASGITransport(app=upstream), timer=timer.now)
    transport = SyncASGITransport(recorder)
    try:
        return DriftRun(
            gateway, Target("http://recorder.test", KEY, transport), budget=budget, timer=timer.now, sleep=clock.advance, contract=False
        ).run()
    finally:
        transport.close()


class InProcessMocks:
    """A :data:`drift.MockFactory`: the unmodified mock (every gateway under ``/{id}``, any key), in
    process on its own manual clock; keeps each app it built so a test can read its journal."""

    def __init__(self) -> None:
        self.apps: list[Any] = []

    def __call__(self, gateway: str) -> MockTarget:
        clock = ManualClock()
        app = build_app(Settings(raise_server_exceptions=True, secret=SECRET), clock=clock)
        self.apps.append(app)
        transport = SyncASGITransport(app)
        return MockTarget(
            transport=transport,
            base_url=f"http://mock.test/{gateway}",
            advance=clock.advance,
            close=transport.close,
            description=f"the test mock ({gateway})",
        )


class Baselines:
    """Baselines recorded once per gateway per session (every paid probe included)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._done: dict[str, Path] = {}

    def __call__(self, gateway: str) -> Path:
        if gateway not in self._done:
            from drift.plans import plan_for

            out = self.root / gateway
            report = record_through_proxy(gateway, out, budget=len(plan_for(gateway).paid))
            assert report.status == "ok", report.reason
            self._done[gateway] = out
        return self._done[gateway]


class LiveServer:
    """``app`` served by uvicorn on 127.0.0.1 (a free port) in a thread; ``url`` is its root."""

    def __init__(self, app: Any) -> None:
        import socket
        import threading

        import uvicorn

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:  # waiting for a real socket to bind, not a test sleep
            time.sleep(0.01)
        assert self.server.started, "uvicorn did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self._sock.close()


def closed_port_url() -> str:
    """A 127.0.0.1 URL whose port nothing listens on."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``needle`` (UTF-8)."""
    raw = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and raw in p.read_bytes()]


def guarded_cli() -> typer.Typer:
    """The ``imagegw drift`` command as the command line mounts it, with its in-process mock built
    with the suite's contract check (``imagegw.cli.in_process_mock(..., contract_guard=...)``), so
    a mock answer that breaks its contract fails the drift test that caused it."""
    cli = typer.Typer(add_completion=False, no_args_is_help=True)

    @cli.callback()
    def _root() -> None:
        """imagegw drift, the mock's answers checked against the contracts."""

    cli.command(name="drift")(build_command(mock=functools.partial(in_process_mock, contract_guard=record_violation)))
    return cli
