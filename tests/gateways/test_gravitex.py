"""Gravitex (document 002_ab704fc42b2dda63.txt): the unified POST /v1/images/generations.

Expected values come from the document's tables ("Model-Specific Parameters", the FAQ) or, where
the document is silent, from the upstream behaviour the mock documents as inferred (named in the
test). Images are decoded (b64_json) or fetched (url) and measured.
"""

from __future__ import annotations

import httpx
import pytest
from gravitex_support import AUTH, GEN, MB, PNG, assert_error, data_url, gemini, image_of, items, post, qwen, ratio, seedream

from mock_server import ManualClock

# -- helpers -----------------------------------------------------------------------------------


# -- every documented example (002 "Basic Examples"), verbatim; "iVBORw0KGgoAAxxxx..." replaced -----

KITTEN = "A cute orange kitten sitting in a garden, sunny day, high quality photography"
OIL = "Change this image to oil painting style"
QWEN_TEXT = (
    "一副典雅庄重的对联悬挂于厅堂之中,房间是个安静古典的中式布置,桌子上放着一些青花瓷,对联上左书“义本生知人机同道善思新”,"
    "右书“通云赋智乾坤启数高志远”, 横批“智启通义”,字体飘逸,在中间挂着一幅中国风的画作,内容是岳阳楼。"
)
WIDE_PNG = data_url(16, 9)  # stands for the document's truncated base64

DOC_EXAMPLES: dict[str, dict] = {
    "gemini-text-to-image": {
        "model": "gemini-2.5-flash-image",
        "prompt": KITTEN,
        "size": "16:9",
        "quality": "high",
        "n": 1,
        "temperature": 1.1,
        "top_p": 0.95,
        "response_format": "b64_json",
        "image_size": "2K",
        "mime_type": "image/png",
        "response_modalities": "image",
    },
    "gemini-image-to-image": {
        "model": "gemini-2.5-flash-image",
        "size": "16:9",
        "quality": "high",
        "image_size": "3K",
        "temperature": 1.1,
        "top_p": 0.95,
        "response_format": "b64_json",
        "contents": [
            {"role": "user", "parts": [{"text": "Generate an aerial view of Canton Tower based on this image"}, {"image": WIDE_PNG}]}
        ],
    },
    "gemini-multi-image-fusion": {
        "model": "gemini-2.5-flash-image",
        "size": "16:9",
        "image_size": "3K",
        "temperature": 1.1,
        "top_p": 0.95,
        "response_format": "b64_json",
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "Apply the oil painting style from the first image to the content of the second image"},
                    {"image": "https://example.com/style.jpg"},
                    {"image": "https://example.com/content.jpg"},
                ],
            }
        ],
    },
    "seedream-text-to-image": {
        "model": "doubao-seedream-4-0-250828",
        "prompt": KITTEN,
        "size": "2048x2048",
        "watermark": False,
        "seed": 12345,
        "optimize_prompt_options": {"mode": "standard"},
    },
    "seedream-image-to-image": {
        "model": "doubao-seedream-4-0-250828",
        "prompt": OIL,
        "size": "2048x2048",
        "watermark": False,
        "seed": 12345,
        "contents": [{"role": "user", "parts": [{"image": WIDE_PNG}, {"text": OIL}]}],
    },
    "seedream-sequential": {
        "model": "doubao-seedream-4-0-250828",
        "prompt": KITTEN,
        "size": "2048x2048",
        "watermark": False,
        "sequential_image_generation": "auto",
        "sequential_image_generation_options": {"max_images": 4},
        "optimize_prompt_options": {"mode": "standard"},
    },
    "seededit-image-editing": {
        "model": "doubao-seededit-3-0-i2i-250628",
        "prompt": OIL,
        "watermark": False,
        "guidance_scale": 2.5,
        "seed": 12345,
        "contents": [{"role": "user", "parts": [{"image": WIDE_PNG}, {"text": OIL}]}],
    },
    "seedream-3.0-guidance-scale": {
        "model": "doubao-seedream-3-0-t2i-250415",
        "prompt": KITTEN,
        "size": "1024x1024",
        "watermark": False,
        "guidance_scale": 7.5,
        "seed": 12345,
    },
    "seedream-4.5-standard-mode": {
        "model": "doubao-seedream-4-5-251128",
        "prompt": "A cute kitten",
        "size": "2048x2048",
        "watermark": False,
        "optimize_prompt_options": {"mode": "standard"},
    },
    "seedream-4.0-fast-mode": {
        "model": "doubao-seedream-4-0-250828",
        "prompt": "A cute kitten",
        "size": "2048x2048",
        "watermark": False,
        "optimize_prompt_options": {"mode": "fast"},
    },
    "gpt-image-text-to-image": {"model": "gpt-image-2", "prompt": KITTEN, "size": "1024x1024", "quality": "high", "n": 1},
    "gpt-image-image-to-image": {
        "model": "gpt-image-2",
        "prompt": OIL,
        "size": "1024x1024",
        "quality": "high",
        "input_fidelity": "medium",
        "n": 1,
        "image": PNG,
    },
    "gpt-image-multi-image-fusion": {
        "model": "gpt-image-2",
        "prompt": "Apply the style from the first image to the content of the second image",
        "size": "1024x1024",
        "quality": "high",
        "input_fidelity": "high",
        "n": 2,
        "images": [PNG, data_url(9, 9)],
    },
    "qwen-text-to-image": {
        "model": "qwen-image-plus",
        "input": {"messages": [{"role": "user", "content": [{"text": QWEN_TEXT}]}]},
        "parameters": {"negative_prompt": "1", "prompt_extend": True, "seed": "4", "watermark": True},
    },
    "qwen-image-editing": {
        "model": "qwen-image-edit-plus",
        "input": {
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"image": "https://help-static-aliyun-doc.aliyuncs.com/file-manage-files/zh-CN/20250925/fpakfo/image36.webp"},
                        {
                            "text": "Generate an image that matches the depth map. Description: a red, worn-out bicycle parked on a muddy path, "
                            "with a dense primeval forest in the background."
                        },
                    ],
                }
            ]
        },
        "parameters": {"n": 2, "negative_prompt": "low quality", "watermark": True, "size": "2048*2048", "seed": 1},
    },
}

#: (count, format returned, pixel size or None when only checked another way) per example.
#: Sizes: 002 "Model-Specific Parameters" (Seedream, GPT Image, Qwen's "2048*2048"); SeedEdit's
#: "adaptive" picks the 3.0 size nearest the 16:9 input (1280x720, inferred from Ark); qwen-image-plus
#: defaults to 1664*928 (DashScope qwen-image-api: "默认分辨率为1664*928"; this test said 1328*1328 before the
#: catalog took the upstream's own default).
EXPECTED: dict[str, tuple[int, str, tuple[int, int] | None]] = {
    "gemini-text-to-image": (1, "b64_json", None),
    "gemini-image-to-image": (1, "b64_json", None),
    "gemini-multi-image-fusion": (1, "b64_json", None),
    "seedream-text-to-image": (1, "url", (2048, 2048)),
    "seedream-image-to-image": (1, "url", None),
    "seedream-sequential": (4, "url", None),
    "seededit-image-editing": (1, "url", (1280, 720)),
    "seedream-3.0-guidance-scale": (1, "url", (1024, 1024)),
    "seedream-4.5-standard-mode": (1, "url", None),
    "seedream-4.0-fast-mode": (1, "url", None),
    "gpt-image-text-to-image": (1, "b64_json", (1024, 1024)),
    "gpt-image-image-to-image": (1, "b64_json", (1024, 1024)),
    "gpt-image-multi-image-fusion": (2, "b64_json", (1024, 1024)),
    "qwen-text-to-image": (1, "url", (1664, 928)),
    "qwen-image-editing": (2, "url", None),
}


@pytest.mark.parametrize("name", list(DOC_EXAMPLES))
def test_every_document_example_is_accepted(imagegw_client: httpx.Client, name: str) -> None:
    count, fmt, size = EXPECTED[name]
    got = items(post(imagegw_client, DOC_EXAMPLES[name]))
    assert len(got) == count
    for item in got:
        assert item["revised_prompt"] == ""
        assert bool(item[fmt]) and item["url" if fmt == "b64_json" else "b64_json"] == ""
    if size is not None:
        assert image_of(imagegw_client, got[0]).size == size


def test_gemini_examples_follow_ratio_and_tier(imagegw_client: httpx.Client) -> None:
    # 002: size "16:9"; image_size "2K" in the first example, "3K" in the other two (accepted: DESIGN.md)
    two_k = image_of(imagegw_client, items(post(imagegw_client, DOC_EXAMPLES["gemini-text-to-image"]))[0])
    three_k = image_of(imagegw_client, items(post(imagegw_client, DOC_EXAMPLES["gemini-image-to-image"]))[0])
    assert two_k.format == "PNG"  # mime_type "image/png"
    for img in (two_k, three_k):
        assert ratio(img) == pytest.approx(16 / 9, rel=0.03)
    assert 1900 <= two_k.size[0] <= 2900  # a "2K" image
    assert three_k.size[0] == pytest.approx(two_k.size[0] * 3 / 2, rel=0.02)


def test_qwen_edit_example_size_is_width_star_height(imagegw_client: httpx.Client) -> None:
    # 002: "size": "2048*2048" for qwen-image-edit-plus
    got = items(post(imagegw_client, DOC_EXAMPLES["qwen-image-editing"]))
    assert image_of(imagegw_client, got[1]).size == (2048, 2048)


# -- Gemini ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["gemini-2.5-flash-image", "gemini-3-pro-image-preview"])
def test_gemini_default_is_1k_square_png(imagegw_client: httpx.Client, model: str) -> None:
    # upstream Gemini 1K 1:1 = 1024x1024; mime_type default "image/png" (002)
    img = image_of(imagegw_client, items(post(imagegw_client, gemini(model=model)))[0])
    assert img.size == (1024, 1024) and img.format == "PNG"


@pytest.mark.parametrize(
    "quality,image_size,expected",
    [
        ("hd", None, (2048, 2048)),
        ("high", None, (2048, 2048)),
        ("2K", None, (2048, 2048)),  # 002: -> 2K
        ("standard", None, (1024, 1024)),
        ("medium", None, (1024, 1024)),
        ("low", None, (1024, 1024)),  # -> 1K
        ("auto", None, (1024, 1024)),
        ("1K", None, (1024, 1024)),
        ("hd", "1K", (1024, 1024)),  # inferred: an explicit image_size wins over the quality mapping
        (None, "2K", (2048, 2048)),
    ],
)
def test_gemini_quality_maps_to_tier(
    imagegw_client: httpx.Client, quality: str | None, image_size: str | None, expected: tuple[int, int]
) -> None:
    body = gemini(size="1:1", quality=quality, image_size=image_size)
    assert image_of(imagegw_client, items(post(imagegw_client, body))[0]).size == expected


@pytest.mark.parametrize("aspect", ["1:1", "3:2", "2:3", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"])
def test_gemini_every_documented_aspect_ratio(imagegw_client: httpx.Client, aspect: str) -> None:
    w, h = (int(v) for v in aspect.split(":"))
    img = image_of(imagegw_client, items(post(imagegw_client, gemini(size=aspect, mime_type="image/jpeg")))[0])
    assert img.format == "JPEG"
    assert ratio(img) == pytest.approx(w / h, rel=0.03)


@pytest.mark.parametrize("pixels,aspect", [("1024x1024", 1.0), ("1920x1080", 16 / 9), ("1000x430", 21 / 9), ("800x1000", 4 / 5)])
def test_gemini_pixel_size_becomes_nearest_ratio(imagegw_client: httpx.Client, pixels: str, aspect: float) -> None:
    # 002: "Can also use pixel dimensions (e.g., 1024x1024), and the system will automatically convert them"
    img = image_of(imagegw_client, items(post(imagegw_client, gemini(size=pixels)))[0])
    assert ratio(img) == pytest.approx(aspect, rel=0.03)


def test_gemini_n_and_multi_turn(imagegw_client: httpx.Client) -> None:
    body = gemini(
        n=2,
        contents=[
            {"role": "user", "parts": [{"text": "draw a cat"}]},
            {"role": "model", "parts": [{"image": PNG}]},  # inferred: upstream Gemini multi-turn roles
            {"role": "user", "parts": [{"text": "make it blue"}, {"image": PNG}]},
        ],
    )
    got = items(post(imagegw_client, body))
    assert len(got) == 2 and got[0]["b64_json"] != got[1]["b64_json"]


def test_gemini_without_size_keeps_the_input_ratio(imagegw_client: httpx.Client) -> None:
    # inferred from upstream Gemini: an edit without a ratio keeps the input image's ratio
    body = {"model": "gemini-3-pro-image-preview", "contents": [{"parts": [{"text": "edit"}, {"image": data_url(16, 9)}]}]}
    assert ratio(image_of(imagegw_client, items(post(imagegw_client, body))[0])) == pytest.approx(16 / 9, rel=0.03)


def test_gemini_fusion_takes_five_images(imagegw_client: httpx.Client) -> None:
    # 002: "Multi-image-to-one (2-5 images fusion generation)"
    parts = [{"text": "fuse"}] + [{"image": PNG}] * 5
    assert items(post(imagegw_client, gemini(contents=[{"role": "user", "parts": parts}])))
    r = post(imagegw_client, gemini(contents=[{"role": "user", "parts": parts + [{"image": PNG}]}]))
    assert_error(r, 400, "contents[0].parts")


def test_gemini_input_formats(imagegw_client: httpx.Client) -> None:
    # 002 FAQ: "Gemini: PNG, JPEG, JPG, WEBP, max 7MB"
    for ref in (data_url(fmt="JPEG"), data_url(fmt="WEBP"), PNG):
        assert items(post(imagegw_client, gemini(contents=[{"parts": [{"image": ref}]}])))
    assert_error(post(imagegw_client, gemini(contents=[{"parts": [{"image": data_url(fmt="GIF")}]}])), 400, "contents[0].parts[0].image")


def test_input_byte_limits_are_per_family(imagegw_client: httpx.Client) -> None:
    # 002 FAQ: "Gemini: ... max 7MB"; "GPT Image: JPEG, PNG, GIF, WEBP, max 10MB" (MB = 2**20, inferred)
    over_7mb = data_url(pad=7 * MB + 1)
    assert_error(post(imagegw_client, gemini(contents=[{"parts": [{"image": over_7mb}]}])), 400, "contents[0].parts[0].image")
    assert items(post(imagegw_client, {"model": "gpt-image-2", "prompt": "mix", "image": over_7mb}))
    assert_error(post(imagegw_client, {"model": "gpt-image-2", "prompt": "mix", "image": data_url(pad=10 * MB + 1)}), 400, "image")


# -- Doubao Seedream ---------------------------------------------------------------------------

SEEDREAM_30 = ["1024x1024", "1152x864", "864x1152", "1280x720", "720x1280", "1248x832", "832x1248", "1512x648"]  # 002
SEEDREAM_4X = [
    "2048x2048",
    "2304x1728",
    "1728x2304",
    "2560x1440",
    "1440x2560",
    "2496x1664",
    "1664x2496",
    "3024x1296",
    "4096x4096",
    "4704x3520",
    "3520x4704",
    "5504x3040",
    "3040x5504",
    "4992x3328",
    "3328x4992",
    "6240x2656",
]  # 002


@pytest.mark.parametrize("size", SEEDREAM_30)
def test_seedream_30_sizes(imagegw_client: httpx.Client, size: str) -> None:
    img = image_of(imagegw_client, items(post(imagegw_client, seedream("doubao-seedream-3-0-t2i-250415", size=size)))[0])
    assert img.size == tuple(int(v) for v in size.split("x"))
    assert img.format == "JPEG"  # inferred: Ark's URL results are JPEG


@pytest.mark.parametrize("model", ["doubao-seedream-4-0-250828", "doubao-seedream-4-5-251128"])
def test_seedream_4x_accepts_every_listed_size_and_rejects_3_0_sizes(imagegw_client: httpx.Client, model: str) -> None:
    for size in SEEDREAM_4X:
        assert items(post(imagegw_client, seedream(model, size=size)))
    assert_error(post(imagegw_client, seedream(model, size="1024x1024")), 400, "size")
    assert_error(post(imagegw_client, seedream(model, size="2048*2048")), 400, "size")


def test_seedream_4x_size_measured(imagegw_client: httpx.Client) -> None:
    img = image_of(imagegw_client, items(post(imagegw_client, seedream(size="3024x1296")))[0])
    assert img.size == (3024, 1296)
    # "2K" as a word: inferred from Ark (square at the tier); default 2048x2048 (Ark)
    assert image_of(imagegw_client, items(post(imagegw_client, seedream(size="2K")))[0]).size == (2048, 2048)
    assert image_of(imagegw_client, items(post(imagegw_client, seedream()))[0]).size == (2048, 2048)


def test_seedream_30_rejects_4x_sizes(imagegw_client: httpx.Client) -> None:
    assert_error(post(imagegw_client, seedream("doubao-seedream-3-0-t2i-250415", size="2048x2048")), 400, "size")
    assert_error(post(imagegw_client, seedream("doubao-seedream-3-0-t2i-250415", size="2K")), 400, "size")


@pytest.mark.parametrize("options,count", [(None, 4), ({"max_images": 1}, 1), ({"max_images": 3}, 3), ({}, 4)])
def test_sequential_generation_count(imagegw_client: httpx.Client, options: dict | None, count: int) -> None:
    # 002: max_images "range 1-4, default 4"; the mock returns exactly max_images (inferred)
    body = seedream(sequential_image_generation="auto", sequential_image_generation_options=options)
    assert len(items(post(imagegw_client, body))) == count


def test_sequential_disabled_gives_one(imagegw_client: httpx.Client) -> None:
    body = seedream(sequential_image_generation="disabled", sequential_image_generation_options={"max_images": 3})
    assert len(items(post(imagegw_client, body))) == 1


def test_seedream_seed_is_deterministic(imagegw_client: httpx.Client) -> None:
    a = items(post(imagegw_client, seedream("doubao-seedream-3-0-t2i-250415", seed=7)))[0]
    b = items(post(imagegw_client, seedream("doubao-seedream-3-0-t2i-250415", seed=7)))[0]
    c = items(post(imagegw_client, seedream("doubao-seedream-3-0-t2i-250415", seed=8)))[0]
    assert image_of(imagegw_client, a).tobytes() == image_of(imagegw_client, b).tobytes() != image_of(imagegw_client, c).tobytes()


def test_seedream_fusion_and_formats(imagegw_client: httpx.Client) -> None:
    # 002: "Multi-image fusion (2-5 images fusion generation)"; "Doubao Seedream 3.0/4.0: JPEG, PNG";
    # "Doubao Seedream 4.5: JPEG, PNG, WEBP, BMP, TIFF, GIF"
    five = [{"text": "fuse"}] + [{"image": PNG}] * 5
    assert items(post(imagegw_client, seedream(contents=[{"role": "user", "parts": five}])))
    assert_error(post(imagegw_client, seedream(contents=[{"parts": five + [{"image": PNG}]}])), 400, "contents[0].parts")
    webp = [{"image": data_url(fmt="WEBP")}]
    assert_error(post(imagegw_client, seedream(contents=[{"parts": webp}])), 400, "contents[0].parts[0].image")
    for fmt in ("WEBP", "BMP", "TIFF", "GIF"):
        body = seedream("doubao-seedream-4-5-251128", contents=[{"parts": [{"image": data_url(fmt=fmt)}]}])
        assert items(post(imagegw_client, body))


def test_seededit_adaptive_size_follows_input(imagegw_client: httpx.Client) -> None:
    # inferred from Ark "adaptive": the 3.0 size (002's list) nearest the input's aspect ratio
    body = seedream("doubao-seededit-3-0-i2i-250628", size="adaptive", contents=[{"parts": [{"image": data_url(9, 16)}]}])
    assert image_of(imagegw_client, items(post(imagegw_client, body))[0]).size == (720, 1280)
    body = seedream("doubao-seededit-3-0-i2i-250628", contents=[{"parts": [{"image": "https://example.com/a.png"}]}])
    assert image_of(imagegw_client, items(post(imagegw_client, body))[0]).size == (1024, 1024)


# -- GPT Image ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["1024x1024", "1024x1536", "1536x1024"])
def test_gpt_image_sizes(imagegw_client: httpx.Client, size: str) -> None:
    # 002: "1024x1024, 1024x1536, 1536x1024. Default: 1024x1024"
    img = image_of(
        imagegw_client, items(post(imagegw_client, {"model": "gpt-image-2", "prompt": "a fox", "size": size, "quality": "low"}))[0]
    )
    assert img.size == tuple(int(v) for v in size.split("x"))


def test_gpt_image_default_size_and_n(imagegw_client: httpx.Client) -> None:
    got = items(post(imagegw_client, {"model": "gpt-image-2", "prompt": "a fox", "n": 3}))
    assert len(got) == 3 and len({g["b64_json"] for g in got}) == 3
    assert image_of(imagegw_client, got[0]).size == (1024, 1024)


def test_gpt_image_inputs(imagegw_client: httpx.Client) -> None:
    # 002: "Supports JPEG, PNG, GIF, WEBP formats, max 10MB, up to 10 images"
    refs = [data_url(fmt=f) for f in ("JPEG", "PNG", "GIF", "WEBP")] + ["https://example.com/x.png"] * 6
    assert items(post(imagegw_client, {"model": "gpt-image-2", "prompt": "mix", "images": refs}))
    assert_error(post(imagegw_client, {"model": "gpt-image-2", "prompt": "mix", "images": refs + [PNG]}), 400, "images")
    assert_error(post(imagegw_client, {"model": "gpt-image-2", "prompt": "mix", "image": data_url(fmt="BMP")}), 400, "image")


# -- Qwen --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size,expected", [("1664*928", (1664, 928)), ("928x1664", (928, 1664)), ("1472*1104", (1472, 1104))])
def test_qwen_plus_sizes(imagegw_client: httpx.Client, size: str, expected: tuple[int, int]) -> None:
    # DashScope qwen-image-api: "1664*928（默认值）... 1472*1104：4:3 ... 1104*1472：3:4"; this test used 1472*1140
    # (002's generic "Size Selection Tips") until the catalog took DashScope's closed list
    img = image_of(imagegw_client, items(post(imagegw_client, qwen(parameters={"size": size})))[0])
    assert img.size == expected and img.format == "PNG"


def test_qwen_edit_n_and_sizes(imagegw_client: httpx.Client) -> None:
    # 002: qwen-image-edit-plus "you can choose to output 1-6 images"; "Supports 1-3 input images"
    body = qwen(
        "qwen-image-edit-plus",
        images=[PNG, data_url(fmt="BMP"), data_url(fmt="TIFF")],
        parameters={"n": 6, "size": "512*768"},
        response_format="b64_json",
    )
    got = items(post(imagegw_client, body))
    assert len(got) == 6 and image_of(imagegw_client, got[5]).size == (512, 768)


def test_qwen_edit_default_size_follows_last_image(imagegw_client: httpx.Client) -> None:
    # 002: "the output aspect ratio is based on the last image"; ~1024*1024 pixels in multiples of 16
    # (inferred from DashScope): 200x100 -> 1448.2 x 724.1 -> 1456 x 720
    body = qwen("qwen-image-edit-plus", images=[data_url(10, 30), data_url(200, 100)])
    assert image_of(imagegw_client, items(post(imagegw_client, body))[0]).size == (1456, 720)


def test_qwen_seed_string_equals_integer(imagegw_client: httpx.Client) -> None:
    # 002's example sends "seed": "4"; accepted as the integer 4
    a = items(post(imagegw_client, qwen(parameters={"seed": "4"}, response_format="b64_json")))[0]
    b = items(post(imagegw_client, qwen(parameters={"seed": 4}, response_format="b64_json")))[0]
    assert a["b64_json"] == b["b64_json"]


def test_qwen_flat_prompt(imagegw_client: httpx.Client) -> None:
    # inferred: the common `prompt` field works for qwen-image-plus without `input`
    assert items(post(imagegw_client, {"model": "qwen-image-plus", "prompt": "a poster"}))
    assert_error(post(imagegw_client, {"model": "qwen-image-edit-plus", "prompt": "edit"}), 400, "input")


# -- response_format rules (002 "Note: Different models have different support for response_format") --


@pytest.mark.parametrize(
    "body,requested,returned",
    [
        (gemini(), "url", "b64_json"),  # "always returns base64-encoded image data regardless of the value passed"
        (gemini(), None, "b64_json"),
        ({"model": "gpt-image-2", "prompt": "x"}, "url", "b64_json"),  # "forces base64-encoded image data"
        (seedream(), "b64_json", "url"),  # "Usually returns URL links, response_format parameter may not take effect"
        (seedream("doubao-seedream-3-0-t2i-250415"), None, "url"),
        (qwen(), "b64_json", "b64_json"),  # "returns the corresponding format based on the parameter value"
        (qwen(), "url", "url"),
        (qwen(), None, "url"),  # default: inferred from DashScope (URLs)
    ],
)
def test_response_format_rules(imagegw_client: httpx.Client, body: dict, requested: str | None, returned: str) -> None:
    item = items(post(imagegw_client, {**body, "response_format": requested}))[0]
    other = "url" if returned == "b64_json" else "b64_json"
    assert item[returned] and item[other] == ""


def test_url_results_expire_after_24_hours(imagegw_client: httpx.Client, imagegw_clock: ManualClock) -> None:
    # 003 FAQ: "Image URLs are valid for approximately 24 hours" (the mock's url_ttl_seconds)
    url = items(post(imagegw_client, seedream("doubao-seedream-3-0-t2i-250415")))[0]["url"]
    imagegw_clock.advance(24 * 3600 - 1)
    assert imagegw_client.get(url).status_code == 200
    imagegw_clock.advance(2)
    assert_error(imagegw_client.get(url), 410)


# -- the contract (contracts/gravitex.openapi.yaml) ----------------------------------------------


def test_contract_is_valid_openapi_with_provenance_everywhere() -> None:
    from openapi_spec_validator import validate

    import contracts
    from contracts import provenance

    spec = contracts.load("gravitex").spec
    validate(spec)
    assert provenance.missing(spec) == []
    assert spec["paths"]["/v1/images/generations"]["post"]["operationId"] == "createImage"
    server = spec["servers"][0]
    assert server["url"] == "https://api.gravitex.ai" and server["x-provenance"]["kind"] == "documented"
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")  # 002: "Bearer sk-xxxxxxxxxx"


def test_contract_examples_validate_and_the_mock_answers_them_in_contract(imagegw_client: httpx.Client) -> None:
    import contracts

    contract = contracts.load("gravitex")
    media = contract.spec["paths"]["/v1/images/generations"]["post"]["requestBody"]["content"]["application/json"]
    assert len(media["examples"]) == len(DOC_EXAMPLES)  # the document's 15 example bodies
    for name, example in media["examples"].items():
        body = example["value"]
        assert contract.validate_request("POST", "/v1/images/generations", {**AUTH, "Content-Type": "application/json"}, body) == [], name
        r = post(imagegw_client, body)
        assert r.status_code == 200, (name, r.text)
        assert contract.validate_response("POST", "/v1/images/generations", r, body) == [], name


def test_error_answers_conform_to_the_contract(imagegw_client: httpx.Client) -> None:
    import contracts

    contract = contracts.load("gravitex")
    answers = [
        ("POST", post(imagegw_client, gemini(n=9))),
        ("POST", imagegw_client.post(GEN, json=gemini())),
        ("POST", imagegw_client.post(GEN, headers={**AUTH, "Content-Type": "text/plain"}, content=b"x")),
        ("POST", post(imagegw_client, gemini(), headers={"X-Mock-Scenario": "rate_limited"})),
        ("POST", post(imagegw_client, gemini(), headers={"X-Mock-Scenario": "quota_exceeded"})),
        ("POST", post(imagegw_client, gemini(), headers={"X-Mock-Scenario": "server_error"})),
        ("POST", post(imagegw_client, gemini(), headers={"X-Mock-Scenario": "overloaded"})),
        ("GET", imagegw_client.get(GEN, headers=AUTH)),
    ]
    for method, r in answers:
        assert r.status_code >= 400
        assert contract.validate_response(method, "/v1/images/generations", r) == [], r.text
    schema_codes = set(contract.spec["paths"]["/v1/images/generations"]["post"]["responses"])
    assert {str(r.status_code) for _, r in answers} <= schema_codes
