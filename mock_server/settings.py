"""Settings for the imagegw mock: one frozen dataclass.

Every number here has a unit in its name or its docstring. Defaults follow the gateway
documents where they say something (URL lifetime "around 24 hours": TokenHub §2, Gravitex
and Image Series FAQ) and are plain necessity elsewhere.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field, replace

from contracts.registry import GATEWAY_IDS


@dataclass(frozen=True)
class Settings:
    """Configuration of one mock app.

    Attributes:
        task_pending_seconds: how long a PieBox task stays ``pending`` (seconds).
        task_processing_seconds: how long it then stays ``processing`` (seconds) before it
            reaches a terminal state.
        url_ttl_seconds: lifetime of a ``url`` result (seconds); 24 h as the documents say.
        task_ttl_seconds: after this many seconds a task id is no longer answered (404).
        max_body_bytes: request bodies larger than this answer 413 in the gateway's shape.
        journal_size: number of requests the journal keeps (oldest dropped first); 0 keeps no
            journal (``imagegw serve --no-admin``, where nothing could read it).
        journal_max_bytes: the journal's whole size, bytes of JSON (oldest entries dropped
            first; ``imagegw serve --journal-max-mb``).
        journal_entry_max_bytes: one entry's size, bytes of JSON: headers, query, keys and
            body included; what does not fit is cut and marked (:mod:`mock_server.journal`).
        image_cache_bytes: upper bound of the rendered-image cache (bytes: encoded images plus
            their base64 text; ``--image-cache-mb``). The default, 48 MiB, keeps ``imagegw serve``
            at about 120 MiB resident with the cache full and evicting (``bench/bench_mock.py``
            measures it): some 80 4096x4096 PNGs or 350 at 2048x2048.
        secret: HMAC key that signs task ids and file URLs (random per process by default,
            so ids from another server answer 404).
        api_keys: per-gateway accepted key; a gateway not listed accepts any non-empty key.
        admin: whether ``/__mock/*`` is served.
        root_gateway: a gateway id also served at ``/`` (``imagegw serve --gateway ID``).
        public_base_url: base URL used in ``url`` results and ``servers``; when ``None``
            the request's own base URL is used.
        raise_server_exceptions: re-raise unexpected exceptions (tests) instead of answering
            a 500 in the gateway's error shape (production).
        replay_dir: a recordings folder to answer from (``imagegw serve --replay``).
        admin_token: when set, ``/__mock/*`` (but ``GET /__mock/health``) needs the header
            ``X-Mock-Admin-Token: <admin_token>`` (:mod:`mock_server.guard`).
        allowed_hosts: host names trusted besides the loopback names and the host of
            ``public_base_url`` (``"*"``: every name); the control plane refuses other
            ``Host`` values, and URL results never name them (:mod:`mock_server.guard`).
        body_timeout_seconds: a request body not fully received this many seconds after the
            request reached the app answers 408 and the connection is closed.
        large_body_bytes: bodies larger than this (declared or read so far) are large.
        large_body_concurrency: large bodies read and handled at once per process; the others
            wait their turn (within ``body_timeout_seconds``), which bounds peak memory.
        header_timeout_seconds: a connection that has not sent a request's complete header
            block this many seconds after it opened (or after the request's first byte) gets
            408 and is closed (``imagegw serve`` and ``record``; needs httptools).
        keep_alive_seconds: an idle keep-alive connection is closed after this many seconds.
        max_header_bytes: a request whose header block is larger gets 431 and is closed.
    """

    task_pending_seconds: float = 2.0
    task_processing_seconds: float = 8.0
    url_ttl_seconds: float = 24 * 3600.0
    task_ttl_seconds: float = 7 * 24 * 3600.0
    max_body_bytes: int = 50 * 1024 * 1024
    journal_size: int = 1000
    journal_max_bytes: int = 4 * 1024 * 1024
    journal_entry_max_bytes: int = 8 * 1024
    image_cache_bytes: int = 48 * 1024 * 1024
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    api_keys: dict[str, str] = field(default_factory=dict, repr=False)
    admin: bool = True
    root_gateway: str | None = None
    public_base_url: str | None = None
    raise_server_exceptions: bool = False
    replay_dir: str | None = None
    admin_token: str | None = field(default=None, repr=False)
    allowed_hosts: tuple[str, ...] = ()
    body_timeout_seconds: float = 60.0
    large_body_bytes: int = 4 * 1024 * 1024
    large_body_concurrency: int = 2
    header_timeout_seconds: float = 10.0
    keep_alive_seconds: float = 5.0
    max_header_bytes: int = 64 * 1024

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_hosts", tuple(self.allowed_hosts))
        if self.root_gateway is not None and self.root_gateway not in GATEWAY_IDS:
            raise ValueError(f"unknown gateway id {self.root_gateway!r}; expected one of {GATEWAY_IDS}")
        for name in ("task_pending_seconds", "task_processing_seconds", "url_ttl_seconds", "task_ttl_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        for name in (
            "max_body_bytes",
            "image_cache_bytes",
            "large_body_bytes",
            "large_body_concurrency",
            "max_header_bytes",
            "body_timeout_seconds",
            "header_timeout_seconds",
            "keep_alive_seconds",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0")
        if self.journal_size < 0:
            raise ValueError("journal_size must be >= 0")
        if self.journal_entry_max_bytes < 1024 or self.journal_max_bytes < self.journal_entry_max_bytes:
            raise ValueError("journal_entry_max_bytes must be >= 1024 and journal_max_bytes >= journal_entry_max_bytes")

    def with_(self, **changes: object) -> Settings:
        """Return a copy with ``changes`` applied (``dataclasses.replace``)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Build settings, taking ``IMAGEGW_MOCK_SECRET`` from the environment if set."""
        env_secret = os.environ.get("IMAGEGW_MOCK_SECRET")
        if env_secret and "secret" not in overrides:
            overrides["secret"] = env_secret.encode()
        return cls(**overrides)  # type: ignore[arg-type]

    def to_json(self) -> str:
        """Serialise to JSON (secret as hex) for worker processes (``imagegw serve --workers``)."""
        data = asdict(self)
        data["secret"] = self.secret.hex()
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """Inverse of :meth:`to_json`.

        Raises:
            ValueError: on malformed JSON or unknown fields.
        """
        data = json.loads(text)
        data["secret"] = bytes.fromhex(data["secret"])
        return cls(**data)
