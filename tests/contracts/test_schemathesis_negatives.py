"""``schema_valid_negative``: which "accepted negative data" reports of a Schemathesis run are
Schemathesis's own mislabelling (the body, as the server receives it, is valid) and which stay
failures. TokenHub's multipart edits are where Schemathesis 4.32 mislabels."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis_run import schema_valid_negative

import contracts

SPEC = contracts.load("tokenhub").spec
NEGATIVE_BODY = {ParameterLocation.BODY: SimpleNamespace(mode=GenerationMode.NEGATIVE)}


def case(
    body: Any, components: dict = NEGATIVE_BODY, media: str = "multipart/form-data", path: str = "/v1/images/edits"
) -> SimpleNamespace:
    return SimpleNamespace(meta=SimpleNamespace(components=components), media_type=media, path=path, method="POST", body=body)


@pytest.mark.parametrize(
    "body",
    [
        {"image[]": ["png", "png"]},  # "violates allOf at /anyOf/0": the image[] branch accepts it
        {"image[]": ["png"], "user": 6.754433874317058e16, "n": 9},  # a number in a string part is text
        {"image": "png", "user": True},
    ],
)
def test_a_body_valid_as_received_is_mislabelled(body: dict) -> None:
    assert schema_valid_negative(SPEC, case(body))


@pytest.mark.parametrize(
    "body",
    [
        {},  # no image at all
        {"image[]": ["png"], "image": "png"},  # both image fields
        {"image[]": ["png"], "n": "abc"},  # an integer part that is not one
        {"image[]": ["png"], "n": 11},  # above the maximum
        {"image[]": ["png"], "size": "1x1", "quality": "best"},
    ],
)
def test_a_body_invalid_as_received_stays_a_failure(body: dict) -> None:
    assert not schema_valid_negative(SPEC, case(body))


def test_a_negative_case_outside_the_body_stays_a_failure() -> None:
    header_too = {**NEGATIVE_BODY, ParameterLocation.HEADER: SimpleNamespace(mode=GenerationMode.NEGATIVE)}
    assert not schema_valid_negative(SPEC, case({"image[]": ["png"]}, components=header_too))
    assert not schema_valid_negative(SPEC, case({"image[]": ["png"]}, media="application/json"))
    # JSON bodies are sent as drawn: a number where a string belongs is invalid
    assert not schema_valid_negative(
        SPEC, case({"model": "tokenhub/gpt-image-2", "prompt": 5}, media="application/json", path="/v1/images/generations")
    )
