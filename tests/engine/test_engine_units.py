"""Unit tests for the engine modules: clock, signing, images, tasks, faults, journal, catalog."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from mock_server import signing
from mock_server.catalog import CATALOG, GPT_IMAGE_SIZES, PixelRange, SizeRule, doc, gemini_size, nearest_aspect, offer
from mock_server.clock import ManualClock
from mock_server.errors import GatewayError, error_body
from mock_server.faults import FaultQueue, QueuedScenario, scenario_in_prompt
from mock_server.images import ImageStore, normalize_format, render, spec_for
from mock_server.journal import REDACTED, Journal, shorten
from mock_server.settings import Settings
from mock_server.tasks import TaskEngine

SECRET = b"k" * 32


def test_manual_clock_moves_forward_only() -> None:
    c = ManualClock(start=100.0)
    assert c.advance(2.5) == 102.5
    with pytest.raises(ValueError):
        c.advance(-1)
    with pytest.raises(ValueError):
        c.advance(float("nan"))
    assert c.now() == 102.5


def test_signing_round_trip_and_forgery() -> None:
    token = signing.sign({"a": 1, "b": "x"}, SECRET)
    assert signing.verify(token, SECRET) == {"a": 1, "b": "x"}
    assert signing.verify(token, b"other" * 8) is None
    body, mac = token.split(".")
    assert signing.verify(body + "." + mac[::-1], SECRET) is None
    for junk in ("", ".", "a.b.c", "%%%.###", "x" * 5000):
        assert signing.verify(junk, SECRET) is None


@pytest.mark.parametrize("fmt,pil", [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")])
def test_render_is_real_image_at_exact_size(fmt: str, pil: str) -> None:
    spec = spec_for("a cat", 320, 200, fmt)  # type: ignore[arg-type]
    data = render(spec)
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == pil
        assert img.size == (320, 200)


def test_render_deterministic_and_prompt_sensitive() -> None:
    a = render(spec_for("a cat", 64, 64))
    assert a == render(spec_for("a cat", 64, 64))
    assert a != render(spec_for("a dog", 64, 64))
    assert render(spec_for("a cat", 64, 64, seed=1)) != render(spec_for("a cat", 64, 64, seed=2))


def test_transparent_png_has_alpha_and_jpeg_never() -> None:
    with Image.open(io.BytesIO(render(spec_for("x", 32, 32, "png", transparent=True)))) as img:
        assert img.mode == "RGBA"
        assert img.getextrema()[3][0] == 0  # some pixels fully transparent
    assert spec_for("x", 32, 32, "jpeg", transparent=True).transparent is False


def test_spec_rejects_impossible_sizes() -> None:
    with pytest.raises(ValueError):
        spec_for("x", 0, 10)
    with pytest.raises(ValueError):
        spec_for("x", 10000, 10000)


def test_normalize_format() -> None:
    assert normalize_format("image/jpeg") == "jpeg"
    assert normalize_format("JPG") == "jpeg"
    assert normalize_format(None) == "png"
    assert normalize_format("gif") is None


def test_image_store_renders_once_and_is_bounded() -> None:
    store = ImageStore(SECRET, max_bytes=200_000)
    spec = spec_for("a", 256, 256)
    first = store.get(spec)
    assert store.get(spec) is first
    assert first.b64 is first.b64  # encoded once
    assert store.stats()["renders"] == 1
    for i in range(30):
        store.get(spec_for(f"p{i}", 256, 256))
    assert store.stats()["bytes"] <= 200_000 or store.stats()["entries"] == 1


def test_file_token_expiry_and_forgery() -> None:
    store = ImageStore(SECRET, 10**7)
    spec = spec_for("a", 16, 16, "webp")
    token = store.token_for(spec, expires_at=1000.0) + ".webp"
    assert store.resolve(token, now=999.0) == spec
    with pytest.raises(GatewayError) as exc:
        store.resolve(token, now=1001.0)
    assert exc.value.status == 410
    with pytest.raises(GatewayError) as exc:
        ImageStore(b"z" * 32, 10**7).resolve(token, now=0)
    assert exc.value.status == 404


def test_task_states_follow_the_clock(imagegw_clock: ManualClock) -> None:
    settings = Settings(task_pending_seconds=2, task_processing_seconds=8, secret=SECRET)
    engine = TaskEngine(settings, imagegw_clock)
    tid = engine.create(family="gemini", model="m", first=spec_for("p", 32, 32), count=2)
    assert tid.startswith("img_gen_")
    task = engine.lookup(tid, "gemini")
    seen = []
    for step in (0, 1.9, 0.1, 7.9, 0.1, 1000):
        imagegw_clock.advance(step)
        seen.append(engine.state(task))
    assert seen == ["pending", "pending", "processing", "processing", "succeeded", "succeeded"]
    assert len(task.image_specs()) == 2 and task.image_specs()[0] != task.image_specs()[1]


def test_task_failure_family_and_ttl(imagegw_clock: ManualClock) -> None:
    settings = Settings(task_pending_seconds=1, task_processing_seconds=1, task_ttl_seconds=100, secret=SECRET)
    engine = TaskEngine(settings, imagegw_clock)
    tid = engine.create(family="seedream", model="m", first=spec_for("p", 32, 32), count=1, outcome="failed", error_code="moderation")
    imagegw_clock.advance(5)
    task = engine.lookup(tid, "seedream")
    assert engine.state(task) == "failed" and task.error_code == "moderation"
    with pytest.raises(GatewayError) as exc:
        engine.lookup(tid, "gpt_image")
    assert exc.value.status == 404
    with pytest.raises(GatewayError):
        TaskEngine(Settings(secret=b"q" * 32), imagegw_clock).lookup(tid)
    imagegw_clock.advance(200)
    with pytest.raises(GatewayError):
        engine.lookup(tid)


def test_fault_queue_and_prompt_tag() -> None:
    q = FaultQueue()
    q.push(QueuedScenario("rate_limited", times=2, gateway="tokenhub"))
    assert q.pop_for("gravitex") is None
    assert q.pop_for("tokenhub") == "rate_limited"
    assert q.pop_for("tokenhub") == "rate_limited"
    assert q.pop_for("tokenhub") is None
    with pytest.raises(GatewayError):
        q.push(QueuedScenario("nope"))
    assert scenario_in_prompt("a cat [mock:moderation] on the moon") == "moderation"
    assert scenario_in_prompt("no tag") is None


def test_journal_redacts_and_is_bounded() -> None:
    j = Journal(maxlen=3)
    for i in range(5):
        j.record(
            time=0,
            gateway="g",
            method="POST",
            path=f"/p{i}",
            query=[("key", "sk-secret")],
            headers=[("Authorization", "Bearer sk-secret"), ("X-API-Key", "sk-secret")],
            body={"prompt": "x" * 5000, "api_key": "sk-secret"},
            status=200,
        )
    entries = j.entries()
    assert [e.path for e in entries] == ["/p2", "/p3", "/p4"]
    dumped = repr([e.as_dict() for e in entries])
    assert "sk-secret" not in dumped
    assert entries[0].headers["authorization"] == REDACTED
    assert len(entries[0].body["prompt"]) < 100
    assert shorten([1, "a"]) == [1, "a"]


def test_error_shapes() -> None:
    err = GatewayError(400, "invalid_size", "size: bad", param="size")
    assert error_body(err, "openai", "rid") == {
        "error": {"message": "size: bad", "type": "invalid_request_error", "param": "size", "code": "invalid_size"}
    }
    assert error_body(err, "dashscope", "rid") == {"code": "InvalidParameter", "message": "size: bad", "request_id": "rid"}
    assert error_body(err, "envelope", "rid") == {"code": 400, "msg": "size: bad", "data": None}


def test_catalog_sizes() -> None:
    # 002/003: Gemini aspect ratios; upstream Gemini table: 16:9 at 1K is 1344x768
    assert gemini_size("1K", "16:9") == (1344, 768)
    assert gemini_size("2K", "1:1") == (2048, 2048)
    assert nearest_aspect(1920, 1080) == "16:9"
    assert "1024x1536" in GPT_IMAGE_SIZES
    sizes = SizeRule(
        doc("powertokens", "supports 2K/4K or custom"),
        default=(2048, 2048),
        tiers={"2K": (2048, 2048)},
        custom=PixelRange(3_686_400, 16_777_216),
    )
    m = offer("powertokens", "m", CATALOG["seedream-4-5-251128"], sizes.src, sizes=sizes)
    assert m.resolve_size("2k") == (2048, 2048)
    assert m.resolve_size("1920*1920") == (1920, 1920)
    for bad in ("1919x1919", "abc", "4097x4097", "16384x240"):
        with pytest.raises(GatewayError) as exc:
            m.resolve_size(bad)
        assert exc.value.param == "size"
