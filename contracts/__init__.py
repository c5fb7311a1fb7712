"""The gateways' OpenAPI 3.1 contracts and a small API to check messages against them.

One contract per gateway, ``contracts/<id>.openapi.yaml``, for every id of the gateway registry
(:mod:`contracts.registry`: ids, titles, documents, hosts, auth, error shapes). The mock, the
reference client's strict mode and drift detection all check against the same contracts, and
read the same registry, through this API::

    import contracts

    c = contracts.load("powertokens")          # parsed once, cached, shared
    c.spec                                      # the OpenAPI document (dict)
    findings = c.validate_response("POST", "/v1/images/generations", httpx_response)
    findings = c.validate_request("POST", "/v1/images/generations", headers, body)
    for f in findings:                          # contracts.Finding
        print(f.location, f.kind, f.expected, f.observed, f.documented)
    contracts.inferred_parts("powertokens")     # [InferredPart(gateway, pointer, label, source)]
    op, params, _ = c.match("POST", "/v1/images/generations")
    key, response = c.response_for(op, 200)     # the response object the operation declares
    media, schema = c.media_for(response, "application/json")

    from contracts.diff import SchemaDiff       # what differs, not only whether (drift detection)
    SchemaDiff(c.spec).compare(body, schema)    # [Diff(kind, location, expected, observed, breaking, provenance)]

Paths are relative to the gateway root (``"/v1/images/generations"``, not the mock's
``"/powertokens/v1/…"``). Validation uses jsonschema (Draft 2020-12, OpenAPI 3.1's dialect); see
:mod:`contracts.validate` for why not openapi-core, and for the finding kinds.

Conventions the contracts follow (checked by ``imagegw contracts lint`` and ``tests/contracts``):

* ``x-provenance`` on every operation, response, header and schema property:
  ``{kind: documented, doc, quote}`` (the quote must occur in the document) or
  ``{kind: inferred, from}``; properties named inside ``if``/``then``/``else``/``not``/``contains``
  only restate constraints and need none. :func:`inferred_parts` lists the inferred ones.
* every response declares ``X-Request-Id``; 429 and 503 declare ``Retry-After``; unknown routes and
  wrong methods are checked against the 404 and 405 an operation of the contract declares.
* ``type: [X, "null"]``, never ``nullable``; examples validate against their schemas.
* house string formats (:mod:`contracts.formats`): ``image-data-url``, ``image-base64``,
  ``image-png-alpha`` — asserted by this package, generated as real images by the Schemathesis
  suite, annotations for other tools.
* ``x-server-enforces``: a rule the server applies that JSON Schema cannot state (e.g. Seedream's
  pixel-count range); the schema then lists what a client may rely on.
* ``x-imagegw-when-request`` on a ``oneOf``/``anyOf`` branch of a response schema: a JSON Schema
  the request body must match for that branch to apply (see
  :meth:`Contract.validate_response`'s ``request_body``).

Errors: :func:`load` raises :class:`ContractNotFound` (a ``LookupError``) for an unknown gateway
id or a contract file that does not exist yet, and :class:`ContractError` (a ``ValueError``) for
one that does not parse.

This package imports nothing from ``mock_server`` (the client may not import the mock).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import yaml

from .provenance import InferredPart, Provenance
from .registry import GATEWAY_IDS, GATEWAYS, GatewaySpec, gateway_spec
from .validate import Contract, Finding, FindingKind, Operation, redact_headers

__all__ = [
    "GATEWAY_IDS",
    "GATEWAYS",
    "GatewaySpec",
    "gateway_spec",
    "CONTRACTS_DIR",
    "Contract",
    "Finding",
    "FindingKind",
    "Operation",
    "InferredPart",
    "Provenance",
    "ContractNotFound",
    "ContractError",
    "load",
    "available",
    "path_for",
    "inferred_parts",
    "redact_headers",
    "clear_cache",
]

#: Folder holding ``<id>.openapi.yaml``.
CONTRACTS_DIR = Path(__file__).resolve().parent

_CACHE: dict[str, Contract] = {}
_LOCK = threading.Lock()

try:  # the C loader is ~10x faster when PyYAML was built with libyaml
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


class ContractNotFound(LookupError):
    """No contract for this gateway id (unknown id, or its file does not exist yet)."""


class ContractError(ValueError):
    """A contract file exists but is not a YAML mapping."""


def path_for(gateway_id: str) -> Path:
    """The file of ``gateway_id``'s contract (it may not exist yet).

    Raises:
        ContractNotFound: for an id outside :data:`GATEWAY_IDS`.
    """
    if gateway_id not in GATEWAY_IDS:
        raise ContractNotFound(f"unknown gateway id {gateway_id!r}; expected one of {', '.join(GATEWAY_IDS)}")
    return CONTRACTS_DIR / f"{gateway_id}.openapi.yaml"


def available() -> list[str]:
    """Gateway ids whose contract file exists, in :data:`GATEWAY_IDS` order."""
    return [g for g in GATEWAY_IDS if path_for(g).is_file()]


def load(gateway_id: str) -> Contract:
    """The parsed contract of ``gateway_id``, read once per process and cached.

    Raises:
        ContractNotFound: unknown id or missing file.
        ContractError: the file is not valid YAML or not a mapping.
    """
    cached = _CACHE.get(gateway_id)
    if cached is not None:
        return cached
    path = path_for(gateway_id)
    with _LOCK:
        cached = _CACHE.get(gateway_id)
        if cached is not None:
            return cached
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ContractNotFound(f"no contract for {gateway_id!r} yet ({path})") from None
        try:
            spec = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as exc:
            raise ContractError(f"{path.name}: not valid YAML: {exc}") from None
        if not isinstance(spec, dict):
            raise ContractError(f"{path.name}: expected a mapping at the top level")
        contract = Contract(spec, gateway_id, source=str(path))
        _CACHE[gateway_id] = contract
        return contract


def clear_cache() -> None:
    """Forget loaded contracts (the next :func:`load` reads the files again)."""
    with _LOCK:
        _CACHE.clear()


def inferred_parts(gateway_id: str | None = None) -> list[InferredPart]:
    """Every part marked ``x-provenance: {kind: inferred}``, for one gateway or all whose contract exists.

    Returns:
        :class:`InferredPart` items (``gateway``, ``pointer`` into the contract, ``label``,
        ``source`` = what it is inferred from), in gateway then document order.

    Raises:
        ContractNotFound: when ``gateway_id`` is given and has no contract.
    """
    ids = [gateway_id] if gateway_id is not None else available()
    out: list[InferredPart] = []
    for gid in ids:
        out.extend(load(gid).inferred_parts())
    return out
