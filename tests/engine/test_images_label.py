"""Images that say what they are: the label each image carries, how it travels in file URLs and
task ids, its drawing (legible size, transparent background), and the answers of the gateways."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from mock_server import signing
from mock_server.clock import ManualClock
from mock_server.errors import GatewayError
from mock_server.images import PROMPT_HEAD_CHARS, ImageStore, render, spec_for
from mock_server.settings import Settings
from mock_server.tasks import TaskEngine

SECRET = b"k" * 32
CORGI = "A cute corgi wearing sunglasses on a surfboard, golden hour, 35mm photo, shallow depth of field"


def open_image(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_label_names_gateway_model_size_index_seed_and_prompt_start() -> None:
    spec = spec_for(CORGI, 1536, 1024, "webp", seed=42, index=1, count=4, model="gpt-image-1", gateway="tokenhub")
    assert spec.label_lines() == [
        "tokenhub · gpt-image-1",
        "1536 x 1024 WEBP",
        "image 2 of 4 · seed 42",
        "“A cute corgi wearing sunglasses",
        "on a surfboard, golden hour…",
    ]
    assert len(spec.prompt) == PROMPT_HEAD_CHARS and spec.prompt.endswith("…")
    assert spec_for("a cat", 64, 64).label_lines()[2] == "image 1 of 1"  # no seed given: none shown


def test_prompt_start_keeps_what_the_font_can_draw() -> None:
    spec = spec_for("Café «crème» 一只柯基\x00\tnew line", 64, 64)
    # accents dropped, controls as spaces, glyphs the built-in font lacks (CJK) as "?"
    assert spec.prompt == "Cafe «creme» ???? new line"
    assert spec_for("x" * 10_000_000, 8, 8).prompt == "x" * (PROMPT_HEAD_CHARS - 1) + "…"


@pytest.mark.parametrize("fmt,pil", [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP")])
def test_text_is_drawn_large_on_a_card_of_its_own_colour(fmt: str, pil: str) -> None:
    spec = spec_for(CORGI, 1024, 768, fmt, seed=7, index=0, count=1, model="m", gateway="gravitex")  # type: ignore[arg-type]
    img = open_image(render(spec))
    assert img.format == pil and img.size == (1024, 768)
    rgb = img.convert("RGB")
    corner, centre_row = rgb.getpixel((3, 3)), [rgb.getpixel((x, 384)) for x in range(1024)]
    # the card spans most of the width, in a colour well apart from the background
    card = [x for x, p in enumerate(centre_row) if sum(abs(a - b) for a, b in zip(p, corner, strict=True)) > 60]
    assert len(card) > 0.6 * 1024
    # the text is near-white and large: rows holding text pixels cover a fifth of the height or more
    text_rows = sum(1 for y in range(0, 768, 4) if any(min(rgb.getpixel((x, y))) > 220 for x in range(0, 1024, 2)))
    assert text_rows > 0.2 * (768 / 4), text_rows


def test_transparent_background_is_fully_transparent_and_the_card_opaque() -> None:
    spec = spec_for("a logo", 512, 512, "png", transparent=True, model="gpt-image-1", gateway="tokenhub")
    img = open_image(render(spec))
    assert img.mode == "RGBA"
    alpha = img.getchannel("A")
    assert alpha.getpixel((0, 0)) == 0 and alpha.getpixel((511, 511)) == 0
    assert alpha.getpixel((256, 256)) == 255  # the label card
    histogram = alpha.histogram()
    assert histogram[0] + histogram[255] == 512 * 512  # no half-transparent pixel: text never blends into the background
    webp = open_image(render(spec_for("a logo", 64, 64, "webp", transparent=True)))
    assert webp.mode == "RGBA" and webp.getchannel("A").getpixel((0, 0)) == 0


def test_opaque_png_has_no_alpha_at_all() -> None:
    img = open_image(render(spec_for("a logo", 256, 128, "png")))
    assert "transparency" not in img.info and img.mode in ("RGB", "P")
    assert img.convert("RGBA").getchannel("A").getextrema() == (255, 255)


def test_tiny_images_render_without_text() -> None:
    for w, h in [(1, 1), (7, 3), (3, 4000)]:
        assert open_image(render(spec_for("x", w, h))).size == (w, h)


def test_same_request_same_bytes_and_the_label_changes_them() -> None:
    a = spec_for(CORGI, 128, 128, seed=1, index=0, count=2, model="m", gateway="piebox")
    assert render(a) == render(spec_for(CORGI, 128, 128, seed=1, index=0, count=2, model="m", gateway="piebox"))
    for other in (
        spec_for(CORGI, 128, 128, seed=1, index=1, count=2, model="m", gateway="piebox"),
        spec_for(CORGI, 128, 128, seed=1, index=0, count=2, model="m", gateway="tokenhub"),
        spec_for(CORGI, 128, 128, seed=2, index=0, count=2, model="m", gateway="piebox"),
    ):
        assert render(other) != render(a)


def test_file_token_carries_the_label_so_any_replica_renders_the_same_bytes() -> None:
    spec = spec_for(CORGI, 96, 64, "jpeg", seed="17", index=2, count=3, model="seedream-4-0", gateway="powertokens")
    token = ImageStore(SECRET, 10**7).token_for(spec, expires_at=2000.0)
    other_replica = ImageStore(SECRET, 10**7)  # same secret, empty cache
    resolved = other_replica.resolve(token + ".jpg", now=1000.0)
    assert resolved == spec
    assert other_replica.get(resolved).data == render(spec)
    # the token is signed: a label changed without the secret is refused
    payload = signing.verify(token, SECRET)
    assert payload is not None and payload["p"] == spec.prompt
    forged = signing.sign({**payload, "m": "other"}, b"x" * 32)
    with pytest.raises(GatewayError) as refused:
        other_replica.resolve(forged, now=1000.0)
    assert refused.value.status == 404


def test_task_id_carries_the_label_of_its_images() -> None:
    engine = TaskEngine(Settings(secret=SECRET), ManualClock())
    first = spec_for(CORGI, 64, 64, "png", seed=5, model="gemini-3-pro-image")
    task = engine.lookup(engine.create(family="gemini", model="gemini-3-pro-image", first=first, count=2))
    specs = task.image_specs()
    assert [(s.position, s.total, s.seed, s.prompt, s.model) for s in specs] == [
        (0, 2, "5", first.prompt, "gemini-3-pro-image"),
        (1, 2, "5", first.prompt, "gemini-3-pro-image"),
    ]


def test_served_images_say_which_request_made_them(imagegw_client: httpx.Client, imagegw_mock, imagegw_clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    """Through the gateways: the label of each answered image names its gateway, model, size,
    index, seed and prompt, and the journal lists the images of each answer."""
    r = imagegw_client.post(
        "/powertokens/v1/images/generations",
        headers={"Authorization": "Bearer k"},
        json={"model": "seedream-4-0-250828", "prompt": "a red fox in the snow", "size": "2048x2048", "response_format": "url", "seed": 12},
    )
    assert r.status_code == 200, r.text
    url = r.json()["data"][0]["url"]
    spec = imagegw_mock.images.resolve(urlsplit(url).path.rsplit("/", 1)[1], imagegw_clock.now())
    assert spec.label_lines() == [
        "powertokens · seedream-4-0-250828",
        "2048 x 2048 JPEG",
        "image 1 of 1 · seed 12",
        "“a red fox in the snow”",
    ]
    fetched = imagegw_client.get(url)
    assert fetched.status_code == 200 and open_image(fetched.content).size == (2048, 2048)

    r = imagegw_client.post(
        "/tokenhub/v1/images/generations",
        headers={"Authorization": "Bearer k"},
        json={"model": "tokenhub/gpt-image-2", "prompt": "two owls", "size": "1024x1024", "n": 2},
    )
    assert r.status_code == 200, r.text
    images = [open_image(base64.b64decode(d["b64_json"])) for d in r.json()["data"]]
    assert [im.size for im in images] == [(1024, 1024), (1024, 1024)]
    assert images[0].tobytes() != images[1].tobytes()  # "image 1 of 2" and "image 2 of 2"
    entry = imagegw_mock.journal.entries()[-1]
    labels = [imagegw_mock.images.resolve(im["file"], imagegw_clock.now()).label_lines()[:3] for im in entry.images]
    assert labels == [
        ["tokenhub · tokenhub/gpt-image-2", "1024 x 1024 PNG", "image 1 of 2"],
        ["tokenhub · tokenhub/gpt-image-2", "1024 x 1024 PNG", "image 2 of 2"],
    ]
    assert entry.response["data"][0]["b64_json"].endswith("chars)")  # the journal keeps no image bytes
    assert entry.latency_ms is not None and entry.latency_ms > 0
