"""The gateway registry: the one place that says which gateways exist and how each is reached.

For every gateway the documents in ``../shared/gateway-docs/`` describe (``INDEX.md`` lists them)
it states: the id, the title, the document file, the documented host, the auth scheme, the error
shape(s) and the environment variable names. The mock (``mock_server``), the contracts package,
the reference client and drift detection all read these facts from here; nothing else declares
a gateway list, a host or an auth header (``tests/contracts/test_registry.py`` checks both that
the registry agrees with each contract and that no other module re-declares it)::

    from contracts.registry import GATEWAY_IDS, GATEWAYS, gateway_spec

    GATEWAY_IDS                                  # ("piebox", "tokenhub", "gravitex", "imageseries", "powertokens")
    spec = gateway_spec("piebox")
    spec.host                                    # "https://tokenhub.piegateway.me"
    spec.auth.headers("sk-…")                    # {"X-API-Key": "sk-…"}
    spec.default_error_shape                     # "openai"
    spec.api_key_env, spec.base_url_env          # "IMAGEGW_PIEBOX_API_KEY", "IMAGEGW_PIEBOX_BASE_URL"

Each documented fact carries a :class:`~contracts.provenance.Provenance` with the document file
and a verbatim quote (``kind="documented"``) or what it is inferred from (``kind="inferred"``).
The contracts state the same facts in OpenAPI terms (``servers``, ``components.securitySchemes``,
the error response schemas); a test keeps the two in agreement.

This module imports nothing from ``mock_server`` or ``clients``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

from .provenance import Provenance

__all__ = [
    "GatewayId",
    "AuthScheme",
    "ErrorShape",
    "ERROR_SHAPES",
    "ERROR_SHAPE_BODIES",
    "AUTH_HEADERS",
    "CREDENTIAL_HEADERS",
    "ENV_PREFIX",
    "API_KEY_ENV_SUFFIX",
    "BASE_URL_ENV_SUFFIX",
    "Auth",
    "GatewaySpec",
    "GATEWAYS",
    "GATEWAY_IDS",
    "BY_ID",
    "gateway_spec",
]

#: A gateway id, as a type. The same ids, in the same order, as :data:`GATEWAY_IDS` (checked at
#: import time and by a test); spelled out here because a type checker needs a literal.
GatewayId = Literal["piebox", "tokenhub", "gravitex", "imageseries", "powertokens"]

#: How a gateway takes its API key: ``bearer`` = ``Authorization: Bearer <key>``,
#: ``x-api-key`` = ``X-API-Key: <key>``.
AuthScheme = Literal["bearer", "x-api-key"]

#: The error body shapes the gateways answer with (rendered by ``mock_server.errors``, parsed by
#: ``clients.errors``); :data:`ERROR_SHAPE_BODIES` gives each one's body.
ErrorShape = Literal["openai", "dashscope", "envelope"]

#: Every error shape name, in declaration order.
ERROR_SHAPES: tuple[str, ...] = get_args(ErrorShape)

#: The body of each error shape, as reports and docstrings spell it.
ERROR_SHAPE_BODIES: Mapping[str, str] = MappingProxyType(
    {
        "openai": '{"error": {"message", "type", "param", "code"}}',
        "dashscope": '{"code", "message", "request_id"}',
        "envelope": '{"code", "msg", "data"}',
    }
)

#: The request header that carries the key, per auth scheme.
AUTH_HEADERS: Mapping[str, str] = MappingProxyType({"bearer": "Authorization", "x-api-key": "X-API-Key"})

#: Lower-cased names of the headers that carry a gateway credential (redacted wherever messages
#: are stored or shown: the mock's journal, recordings, contract findings).
CREDENTIAL_HEADERS: frozenset[str] = frozenset(h.lower() for h in AUTH_HEADERS.values())

#: Environment variables: ``IMAGEGW_<ID>_API_KEY`` holds a gateway's key, ``IMAGEGW_<ID>_BASE_URL``
#: overrides its documented host (``<ID>`` is the upper-cased gateway id).
ENV_PREFIX = "IMAGEGW_"
API_KEY_ENV_SUFFIX = "_API_KEY"
BASE_URL_ENV_SUFFIX = "_BASE_URL"


@dataclass(frozen=True)
class Auth:
    """A gateway's auth scheme.

    Attributes:
        scheme: ``"bearer"`` (``Authorization: Bearer <key>``) or ``"x-api-key"`` (``X-API-Key: <key>``).
        source: where the document says so (file and quote).
    """

    scheme: AuthScheme
    source: Provenance

    @property
    def header(self) -> str:
        """The header carrying the key: ``"Authorization"`` or ``"X-API-Key"``."""
        return AUTH_HEADERS[self.scheme]

    def headers(self, api_key: str) -> dict[str, str]:
        """The credential header for ``api_key``: ``{"Authorization": "Bearer <key>"}`` or ``{"X-API-Key": "<key>"}``."""
        return {self.header: f"Bearer {api_key}" if self.scheme == "bearer" else api_key}


@dataclass(frozen=True)
class GatewaySpec:
    """One gateway.

    Attributes:
        id: the gateway id (:data:`GatewayId`); the mock serves it under ``/<id>``, its contract is
            ``contracts/<id>.openapi.yaml``.
        title: the product's name as its document spells it.
        document: the document file in ``../shared/gateway-docs/``.
        host: the documented base URL (scheme and host, no trailing slash), or ``None`` where the
            document names none (Image Series): then a base URL must be given.
        host_source: the quote naming the host, or why there is none.
        auth: the auth scheme (:class:`Auth`).
        error_shapes: the error body shapes the gateway answers with (:data:`ErrorShape`), the
            default first; a later one applies to some requests only (TokenHub's DashScope
            passthrough answers ``dashscope``).
        error_source: where the error shapes come from (no document shows an error body, so
            they are inferred; this says from what).
    """

    id: GatewayId
    title: str
    document: str
    host: str | None
    host_source: Provenance
    auth: Auth
    error_shapes: tuple[ErrorShape, ...]
    error_source: Provenance

    @property
    def default_error_shape(self) -> ErrorShape:
        """The shape of an error answered before anything else about the request is known (auth, 404, 413)."""
        return self.error_shapes[0]

    @property
    def api_key_env(self) -> str:
        """The environment variable holding the API key: ``IMAGEGW_<ID>_API_KEY``."""
        return f"{ENV_PREFIX}{self.id.upper()}{API_KEY_ENV_SUFFIX}"

    @property
    def base_url_env(self) -> str:
        """The environment variable that overrides the base URL: ``IMAGEGW_<ID>_BASE_URL``."""
        return f"{ENV_PREFIX}{self.id.upper()}{BASE_URL_ENV_SUFFIX}"


def _doc(doc: str, quote: str) -> Provenance:
    return Provenance(kind="documented", doc=doc, quote=quote)


def _inferred(source: str) -> Provenance:
    return Provenance(kind="inferred", source=source)


_PIEBOX = "000_8f4356fa7e6c2b36.txt"
_TOKENHUB = "001_2deeaf4f61535733.txt"
_GRAVITEX = "002_ab704fc42b2dda63.txt"
_IMAGESERIES = "003_6adaea01228e01a0.txt"
_POWERTOKENS = "004_7b73b03c392231b5.txt"

#: The gateways, in the order of ``INDEX.md``.
GATEWAYS: tuple[GatewaySpec, ...] = (
    GatewaySpec(
        id="piebox",
        title="PieBox",
        document=_PIEBOX,
        host="https://tokenhub.piegateway.me",
        host_source=_doc(_PIEBOX, "curl https://tokenhub.piegateway.me/v2/extend/image/seedream/generations"),
        auth=Auth("x-api-key", _doc(_PIEBOX, '-H "X-API-Key: <your-api-key>"')),
        error_shapes=("openai",),
        error_source=_inferred("PieBox is served from a TokenHub host whose routes are OpenAI-compatible: upstream OpenAI's error body"),
    ),
    GatewaySpec(
        id="tokenhub",
        title="TokenHub",
        document=_TOKENHUB,
        host="https://tokenhub.link",
        host_source=_doc(_TOKENHUB, "| Base URL | https://tokenhub.link |"),
        auth=Auth("bearer", _doc(_TOKENHUB, "Authorization: Bearer <TokenHub API Key>.")),
        error_shapes=("openai", "dashscope"),
        error_source=_inferred(
            "upstream OpenAI's error body on the OpenAI-compatible routes; upstream DashScope's "
            "on the DashScope passthrough (001 §2: TokenHub passes through upstream fields)"
        ),
    ),
    GatewaySpec(
        id="gravitex",
        title="Gravitex",
        document=_GRAVITEX,
        host="https://api.gravitex.ai",
        host_source=_doc(_GRAVITEX, "--url https://api.gravitex.ai/v1/images/generations"),
        auth=Auth("bearer", _doc(_GRAVITEX, "Bearer sk-xxxxxxxxxx")),
        error_shapes=("envelope",),
        error_source=_inferred('the documented success envelope {"code","msg","data"} (002 "Response Format")'),
    ),
    GatewaySpec(
        id="imageseries",
        title="Image Series",
        document=_IMAGESERIES,
        host=None,
        host_source=_inferred("the Image Series document names no host (INDEX.md: host named in the document: none)"),
        auth=Auth("bearer", _doc(_IMAGESERIES, "Bearer Token, e.g.,Bearer sk-xxxxxxxxxx")),
        error_shapes=("envelope",),
        error_source=_inferred("the Gravitex envelope: a unified image API of the same family (INDEX.md), and 003 shows no response body"),
    ),
    GatewaySpec(
        id="powertokens",
        title="PowerTokens",
        document=_POWERTOKENS,
        host="https://api.powertokens.ai",
        host_source=_doc(_POWERTOKENS, "--url https://api.powertokens.ai/v1/images/generations"),
        auth=Auth("bearer", _doc(_POWERTOKENS, "Bearer authentication header of the form Bearer <token>")),
        error_shapes=("openai",),
        error_source=_inferred("the Ark upstream these Seedream models come from, whose errors carry the same four keys as OpenAI's"),
    ),
)

#: The gateway ids, in registry order.
GATEWAY_IDS: tuple[str, ...] = tuple(g.id for g in GATEWAYS)

#: Gateway id -> :class:`GatewaySpec` (read-only).
BY_ID: Mapping[str, GatewaySpec] = MappingProxyType({g.id: g for g in GATEWAYS})

if get_args(GatewayId) != GATEWAY_IDS:  # pragma: no cover - a registry edit that forgot the type
    raise RuntimeError(f"GatewayId {get_args(GatewayId)} differs from the registry's ids {GATEWAY_IDS}")
if tuple(ERROR_SHAPE_BODIES) != ERROR_SHAPES:  # pragma: no cover - a shape added without its body
    raise RuntimeError(f"ERROR_SHAPE_BODIES {tuple(ERROR_SHAPE_BODIES)} differs from ErrorShape {ERROR_SHAPES}")


def gateway_spec(gateway_id: str) -> GatewaySpec:
    """The registry entry of ``gateway_id``.

    Raises:
        KeyError: for an id outside :data:`GATEWAY_IDS` (the message lists the known ids).
    """
    try:
        return BY_ID[gateway_id]
    except (KeyError, TypeError):
        raise KeyError(f"unknown gateway id {gateway_id!r}; expected one of {', '.join(GATEWAY_IDS)}") from None
