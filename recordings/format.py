"""The recordings folder format: exchanges with a gateway, stored redacted, images stored once by hash.

Written by ``imagegw record`` (the recording proxy, :mod:`mock_server.recorder`) and by
``imagegw drift --save-baseline``; read by ``imagegw serve --replay`` (:mod:`mock_server.replay`)
and ``imagegw drift --baseline``. The format is documented in ``docs/drift.md``; in short::

    DIR/
      recordings.json                     manifest {"format": "imagegw-recordings", "version": 1, "gateways": {...}}
      <gateway>/000001-post-v1-images-generations.json     one exchange per file, in order
      blobs/<sha256>.<ext>                image (and other binary) bodies, stored once by content hash

One exchange file (``"format": "imagegw-exchange", "version": 1``)::

    {"seq": 1, "gateway": "tokenhub", "recorded_at": "2026-01-01T00:00:00Z", "probe": "unknown_model/send",
     "request":  {"method": "POST", "path": "/v1/images/generations", "query": [["k", "v"]],
                  "headers": {"authorization": "[REDACTED]", ...}, "content_type": "application/json",
                  "body": {...} | null, "body_blob": null | {"sha256": ..., "media_type": ..., "size": N},
                  "body_text": null | "...", "match": "<sha256 of the canonical redacted body>"},
     "response": {"status": 200, "headers": {...}, "content_type": "application/json",
                  "body": {...} | null, "body_blob": ..., "body_text": ..., "latency_ms": 12.5}}

Inside a stored JSON body a string that held base64 image bytes becomes
``{"$blob": "<sha256>", "$encoding": "base64", "$media_type": "image/png"}`` and a string that
embeds ``data:image/...;base64,...`` (TokenHub's Markdown answer) becomes
``{"$text": "...{{imagegw-blob:<sha256>}}...", "$blobs": ["<sha256>"]}``; :func:`restore_json`
puts the bytes back.

Secrets never reach a file (DESIGN.md, "Secrets"): credential headers, credential-like query
parameters and body fields become ``[REDACTED]``, and every known key value (the ones seen on
the request, plus any ``IMAGEGW_*_API_KEY`` in the environment) is scrubbed from every string
and blob written.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.registry import API_KEY_ENV_SUFFIX, CREDENTIAL_HEADERS, ENV_PREFIX
from contracts.wire import is_json_media, media_type, sniff_image

FORMAT = "imagegw-recordings"
EXCHANGE_FORMAT = "imagegw-exchange"
VERSION = 1
MANIFEST = "recordings.json"
BLOBS = "blobs"
REDACTED = "[REDACTED]"
#: header naming the drift probe step that sent a request (stored, so a baseline is found by probe).
PROBE_HEADER = "x-imagegw-probe"

#: The gateways' credential headers (:data:`contracts.registry.CREDENTIAL_HEADERS`) and other common ones.
SECRET_HEADERS = CREDENTIAL_HEADERS | {"api-key", "cookie", "set-cookie", "proxy-authorization", "x-goog-api-key"}
SECRET_QUERY = frozenset({"key", "api_key", "apikey", "token", "access_token"})
SECRET_FIELDS = frozenset({"api_key", "apikey", "authorization", "password", "secret", "token", "access_token"})
#: hop-by-hop and transport headers that describe the wire, not the exchange (not stored, not replayed).
HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "content-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
        "host",
        "accept-encoding",
    }
)
MAX_TEXT = 64 * 1024
_MIN_B64 = 64
_DATA_URL = re.compile(r"data:(image/[A-Za-z0-9.+-]+);base64,([A-Za-z0-9+/=]+)")
_BLOB_TOKEN = re.compile(r"\{\{imagegw-blob:([0-9a-f]{64})\}\}")
_B64_CHARS = re.compile(r"^[A-Za-z0-9+/\r\n]+={0,2}$")
_BEARER = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.IGNORECASE)

_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp", "image/bmp": "bmp", "image/tiff": "tiff"}


def _content_media(headers: Iterable[tuple[str, str]]) -> str:
    """The media type of the ``Content-Type`` among ``(name, value)`` pairs (``""`` when none)."""
    return media_type(next((v for k, v in headers if k.lower() == "content-type"), None))


def decode_b64_image(value: str) -> tuple[bytes, str] | None:
    """``(bytes, mime)`` when ``value`` is base64 of an image (at least 64 characters), else ``None``."""
    if len(value) < _MIN_B64 or not _B64_CHARS.match(value[:4096]):
        return None
    try:
        data = base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        return None
    mime = sniff_image(data[:16])
    return (data, mime) if mime else None


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON (the form hashed for matching)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def env_secrets() -> list[str]:
    """Values of every ``IMAGEGW_*_API_KEY`` variable in the environment (to scrub them everywhere).

    Any such variable counts, not only the registry's gateways' (:attr:`~contracts.registry.GatewaySpec.api_key_env`):
    a key under a mistyped id is still a secret.
    """
    return [v for k, v in os.environ.items() if k.startswith(ENV_PREFIX) and k.endswith(API_KEY_ENV_SUFFIX) and v.strip()]


def secrets_in_headers(headers: Iterable[tuple[str, str]]) -> list[str]:
    """Credential values carried by ``headers`` (the token of ``Authorization: Bearer``, ``X-API-Key``, …)."""
    out: list[str] = []
    for k, v in headers:
        k = k.lower()
        if k not in SECRET_HEADERS or not v.strip():
            continue
        m = _BEARER.match(v)
        out.append(m.group(1) if m else v.strip())
    return out


class Redactor:
    """Scrubs credentials from everything that is written.

    Args:
        secrets: key values to remove wherever they appear (strings shorter than 6
            characters are ignored: too short to search for safely).
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Add more key values to scrub."""
        for s in secrets:
            s = s.strip()
            if len(s) >= 6:
                self._secrets.add(s)

    def text(self, value: str) -> str:
        """``value`` with every known secret replaced by ``[REDACTED]``."""
        for s in self._secrets:
            if s in value:
                value = value.replace(s, REDACTED)
        return value

    def bytes(self, data: bytes) -> bytes:
        """``data`` with every known secret (UTF-8) replaced by ``[REDACTED]``."""
        for s in self._secrets:
            raw = s.encode("utf-8")
            if raw in data:
                data = data.replace(raw, REDACTED.encode())
        return data

    def headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Headers (names lower-cased, hop-by-hop dropped) with credential values redacted."""
        out: dict[str, str] = {}
        for k, v in headers:
            k = k.lower()
            if k in HOP_HEADERS:
                continue
            out[k] = REDACTED if k in SECRET_HEADERS else self.text(v)
        return out

    def query(self, params: Iterable[tuple[str, str]]) -> list[list[str]]:
        """Query pairs with credential-like values redacted."""
        return [[k, REDACTED if k.lower() in SECRET_QUERY else self.text(v)] for k, v in params]

    def json(self, value: Any, _depth: int = 0) -> Any:
        """A copy of a JSON value with credential-like fields redacted and secrets scrubbed."""
        if _depth > 64:
            return None
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v, _depth + 1) for v in value]
        if isinstance(value, dict):
            return {
                k: (REDACTED if isinstance(k, str) and k.lower() in SECRET_FIELDS and v is not None else self.json(v, _depth + 1))
                for k, v in value.items()
            }
        return value

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


# -- blobs --------------------------------------------------------------------------------------


class BlobSink:
    """Where :func:`extract_blobs` puts image bytes: a folder (``DIR/blobs``) or nowhere (hash only)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._lock = threading.Lock()

    def put(self, data: bytes, media_type: str | None) -> str:
        """Store ``data`` once under its SHA-256 and return the hex digest."""
        digest = sha256_hex(data)
        if self.folder is not None:
            path = self.folder / f"{digest}.{_EXT.get(media_type or '', 'bin')}"
            with self._lock:
                if not path.exists():
                    self.folder.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_suffix(path.suffix + ".tmp")
                    tmp.write_bytes(data)
                    tmp.replace(path)
        return digest


def extract_blobs(value: Any, sink: BlobSink, _depth: int = 0) -> Any:
    """A copy of a JSON value with image bytes moved to ``sink`` (see the module docstring)."""
    if _depth > 64:
        return None
    if isinstance(value, str):
        decoded = decode_b64_image(value)
        if decoded is not None:
            data, mime = decoded
            return {"$blob": sink.put(data, mime), "$encoding": "base64", "$media_type": mime}
        if "base64," in value and _DATA_URL.search(value):
            digests: list[str] = []

            def repl(m: re.Match[str]) -> str:
                decoded_inner = decode_b64_image(m.group(2))
                if decoded_inner is None:
                    return m.group(0)
                digest = sink.put(decoded_inner[0], decoded_inner[1])
                digests.append(digest)
                return f"data:{m.group(1)};base64,{{{{imagegw-blob:{digest}}}}}"

            text = _DATA_URL.sub(repl, value)
            if digests:
                return {"$text": text, "$blobs": digests}
        return value
    if isinstance(value, list):
        return [extract_blobs(v, sink, _depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: extract_blobs(v, sink, _depth + 1) for k, v in value.items()}
    return value


def restore_json(value: Any, blobs: BlobReader) -> Any:
    """Inverse of :func:`extract_blobs`: blob references become base64 strings again."""
    if isinstance(value, dict):
        if "$blob" in value and value.get("$encoding") == "base64":
            return base64.b64encode(blobs.read(value["$blob"])).decode("ascii")
        if "$text" in value and "$blobs" in value:
            return _BLOB_TOKEN.sub(lambda m: base64.b64encode(blobs.read(m.group(1))).decode("ascii"), value["$text"])
        return {k: restore_json(v, blobs) for k, v in value.items()}
    if isinstance(value, list):
        return [restore_json(v, blobs) for v in value]
    return value


class BlobReader:
    """Reads ``DIR/blobs/<sha256>.*``.

    Raises:
        FileNotFoundError: from :meth:`read` when a referenced blob is missing.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index: dict[str, Path] | None = None

    def read(self, digest: str) -> bytes:
        if self._index is None:
            self._index = {p.name.split(".")[0]: p for p in self.folder.glob("*")} if self.folder.is_dir() else {}
        path = self._index.get(digest)
        if path is None:
            raise FileNotFoundError(f"blob {digest} is missing from {self.folder}")
        return path.read_bytes()


# -- bodies -------------------------------------------------------------------------------------


def _multipart_canonical(body: bytes) -> bytes:
    """A multipart body with its random boundary replaced by a constant (so equal forms match)."""
    if body.startswith(b"--"):
        first = body.split(b"\r\n", 1)[0]
        boundary = first[2:]
        if 0 < len(boundary) <= 200:
            return body.replace(boundary, b"imagegw-boundary")
    return body


def encode_body(body: bytes, media_type: str, redactor: Redactor, sink: BlobSink) -> dict[str, Any]:
    """The stored form of one body: ``{"body", "body_blob", "body_text", "match"}``.

    JSON bodies are kept as JSON (redacted, images moved to blobs); text is kept as text
    (redacted, cut at 64 KiB); anything else (images, multipart) goes to a blob. ``match`` is
    the SHA-256 of the canonical stored form, which :func:`match_key` recomputes from raw bytes.
    """
    out: dict[str, Any] = {"body": None, "body_blob": None, "body_text": None, "match": None}
    if not body:
        out["match"] = sha256_hex(b"")
        return out
    parsed: Any = None
    is_json = False
    if is_json_media(media_type) or (not media_type and body[:1] in (b"{", b"[")):
        try:
            parsed = json.loads(body.decode("utf-8"))
            is_json = True
        except (UnicodeDecodeError, ValueError):
            is_json = False
    if is_json:
        stored = extract_blobs(redactor.json(parsed), sink)
        out["body"] = stored
        out["match"] = sha256_hex(canonical_json(stored))
        return out
    if media_type.startswith("text/") or media_type in ("application/xml", "application/x-www-form-urlencoded"):
        try:
            text = redactor.text(body.decode("utf-8"))
        except UnicodeDecodeError:
            text = None
        if text is not None:
            out["body_text"] = text[:MAX_TEXT]
            out["match"] = sha256_hex(text.encode("utf-8"))
            return out
    data = redactor.bytes(body)
    mime = sniff_image(data[:16]) or media_type or "application/octet-stream"
    digest = sink.put(data, mime)
    out["body_blob"] = {"sha256": digest, "media_type": mime, "size": len(data)}
    out["match"] = sha256_hex(_multipart_canonical(data)) if media_type.startswith("multipart/") or data.startswith(b"--") else digest
    return out


def match_key(body: bytes, redactor: Redactor | None = None) -> str:
    """The ``match`` hash a request body would be stored with (no file is written).

    The media type is guessed from the bytes: JSON if it parses as a JSON object/array,
    multipart if it starts with a boundary, raw bytes otherwise.
    """
    r = redactor or Redactor()
    media = ""
    stripped = body.lstrip()
    if stripped[:1] in (b"{", b"["):
        media = "application/json"
    elif body.startswith(b"--"):
        media = "multipart/form-data"
    return str(encode_body(body, media, r, BlobSink(None))["match"])


def body_bytes(stored: Mapping[str, Any], blobs: BlobReader) -> bytes:
    """Raw bytes of a stored body (JSON re-serialised compactly with images restored)."""
    if stored.get("body") is not None:
        return json.dumps(restore_json(stored["body"], blobs), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if stored.get("body_blob"):
        return blobs.read(stored["body_blob"]["sha256"])
    if stored.get("body_text") is not None:
        return str(stored["body_text"]).encode("utf-8")
    return b""


# -- exchanges ----------------------------------------------------------------------------------


@dataclass
class Exchange:
    """One stored exchange (see the module docstring for the JSON form).

    ``request`` and ``response`` are the stored dicts; ``path`` is relative to the gateway root.
    """

    seq: int
    gateway: str
    request: dict[str, Any]
    response: dict[str, Any]
    probe: str | None = None
    recorded_at: str = ""
    file: Path | None = field(default=None, compare=False)

    @property
    def method(self) -> str:
        return str(self.request.get("method", "")).upper()

    @property
    def path(self) -> str:
        return str(self.request.get("path", ""))

    @property
    def status(self) -> int:
        return int(self.response.get("status", 0))

    @property
    def latency_ms(self) -> float | None:
        v = self.response.get("latency_ms")
        return float(v) if isinstance(v, (int, float)) else None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": EXCHANGE_FORMAT,
            "version": VERSION,
            "seq": self.seq,
            "gateway": self.gateway,
            "recorded_at": self.recorded_at,
            "probe": self.probe,
            "request": self.request,
            "response": self.response,
        }


def _slug(method: str, path: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", f"{method}-{path}".lower()).strip("-")
    return s[:80] or "root"


class RecordingWriter:
    """Appends exchanges of one gateway to a recordings folder (thread-safe).

    Args:
        root: the recordings folder (created if missing).
        gateway: gateway id; exchanges go to ``root/<gateway>/``.
        upstream: base URL the exchanges were made with (kept in the manifest, credentials-free).
        redactor: scrubs credentials; request credential headers are added to it as seen.
    """

    def __init__(self, root: str | Path, gateway: str, upstream: str = "", redactor: Redactor | None = None) -> None:
        self.root = Path(root)
        self.gateway = gateway
        self.redactor = redactor or Redactor(env_secrets())
        self.folder = self.root / gateway
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sink = BlobSink(self.root / BLOBS)
        self._lock = threading.Lock()
        existing = [int(p.name.split("-", 1)[0]) for p in self.folder.glob("*.json") if p.name.split("-", 1)[0].isdigit()]
        self._seq = max(existing, default=0)
        self._upstream = re.sub(r"//[^/@]*@", "//", upstream)  # no userinfo in the manifest
        self._write_manifest()

    def record(
        self,
        *,
        method: str,
        path: str,
        query: Iterable[tuple[str, str]],
        request_headers: Iterable[tuple[str, str]],
        request_body: bytes,
        status: int,
        response_headers: Iterable[tuple[str, str]],
        response_body: bytes,
        latency_s: float | None,
        probe: str | None = None,
        now: _dt.datetime | None = None,
    ) -> Exchange:
        """Redact, store and return one exchange.

        Args:
            method, path, query: the request line (``path`` relative to the gateway root).
            request_headers / response_headers: ``(name, value)`` pairs as sent / received.
            request_body / response_body: raw bytes (already decoded from any content-encoding).
            latency_s: seconds from sending the request to the end of the response body.
            probe: the drift probe step (defaults to the ``X-Imagegw-Probe`` request header).
        """
        req_h = list(request_headers)
        resp_h = list(response_headers)
        self.redactor.add(secrets_in_headers(req_h))
        rq_headers = self.redactor.headers(req_h)
        rs_headers = self.redactor.headers(resp_h)
        rq_type = _content_media(req_h)
        rs_type = _content_media(resp_h)
        request = {
            "method": method.upper(),
            "path": self.redactor.text(path),
            "query": self.redactor.query(query),
            "headers": rq_headers,
            "content_type": rq_type,
            **encode_body(request_body, rq_type, self.redactor, self.sink),
        }
        response = {
            "status": status,
            "headers": rs_headers,
            "content_type": rs_type,
            **encode_body(response_body, rs_type, self.redactor, self.sink),
            "latency_ms": round(latency_s * 1000.0, 3) if latency_s is not None else None,
        }
        response.pop("match", None)
        stamp = (now or _dt.datetime.now(_dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            self._seq += 1
            ex = Exchange(
                seq=self._seq,
                gateway=self.gateway,
                request=request,
                response=response,
                probe=probe or rq_headers.get(PROBE_HEADER),
                recorded_at=stamp,
            )
            path_out = self.folder / f"{self._seq:06d}-{_slug(method, path)}.json"
            tmp = path_out.with_suffix(".tmp")
            tmp.write_text(json.dumps(ex.to_json(), indent=1, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path_out)
            ex.file = path_out
            self._write_manifest()
        return ex

    def _write_manifest(self) -> None:
        path = self.root / MANIFEST
        data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "gateways": {}}
        if path.exists():
            try:
                old = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(old, dict) and isinstance(old.get("gateways"), dict):
                    data["gateways"] = old["gateways"]
            except (ValueError, OSError):
                pass
        data["gateways"][self.gateway] = {"upstream": self.redactor.text(self._upstream), "exchanges": self._seq}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        tmp.replace(path)


class Recordings:
    """A recordings folder opened for reading.

    Args:
        root: the folder.

    Raises:
        FileNotFoundError: when ``root`` is not a directory.
        ValueError: when its manifest names another format or a newer version.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"recordings folder {self.root} does not exist")
        manifest = self.root / MANIFEST
        if manifest.exists():
            data = json.loads(manifest.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or int(data.get("version", 0)) > VERSION:
                raise ValueError(f"{manifest}: not an {FORMAT} v{VERSION} manifest")
        self.blobs = BlobReader(self.root / BLOBS)

    def gateways(self) -> list[str]:
        """Gateway ids that have at least one exchange."""
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name != BLOBS and any(p.glob("*.json")))

    def exchanges(self, gateway: str) -> list[Exchange]:
        """Exchanges of ``gateway`` in recording order (empty when there are none)."""
        folder = self.root / gateway
        out: list[Exchange] = []
        for p in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            data = json.loads(p.read_text(encoding="utf-8"))
            if data.get("format") != EXCHANGE_FORMAT:
                continue
            out.append(
                Exchange(
                    seq=int(data["seq"]),
                    gateway=str(data.get("gateway", gateway)),
                    request=data["request"],
                    response=data["response"],
                    probe=data.get("probe"),
                    recorded_at=str(data.get("recorded_at", "")),
                    file=p,
                )
            )
        out.sort(key=lambda e: e.seq)
        return out

    def response_json(self, ex: Exchange) -> Any:
        """The response body of ``ex`` as JSON with images restored (``None`` if not JSON)."""
        body = ex.response.get("body")
        return restore_json(body, self.blobs) if body is not None else None

    def response_bytes(self, ex: Exchange) -> bytes:
        """The response body of ``ex`` as raw bytes."""
        return body_bytes(ex.response, self.blobs)
