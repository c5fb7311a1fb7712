"""``imagegw models``: the catalog as a table and as JSON, per gateway."""

from __future__ import annotations

import json

from catalog_requests import served
from typer.testing import CliRunner

from imagegw.cli import app

runner = CliRunner()


def test_models_table_for_one_gateway() -> None:
    r = runner.invoke(app, ["models", "--gateway", "powertokens"])
    assert r.exit_code == 0, r.output
    for name in ("seedream-5-0-260128", "seedream-4-5-251128", "seedream-4-0-250828"):
        assert name in r.output
    # 004 states each model's size rule: the table says the document is the source, and overrides it
    assert "(doc 004*)" in r.output and "3,686,400-10,404,496" in r.output
    assert "tokenhub" not in r.output


def test_models_json_holds_every_served_model_with_sources() -> None:
    r = runner.invoke(app, ["models", "--json"])
    assert r.exit_code == 0, r.output
    records = json.loads(r.output)
    expected = {(m.gateway, m.name) for m in served()}
    assert {(rec["gateway"], rec["model"]) for rec in records} == expected
    for rec in records:
        for rule in ("sizes", "count", "prompt", "inputs", "outputs"):
            assert rec[rule]["source"]["kind"] in ("document", "upstream", "inferred"), (rec["model"], rule)
            assert rec[rule]["summary"]
    gpt = next(rec for rec in records if rec["gateway"] == "tokenhub" and rec["model"] == "tokenhub/gpt-image-2")
    # OpenAI's gpt-image-2 rule: sides multiples of 16, at most 3840, aspect <= 3, 655,360..8,294,400 pixels
    assert gpt["sizes"]["custom"] == {
        "min_pixels": 655_360,
        "max_pixels": 8_294_400,
        "max_aspect": 3.0,
        "multiple_of": 16,
        "min_side": 1,
        "max_side": 3840,
    }
    assert gpt["prompt"]["max"] == 32_000 and gpt["prompt"]["over"] == "refuse"
    assert "outputs" in gpt["overridden"]  # 001: "response_format— optional:urlorb64_json(defaultb64_json)"


def test_models_refuses_an_unknown_gateway() -> None:
    r = runner.invoke(app, ["models", "--gateway", "nope"])
    assert r.exit_code == 2 and "unknown gateway" in r.output
