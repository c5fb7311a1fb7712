"""Who may drive the control plane, and which host names the mock trusts.

The mock runs on a developer's machine, so a web page the developer visits can send it
requests. Three defences keep such a page from driving ``/__mock/*`` (CSRF) or reading it
through DNS rebinding, in the manner of Starlette's ``TrustedHostMiddleware`` and the
OWASP CSRF cheat sheet ("Verifying origin with standard headers"):

* **Host**: a request to ``/__mock/*`` must name a trusted host (:func:`trusted_hosts`):
  the loopback names (``localhost``, ``*.localhost``, ``127.0.0.1``, ``::1``), ``testserver``
  (in-process test clients), the host of ``Settings.public_base_url``, and
  ``Settings.allowed_hosts`` (``imagegw serve`` adds the bind address and ``--allowed-host``;
  ``*`` trusts every name). A rebinding page sends its own name, so it gets 403.
* **Origin**: a write (``POST``/``PUT``/``PATCH``/``DELETE``) whose ``Origin`` is present and
  not an ``http(s)`` origin on a trusted host, or whose ``Sec-Fetch-Site`` is ``cross-site``,
  gets 403. Browsers send ``Origin`` on every cross-origin write.
* **Content type**: a write that carries a body must say ``Content-Type: application/json``
  (415 otherwise), so no HTML form or ``text/plain`` "simple request" gets through without a
  CORS preflight, which the mock never grants.

And, when ``Settings.admin_token`` is set (``imagegw serve --admin-token``), every
``/__mock/*`` request but ``GET /__mock/health`` and the inspector's empty page (``GET /__mock/``,
whose script asks for the token and sends it) must carry ``X-Mock-Admin-Token: <token>``
(401 otherwise). ``Authorization`` is left to the gateways' own credentials.

URL results and served contracts name the mock by :func:`trusted_base_url`: the request's own
base URL when its host is trusted, else the address the connection arrived on.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from starlette.requests import Request

from contracts.wire import media_type

from .errors import GatewayError
from .errors import clip as _clip
from .settings import Settings

#: Host names that always reach this machine (RFC 6761 §6.3: ``localhost`` and ``*.localhost``),
#: and ``testserver``, the name in-process test clients (Starlette's TestClient) send.
LOOPBACK_HOSTS: frozenset[str] = frozenset({"localhost", "127.0.0.1", "::1", "testserver"})
ADMIN_TOKEN_HEADER = "x-mock-admin-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_ANY = "*"


def host_name(value: str) -> str:
    """The lower-cased host name of a ``Host`` header value or a URL authority (port and IPv6
    brackets removed): ``"[::1]:8000"`` -> ``"::1"``, ``"LocalHost:80"`` -> ``"localhost"``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


@lru_cache(maxsize=64)
def _trusted(allowed: tuple[str, ...], public_base_url: str | None) -> frozenset[str]:
    names = set(LOOPBACK_HOSTS) | {host_name(h) for h in allowed}
    if public_base_url:
        names.add(host_name(urlsplit(public_base_url).netloc.rpartition("@")[2]))
    return frozenset(names)


def trusted_hosts(settings: Settings) -> frozenset[str]:
    """The host names ``settings`` trusts (``"*"`` among them: every name)."""
    return _trusted(settings.allowed_hosts, settings.public_base_url)


def is_trusted(host: str, settings: Settings) -> bool:
    """Whether the ``Host`` value ``host`` names a trusted host (module docstring)."""
    names = trusted_hosts(settings)
    name = host_name(host)
    return _ANY in names or name in names or name.endswith(".localhost")


def trusted_base_url(request: Request, settings: Settings) -> str:
    """``request.base_url`` when its host is trusted; otherwise the same URL with the host and
    port the connection arrived on (ASGI ``scope["server"]``), so a forged ``Host`` never
    reaches a URL the mock hands out."""
    base = request.base_url
    if is_trusted(request.headers.get("host", ""), settings):
        return str(base)
    server = request.scope.get("server")
    if not server:
        return str(base)
    host, port = server[0], server[1]
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(base.scheme)
    return str(base.replace(netloc=host if port in (None, default) else f"{host}:{port}"))


def check_admin_request(request: Request, settings: Settings, *, token_free: bool = False) -> None:
    """Refuse a control-plane request a web page or a stranger could have sent.

    ``token_free`` marks a route that shows nothing of the mock's state (``GET /__mock/health``,
    the inspector's empty page, which asks for the token itself): it needs no admin token, but
    passes every other check.

    Raises:
        GatewayError: 403 ``untrusted_host`` / ``cross_site_request``, 401 ``invalid_admin_token``,
            415 ``unsupported_media_type`` (module docstring).
    """
    headers = request.headers
    if not is_trusted(headers.get("host", ""), settings):
        raise GatewayError(
            403,
            "untrusted_host",
            f"Host {_clip(headers.get('host', ''))!r} is not trusted for /__mock; start the mock with --allowed-host NAME to add it",
        )
    method = request.method
    if method in UNSAFE_METHODS:
        origin = headers.get("origin")
        if origin is not None and not _trusted_origin(origin, settings):
            raise GatewayError(403, "cross_site_request", f"Origin {_clip(origin)!r} may not write to /__mock")
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            raise GatewayError(403, "cross_site_request", "Cross-site requests may not write to /__mock")
    token = settings.admin_token
    if token and not (token_free and method == "GET"):
        given = headers.get(ADMIN_TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8")):
            raise GatewayError(
                401,
                "invalid_admin_token",
                "This mock's control plane needs the header 'X-Mock-Admin-Token: <token>' (imagegw serve --admin-token)",
            )
    carries_body = headers.get("content-length", "0").strip() not in ("0", "") or "transfer-encoding" in headers
    if method in UNSAFE_METHODS and (carries_body or "content-type" in headers):
        ctype = media_type(headers.get("content-type"))
        if ctype != "application/json":
            raise GatewayError(
                415,
                "unsupported_media_type",
                f"Unsupported Content-Type {_clip(ctype) or '(none)'!r}: /__mock writes take application/json",
            )


def _trusted_origin(origin: str, settings: Settings) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and is_trusted(parts.netloc, settings)


def bind_is_loopback(host: str) -> bool:
    """Whether a bind address only listens on this machine (``127.0.0.0/8``, ``::1``, ``localhost``)."""
    name = host_name(host)
    return name in ("localhost", "::1") or name.startswith("127.")


def allowed_for_bind(host: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """``Settings.allowed_hosts`` for a server bound to ``host``: the bind address itself
    (unless it is a wildcard such as ``0.0.0.0``) and ``extra``."""
    names = [h for h in extra if h]
    if host_name(host) not in ("0.0.0.0", "::", ""):
        names.append(host)
    return tuple(dict.fromkeys(names))
