"""TokenHub's chat route, what the mock makes of a prompt: whether it asks for a picture
(:func:`wants_image`) and the plain-text answer otherwise (:func:`text_answer`). 001 says only that
text-only prompts get text "when the prompt does not request a picture"; the rules here are the
mock's own, deterministic, and inferred."""

from __future__ import annotations

import re

#: Image-request heuristic for the chat route (inferred; 001 only says text-only prompts get text
#: "when the prompt does not request a picture"). A prompt asks for a picture when it holds a
#: drawing verb (画 — not 画家/画面/画质/画廊/画展 —, 绘, 生成…图/照片, draw, paint, sketch,
#: illustrate, render, "generate/create/make/design … image/picture/photo/…", "image/picture/photo of").
_DRAW = re.compile(
    r"画(?![家面质廊展])|绘|(生成|制作|设计|做)[^。？?！!]{0,12}(图|照片|海报|插画|壁纸|头像|logo)"
    r"|\b(draw|paint|sketch|illustrate|render)\b"
    r"|\b(generate|create|make|design)\b[^.?!]{0,40}\b(image|picture|photo|illustration|logo|poster|wallpaper|icon|drawing|painting)s?\b"
    r"|\b(image|picture|photo)s? of\b",
    re.IGNORECASE,
)
#: With an input image, editing verbs also ask for a picture (改/换/加/去掉/添加/删除/替换, edit, change,
#: add, remove, replace, turn … into, make it).
_EDIT = re.compile(r"改|换|加上|添加|去掉|删除|替换|\b(edit|change|add|remove|replace|turn|make it)\b", re.IGNORECASE)
_ARITH = re.compile(r"(-?[0-9]{1,12})\s*([+\-*/×÷])\s*(-?[0-9]{1,12})")


def wants_image(prompt: str, *, has_input_image: bool = False, modalities: list[str] | None = None) -> bool:
    """Whether the chat route answers ``prompt`` with an image (deterministic heuristic).

    ``modalities`` decides when it names one kind only (``["image"]`` -> image, ``["text"]`` ->
    text); otherwise the prompt must hold a drawing verb (:data:`_DRAW`), or an editing verb
    (:data:`_EDIT`) when an input image is attached. 001's examples: "画一只橘猫,摄影风格" ->
    image; "2+2等于几?只回答数字" -> text.
    """
    if modalities is not None:
        if "image" not in modalities:
            return False
        if "text" not in modalities:
            return True
    if _DRAW.search(prompt):
        return True
    return has_input_image and bool(_EDIT.search(prompt))


def text_answer(prompt: str) -> str:
    """The mock's plain-text answer: the value of the first ``a op b`` integer expression in
    ``prompt`` (``+ - * / × ÷``), else a fixed sentence quoting the prompt's start."""
    m = _ARITH.search(prompt)
    if m:
        a, op, b = int(m.group(1)), m.group(2), int(m.group(3))
        if op == "+":
            return str(a + b)
        if op == "-":
            return str(a - b)
        if op in "*×":
            return str(a * b)
        if b != 0:
            q = a / b
            return str(int(q)) if q.is_integer() else f"{q:.6g}"
    head = " ".join(prompt.split())[:80]
    return f"This is a text answer from the imagegw mock to: {head}" if head else "This is a text answer from the imagegw mock."
