"""The shell that drives probe flows (:mod:`drift.probe`) over ``httpx``, and the mock to compare with.

:class:`HttpShell` answers the effects of a flow: :class:`clients.flow.Send` with
``httpx.Client.send`` (a transport failure is thrown back into the flow as
:class:`clients.errors.APIConnectionError`, the ``httpx`` exception as its ``__cause__``),
:class:`clients.flow.Sleep` and :class:`clients.flow.Now` with the injected ``sleep`` and
``timer``, :class:`drift.probe.Progress` with the progress sink. With a
:class:`recordings.RecordingWriter` it stores every exchange it sends (``--save-baseline``).

:class:`MockTarget` is the mock as drift sees it, in process: an ``httpx`` transport that answers
like the mock, the root URL of one gateway on it, and how to move the mock's clock. Drift does
not import the mock; whoever composes the command line builds one (``imagegw.cli``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from clients import flow
from recordings import RecordingWriter

from .model import ProgressSink
from .plans import Probe
from .probe import Progress

__all__ = ["HttpShell", "MockTarget", "MockFactory", "VirtualTime"]


@dataclass
class MockTarget:
    """The mock, in process, serving one gateway.

    Attributes:
        transport: a synchronous ``httpx`` transport that reaches the mock app (no socket).
        base_url: the gateway's root on it, e.g. ``http://imagegw-mock.local/tokenhub``.
        advance: moves the mock's (manual) clock by that many seconds: the probe's waits.
        api_key: the key sent to the mock (any non-empty key is accepted by default).
        close: releases the transport.
        description: what the mock is, for the report (``imagegw mock 0.1.0, in process``).
    """

    transport: httpx.BaseTransport
    base_url: str
    advance: Callable[[float], Any]
    api_key: str = field(default="sk-imagegw-drift-mock-0000", repr=False)
    close: Callable[[], Any] = lambda: None
    description: str = "the imagegw mock, in process"


#: Builds a fresh :class:`MockTarget` for a gateway id.
MockFactory = Callable[[str], MockTarget]


class VirtualTime:
    """A clock that only waits move: ``now()`` seconds, ``sleep(s)`` advances it (and calls
    ``on_sleep``, e.g. the mock's clock). The mock run never sleeps for real."""

    def __init__(self, on_sleep: Callable[[float], Any] | None = None) -> None:
        self.t = 0.0
        self._on_sleep = on_sleep

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds
        if self._on_sleep is not None:
            self._on_sleep(seconds)


class HttpShell:
    """Drives probe flows with one ``httpx.Client``.

    Args:
        client: the HTTP client (its transport decides where requests go).
        timer: monotonic seconds (``Now`` effects, latency of recorded exchanges).
        sleep: ``sleep(seconds)`` for ``Sleep`` effects.
        progress: receives ``Progress`` effects.
        writer: stores every exchange sent (redacted) when given.
        base_url: the gateway root; recorded paths are relative to it.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        timer: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], Any] = time.sleep,
        progress: ProgressSink | None = None,
        writer: RecordingWriter | None = None,
        base_url: str = "",
    ) -> None:
        self.client = client
        self.timer = timer
        self.sleep = sleep
        self.progress = progress or ProgressSink()
        self.writer = writer
        self.base = httpx.URL(base_url) if base_url else None

    def run(self, gen: flow.Flow, probe: Probe) -> Any:
        """Drive ``gen`` to its end and return its value (its exceptions propagate)."""
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = gen.throw(error) if error is not None else gen.send(value)
            except StopIteration as stop:
                return stop.value
            value, error = None, None
            if isinstance(effect, flow.Send):
                try:
                    value = self._send(effect.request)
                except flow.SEND_ERRORS as exc:  # a transport failure, or an answer that cannot be read
                    error = flow.send_error(exc, effect.request, None)
                    error.__cause__ = exc
            elif isinstance(effect, flow.Sleep):
                self.sleep(effect.seconds)
            elif isinstance(effect, flow.Now):
                value = self.timer()
            elif isinstance(effect, Progress):
                self.progress.step(probe, effect.text)
            else:  # pragma: no cover - a flow bug
                raise TypeError(f"unknown effect {effect!r}")

    def _send(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a multipart body is a stream until read: read it once, so it can be recorded
        started = self.timer()
        response = self.client.send(request)
        response.read()
        if self.writer is not None:
            self.writer.record(
                method=request.method,
                path=self._relative(request.url),
                query=list(request.url.params.multi_items()),
                request_headers=list(request.headers.items()),
                request_body=request.content,
                status=response.status_code,
                response_headers=list(response.headers.items()),
                response_body=response.content,
                latency_s=max(0.0, self.timer() - started),
            )
        return response

    def _relative(self, url: httpx.URL) -> str:
        """``url``'s path below the gateway root (a result URL elsewhere keeps its own path)."""
        if self.base is not None and (url.scheme, url.host, url.port) == (self.base.scheme, self.base.host, self.base.port):
            prefix = self.base.path.rstrip("/")
            if prefix and url.path.startswith(prefix + "/"):
                return url.path[len(prefix) :]
        return url.path
