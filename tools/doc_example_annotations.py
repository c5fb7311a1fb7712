"""The hand-written parts of the doc-example extraction (``tools/extract_doc_examples.py``): which
document each gateway has (:data:`DOCS`, from the gateway registry), the repairs of broken captures
(:data:`CAPTURE_FIXES`), where each documented response example starts (:data:`RESPONSE_ANCHORS`)
and, per gateway, every curl example's id, label, expectations and placeholder decisions
(:data:`ANNOTATIONS`, one entry per command in document order). The requests themselves are
never written here: the extractor parses them from the documents."""

from __future__ import annotations

from typing import Any

from contracts.registry import GATEWAYS

#: Gateway id -> its document file (the gateway registry, in its order).
DOCS: dict[str, str] = {g.id: g.document for g in GATEWAYS}

# (document, regex, replacement, example id it repairs, why). Applied in order before scanning.
CAPTURE_FIXES: list[tuple[str, str, str, str, str]] = [
    (
        DOCS["tokenhub"],
        r" \\ (?=-[HF] )",
        " \\\n",
        "tokenhub-edits-multipart",
        "the capture joined the command's lines into one, leaving ' \\ -H' / ' \\ -F'; the line "
        "continuations are restored so the backslashes do not escape the following spaces",
    ),
    (
        DOCS["gravitex"],
        r"\n'Image Generation\n",
        "\n'\nImage Generation\n",
        "gravitex-generic-playground",
        "the capture glued the page heading 'Image Generation' to the closing quote of --data",
    ),
    (
        DOCS["gravitex"],
        r"\n'Documentation Index\n",
        "\n'\nDocumentation Index\n",
        "gravitex-generic-request-sample",
        "the capture glued the text 'Documentation Index' to the closing quote of --data",
    ),
]

# Where a documented response example starts: (document, anchor text, response id). The JSON object
# is the first '{' after the anchor (json.JSONDecoder.raw_decode).
RESPONSE_ANCHORS: dict[str, tuple[str, str]] = {
    "piebox-create": (DOCS["piebox"], "Response:\n"),
    "piebox-task": (DOCS["piebox"], "Response Example:\n"),
    "tokenhub-flat": (DOCS["tokenhub"], "OpenAI-compatible JSON. By default data[0].b64_json"),
    "tokenhub-chat": (DOCS["tokenhub"], "Billing usage is in usage.completion_tokens_details.image_tokens."),
    "tokenhub-dashscope": (DOCS["tokenhub"], "Example response structure:"),
    "gravitex": (DOCS["gravitex"], "Response Format\n"),
    "powertokens": (DOCS["powertokens"], '"response_format": "url"\n}\n\'\n'),
}

# -- expectations -------------------------------------------------------------------------------
# Keys of ``expect`` (all optional; pointers are RFC 6901 with '*' = every list item):
#   present:  pointers that must exist (any value, even "" or null)
#   nonempty: pointers whose value must not be null / "" / [] / {}
#   equals:   pointer -> exact value
#   matches / not_matches: pointer -> regex (re.search) on a string value
#   count:    pointer -> n or [min, max]: length of a list
#   one_of_nonempty: list of pointer groups; in each group at least one pointer is non-empty
#   images:   [{"at": pointer, "kind": "b64"|"url"|"markdown"|"b64_or_url", "size": [w, h]?}] decoded
#             with Pillow (URLs on the mock are fetched through the same in-process client)
#   inferred: {check key: reason} for every check that is an inference, not a documented fact


def _flat_openai(n: int, size: list[int] | None) -> dict[str, Any]:
    img: dict[str, Any] = {"at": "/data/0/b64_json", "kind": "b64"}
    if size:
        img["size"] = size
    return {"nonempty": ["/data/*/b64_json"], "count": {"/data": n}, "images": [img]}


def _dashscope(image_count: int, size_text: str | None, size: list[int] | None) -> dict[str, Any]:
    img: dict[str, Any] = {"at": "/output/choices/0/message/content/0/image", "kind": "url"}
    if size:
        img["size"] = size
    exp: dict[str, Any] = {
        "present": ["/output/choices/0/finish_reason", "/usage/input_tokens", "/usage/output_tokens", "/usage/total_tokens", "/usage/size"],
        "nonempty": ["/output/choices/0/message/content/0/image", "/request_id"],
        "equals": {
            "/output/choices/0/message/content/0/type": "image",
            "/output/choices/0/message/role": "assistant",
            "/output/choices/0/finish_reason": "stop",
            "/output/finished": True,
            "/usage/image_count": image_count,
        },
        "images": [img],
        "inferred": {
            "equals./usage/image_count": "the document's example answers image_count 1 for n 1 and "
            "defines n as 'Number of generated images'"
        },
    }
    if size_text:
        exp["equals"]["/usage/size"] = size_text
    return exp


def _chat(image: bool) -> dict[str, Any]:
    exp: dict[str, Any] = {
        "present": [
            "/id",
            "/created",
            "/model",
            "/usage/prompt_tokens",
            "/usage/completion_tokens",
            "/usage/total_tokens",
            "/usage/prompt_tokens_details/text_tokens",
            "/usage/prompt_tokens_details/image_tokens",
            "/usage/completion_tokens_details/text_tokens",
            "/usage/completion_tokens_details/image_tokens",
        ],
        "nonempty": ["/choices/0/message/content"],
        "equals": {
            "/object": "chat.completion",
            "/choices/0/index": 0,
            "/choices/0/message/role": "assistant",
            "/choices/0/finish_reason": "stop",
        },
    }
    if image:
        # 001: "match data:image/png;base64,([^)]+) in your client"
        exp["matches"] = {"/choices/0/message/content": r"data:image/png;base64,([^)]+)"}
        exp["images"] = [{"at": "/choices/0/message/content", "kind": "markdown"}]
    else:
        # 001: "plain Q&A without image output when the prompt does not request a picture"
        exp["not_matches"] = {"/choices/0/message/content": r"data:image/"}
    return exp


def _gravitex(kind: str, count: int | list[int], size: list[int] | None = None) -> dict[str, Any]:
    """kind: 'b64' (Gemini, GPT Image), 'url' (Doubao Seedream), 'b64_or_url' (Qwen)."""
    exp: dict[str, Any] = {
        "present": ["/data/created", "/data/data/*/url", "/data/data/*/b64_json", "/data/data/*/revised_prompt"],
        "equals": {"/code": 200, "/msg": "Success"},
        "count": {"/data/data": count},
    }
    if kind == "b64":
        exp["nonempty"] = ["/data/data/*/b64_json"]
        img: dict[str, Any] = {"at": "/data/data/0/b64_json", "kind": "b64"}
    elif kind == "url":
        exp["nonempty"] = ["/data/data/*/url"]
        img = {"at": "/data/data/0/url", "kind": "url"}
    else:
        exp["one_of_nonempty"] = [["/data/data/0/url", "/data/data/0/b64_json"]]
        img = {"at": "/data/data/0", "kind": "b64_or_url"}
    if size:
        img["size"] = size
    exp["images"] = [img]
    return exp


GRAVITEX_B64 = (
    "002: 'Gemini series: Only supports b64_json format, always returns base64-encoded image data regardless of the value passed'"
)
GRAVITEX_GPT = "002: 'GPT Image series: Only supports b64_json format, forces base64-encoded image data'"
GRAVITEX_URL = "002: 'Doubao Seedream series: Usually returns URL links, response_format parameter may not take effect'"
GRAVITEX_QWEN = (
    "002: 'Tongyi Qianwen series: Supports both b64_json and url, returns the corresponding format based on the parameter value'"
)
GRAVITEX_SHAPE = '002 \'Response Format\': {"code": 200, "msg": "Success", "data": {"data": [{url, b64_json, revised_prompt}], "created"}}'

# One entry per curl command, in document order.
ANNOTATIONS: dict[str, list[dict[str, Any]]] = {
    "piebox": [
        {
            "id": "piebox-seedream-create",
            "label": "Seedream > Example (POST /v2/extend/image/seedream/generations)",
            "response": "piebox-create",
            "expect": {
                "nonempty": ["/task_id", "/model"],
                "matches": {"/task_id": "^img_gen_"},
                "equals": {"/model": "novita_seedream/seedream-5.0-lite"},
            },
            "shape_source": '000 Seedream \'Response: { "task_id": "img_gen_xxx", "model": "novita_seedream/seedream-5.0-lite" }\'',
        },
        {
            "id": "piebox-gemini-create",
            "label": "Gemini > Example (POST /v2/extend/image/generations)",
            "response_of": "piebox-seedream-create",
            "expect": {"nonempty": ["/task_id", "/model"], "matches": {"/task_id": "^img_gen_"}},
            "shape_source": "000: 'All image generation endpoints are asynchronous — they return a task_id' (shape of the Seedream response; no Gemini response is shown, so its model value is not checked)",
        },
        {
            "id": "piebox-gpt-image-create",
            "label": "GPT-Image-2 > Example (POST /v2/extend/image/gpt_image/generations)",
            "response_of": "piebox-seedream-create",
            "expect": {"nonempty": ["/task_id", "/model"], "matches": {"/task_id": "^img_gen_"}},
            "shape_source": "000: 'All image generation endpoints are asynchronous — they return a task_id' (shape of the Seedream response; no GPT-Image-2 response is shown)",
        },
        {
            "id": "piebox-seedream-task",
            "label": "Checking Image Generation Results > Example (GET /v2/extend/image/seedream/tasks/<task_id>)",
            "response": "piebox-task",
            "requires": {"example": "piebox-seedream-create", "pointer": "/task_id", "placeholder": "<task_id>"},
            "clock": "terminal",
            "expect": {
                "nonempty": ["/task_id", "/result/images/*/url"],
                "equals": {
                    "/status": "succeeded",
                    "/model": "novita_seedream/seedream-5.0-lite",
                    "/task_id": {"from_example": "piebox-seedream-create", "pointer": "/task_id"},
                },
                "images": [{"at": "/result/images/0/url", "kind": "url", "size": [2048, 2048]}],
                "inferred": {
                    "clock": "the clock is advanced past Settings.task_pending_seconds + task_processing_seconds "
                    "so the task is terminal; the document gives no timings"
                },
            },
            "shape_source": "000 'Response Example': task_id, status succeeded, model, result.images[].url",
        },
    ],
    "tokenhub": [
        {
            "id": "tokenhub-flat-gpt-image-2",
            "label": "2. Request body > Text-to-image (generations) > cURL example",
            "response": "tokenhub-flat",
            "expect": {**_flat_openai(1, [1024, 1024]), "present": ["/usage/input_tokens", "/usage/output_tokens"]},
            "shape_source": "001: 'By default data[0].b64_json (base64 PNG)' + example {data:[{b64_json}], usage:{input_tokens, output_tokens}}",
        },
        {
            "id": "tokenhub-edits-multipart",
            "label": "2. Request body > Image edits (OpenAI-compatible) > cURL example",
            "response_of": "tokenhub-flat-gpt-image-2",
            "expect": {**_flat_openai(1, [1024, 1024]), "present": ["/usage/input_tokens", "/usage/output_tokens"]},
            "shape_source": "001: 'Response shape is the same as generations: default data[0].b64_json'",
        },
        {
            "id": "tokenhub-chat-image",
            "label": "Gemini tab > Text-to-image (chat completions) > cURL example",
            "response": "tokenhub-chat",
            "expect": _chat(image=True),
            "shape_source": "001: 'HTTP 200 with OpenAI Chat Completions JSON. The image is in choices[0].message.content' + example",
        },
        {
            "id": "tokenhub-chat-text-only",
            "label": "Gemini tab > Text-only (same endpoint)",
            "response_of": "tokenhub-chat-image",
            "expect": _chat(image=False),
            "shape_source": "001: 'These models also support plain Q&A without image output' (same Chat Completions shape)",
        },
        {
            "id": "tokenhub-dashscope-wan2.6-t2i",
            "label": "Wan tab > 2. cURL Example (passthrough)",
            "response": "tokenhub-dashscope",
            "expect": _dashscope(1, "1280*1280", [1280, 1280]),
            "shape_source": "001: 'image URL at output.choices[0].message.content[0].image (not OpenAI data[])' + example",
        },
        {
            "id": "tokenhub-dashscope-4.1-text-to-image",
            "label": "Wan tab > 4.1 Text-to-Image",
            "response_of": "tokenhub-dashscope-wan2.6-t2i",
            "expect": _dashscope(1, None, None),
            "shape_source": "001 passthrough response structure (as 2. cURL Example)",
        },
        {
            "id": "tokenhub-dashscope-4.2-image-editing",
            "label": "Wan tab > 4.2 Image Editing",
            "response_of": "tokenhub-dashscope-wan2.6-t2i",
            "expect": _dashscope(1, None, None),
            "shape_source": "001 passthrough response structure (as 2. cURL Example)",
        },
        {
            "id": "tokenhub-dashscope-4.3-interactive-editing",
            "label": "Wan tab > 4.3 Interactive Editing",
            "response_of": "tokenhub-dashscope-wan2.6-t2i",
            "expect": _dashscope(1, None, None),
            "shape_source": "001 passthrough response structure (as 2. cURL Example)",
        },
        {
            "id": "tokenhub-dashscope-4.4-group",
            "label": "Wan tab > 4.4 Group Image Generation",
            "response_of": "tokenhub-dashscope-wan2.6-t2i",
            "expect": _dashscope(4, None, None),
            "shape_source": "001 passthrough response structure (as 2. cURL Example); n: 'Group-image scenarios may use values such as 4'",
        },
        {
            "id": "tokenhub-ark-seedream-flat",
            "label": "Ark (Seedream) tab > cURL example",
            "response_of": "tokenhub-flat-gpt-image-2",
            "expect": _flat_openai(1, [1024, 1024]),
            "shape_source": "001: 'model+prompt+size — flat JSON (same shape as TokenHub)'; flat responses default to data[0].b64_json",
        },
    ],
    "gravitex": [
        {
            "id": "gravitex-generic-playground",
            "label": "API playground request (top of page)",
            "overrides": [
                {
                    "at": "/model",
                    "placeholder": "<string>",
                    "json": "gemini-2.5-flash-image",
                    "why": "first model the document lists (Gemini series); Gemini is documented for contents multi-turn input",
                },
                {
                    "at": "/prompt",
                    "placeholder": "<string>",
                    "json": "A cute orange kitten sitting in a garden",
                    "why": "any non-empty prompt; taken from the document's own examples",
                },
                {
                    "at": "/response_format",
                    "placeholder": "<string>",
                    "json": "b64_json",
                    "why": "'Gemini series: Only supports b64_json format'",
                },
                {
                    "at": "/contents",
                    "placeholder": [{}],
                    "json": [{"role": "user", "parts": [{"text": "A cute orange kitten sitting in a garden"}]}],
                    "why": "an empty object is not a turn; one user turn in the documented contents shape ({role, parts:[{text}]})",
                },
            ],
            "response": "gravitex",
            "expect": _gravitex("b64", 1),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_B64,
        },
        {
            "id": "gravitex-generic-request-sample",
            "label": "'Image Generation' request sample (generic body)",
            "overrides": [
                {
                    "at": "/model",
                    "placeholder": "<string>",
                    "json": "doubao-seedream-4-0-250828",
                    "why": "a second family for coverage: Doubao Seedream, documented for image-to-image",
                },
                {
                    "at": "/prompt",
                    "placeholder": "<string>",
                    "json": "Change this image to oil painting style",
                    "why": "the prompt of the document's Seedream image-to-image example",
                },
                {
                    "at": "/response_format",
                    "placeholder": "<string>",
                    "json": "url",
                    "why": "'Doubao Seedream series: Usually returns URL links'",
                },
                {
                    "at": "/contents",
                    "placeholder": [{}],
                    "json": [
                        {
                            "role": "user",
                            "parts": [
                                {"image": "data:image/png;base64,iVBORw0KGgoAAxxxx..."},
                                {"text": "Change this image to oil painting style"},
                            ],
                        }
                    ],
                    "why": "the contents of the document's Seedream image-to-image example (its truncated base64 is then substituted)",
                },
            ],
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("url", 1),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_URL,
        },
        {
            "id": "gravitex-gemini-text-to-image",
            "label": "Basic Examples > Gemini > Text-to-Image",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("b64", 1),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_B64,
        },
        {
            "id": "gravitex-gemini-image-to-image",
            "label": "Basic Examples > Gemini > Image-to-Image",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("b64", 1),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_B64,
        },
        {
            "id": "gravitex-gemini-multi-image-fusion",
            "label": "Basic Examples > Gemini > Multi-Image Fusion",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("b64", 1),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_B64,
        },
        {
            "id": "gravitex-seedream-text-to-image",
            "label": "Basic Examples > Doubao Seedream > Text-to-Image",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("url", 1, [2048, 2048]),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_URL,
        },
        {
            "id": "gravitex-seedream-image-to-image",
            "label": "Basic Examples > Doubao Seedream > Image-to-Image",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("url", 1, [2048, 2048]),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_URL,
        },
        {
            "id": "gravitex-seedream-sequential",
            "label": "Basic Examples > Doubao Seedream > Sequential Image Generation",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("url", [1, 4], [2048, 2048]),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_URL + "; 'max_images(integer): Maximum number of images, range1-4'",
        },
        {
            "id": "gravitex-seededit-image-editing",
            "label": "Basic Examples > Doubao Seedream > Image Editing (seededit 3.0)",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("url", 1),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_URL,
        },
        {
            "id": "gravitex-seedream-3.0-guidance-scale",
            "label": "Basic Examples > Doubao Seedream > 3.0 Model (Guidance Scale)",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("url", 1, [1024, 1024]),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_URL,
        },
        {
            "id": "gravitex-seedream-4.5-standard-mode",
            "label": "Basic Examples > Doubao Seedream > 4.5 Model > # Standard mode",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("url", 1, [2048, 2048]),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_URL,
        },
        {
            "id": "gravitex-seedream-fast-mode",
            "label": "Basic Examples > Doubao Seedream > 4.5 Model tab > # fast mode (model doubao-seedream-4-0-250828)",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("url", 1, [2048, 2048]),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_URL,
        },
        {
            "id": "gravitex-gpt-image-text-to-image",
            "label": "Basic Examples > GPT Image > Text-to-Image",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("b64", 1, [1024, 1024]),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_GPT,
        },
        {
            "id": "gravitex-gpt-image-image-to-image",
            "label": "Basic Examples > GPT Image > Image-to-Image",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("b64", 1, [1024, 1024]),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_GPT,
        },
        {
            "id": "gravitex-gpt-image-multi-image-fusion",
            "label": "Basic Examples > GPT Image > Multi-Image Fusion",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("b64", 2, [1024, 1024]),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_GPT + "; n: 'Generation Count: Can generate 1-10 images per request'",
        },
        {
            "id": "gravitex-qwen-text-to-image",
            "label": "Basic Examples > Tongyi Qianwen > Text-to-Image",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("b64_or_url", 1),
            "shape_source": GRAVITEX_SHAPE + "; " + GRAVITEX_QWEN,
        },
        {
            "id": "gravitex-qwen-image-editing",
            "label": "Basic Examples > Tongyi Qianwen > Image Editing",
            "response_of": "gravitex-generic-playground",
            "expect": _gravitex("b64_or_url", 2, [2048, 2048]),
            "shape_source": GRAVITEX_SHAPE
            + "; "
            + GRAVITEX_QWEN
            + "; n: 'For qwen-image-edit-plus series models, you can choose to output 1-6 images'",
        },
    ],
    # 003 shows only the tab labels of its examples ('Basic Examples - Gemini - Doubao Seedream - GPT Image - Qwen');
    # the capture holds no curl command, so there is nothing to replay.
    "imageseries": [],
    "powertokens": [
        {
            "id": "powertokens-seedream-4.5",
            "label": "request example (POST /v1/images/generations)",
            "response": "powertokens",
            "expect": {
                "present": ["/created", "/data/*/size", "/metadata"],
                "nonempty": ["/data/*/url"],
                "count": {"/data": 1},
                "images": [{"at": "/data/0/url", "kind": "url", "size": [2048, 2048]}],
            },
            "shape_source": "004 response example {created, data:[{url, b64_json, size, error}], metadata}; 'response_format ... url'",
        },
    ],
}
