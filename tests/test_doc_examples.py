"""Every curl example of the five gateway documents, replayed against the mock in-process.

The examples live as data in ``fixtures/doc_examples/<gateway>.json`` (written by
``tools/extract_doc_examples.py`` from the documents); ``doc_examples.py`` fills their
placeholders and checks the documented response shape. Each example must answer 2xx in that
shape with only the host changed.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from doc_examples import (
    FIXTURES,
    ROOT,
    DocExample,
    build_request,
    check_response,
    describe_response,
    example_by_id,
    fixture_files,
    image_bytes,
    load_examples,
)

from mock_server import GATEWAY_IDS, ManualClock, Settings

# Examples per gateway: the curl commands the documents hold (003, Image Series, shows only the
# tab labels of its examples, no command).
EXPECTED_COUNTS = {"piebox": 4, "tokenhub": 10, "gravitex": 17, "imageseries": 0, "powertokens": 1}

# Gateways whose mock module is still the placeholder when this file was last edited: their
# examples are expected to fail (xfail, not strict). Empty when every module has landed.
PLACEHOLDER_GATEWAYS: frozenset[str] = frozenset()


def _params() -> list[object]:
    out = []
    for ex in load_examples():
        marks = (
            [pytest.mark.xfail(reason=f"mock_server/gateways/{ex.gateway}.py is still a placeholder", strict=False)]
            if ex.gateway in PLACEHOLDER_GATEWAYS
            else []
        )
        out.append(pytest.param(ex, id=ex.id, marks=marks))
    return out


def _send(client: httpx.Client, ex: DocExample, prior: dict[str, object]) -> httpx.Response:
    return build_request(ex, prior=prior).send(client)


@pytest.mark.parametrize("example", _params())
def test_doc_example_answers_documented_shape(
    example: DocExample, imagegw_client: httpx.Client, imagegw_clock: ManualClock, imagegw_settings: Settings
) -> None:
    prior: dict[str, object] = {}
    req = example.requires
    if req is not None:  # e.g. PieBox's GET task example needs the id from a prior create
        first = example_by_id(req["example"])
        r0 = _send(imagegw_client, first, prior)
        assert 200 <= r0.status_code < 300, f"prerequisite {first.id}:\n{build_request(first).describe()}\n-> {describe_response(r0)}"
        prior[first.id] = r0.json()
    if example.entry.get("clock") == "terminal":
        # the document gives no timings: move past the configured pending + processing time
        imagegw_clock.advance(imagegw_settings.task_pending_seconds + imagegw_settings.task_processing_seconds + 1)
    prepared = build_request(example, prior=prior)
    response = prepared.send(imagegw_client)
    problems = check_response(example, response, fetch=imagegw_client.get, prior=prior)
    assert not problems, (
        f"{example.id} ({example.doc} line {example.entry['doc_line']}: {example.label})\n"
        f"request: {prepared.describe()}\nresponse: {describe_response(response)}\nproblems:\n  " + "\n  ".join(problems)
    )


def test_every_gateway_has_its_fixture_file_and_example_count() -> None:
    files = {p.stem for p in fixture_files()}
    assert files == set(GATEWAY_IDS)
    counts = {gw: len(load_examples(gw)) for gw in GATEWAY_IDS}
    assert counts == EXPECTED_COUNTS
    ids = [ex.id for ex in load_examples()]
    assert len(ids) == len(set(ids)), "example ids must be unique"


def test_placeholders_are_all_substituted() -> None:
    leftovers = (
        "$TOKENHUB_API_KEY",
        "<your-api-key>",
        "<authorization>",
        "<token>",
        "sk-xxxxxxxxxx",
        "<task_id>",
        "<string>",
        "/path/to/",
        "xxxx...",
        "yyyy...",
    )
    prior = {"piebox-seedream-create": {"task_id": "img_gen_placeholder_check"}}
    for ex in load_examples():
        p = build_request(ex, prior=prior)
        text = json.dumps([p.url, p.headers, p.content.decode() if p.content else None, p.data], ensure_ascii=False)
        for marker in leftovers:
            assert marker not in text, f"{ex.id}: {marker!r} left in the request"
        assert "{}" not in (p.content or b"").decode(), f"{ex.id}: an empty object is left in the body"


def test_sample_images_are_real_pngs() -> None:
    from io import BytesIO

    from PIL import Image

    for name, mode in (("sample.png", "RGB"), ("sample2.png", "RGB"), ("mask.png", "RGBA")):
        with Image.open(BytesIO(image_bytes(name))) as img:
            assert (img.format, img.mode, img.size) == ("PNG", mode, (256, 256)), name
    with Image.open(BytesIO(image_bytes("mask.png"))) as mask:
        alpha = mask.getchannel("A")
        # 001: "mask — optional PNG mask (transparent regions = edit area)": the centre is transparent
        assert alpha.getpixel((128, 128)) == 0 and alpha.getpixel((5, 5)) == 255


def _extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_doc_examples", ROOT / "tools" / "extract_doc_examples.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_stored_requests_reparse_from_their_curl_text() -> None:
    tool = _extractor()
    for ex in load_examples():
        e = ex.entry
        parsed = tool.parse_curl(e["curl"])
        assert (parsed["method"], parsed["url"], parsed["headers"]) == (e["method"], e["documented_url"], e["headers"]), ex.id
        if e["json"] is not None:
            assert json.loads(parsed["data"]) == e["json"], ex.id
        elif e["form"] is not None:
            form = parsed["form"]
            assert [[k, v] for k, v in form if not v.startswith("@")] == e["form"]["fields"], ex.id
            assert [[k, v[1:]] for k, v in form if v.startswith("@")] == e["form"]["files"], ex.id
        else:
            assert parsed["data"] is None and parsed["form"] is None, ex.id


_DOCS = Path(os.environ.get("IMAGEGW_DOCS", ROOT.parent / "shared" / "gateway-docs"))


@pytest.mark.skipif(not _DOCS.is_dir(), reason=f"gateway documents not found at {_DOCS} (set IMAGEGW_DOCS)")
def test_fixtures_are_up_to_date_with_the_documents() -> None:
    tool = _extractor()
    extracted = tool.extract_all(_DOCS)
    for gw, doc in extracted.items():
        stored = (FIXTURES / f"{gw}.json").read_text(encoding="utf-8")
        assert stored == tool.render(doc), f"fixtures/doc_examples/{gw}.json is stale: run tools/extract_doc_examples.py"
