"""Gravitex (document 002_ab704fc42b2dda63.txt): every violation a 400 envelope naming the parameter;
body, auth and route errors in the envelope; scenarios.
"""

from __future__ import annotations

import httpx
import pytest
from gravitex_support import AUTH, GEN, MAX_SEED, PNG, assert_error, gemini, image_of, items, post, qwen, seedream

from mock_server.engine import Mock
from mock_server.faults import QueuedScenario

# -- validation: every violation is a 400 envelope naming the parameter ------------------------

G, S30, S40, S45, EDIT = (
    "gemini-2.5-flash-image",
    "doubao-seedream-3-0-t2i-250415",
    "doubao-seedream-4-0-250828",
    "doubao-seedream-4-5-251128",
    "doubao-seededit-3-0-i2i-250628",
)
GPT, QP, QE = "gpt-image-2", "qwen-image-plus", "qwen-image-edit-plus"
TEXT = {"text": "t"}

INVALID: list[tuple[str, dict, str]] = [
    # common
    ("missing model", {"prompt": "x"}, "model"),
    ("unknown model", {"model": "gpt-image-1", "prompt": "x"}, "model"),
    ("response_format", gemini(response_format="png"), "response_format"),
    # Gemini
    ("gemini no prompt", {"model": G}, "prompt"),
    ("gemini empty prompt", gemini(prompt=""), "prompt"),
    ("gemini prompt type", gemini(prompt=5), "prompt"),
    ("gemini ratio", gemini(size="7:5"), "size"),
    ("gemini zero pixels", gemini(size="0x100"), "size"),
    ("gemini size type", gemini(size=1024), "size"),
    ("gemini quality", gemini(quality="ultra"), "quality"),
    ("gemini image_size", gemini(image_size="8K"), "image_size"),
    ("gemini image_size case", gemini(image_size="2k"), "image_size"),
    ("gemini temperature", gemini(temperature=2.5), "temperature"),
    ("gemini top_p", gemini(top_p=1.5), "top_p"),
    ("gemini n high", gemini(n=5), "n"),
    ("gemini n zero", gemini(n=0), "n"),
    ("gemini mime_type", gemini(mime_type="image/webp"), "mime_type"),
    ("gemini modalities", gemini(response_modalities="text"), "response_modalities"),
    ("contents empty", gemini(contents=[]), "contents"),
    ("contents not array", gemini(contents={"parts": []}), "contents"),
    ("contents turn type", gemini(contents=["hi"]), "contents[0]"),
    ("contents role", gemini(contents=[{"role": "system", "parts": [TEXT]}]), "contents[0].role"),
    ("contents no parts", gemini(contents=[{"role": "user"}]), "contents[0].parts"),
    ("part both", gemini(contents=[{"parts": [{"text": "a", "image": PNG}]}]), "contents[0].parts[0]"),
    ("part neither", gemini(contents=[{"parts": [{"inline": 1}]}]), "contents[0].parts[0]"),
    ("part empty text", gemini(contents=[{"parts": [{"text": ""}]}]), "contents[0].parts[0].text"),
    (
        "image bad base64",
        gemini(contents=[{"parts": [{"image": "data:image/png;base64,iVBORw0KGgoAAxxxx..."}]}]),
        "contents[0].parts[0].image",
    ),
    ("image not image", gemini(contents=[{"parts": [{"image": "data:image/png;base64,aGVsbG8="}]}]), "contents[0].parts[0].image"),
    ("image raw base64", gemini(contents=[{"parts": [{"image": PNG.split(",", 1)[1]}]}]), "contents[0].parts[0].image"),
    ("image url space", gemini(contents=[{"parts": [{"image": "https://a b"}]}]), "contents[0].parts[0].image"),
    # Seedream
    ("seed negative", seedream(seed=-1), "seed"),
    ("seed too big", seedream(seed=MAX_SEED + 1), "seed"),
    ("seed string", seedream(seed="5"), "seed"),
    ("guidance on 4.0", seedream(guidance_scale=2.5), "guidance_scale"),
    ("guidance low", seedream(S30, guidance_scale=0.5), "guidance_scale"),
    ("guidance high", seedream(S30, guidance_scale=10.5), "guidance_scale"),
    ("watermark type", seedream(watermark="no"), "watermark"),
    ("sequential on 3.0", seedream(S30, sequential_image_generation="auto"), "sequential_image_generation"),
    (
        "sequential options on edit",
        seedream(EDIT, contents=[{"parts": [{"image": PNG}]}], sequential_image_generation_options={"max_images": 2}),
        "sequential_image_generation_options",
    ),
    ("sequential mode", seedream(sequential_image_generation="on"), "sequential_image_generation"),
    (
        "max_images 5",
        seedream(sequential_image_generation="auto", sequential_image_generation_options={"max_images": 5}),
        "sequential_image_generation_options.max_images",
    ),
    (
        "max_images 0",
        seedream(sequential_image_generation="auto", sequential_image_generation_options={"max_images": 0}),
        "sequential_image_generation_options.max_images",
    ),
    ("options type", seedream(sequential_image_generation_options=[4]), "sequential_image_generation_options"),
    ("fast on 4.5", seedream(S45, optimize_prompt_options={"mode": "fast"}), "optimize_prompt_options.mode"),
    ("creative on 4.5", seedream(S45, optimize_prompt_options={"mode": "creative"}), "optimize_prompt_options.mode"),
    ("precise on 4.5", seedream(S45, optimize_prompt_options={"mode": "precise"}), "optimize_prompt_options.mode"),
    ("optimize on 3.0", seedream(S30, optimize_prompt_options={"mode": "standard"}), "optimize_prompt_options"),
    ("3.0 image input", seedream(S30, contents=[{"parts": [TEXT, {"image": PNG}]}]), "contents[0].parts[1].image"),
    ("seedream two turns", seedream(contents=[{"parts": [TEXT]}, {"parts": [TEXT]}]), "contents"),
    ("seedream model role", seedream(contents=[{"role": "model", "parts": [TEXT]}]), "contents[0].role"),
    ("edit without image", seedream(EDIT), "contents"),
    ("edit two images", seedream(EDIT, contents=[{"parts": [{"image": PNG}, {"image": PNG}]}]), "contents[0].parts"),
    ("edit size", seedream(EDIT, size="1024x1024", contents=[{"parts": [{"image": PNG}]}]), "size"),
    # GPT Image
    ("gpt no prompt", {"model": GPT, "contents": [{"parts": [TEXT]}]}, "prompt"),
    ("gpt size", {"model": GPT, "prompt": "x", "size": "512x512"}, "size"),
    ("gpt quality", {"model": GPT, "prompt": "x", "quality": "hd"}, "quality"),
    ("gpt n high", {"model": GPT, "prompt": "x", "n": 11}, "n"),
    ("gpt n fraction", {"model": GPT, "prompt": "x", "n": 1.5}, "n"),
    ("gpt fidelity", {"model": GPT, "prompt": "x", "input_fidelity": "max"}, "input_fidelity"),
    ("gpt image and images", {"model": GPT, "prompt": "x", "image": PNG, "images": [PNG]}, "image"),
    ("gpt images empty", {"model": GPT, "prompt": "x", "images": []}, "images"),
    ("gpt images type", {"model": GPT, "prompt": "x", "images": PNG}, "images"),
    ("gpt images item", {"model": GPT, "prompt": "x", "images": [PNG, "nope"]}, "images[1]"),
    # Qwen
    ("qwen plus image", qwen(images=[PNG]), "input.messages[0].content[0].image"),
    ("qwen edit no image", qwen(QE), "input.messages[0].content"),
    ("qwen edit four images", qwen(QE, images=[PNG] * 4), "input.messages[0].content"),
    ("qwen two texts", {"model": QP, "input": {"messages": [{"role": "user", "content": [TEXT, TEXT]}]}}, "input.messages[0].content"),
    ("qwen no text", {"model": QE, "input": {"messages": [{"role": "user", "content": [{"image": PNG}]}]}}, "input.messages[0].content"),
    ("qwen role", {"model": QP, "input": {"messages": [{"role": "assistant", "content": [TEXT]}]}}, "input.messages[0].role"),
    ("qwen no role", {"model": QP, "input": {"messages": [{"content": [TEXT]}]}}, "input.messages[0].role"),
    ("qwen two messages", {"model": QP, "input": {"messages": [{"role": "user", "content": [TEXT]}] * 2}}, "input.messages"),
    ("qwen no messages", {"model": QP, "input": {}}, "input.messages"),
    ("qwen input type", {"model": QP, "input": "draw"}, "input"),
    ("qwen no input", {"model": QP}, "prompt"),
    ("qwen edit n 7", qwen(QE, images=[PNG], parameters={"n": 7}), "parameters.n"),
    ("qwen plus n 2", qwen(parameters={"n": 2}), "parameters.n"),
    ("qwen seed negative string", qwen(parameters={"seed": "-4"}), "parameters.seed"),
    ("qwen seed leading zero", qwen(parameters={"seed": "04"}), "parameters.seed"),
    ("qwen seed too big string", qwen(parameters={"seed": "2147483648"}), "parameters.seed"),
    ("qwen seed float", qwen(parameters={"seed": 1.5}), "parameters.seed"),
    ("qwen plus size", qwen(parameters={"size": "2048*2048"}), "parameters.size"),
    ("qwen edit size big", qwen(QE, images=[PNG], parameters={"size": "4096*4096"}), "parameters.size"),
    ("qwen edit size small", qwen(QE, images=[PNG], parameters={"size": "511*1024"}), "parameters.size"),
    ("qwen negative_prompt", qwen(parameters={"negative_prompt": 5}), "parameters.negative_prompt"),
    ("qwen prompt_extend", qwen(parameters={"prompt_extend": "yes"}), "parameters.prompt_extend"),
    ("qwen watermark", qwen(parameters={"watermark": 1}), "parameters.watermark"),
    ("qwen parameters type", qwen(parameters="n=2"), "parameters"),
    ("qwen empty prompt beside input", qwen(prompt=""), "prompt"),
]


@pytest.mark.parametrize("body,param", [(b, p) for _, b, p in INVALID], ids=[i for i, _, _ in INVALID])
def test_violations_answer_400_naming_the_parameter(imagegw_client: httpx.Client, body: dict, param: str) -> None:
    assert_error(post(imagegw_client, body), 400, param)


def test_null_means_not_sent(imagegw_client: httpx.Client) -> None:
    # inferred (OpenAI-compatible gateways): null optional fields are ignored; unknown fields too
    body = seedream(
        S30,
        size=None,
        seed=None,
        guidance_scale=None,
        sequential_image_generation=None,
        optimize_prompt_options=None,
        contents=None,
        future_field={"x": 1},
    )
    assert image_of(imagegw_client, items(post(imagegw_client, body))[0]).size == (1024, 1024)


# -- body, auth and route errors in the envelope -----------------------------------------------


def test_bad_bodies(imagegw_client: httpx.Client) -> None:
    assert_error(imagegw_client.post(GEN, headers={**AUTH, "Content-Type": "application/json"}, content=b"{nope"), 400)
    assert_error(imagegw_client.post(GEN, headers={**AUTH, "Content-Type": "application/json"}, content=b"[1]"), 400)
    assert_error(imagegw_client.post(GEN, headers={**AUTH, "Content-Type": "text/plain"}, content=b"{}"), 415)


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": "Token sk-1"}])
def test_missing_credentials_answer_401(imagegw_client: httpx.Client, headers: dict) -> None:
    # 002: "Authentication Bearer sk-xxxxxxxxxx"
    r = imagegw_client.post(GEN, headers=headers, json=gemini())
    assert_error(r, 401, "Bearer")
    assert "x-request-id" in r.headers


def test_routes_and_methods(imagegw_client: httpx.Client) -> None:
    assert_error(imagegw_client.post("/gravitex/v1/images/edits", headers=AUTH, json={}), 404)
    r = imagegw_client.get(GEN, headers=AUTH)
    assert_error(r, 405)
    assert r.headers["allow"] == "POST"


# -- scenarios -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,status,retry_after",
    [
        ("rate_limited", 429, True),
        ("quota_exceeded", 429, False),
        ("server_error", 500, False),
        ("overloaded", 503, True),
        ("task_failed", 500, False),
        ("moderation", 400, False),
    ],
)
def test_scenario_header(imagegw_client: httpx.Client, name: str, status: int, retry_after: bool) -> None:
    r = post(imagegw_client, seedream(), headers={"X-Mock-Scenario": name})
    msg = assert_error(r, status)
    assert ("retry-after" in r.headers) is retry_after
    if name == "moderation":
        assert "content safety" in msg


def test_scenario_prompt_tag_in_any_prompt_field(imagegw_client: httpx.Client) -> None:
    assert_error(post(imagegw_client, gemini(prompt="a cat [mock:overloaded]")), 503)
    body = {"model": G, "contents": [{"parts": [{"text": "a cat [mock:rate_limited]"}]}]}
    assert_error(post(imagegw_client, body), 429)
    assert_error(post(imagegw_client, qwen(text="poster [mock:moderation]")), 400, "content safety")
    assert_error(post(imagegw_client, gemini(prompt="[mock:nonsense]")), 400, "nonsense")


def test_moderation_only_after_validation(imagegw_client: httpx.Client) -> None:
    # a request that is invalid anyway answers its validation error
    assert_error(post(imagegw_client, seedream(size="1x1"), headers={"X-Mock-Scenario": "moderation"}), 400, "size")


def test_scenario_queue_and_partial_failure(imagegw_client: httpx.Client, imagegw_mock: Mock) -> None:
    imagegw_mock.faults.push(QueuedScenario("server_error", gateway="gravitex"))
    assert_error(post(imagegw_client, gemini()), 500)
    assert items(post(imagegw_client, gemini()))  # consumed once
    # partial_failure: the documented data[] items have no per-item error, so it is ignored
    got = items(
        post(
            imagegw_client,
            seedream(sequential_image_generation="auto", sequential_image_generation_options={"max_images": 2}),
            headers={"X-Mock-Scenario": "partial_failure"},
        )
    )
    assert len(got) == 2 and all(g["url"] for g in got)
