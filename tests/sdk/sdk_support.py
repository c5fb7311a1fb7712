"""Helpers for the SDK tests (``tests/sdk``): the served mock's handle and image helpers."""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from PIL import Image

from mock_server.engine import Mock

#: The keys the served mock accepts (``--api-key tokenhub=… --api-key powertokens=…``); any other is refused.
TOKENHUB_KEY = "sk-tokenhub-sdk-test"
POWERTOKENS_KEY = "sk-powertokens-sdk-test"


@dataclass
class Served:
    """The served mock: ``url`` (``http://127.0.0.1:PORT``) and its state (journal, faults)."""

    url: str
    mock: Mock

    def base(self, gateway_id: str, suffix: str = "/v1") -> str:
        """A gateway's base URL as an SDK wants it, e.g. ``http://127.0.0.1:PORT/tokenhub/v1``."""
        return f"{self.url}/{gateway_id}{suffix}"

    def queue(self, name: str, *, times: int, gateway: str) -> None:
        """Queue scenario ``name`` for the next ``times`` requests of ``gateway`` through the control
        plane (``POST /__mock/scenarios``), as a user's test would."""
        r = httpx.post(f"{self.url}/__mock/scenarios", json={"name": name, "times": times, "gateway": gateway}, timeout=10)
        assert r.status_code == 201, r.text

    def requests(self, path_suffix: str) -> list[dict]:
        """The journal's entries whose path ends with ``path_suffix``, oldest first."""
        return [e.as_dict() for e in self.mock.journal.entries() if e.path.endswith(path_suffix)]


# -- images in and out ------------------------------------------------------------------------------


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    """A PNG of ``width`` x ``height`` pixels (``RGBA`` with every pixel transparent for a mask)."""
    buf = io.BytesIO()
    Image.new(mode, (width, height), (0, 0, 0, 0) if mode == "RGBA" else (40, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def decode(data: bytes) -> tuple[str, tuple[int, int]]:
    """``(Pillow format, (width, height))`` of an encoded image."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.format or "", img.size


def decode_b64(value: str | None) -> tuple[str, tuple[int, int]]:
    """:func:`decode` of a ``b64_json`` value."""
    assert value, "no b64_json in the answer"
    return decode(base64.b64decode(value))


def fetch(url: str | None) -> bytes:
    """GET a URL result from the served mock (loopback only)."""
    assert url and url.startswith("http://127.0.0.1:"), url
    r = httpx.get(url, timeout=10)
    assert r.status_code == 200, r.text
    return r.content


@contextmanager
def logging_restored(keep_prefix: str) -> Iterator[None]:
    """Put the process's loggers back as they were on exit: level, filters, handlers, propagation.

    Loggers created meanwhile lose their filters, handlers and level, except those whose name
    starts with ``keep_prefix`` (the library's own). litellm's import adds its redaction filters
    to third-party loggers (``uvicorn.access``, ``httpx``, ``asyncio``, ...) for the whole process,
    which would rewrite the mock's own access log in every later test.
    """

    def state(logger: logging.Logger) -> tuple:
        return logger.level, list(logger.filters), list(logger.handlers), logger.propagate, logger.disabled

    def loggers() -> dict[str, logging.Logger]:
        found = {name: lg for name, lg in logging.Logger.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
        return {**found, "": logging.getLogger()}

    before = {name: state(lg) for name, lg in loggers().items()}
    try:
        yield
    finally:
        for name, logger in loggers().items():
            if name in before:
                logger.level, logger.filters[:], logger.handlers[:], logger.propagate, logger.disabled = before[name]
            elif not name.lower().startswith(keep_prefix.lower()):
                logger.setLevel(logging.NOTSET)
                logger.filters.clear()
                logger.handlers.clear()
