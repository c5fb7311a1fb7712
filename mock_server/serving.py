"""How ``imagegw serve`` and ``imagegw record`` run uvicorn: connection limits and a redacted access log.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but has no bound on a
connection that is slow to send its request: a new connection that sends nothing, or a header
block that arrives a byte at a time, stays open for ever, and httptools puts no limit on the
header block's size. :class:`GuardedHttpToolsProtocol` adds, per connection:

* a **header timeout** (``Settings.header_timeout_seconds``): the complete header block must
  arrive within that many seconds of the connection opening, or of the request's first byte
  on a kept-alive connection; otherwise 408 and the connection is closed (silently when the
  client sent nothing at all, so a client pool never reads a 408 it did not ask for);
* a **header size limit** (``Settings.max_header_bytes``): a larger block gets 431 and the
  connection is closed;
* **no left-over body**: when the app answered before the request body was fully received
  (413, 408 from the body deadline of :func:`mock_server.gateways.base.read_body`), the
  connection is closed instead of draining a body that may never end.

The access log goes through :class:`RedactQueryFilter`: credential query parameters
(``?key=``, ``?api_key=`` … the journal's :data:`~mock_server.journal.SECRET_QUERY`) are logged
as ``[REDACTED]``.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import gc
import logging
from typing import Any

from .journal import redact_target
from .settings import Settings

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - uvicorn without httptools: uvicorn's h11 protocol, size limit only
    HttpToolsProtocol = None  # type: ignore[assignment,misc]


class RedactQueryFilter(logging.Filter):
    """Rewrites uvicorn access-log records so credential query values read ``[REDACTED]``.

    uvicorn logs ``(client_addr, method, path_with_query, http_version, status)`` as the
    record's args (``uvicorn.protocols.http``); the third one is redacted with
    :func:`mock_server.journal.redact_target`. Other records pass unchanged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], redact_target(args[2]), *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration with :class:`RedactQueryFilter` on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_credentials"] = {"()": f"{__name__}.RedactQueryFilter"}
    config["loggers"]["uvicorn.access"]["filters"] = ["redact_credentials"]
    return config


if HttpToolsProtocol is not None:

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol with a header timeout, a header size limit and no
        left-over bodies (module docstring). Build it with :func:`protocol_factory`."""

        def __init__(
            self,
            config: Any,
            server_state: Any,
            app_state: dict[str, Any],
            _loop: asyncio.AbstractEventLoop | None = None,
            *,
            header_timeout_s: float = 10.0,
            max_header_bytes: int = 64 * 1024,
        ) -> None:
            super().__init__(config, server_state, app_state, _loop)
            self._header_timeout_s = header_timeout_s
            self._max_header_bytes = max_header_bytes
            self._header_timer: asyncio.TimerHandle | None = None
            self._headers_due = 0.0  # loop time by which the awaited header block must be complete
            self._awaiting_headers = False
            self._header_bytes = 0
            self._got_bytes = False

        # One timer per connection serves every request on it: arming sets the due time and
        # starts a timer only when none is pending; disarming leaves the timer to lapse (or to
        # re-arm itself for a later due time) instead of cancelling it, so a kept-alive
        # connection's requests do not each schedule and cancel a timer.
        def _arm(self) -> None:
            self._awaiting_headers = True
            self._header_bytes = 0
            self._headers_due = self.loop.time() + self._header_timeout_s
            if self._header_timer is None:
                self._header_timer = self.loop.call_at(self._headers_due, self._on_header_timeout, self._headers_due)

        def _disarm(self) -> None:
            self._awaiting_headers = False

        def _cancel_timer(self) -> None:
            self._awaiting_headers = False
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _reject(self, status: bytes) -> None:
            self._cancel_timer()
            if not self.transport.is_closing():
                self.transport.write(b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                self.transport.close()

        def _on_header_timeout(self, due: float) -> None:
            self._header_timer = None
            if self.transport.is_closing() or not self._awaiting_headers:
                return
            if self._headers_due > due:  # armed again since this timer started
                self._header_timer = self.loop.call_at(self._headers_due, self._on_header_timeout, self._headers_due)
                return
            if self._got_bytes:
                self._reject(b"408 Request Timeout")
            else:
                self._cancel_timer()
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_timer()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._awaiting_headers:
                self._header_bytes += len(data)
                self._got_bytes = True
            super().data_received(data)
            if self._awaiting_headers and self._header_bytes > self._max_header_bytes:
                self._reject(b"431 Request Header Fields Too Large")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._got_bytes = True
            if not self._awaiting_headers:
                self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            cycle = self.cycle
            if cycle is not None and cycle.more_body and not self.transport.is_closing():
                self.transport.close()  # answered before the body ended: do not drain what may never end
            super().on_response_complete()

else:  # pragma: no cover
    GuardedHttpToolsProtocol = None  # type: ignore[assignment,misc]


def freeze_startup_objects() -> None:
    """Move every object alive now (modules, code, the app just built) out of the cyclic garbage
    collector's reach (``gc.freeze``, after one full collection). For a server process, once its
    app is built.

    A full collection walks every tracked object. Under load the journal's entries survive into
    the oldest generation, so full collections come every few thousand requests, and each one
    walked the hundreds of thousands of objects the imports made: a pause of milliseconds that
    lands on the requests in flight (their 99th percentile). Frozen objects are never walked
    and never freed; nothing built at start-up is garbage.
    """
    gc.collect()
    gc.freeze()


def protocol_factory(settings: Settings) -> Any:
    """uvicorn's ``http=`` argument for ``settings``: :class:`GuardedHttpToolsProtocol` bound to
    its limits (a picklable ``functools.partial``, so ``--workers`` processes get it too), or
    ``"h11"`` when httptools is not installed (then only the header size limit applies)."""
    if GuardedHttpToolsProtocol is None:  # pragma: no cover
        return "h11"
    return functools.partial(
        GuardedHttpToolsProtocol, header_timeout_s=settings.header_timeout_seconds, max_header_bytes=settings.max_header_bytes
    )


def uvicorn_options(settings: Settings, *, log_level: str, access_log: bool) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config``: the guarded protocol, the
    keep-alive timeout, the header size limit (h11 too), the redacted access log, and no lifespan."""
    return {
        "http": protocol_factory(settings),
        "timeout_keep_alive": settings.keep_alive_seconds,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "log_config": log_config(),
        "log_level": log_level,
        "access_log": access_log,
        "lifespan": "off",
    }
