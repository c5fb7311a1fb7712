"""Helpers for tests: talk to an ASGI app from synchronous code with no socket, or serve it on
loopback for clients that only speak HTTP.

``httpx.ASGITransport`` is async-only; :class:`SyncASGITransport` gives ``httpx.Client`` (and
the reference client's sync shell) the same in-process path by running the app on a private
event loop in a background thread. :func:`serve_in_thread` runs the app under uvicorn on
``127.0.0.1`` and a free port, for clients whose transport cannot be swapped (the official SDKs).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx


class SyncASGITransport(httpx.BaseTransport):
    """A synchronous ``httpx`` transport that calls an ASGI ``app`` in-process.

    Args:
        app: any ASGI application (e.g. ``mock_server.create_app()``).
        client: the ``(host, port)`` the app sees as the peer (default ``127.0.0.1:123``).

    Use ``httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1")``.
    Close it (or the client) to stop the background loop.
    """

    def __init__(self, app: Any, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self._inner = httpx.ASGITransport(app=app, client=client)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="imagegw-asgi", daemon=True)
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run ``request`` through the app on the background loop; the body is read in full."""
        content = request.read()

        async def call() -> httpx.Response:
            req = httpx.Request(request.method, request.url, headers=request.headers, content=content, extensions=request.extensions)
            resp = await self._inner.handle_async_request(req)
            body = await resp.aread()
            return httpx.Response(resp.status_code, headers=resp.headers, content=body, extensions=resp.extensions)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result()

    def close(self) -> None:
        """Stop and close the background event loop."""
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        if not self._loop.is_running() and not self._loop.is_closed():
            self._loop.close()


@contextmanager
def serve_in_thread(app: Any, *, start_timeout_seconds: float = 10.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on ``127.0.0.1`` and a free port, in a daemon thread.

    Yields the base URL (``http://127.0.0.1:PORT``) once the server accepts connections; stops
    the server and joins the thread on exit. The app is served as ``imagegw serve`` serves it
    (no lifespan, uvicorn's own HTTP parsing), so a client sees the same wire.

    Raises:
        RuntimeError: the server did not start within ``start_timeout_seconds``.
    """
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="imagegw-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_seconds
    while not server.started:  # waiting for a real server to bind, not a test sleep
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            thread.join(timeout=5)
            sock.close()
            raise RuntimeError(f"the mock server did not start on 127.0.0.1:{port} within {start_timeout_seconds} s")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
