"""The five contracts are valid OpenAPI 3.1 and follow the house rules.

* openapi-spec-validator passes on every contract;
* every operation, response, header and schema property carries ``x-provenance``;
* every example validates against its schema (the documents' own examples included);
* every documented quote occurs in the document it cites (when the documents are available:
  ``IMAGEGW_DOCS`` or ``../shared/gateway-docs``);
* every operation the mock serves is in the contract with the mock's ``operationId``;
* every contract is written for the standard OpenAPI tools (``lint.tool_errors``).

The checks themselves are shown to fail on a broken copy of a contract (``test_lint_catches_*``).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest

import contracts
from contracts import lint
from contracts.validate import Contract

ROOT = Path(__file__).resolve().parents[2]
DOCS = Path(os.environ.get("IMAGEGW_DOCS", ROOT.parent / "shared" / "gateway-docs"))
IDS = contracts.GATEWAY_IDS


def _contract(gid: str) -> Contract:
    return contracts.load(gid)  # raises ContractNotFound: every gateway must have its contract


@pytest.mark.parametrize("gid", IDS)
def test_openapi_spec_validator_passes(gid: str) -> None:
    c = _contract(gid)
    assert c.spec["openapi"].startswith("3.1"), "contracts are OpenAPI 3.1"
    assert lint.spec_errors(c) == []


@pytest.mark.parametrize("gid", IDS)
def test_every_operation_response_header_and_property_has_provenance(gid: str) -> None:
    assert lint.provenance_gaps(_contract(gid)) == []


@pytest.mark.parametrize("gid", IDS)
def test_examples_validate_against_their_schemas(gid: str) -> None:
    c = _contract(gid)
    examples = list(lint.iter_examples(c))
    assert examples, f"{gid}: the contract carries no example"
    assert lint.example_errors(c) == []


@pytest.mark.parametrize("gid", IDS)
def test_no_nullable_keyword(gid: str) -> None:
    """OpenAPI 3.1 style: ``type: [X, "null"]``, never ``nullable`` (house rule)."""
    text = contracts.path_for(gid).read_text(encoding="utf-8")
    assert "nullable:" not in text


@pytest.mark.skipif(not DOCS.is_dir(), reason=f"gateway documents not found at {DOCS} (set IMAGEGW_DOCS)")
@pytest.mark.parametrize("gid", IDS)
def test_documented_quotes_occur_in_their_documents(gid: str) -> None:
    assert lint.quote_errors(_contract(gid), DOCS) == []


@pytest.mark.parametrize("gid", IDS)
def test_contract_operations_are_the_mocks(gid: str) -> None:
    """Every operation the mock serves is in the contract under the mock's ``operationId``, and the
    contract has no operation the mock does not serve (PREAMBLE: "operationId equals the mock's
    Operation.operation_id")."""
    from mock_server import gateways

    gw = gateways.load(gid)
    served = {(m.upper(), op.path): op.operation_id for op in gw.operations for m in op.methods}
    assert served, f"{gid}: the mock serves no operation"
    c = _contract(gid)
    declared = {(o.method, o.path): o.operation_id for o in c.operations}
    assert {k: v for k, v in declared.items() if k in served} == served
    extra = {k for k in declared if k not in served and k[1] != "/files/{token}"}
    assert not extra, f"contract operations the mock does not serve: {sorted(extra)}"


@pytest.mark.parametrize("gid", IDS)
def test_every_response_declares_x_request_id_and_retry_after(gid: str) -> None:
    """PREAMBLE: every response declares ``X-Request-Id``; 429/503 declare ``Retry-After``."""
    from contracts.provenance import resolve

    c = _contract(gid)
    for op in c.operations:
        for status, raw in (c.operation_object(op).get("responses") or {}).items():
            resp = resolve(c.spec, raw)
            names = {h.lower() for h in (resp.get("headers") or {})}
            if op.path == "/files/{token}":
                continue
            assert "x-request-id" in names, f"{op.operation_id} {status}"
            if status in ("429", "503"):
                assert "retry-after" in names, f"{op.operation_id} {status}"


# -- the lint itself can fail -----------------------------------------------------------------------


def _broken_powertokens() -> Contract:
    spec = copy.deepcopy(contracts.load("powertokens").spec)
    return Contract(spec, "powertokens")


def test_lint_catches_a_property_without_provenance() -> None:
    c = _broken_powertokens()
    del c.spec["components"]["schemas"]["ImageRequestFields"]["properties"]["seed"]["x-provenance"]
    gaps = lint.provenance_gaps(c)
    assert len(gaps) == 1 and "/components/schemas/ImageRequestFields/properties/seed" in gaps[0]


def test_lint_catches_an_example_that_breaks_its_schema() -> None:
    c = _broken_powertokens()
    ex = c.spec["paths"]["/v1/images/generations"]["post"]["requestBody"]["content"]["application/json"]["examples"]["document"]
    ex["value"]["size"] = 2048
    errors = lint.example_errors(c)
    assert errors and all("examples/document/value at /size" in e for e in errors)


@pytest.mark.skipif(not DOCS.is_dir(), reason=f"gateway documents not found at {DOCS}")
def test_lint_catches_a_quote_the_document_does_not_contain() -> None:
    c = _broken_powertokens()
    c.spec["components"]["schemas"]["ImageRequestFields"]["properties"]["seed"]["x-provenance"]["quote"] = "Range [0, 42]"
    errors = lint.quote_errors(c, DOCS)
    assert len(errors) == 1 and "Range [0, 42]" in errors[0]


def test_lint_catches_an_invalid_openapi_document() -> None:
    c = _broken_powertokens()
    c.spec["paths"]["/v1/images/generations"]["post"]["responses"]["200"] = {"content": {}}  # description missing
    assert lint.spec_errors(c)


# -- the contracts are written for the standard OpenAPI tools ---------------------------------------


@pytest.mark.parametrize("gid", IDS)
def test_contract_is_written_for_the_standard_tools(gid: str) -> None:
    """jsonSchemaDialect, named nested objects, typed unions, conditions for cross-field rules, enum
    narrowings, examples for success answers, items on arrays (``contracts.lint.tool_errors``; the
    tools themselves run in ``tests/tools``)."""
    assert lint.tool_errors(_contract(gid)) == []


def _tool_error_after(change: Any) -> list[str]:
    c = _broken_powertokens()
    change(c.spec, c.spec["components"]["schemas"])
    return lint.tool_errors(c)


def test_tool_lint_catches_a_missing_or_wrong_json_schema_dialect() -> None:
    errors = _tool_error_after(lambda spec, _: spec.pop("jsonSchemaDialect"))
    assert len(errors) == 1 and "jsonSchemaDialect" in errors[0]
    errors = _tool_error_after(lambda spec, _: spec.update(jsonSchemaDialect="http://json-schema.org/draft-07/schema#"))
    assert len(errors) == 1 and "draft-07" in errors[0]


def test_tool_lint_catches_a_success_answer_without_example() -> None:
    errors = _tool_error_after(
        lambda spec, _: spec["components"]["responses"]["ImageResult"]["content"]["application/json"].pop("examples")
    )
    assert len(errors) == 1 and "createImage 200" in errors[0] and "example" in errors[0]


def test_tool_lint_catches_an_array_without_items_even_in_a_condition() -> None:
    def change(_: Any, schemas: Any) -> None:
        schemas["ImageRequestFields"]["if"] = {"properties": {"image": {"type": "array", "minItems": 2}}}
        schemas["ImageRequestFields"]["then"] = {"required": ["sequential_image_generation"]}

    errors = _tool_error_after(change)
    assert len(errors) == 1 and "/ImageRequestFields/if/properties/image: an array schema needs items" in errors[0]


def test_tool_lint_catches_a_nested_inline_object() -> None:
    def change(_: Any, schemas: Any) -> None:
        schemas["ResultMetadata"]["properties"]["usage"] = {**schemas.pop("ResultUsage"), "x-provenance": {"kind": "inferred", "from": "t"}}

    errors = _tool_error_after(change)
    assert len(errors) == 1 and "/ResultMetadata/properties/usage: a nested object needs a named component" in errors[0]


def test_tool_lint_catches_constraint_only_union_branches() -> None:
    def change(_: Any, schemas: Any) -> None:
        item = schemas["ImageItem"]
        for key in ("if", "then", "else"):
            item.pop(key, None)
        item["anyOf"] = [{"required": ["url"]}, {"required": ["b64_json"]}, {"required": ["error"]}]

    errors = _tool_error_after(change)
    assert [e.split(": ")[1] for e in errors] == [f"/components/schemas/ImageItem/anyOf/{i}" for i in range(3)]


def test_tool_lint_catches_a_const_narrowing_and_a_lone_ref_beside_properties() -> None:
    def narrowing(_: Any, schemas: Any) -> None:
        schemas["ClientError"] = {
            "allOf": [{"$ref": "#/components/schemas/ErrorDetail"}, {"properties": {"type": {"const": "invalid_request_error"}}}]
        }

    errors = _tool_error_after(narrowing)
    assert (
        len(errors) == 1 and "'type' of the allOf base narrowed with const" in errors[0] and 'enum: ["invalid_request_error"]' in errors[0]
    )

    def lone_ref(_: Any, schemas: Any) -> None:
        schemas["ImageRequestFields"]["allOf"] = [{"$ref": "#/components/schemas/ResultUsage"}]

    errors = _tool_error_after(lone_ref)
    assert len(errors) == 1 and "generators read it as #/components/schemas/ResultUsage" in errors[0]


def test_tool_lint_catches_a_boolean_enum_a_typed_null_enum_and_an_additional_properties_schema() -> None:
    def change(_: Any, schemas: Any) -> None:
        props = schemas["ImageRequestFields"]["properties"]
        props["stream"] = {"type": ["boolean", "null"], "enum": [False, None], "x-provenance": {"kind": "inferred", "from": "t"}}
        props["response_format"]["type"] = ["string", "null"]
        schemas["ResultUsage"]["additionalProperties"] = {"type": "null"}

    errors = _tool_error_after(change)
    expected = [
        "/ImageRequestFields/properties/stream: an enum of booleans",
        "/ImageRequestFields/properties/stream: an enum that lists null beside type",
        "/ImageRequestFields/properties/response_format: an enum that lists null beside type",
        "/ResultUsage: additionalProperties is a schema beside properties",
    ]
    assert len(errors) == 4 and all(any(e in err for err in errors) for e in expected), errors


def test_tool_lint_catches_property_names_that_generators_merge() -> None:
    def change(_: Any, schemas: Any) -> None:
        schemas["ImageRequestFields"]["properties"]["image[]"] = {
            "type": "array",
            "items": {"type": "string"},
            "x-provenance": {"kind": "inferred", "from": "t"},
        }

    errors = _tool_error_after(change)
    assert len(errors) == 1 and "properties 'image' and 'image[]' get one name in generated code" in errors[0]
