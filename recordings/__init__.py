"""The recordings folder format: one owner for what ``imagegw record`` writes and what
``imagegw serve --replay`` and ``imagegw drift --baseline`` / ``--save-baseline`` read and write.

It sits beside ``mock_server``, ``clients`` and ``drift`` rather than inside one of them because
two of them use it: the mock's recording proxy and replay (:mod:`mock_server.recorder`,
:mod:`mock_server.replay`) and drift detection (:mod:`drift`). It imports only the gateway
registry (:mod:`contracts.registry`, for the credential headers and key variables); the format
itself is documented in :mod:`recordings.format` and ``docs/drift.md``.

::

    from recordings import RecordingWriter, Recordings, Redactor

    writer = RecordingWriter("fixtures/recordings", "tokenhub", upstream_url, Redactor(["sk-…"]))
    writer.record(method="POST", path="/v1/images/generations", query=[], request_headers=[...],
                  request_body=b"{...}", status=200, response_headers=[...], response_body=b"{...}", latency_s=1.2)
    for ex in Recordings("fixtures/recordings").exchanges("tokenhub"):
        print(ex.seq, ex.method, ex.path, ex.status, ex.probe)
"""

from __future__ import annotations

from .format import (
    BLOBS,
    EXCHANGE_FORMAT,
    FORMAT,
    HOP_HEADERS,
    MANIFEST,
    PROBE_HEADER,
    REDACTED,
    VERSION,
    BlobReader,
    BlobSink,
    Exchange,
    Recordings,
    RecordingWriter,
    Redactor,
    body_bytes,
    canonical_json,
    decode_b64_image,
    encode_body,
    env_secrets,
    extract_blobs,
    match_key,
    restore_json,
    secrets_in_headers,
    sha256_hex,
)

__all__ = [
    "FORMAT",
    "EXCHANGE_FORMAT",
    "VERSION",
    "MANIFEST",
    "BLOBS",
    "REDACTED",
    "PROBE_HEADER",
    "HOP_HEADERS",
    "Exchange",
    "RecordingWriter",
    "Recordings",
    "Redactor",
    "BlobSink",
    "BlobReader",
    "body_bytes",
    "canonical_json",
    "decode_b64_image",
    "encode_body",
    "env_secrets",
    "extract_blobs",
    "match_key",
    "restore_json",
    "secrets_in_headers",
    "sha256_hex",
]
