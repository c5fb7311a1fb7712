"""A hard end for the sync shell's socket operations: the whole-call deadline below httpx.

httpx's timeouts bound each network operation, not a request: a server that sends one byte
per second never trips a read timeout, and httpx has no total timeout (encode/httpx#1450; the
maintainers point at httpcore's network layer). The async shell cancels the send
(``anyio.fail_after``); the sync shell cannot cancel a blocking read, so its default transport
runs on :class:`DeadlineBackend`: every connect, read and write takes the smaller of its own
timeout and the time left before :data:`DEADLINE` (a ``time.monotonic()`` value the shell sets
around each send), and fails with httpcore's timeout once none is left. Headers and body are
bounded alike.

:func:`deadline_transport` installs it in an ``httpx.HTTPTransport`` (the connection pool's
network backend is httpcore's documented extension point; httpx's transport does not pass it
through, so the pool's backend is wrapped in place). A caller's own ``transport=`` or
``http_client=`` keeps its behaviour: the deadline then holds between network operations only.
"""

from __future__ import annotations

import contextvars
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

#: ``time.monotonic()`` by which the current call's socket operations must end, or ``None``.
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("imagegw_client_deadline", default=None)


def _bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    end = DEADLINE.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise exc("the call's deadline ran out")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by :data:`DEADLINE`."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: typing.Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with :class:`DeadlineStream` streams."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        return DeadlineStream(
            self._inner.connect_tcp(host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[typing.Any] | None = None
    ) -> httpcore.NetworkStream:
        return DeadlineStream(self._inner.connect_unix_socket(path, _bounded(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_transport() -> httpx.BaseTransport | None:
    """An ``httpx.HTTPTransport`` whose connections end by :data:`DEADLINE`, or ``None`` when that
    cannot be arranged: proxies are configured in the environment (an explicit transport would
    switch httpx's proxy support off), or httpx's transport no longer has the pool this wraps."""
    import urllib.request

    if any(k in ("http", "https", "all") for k in urllib.request.getproxies()):
        return None
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        return None
    pool._network_backend = DeadlineBackend(pool._network_backend)
    return transport


@contextmanager
def deadline_scope(expires_monotonic: float | None) -> Iterator[None]:
    """Set :data:`DEADLINE` for the body of the ``with`` (``None``: no deadline)."""
    token = DEADLINE.set(expires_monotonic)
    try:
        yield
    finally:
        DEADLINE.reset(token)
