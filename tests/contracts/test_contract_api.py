"""The ``contracts`` Python API: load, validate_request, validate_response, inferred_parts.

Expectations come from the PowerTokens document (004_7b73b03c392231b5.txt) — what it documents
(model enum, seed range, response fields) must be reported as documented, what the contract only
infers (error body, X-Request-Id) as inferred — and from small inline contracts for the generic
parts (multipart, parameters, response variants).
"""

from __future__ import annotations

import json

import httpx
import pytest

import contracts
from contracts import Contract, ContractNotFound, Finding

GEN = "/v1/images/generations"
AUTH = {"Authorization": "Bearer sk-secret-value-123"}
DOC_EXAMPLE = {  # 004: the curl example
    "model": "seedream-4-5-251128",
    "prompt": "A cute corgi running on grass, sunny day, realistic style",
    "size": "2048x2048",
    "response_format": "url",
}


@pytest.fixture(scope="module")
def pt() -> Contract:
    return contracts.load("powertokens")


def by_location(findings: list[Finding]) -> dict[str, Finding]:
    return {f.location: f for f in findings}


def response(status: int, body: object, headers: dict[str, str] | None = None, content_type: str = "application/json") -> httpx.Response:
    h = {"X-Request-Id": "req-1", "Content-Type": content_type, **(headers or {})}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, headers=h, content=content)


OK_BODY = {"created": 1767225600, "data": [{"url": "https://api.powertokens.ai/files/a.jpeg", "size": "2048x2048"}], "metadata": {}}
ERROR_BODY = {"error": {"message": "size: bad", "type": "invalid_request_error", "param": "size", "code": "invalid_size"}}


# -- load -------------------------------------------------------------------------------------------


def test_load_parses_once_and_caches() -> None:
    assert contracts.load("powertokens") is contracts.load("powertokens")


def test_load_unknown_gateway_raises() -> None:
    with pytest.raises(ContractNotFound):
        contracts.load("dalle")


def test_match_finds_the_operation_by_method_and_path(pt: Contract) -> None:
    op, params, known = pt.match("POST", GEN + "?x=1")
    assert op is not None and op.operation_id == "createImage" and params == {} and known
    op, _, known = pt.match("GET", GEN)
    assert op is None and known
    assert pt.match("POST", "/v1/nothing") == (None, {}, False)


# -- requests ---------------------------------------------------------------------------------------


def test_document_example_request_conforms(pt: Contract) -> None:
    assert pt.validate_request("POST", GEN, AUTH, DOC_EXAMPLE) == []
    assert pt.validate_request("POST", GEN, {**AUTH, "Content-Type": "application/json"}, json.dumps(DOC_EXAMPLE).encode()) == []


def test_request_findings_name_the_field_and_its_provenance(pt: Contract) -> None:
    body = {**DOC_EXAMPLE, "model": "dall-e-3", "seed": 2_147_483_648}
    del body["prompt"]
    found = by_location(pt.validate_request("POST", GEN, AUTH, body))
    # 004: "Available options: seedream-5-0-260128, ..."
    assert found["/request/body/model"].kind == "enum_mismatch" and found["/request/body/model"].documented is True
    # 004: "Range [-1, 2147483647]"
    assert found["/request/body/seed"].kind == "schema_violation" and found["/request/body/seed"].documented is True
    # 004: "prompt string required"
    assert found["/request/body/prompt"].kind == "missing_property" and found["/request/body/prompt"].documented is True
    assert all(f.operation == "createImage" for f in found.values())


def test_request_size_rules_follow_the_model(pt: Contract) -> None:
    # 004: seedream-5-0 "supports 2K/3K", seedream-4-0 "supports 1K/2K/4K"
    assert pt.validate_request("POST", GEN, AUTH, {**DOC_EXAMPLE, "model": "seedream-4-0-250828", "size": "1K"}) == []
    found = pt.validate_request("POST", GEN, AUTH, {**DOC_EXAMPLE, "model": "seedream-5-0-260128", "size": "1K"})
    assert [f.location for f in found] == ["/request/body/size"]


def test_request_without_credentials_or_with_wrong_media_type(pt: Contract) -> None:
    found = pt.validate_request("POST", GEN, {}, DOC_EXAMPLE)
    assert [f.kind for f in found] == ["missing_credentials"]
    found = pt.validate_request("POST", GEN, {**AUTH, "Content-Type": "text/plain"}, b"model=x")
    assert [f.kind for f in found] == ["content_type_mismatch"]
    found = pt.validate_request("POST", GEN, {**AUTH, "Content-Type": "application/json"}, b"{not json")
    assert [f.kind for f in found] == ["invalid_json"]
    assert [f.kind for f in pt.validate_request("POST", GEN, AUTH, None)] == ["missing_body"]
    assert [f.kind for f in pt.validate_request("PUT", GEN, AUTH, DOC_EXAMPLE)] == ["unknown_operation"]


def test_findings_never_carry_the_api_key(pt: Contract) -> None:
    found = pt.validate_request("POST", GEN, AUTH, {"model": 3})
    assert found
    text = " ".join(json.dumps(f.as_dict()) + str(f) + repr(f) for f in found)
    assert "sk-secret-value-123" not in text


# -- responses --------------------------------------------------------------------------------------


def test_conforming_responses_have_no_findings(pt: Contract) -> None:
    assert pt.validate_response("POST", GEN, response(200, OK_BODY)) == []
    assert pt.validate_response("POST", GEN, response(400, ERROR_BODY)) == []
    assert pt.validate_response("POST", GEN, response(429, ERROR_BODY, {"Retry-After": "1"})) == []
    assert pt.validate_response("POST", GEN, response(503, ERROR_BODY, {"Retry-After": "1"})) == []


def test_response_findings(pt: Contract) -> None:
    body = {**OK_BODY, "created": "123", "data": [{"url": None, "size": "2048x2048"}]}
    found = by_location(pt.validate_response("POST", GEN, response(200, body)))
    # 004: "created integer<int64>"
    assert found["/response/body/created"].kind == "type_mismatch" and found["/response/body/created"].documented is True
    assert found["/response/body/data/0/url"].kind == "unexpected_null"
    assert found["/response/body/data/0/url"].contract_pointer is not None


def test_inferred_parts_are_reported_as_inferred(pt: Contract) -> None:
    err = {"error": {"message": "m", "type": "invalid_request_error", "code": "x"}}  # param dropped
    found = by_location(pt.validate_response("POST", GEN, response(400, err)))
    assert found["/response/body/error/param"].kind == "missing_property"
    assert found["/response/body/error/param"].documented is False  # the document shows no error body
    no_id = httpx.Response(200, headers={"Content-Type": "application/json"}, content=json.dumps(OK_BODY).encode())
    found = by_location(pt.validate_response("POST", GEN, no_id))
    assert found["/response/headers/x-request-id"].kind == "missing_header"
    assert found["/response/headers/x-request-id"].documented is False
    found = by_location(pt.validate_response("POST", GEN, response(503, ERROR_BODY)))
    assert found["/response/headers/retry-after"].kind == "missing_header"


def test_undeclared_status_and_media_type(pt: Contract) -> None:
    [f] = pt.validate_response("POST", GEN, response(418, ERROR_BODY))
    assert (f.location, f.kind, f.documented, f.observed) == ("/response/status", "undeclared_status", None, "418")
    [f] = pt.validate_response("POST", GEN, response(200, b"<html/>", content_type="text/html"))
    assert (f.location, f.kind) == ("/response/content-type", "content_type_mismatch")
    [f] = pt.validate_response("POST", GEN, response(200, b"{broken"))
    assert f.kind == "invalid_json"


def test_unknown_routes_and_methods_use_the_contracts_404_and_405(pt: Contract) -> None:
    assert pt.validate_response("GET", "/v1/nothing", response(404, ERROR_BODY)) == []
    assert pt.validate_response("GET", GEN, response(405, ERROR_BODY, {"Allow": "POST"})) == []
    assert [f.kind for f in pt.validate_response("GET", GEN, response(405, ERROR_BODY))] == ["missing_header"]
    assert [f.kind for f in pt.validate_response("GET", "/v1/nothing", response(200, OK_BODY))] == ["unknown_operation"]


def test_the_mocks_own_answers_conform(imagegw_client: httpx.Client) -> None:
    """End to end through the mock: success, scenario errors and a bad request (the test-mode guard
    checks every response too; this names the expectations)."""
    c = contracts.load("powertokens")
    cases = [
        ({}, 200),
        ({"X-Mock-Scenario": "rate_limited"}, 429),
        ({"X-Mock-Scenario": "quota_exceeded"}, 429),
        ({"X-Mock-Scenario": "overloaded"}, 503),
        ({"X-Mock-Scenario": "server_error"}, 500),
        ({"X-Mock-Scenario": "partial_failure"}, 200),
    ]
    body = {
        "model": "seedream-4-0-250828",
        "prompt": "a corgi",
        "size": "1K",
        "sequential_image_generation": "auto",
        "sequential_image_generation_options": {"max_images": 2},
    }
    for extra, status in cases:
        r = imagegw_client.post("/powertokens" + GEN, headers={**AUTH, **extra}, json=body)
        assert r.status_code == status
        assert c.validate_response("POST", GEN, r) == [], extra


# -- inferred parts ---------------------------------------------------------------------------------


def test_inferred_parts_list_what_the_document_does_not_say() -> None:
    parts = contracts.inferred_parts("powertokens")
    labels = {p.label: p for p in parts}
    assert "schema ErrorResponse" in labels  # 004 shows no error body
    assert "response TooManyRequests" in labels  # nor rate limits
    assert "header X-Request-Id" in labels
    assert "schema ImageRequestFields.model" not in labels  # documented
    assert all(p.source and p.pointer.startswith("/") and p.gateway == "powertokens" for p in parts)
    every = contracts.inferred_parts()
    assert {p.gateway for p in every} == set(contracts.available())


# -- generic parts on a small inline contract -------------------------------------------------------

MINI = {
    "openapi": "3.1.0",
    "info": {"title": "mini", "version": "1"},
    "servers": [{"url": "https://h.example/api"}],
    "paths": {
        "/tasks/{task_id}": {
            "get": {
                "operationId": "getTask",
                "parameters": [
                    {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^t_"}},
                    {"name": "X-Region", "in": "header", "required": True, "schema": {"enum": ["global"]}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 5}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"x-imagegw-when-request": {"required": ["never"]}, "type": "object", "required": ["a"]},
                                        {"type": "object", "required": ["b"]},
                                    ]
                                }
                            }
                        },
                    }
                },
            }
        },
        "/edits": {
            "post": {
                "operationId": "edit",
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["image", "prompt"],
                                "properties": {
                                    "image": {"type": "string", "contentMediaType": "image/png"},
                                    "prompt": {"type": "string"},
                                    "n": {"type": "integer", "maximum": 4},
                                },
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/answers": {
            "post": {
                "operationId": "answer",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"x-imagegw-when-request": {"required": ["input"]}, "type": "object", "required": ["output"]},
                                        {
                                            "x-imagegw-when-request": {"not": {"required": ["input"]}},
                                            "type": "object",
                                            "required": ["data"],
                                        },
                                    ]
                                }
                            }
                        },
                    }
                },
            }
        },
    },
}


def test_parameters_are_checked() -> None:
    c = Contract(MINI, "mini")
    assert c.validate_request("GET", "/tasks/t_1?limit=3", {"X-Region": "global"}) == []
    found = by_location(c.validate_request("GET", "/tasks/x1?limit=9", {}))
    assert set(found) == {"/request/path/task_id", "/request/query/limit", "/request/headers/x-region"}
    assert found["/request/headers/x-region"].kind == "missing_header"


def test_server_base_path_is_accepted() -> None:
    c = Contract(MINI, "mini")
    assert c.match("GET", "/api/tasks/t_1")[0] is not None


def test_multipart_bodies_are_parsed_and_coerced() -> None:
    c = Contract(MINI, "mini")
    req = httpx.Request("POST", "http://x/edits", files={"image": ("a.png", b"\x89PNG...", "image/png")}, data={"prompt": "p", "n": "2"})
    body = req.read()
    assert c.validate_request("POST", "/edits", dict(req.headers), body) == []
    req = httpx.Request("POST", "http://x/edits", data={"prompt": "p", "n": "9"}, files={"mask": ("m.png", b"x", "image/png")})
    found = by_location(c.validate_request("POST", "/edits", dict(req.headers), req.read()))
    assert set(found) == {"/request/body/image", "/request/body/n"}


def test_request_body_picks_the_response_variant() -> None:
    c = Contract(MINI, "mini")
    dash = response(200, {"output": {}})
    flat = response(200, {"data": []})
    assert c.validate_response("POST", "/answers", dash, request_body={"input": {}}) == []
    assert c.validate_response("POST", "/answers", flat, request_body={"prompt": "p"}) == []
    # with the request known, a flat answer to a passthrough request is a finding
    [f] = c.validate_response("POST", "/answers", flat, request_body={"input": {}})
    assert (f.location, f.kind) == ("/response/body/output", "missing_property")
    # without it, either shape is accepted
    assert c.validate_response("POST", "/answers", flat) == []


# -- house formats ----------------------------------------------------------------------------------


def test_house_formats_are_asserted() -> None:
    import base64
    import io

    from PIL import Image

    from contracts.formats import is_image_base64, is_image_data_url, is_png_with_alpha

    def png(mode: str) -> bytes:
        buf = io.BytesIO()
        Image.new(mode, (2, 2)).save(buf, "PNG")
        return buf.getvalue()

    b64 = base64.b64encode(png("RGB")).decode()
    assert is_image_data_url("data:image/png;base64," + b64) and is_image_base64(b64)
    assert not is_image_data_url("data:image/png;base64," + base64.b64encode(b"hello").decode())  # not an image
    assert not is_image_data_url("data:image/png;base64,!!!") and not is_image_base64("aGVsbG8=")
    assert is_png_with_alpha(png("RGBA")) and is_png_with_alpha(png("RGBA").decode("latin-1"))
    assert not is_png_with_alpha(png("L")) and not is_png_with_alpha(b"GIF89a")
    # through a contract: PowerTokens' reference images are http(s) URLs or image data URLs
    pt = contracts.load("powertokens")
    ok = pt.validate_request("POST", GEN, AUTH, {**DOC_EXAMPLE, "image": ["data:image/png;base64," + b64, "https://a.example/x.png"]})
    assert ok == []
    [f] = pt.validate_request("POST", GEN, AUTH, {**DOC_EXAMPLE, "image": "data:image/png;base64," + base64.b64encode(b"hello").decode()})
    assert f.location == "/request/body/image"


def test_a_credential_header_parameter_is_redacted_in_findings() -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "operationId": "x",
                    "responses": {"200": {"description": "ok"}},
                    "parameters": [
                        {"name": "X-API-Key", "in": "header", "required": True, "schema": {"type": "string", "pattern": "^pk-"}}
                    ],
                }
            }
        },
    }
    [f] = Contract(spec, "t").validate_request("GET", "/x", {"X-API-Key": "sk-very-secret"})
    assert f.kind == "invalid_header" and f.location == "/request/headers/x-api-key"
    assert "sk-very-secret" not in json.dumps(f.as_dict()) + str(f) + repr(f)
