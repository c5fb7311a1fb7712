"""``imagegw serve --replay DIR``: answer recorded requests from a recordings folder.

:class:`Replayer` indexes the exchanges of every gateway in ``DIR`` (format: :mod:`recordings`,
``docs/drift.md``) by ``(gateway, method, path, body hash)``. ``mock_server.gateways.base`` asks
:meth:`Replayer.lookup` before the normal handler: a match answers the recorded response (images
restored from their blobs), anything else falls back to the normal mock behaviour.

Several exchanges with the same key (a PieBox task polled until it finished) are answered in
recording order, one per request; after the last one, the last keeps answering — so a client that
polls sees ``pending`` -> ``processing`` -> ``succeeded`` as recorded, and a terminal state stays put.
"""

from __future__ import annotations

import threading
from pathlib import Path

from starlette.responses import Response

from recordings import HOP_HEADERS, REDACTED, Exchange, Recordings, body_bytes, match_key

#: Recorded response headers not replayed (transport, or set by the mock itself).
_SKIP = HOP_HEADERS | {"date", "server"}


class Replayer:
    """Answers requests from a recordings folder.

    Args:
        path: the recordings folder (``imagegw record --out``).

    Raises:
        FileNotFoundError: when ``path`` is not a directory.
        ValueError: when its manifest is not an imagegw recordings manifest.
    """

    def __init__(self, path: str | Path) -> None:
        self.recordings = Recordings(path)
        self.path = Path(path)
        self._index: dict[tuple[str, str, str, str], list[Exchange]] = {}
        self._cursor: dict[tuple[str, str, str, str], int] = {}
        self._lock = threading.Lock()
        for gateway in self.recordings.gateways():
            for ex in self.recordings.exchanges(gateway):
                match = ex.request.get("match")
                if not isinstance(match, str):
                    continue
                self._index.setdefault((gateway, ex.method, ex.path, match), []).append(ex)

    def __len__(self) -> int:
        return sum(len(v) for v in self._index.values())

    def __repr__(self) -> str:
        return f"Replayer({str(self.path)!r}, {len(self)} exchanges)"

    def lookup(self, gateway_id: str, method: str, path: str, body: bytes) -> Response | None:
        """The recorded answer to ``method path`` with ``body`` on ``gateway_id``, or ``None``.

        Args:
            gateway_id: the gateway the request reached.
            method: HTTP method.
            path: path relative to the gateway root (``/v1/images/generations``), no query.
            body: the raw request body (JSON is matched on its canonical form, multipart with its
                boundary normalised).
        """
        key = (gateway_id, method.upper(), path, match_key(body))
        exchanges = self._index.get(key)
        if not exchanges:
            return None
        with self._lock:
            i = self._cursor.get(key, 0)
            self._cursor[key] = min(i + 1, len(exchanges) - 1)
        ex = exchanges[i]
        content = body_bytes(ex.response, self.recordings.blobs)
        headers = {k: v for k, v in (ex.response.get("headers") or {}).items() if k not in _SKIP and v != REDACTED}
        return Response(content, status_code=ex.status, headers=headers)

    def reset(self) -> None:
        """Start every sequence from its first recorded answer again."""
        with self._lock:
            self._cursor.clear()
