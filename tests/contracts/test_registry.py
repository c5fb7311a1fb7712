"""The gateway registry (``contracts/registry.py``): it agrees with every contract, the mock, the
client and drift follow it, and no other module declares its facts a second time.

Agreement with the contracts: ``servers`` (the documented host, or an inferred placeholder where
the document names none), ``components.securitySchemes`` (the auth scheme and header),
``info.title`` and the error response schemas (an error rendered in each of the gateway's
registered shapes validates against one of the contract's 4xx/5xx schemas; one rendered in any
other shape validates against none). Quotes are checked against the documents when
``../shared/gateway-docs`` (or ``IMAGEGW_DOCS``) is present.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlsplit

import httpx
import pytest

import contracts
from clients import ImageClient
from contracts.provenance import HTTP_METHODS
from contracts.registry import (
    AUTH_HEADERS,
    ERROR_SHAPE_BODIES,
    ERROR_SHAPES,
    GATEWAY_IDS,
    GATEWAYS,
    GatewayId,
    GatewaySpec,
    gateway_spec,
)
from contracts.wire import pointer, unpointer
from drift.plans import PLANS
from mock_server.errors import GatewayError, error_body
from mock_server.gateways import load as load_gateway

ROOT = Path(__file__).resolve().parents[2]
DOCS = Path(os.environ.get("IMAGEGW_DOCS", ROOT.parent / "shared" / "gateway-docs"))
REGISTRY_FILE = ROOT / "contracts" / "registry.py"
#: Packages and scripts whose Python source must not restate a registry fact.
SOURCE_DIRS = ("clients", "contracts", "drift", "imagegw", "mock_server", "recordings", "tools", "bench")
KEY = "sk-registry-test"

SPECS = [pytest.param(g, id=g.id) for g in GATEWAYS]


# -- the registry itself -----------------------------------------------------------------------------


def test_ids_are_unique_ordered_and_match_the_literal_type_and_the_contract_files() -> None:
    assert GATEWAY_IDS == tuple(g.id for g in GATEWAYS)
    assert len(set(GATEWAY_IDS)) == len(GATEWAY_IDS) == 5
    assert get_args(GatewayId) == GATEWAY_IDS  # the type checkers' copy of the ids
    assert contracts.GATEWAY_IDS is GATEWAY_IDS and contracts.available() == list(GATEWAY_IDS)
    # INDEX.md's order: the documents are numbered 000..004 in the order of the ids
    assert [g.document[:3] for g in GATEWAYS] == ["000", "001", "002", "003", "004"]


def test_unknown_id_is_a_key_error_naming_the_known_ids() -> None:
    with pytest.raises(KeyError, match="expected one of piebox, tokenhub"):
        gateway_spec("dalle")
    with pytest.raises(KeyError):
        gateway_spec(["not", "hashable"])  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", SPECS)
def test_environment_variable_names_follow_the_readme(spec: GatewaySpec) -> None:
    # README: "Live tests ... `IMAGEGW_<ID>_API_KEY` set"; the client: IMAGEGW_<ID>_BASE_URL
    assert spec.api_key_env == f"IMAGEGW_{spec.id.upper()}_API_KEY"
    assert spec.base_url_env == f"IMAGEGW_{spec.id.upper()}_BASE_URL"


@pytest.mark.parametrize("spec", SPECS)
def test_auth_headers_are_the_documented_form(spec: GatewaySpec) -> None:
    headers = spec.auth.headers(KEY)
    if spec.auth.scheme == "bearer":
        assert headers == {"Authorization": f"Bearer {KEY}"} and "Bearer " in (spec.auth.source.quote or "")
    else:  # 000: -H "X-API-Key: <your-api-key>"
        assert headers == {"X-API-Key": KEY} and "X-API-Key: " in (spec.auth.source.quote or "")


@pytest.mark.parametrize("spec", SPECS)
def test_host_and_its_source_agree(spec: GatewaySpec) -> None:
    if spec.host is None:
        assert spec.host_source.kind == "inferred" and spec.host_source.source
    else:
        assert spec.host_source.kind == "documented" and spec.host in (spec.host_source.quote or "")
        parts = urlsplit(spec.host)
        assert parts.scheme == "https" and parts.netloc and parts.path == ""
    assert spec.error_shapes and set(spec.error_shapes) <= set(ERROR_SHAPES)
    assert spec.error_source.kind == "inferred"  # no document shows an error body


@pytest.mark.skipif(not DOCS.is_dir(), reason=f"gateway documents not found at {DOCS} (set IMAGEGW_DOCS)")
@pytest.mark.parametrize("spec", SPECS)
def test_every_quote_occurs_in_its_document(spec: GatewaySpec) -> None:
    text = (DOCS / spec.document).read_text(encoding="utf-8")
    for source in (spec.host_source, spec.auth.source, spec.error_source):
        if source.kind == "documented":
            assert source.doc == spec.document
            assert source.quote and source.quote in text, source.quote
    index = (DOCS / "INDEX.md").read_text(encoding="utf-8")
    row = next(line for line in index.splitlines() if line.startswith(f"| {spec.document} |"))
    host_cell = row.split("|")[3].strip()
    assert host_cell == (urlsplit(spec.host).netloc if spec.host else "none")
    assert f"`{spec.id}`" in row


# -- agreement with the contracts --------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_contract_servers_name_the_registry_host(spec: GatewaySpec) -> None:
    servers = contracts.load(spec.id).spec["servers"]
    assert len(servers) == 1
    if spec.host is None:
        assert servers[0]["x-provenance"]["kind"] == "inferred"  # a placeholder
    else:
        assert servers[0]["url"] == spec.host


@pytest.mark.parametrize("spec", SPECS)
def test_contract_security_is_the_registry_auth(spec: GatewaySpec) -> None:
    doc = contracts.load(spec.id).spec
    schemes = doc["components"]["securitySchemes"]
    required = {name for requirement in doc["security"] for name in requirement}
    assert required and required <= set(schemes)
    for name in required:
        scheme = schemes[name]
        if spec.auth.scheme == "bearer":
            assert (scheme["type"], scheme["scheme"].lower()) == ("http", "bearer")
        else:
            assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", spec.auth.header)


@pytest.mark.parametrize("spec", SPECS)
def test_contract_title_names_the_gateway(spec: GatewaySpec) -> None:
    assert contracts.load(spec.id).spec["info"]["title"].startswith(spec.title)


def _error_schema_pointers(doc: dict[str, Any]) -> set[str]:
    """JSON pointers of every JSON schema of a 4xx/5xx response in ``doc`` (responses ``$ref`` followed)."""
    out: set[str] = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, response in op.get("responses", {}).items():
                if not str(status).startswith(("4", "5")):
                    continue
                parts: list[Any] = ["paths", path, method, "responses", status]
                while isinstance(response, dict) and "$ref" in response:
                    parts = list(unpointer(response["$ref"]))
                    response = doc
                    for token in parts:
                        response = response[token]
                media = (response.get("content") or {}).get("application/json")
                if media and "schema" in media:
                    out.add(pointer([*parts, "content", "application/json", "schema"]))
    return out


@pytest.mark.parametrize("spec", SPECS)
def test_contract_error_schemas_accept_exactly_the_registry_shapes(spec: GatewaySpec) -> None:
    contract = contracts.load(spec.id)
    pointers = _error_schema_pointers(contract.spec)
    assert pointers
    err = GatewayError(400, "invalid_size", "size must be one of 1024x1024", param="size")
    accepted = set()
    for shape in ERROR_SHAPES:
        body = error_body(err, shape, "req-0001")  # type: ignore[arg-type]
        if any(not contract.validate_instance(p, body) for p in pointers):
            accepted.add(shape)
    assert accepted == set(spec.error_shapes)


# -- the mock, the client and drift follow the registry --------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_mock_answers_auth_in_the_registry_scheme_and_default_shape(spec: GatewaySpec, imagegw_client: httpx.Client) -> None:
    gw = load_gateway(spec.id)
    op = next(o for o in gw.operations if o.auth and "POST" in o.methods)
    url = f"/{spec.id}{op.path}"
    missing = imagegw_client.post(url, json={})
    assert missing.status_code == 401
    expected_keys = set(error_body(GatewayError(401, "missing_api_key", "x"), spec.default_error_shape, "r"))
    assert set(missing.json()) == expected_keys
    assert spec.auth.header in str(missing.json())  # the message names the header to send
    other = next(h for s, h in AUTH_HEADERS.items() if s != spec.auth.scheme)
    wrong = imagegw_client.post(url, json={}, headers={other: f"Bearer {KEY}"})
    assert wrong.status_code == 401
    ok = imagegw_client.post(url, json={}, headers=spec.auth.headers(KEY))
    assert ok.status_code != 401 and ok.status_code < 500


@pytest.mark.parametrize("spec", SPECS)
def test_client_reads_the_registry_env_and_host(spec: GatewaySpec, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(spec.api_key_env, KEY)
    monkeypatch.setenv(spec.base_url_env, f"http://127.0.0.1:9/{spec.id}")
    assert ImageClient(spec.id).base_url == f"http://127.0.0.1:9/{spec.id}"
    monkeypatch.delenv(spec.base_url_env)
    if spec.host is not None:
        assert ImageClient(spec.id).base_url == spec.host
    else:
        with pytest.raises(Exception, match="names no host"):
            ImageClient(spec.id)


def test_drift_has_one_plan_per_gateway_using_only_registered_shapes() -> None:
    assert set(PLANS) == set(GATEWAY_IDS)
    for gid, plan in PLANS.items():
        assert plan.gateway == gid and plan.shape == gateway_spec(gid).default_error_shape
        for probe in (*plan.free, *plan.paid):
            assert probe.error_shape is None or probe.error_shape in gateway_spec(gid).error_shapes, (gid, probe.id)


def test_every_error_shape_has_a_body_text_naming_its_keys() -> None:
    for shape in ERROR_SHAPES:
        body = error_body(GatewayError(400, "c", "m"), shape, "r")  # type: ignore[arg-type]
        for key in body:
            assert f'"{key}"' in ERROR_SHAPE_BODIES[shape]


# -- nothing else declares the registry's facts ----------------------------------------------------


def _python_files(dirs: tuple[str, ...]) -> list[Path]:
    files = [p for d in dirs for p in sorted((ROOT / d).rglob("*.py"))]
    return [p for p in files if p != REGISTRY_FILE and ".venv" not in p.parts]


def _docstring_nodes(tree: ast.AST) -> set[int]:
    """ids of string statements (module, class, function and attribute docstrings)."""
    return {
        id(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
    }


def _all_ids(node: ast.AST) -> bool:
    """A tuple/list/set literal (a ``Literal[...]`` too) holding every gateway id and nothing else.

    A subset is behaviour (``gateway in ("gravitex", "imageseries")``), and a dict keyed by id is
    per-gateway data; the full list is the registry's.
    """
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return False
    values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return len(values) == len(node.elts) and set(values) == set(GATEWAY_IDS)


def test_no_other_module_lists_the_gateway_ids() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _python_files((*SOURCE_DIRS, "tests"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _all_ids(node)
    ]
    assert offenders == [], "gateway ids listed outside contracts/registry.py: " + ", ".join(offenders)


def test_no_other_source_module_names_a_documented_host() -> None:
    hostnames = [urlsplit(g.host).netloc for g in GATEWAYS if g.host]
    assert len(hostnames) == 4
    offenders = [f"{p.relative_to(ROOT)}: {h}" for p in _python_files(SOURCE_DIRS) for h in hostnames if h in p.read_text(encoding="utf-8")]
    assert offenders == [], "documented hosts written outside contracts/registry.py: " + ", ".join(offenders)


_ENV_NAME = re.compile(r"IMAGEGW_(\{\}|[A-Z0-9]+)_(API_KEY|BASE_URL)\b")
_DOC_FILE = re.compile(r"\b00\d_[0-9a-f]{16}\.txt\b")


def test_no_other_source_module_spells_an_auth_header_env_variable_or_document_file() -> None:
    """Outside docstrings: no ``X-API-Key`` string, no ``IMAGEGW_<ID>_API_KEY``/``_BASE_URL`` built by
    hand, no gateway document file name."""
    special = {h.lower() for h in AUTH_HEADERS.values()} - {"authorization"}  # Authorization is plain HTTP
    offenders = []
    for path in _python_files(SOURCE_DIRS):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                text = node.value
            else:
                continue
            if any(h in text.lower() for h in special) or _ENV_NAME.search(text) or _DOC_FILE.search(text):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:60]!r}")
    assert offenders == [], "registry facts restated outside contracts/registry.py: " + ", ".join(offenders)
