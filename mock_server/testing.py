"""In-process helpers for tests: talk to an ASGI app from synchronous code with no socket.

``httpx.ASGITransport`` is async-only; :class:`SyncASGITransport` gives ``httpx.Client`` (and
the reference client's sync shell) the same in-process path by running the app on a private
event loop in a background thread.
"""

from __future__ import annotations

import asyncio
import threading
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
            req = httpx.Request(request.method, request.url, headers=request.headers, content=content,
                                extensions=request.extensions)
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
