#!/usr/bin/env python3
"""Extract every curl example of the five gateway documents into ``fixtures/doc_examples/<id>.json``.

Usage (from the repository root)::

    .venv/bin/python tools/extract_doc_examples.py            # (re)write fixtures/doc_examples/*.json
    .venv/bin/python tools/extract_doc_examples.py --check    # exit 1 if the fixtures differ from the documents
    .venv/bin/python tools/extract_doc_examples.py --images   # also (re)write fixtures/images/*.png
    .venv/bin/python tools/extract_doc_examples.py --docs DIR # documents folder (default ../shared/gateway-docs,
                                                             # or $IMAGEGW_DOCS)

How it works (nothing is copied by hand):

1. Each document is read; the few places where the web capture broke a command are repaired by
   the literal ``CAPTURE_FIXES`` (each names the example it touches and why; the repair is
   recorded in that example's ``capture_fixes``).
2. Every line that starts with ``curl`` opens a command; the command runs to the first newline
   outside quotes that is not a ``\\`` line continuation. The text is split with :mod:`shlex` and
   the curl options (``-X/--request``, ``--url``, ``-H/--header``, ``-d/--data``, ``-F/--form``,
   ``-sS``, ``--location``) become method, path, headers and a JSON or multipart body.
3. Placeholders are found mechanically (``$TOKENHUB_API_KEY``, ``<your-api-key>``, ``<token>``,
   ``<authorization>``, ``sk-xxxxxxxxxx``, ``<task_id>``, ``@/path/to/image.png``, truncated base64
   data URLs such as ``data:image/png;base64,iVBORw0KGgoAAxxxx...``) and recorded as
   ``substitutions`` that the test loader (``tests/doc_examples.py``) fills at test time. The
   placeholders that need a decision (Gravitex's generic ``"<string>"`` and ``[{}]``) are set in
   ``ANNOTATIONS`` with the reason.
4. The documented response example that belongs to an example (found after an anchor text) is
   parsed and stored as ``documented_response``; ``expect`` lists what the mock's answer must
   show. Every pointer in ``expect`` is checked here to exist in the documented response, so the
   expectations come from the documents (``*`` stands for any list index and is checked as 0).
5. The number of curl commands per document must equal the number of annotations: a changed
   document fails loudly instead of silently losing an example.

Hand-written parts, in ``tools/doc_example_annotations.py``: ``ANNOTATIONS`` (id, label,
expectations and their key list, the ``<string>`` decisions), ``CAPTURE_FIXES``,
``RESPONSE_ANCHORS``. The requests themselves are always parsed from the text.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "fixtures" / "doc_examples"
IMAGES_DIR = ROOT / "fixtures" / "images"
DEFAULT_DOCS = ROOT.parent / "shared" / "gateway-docs"

if str(ROOT) not in sys.path:  # run as a script from anywhere: the repository's packages first
    sys.path.insert(0, str(ROOT))
if str(ROOT / "tools") not in sys.path:  # its sibling, also when loaded by file path (tests)
    sys.path.insert(0, str(ROOT / "tools"))
from doc_example_annotations import ANNOTATIONS, CAPTURE_FIXES, DOCS, RESPONSE_ANCHORS  # noqa: E402

from contracts.wire import escape_token, unescape_token, unpointer  # noqa: E402

# -- placeholders -------------------------------------------------------------------------------

KEY_PLACEHOLDERS = ("$TOKENHUB_API_KEY", "<your-api-key>", "sk-xxxxxxxxxx", "<token>")
TRUNCATED_B64 = re.compile(r"^data:image/png;base64,iVBORw0KGgoAA([a-z])\1{3}\.\.\.$")
# Which sample file stands in for which truncated payload ('xxxx' -> first image, 'yyyy' -> second).
TRUNCATED_TO_FILE = {"x": "sample.png", "y": "sample2.png"}
FILE_PLACEHOLDER = re.compile(r"^/path/to/")
UNRESOLVED = re.compile(r"<[a-z_]+>")


class ExtractError(Exception):
    """A document no longer matches what the extractor expects (count, syntax, unknown placeholder)."""


# -- curl scanning and parsing ------------------------------------------------------------------


def scan_curl_commands(text: str) -> list[tuple[int, str]]:
    """Every curl command in ``text`` as ``(offset, command_text)``.

    A command starts at a line beginning with ``curl`` and ends at the first newline outside
    quotes that is not preceded by a ``\\`` continuation.
    """
    out = []
    for m in re.finditer(r"(?m)^curl\s", text):
        i, quote = m.start(), None
        while i < len(text):
            c = text[i]
            if quote:
                if c == quote:
                    quote = None
                elif c == "\\" and quote == '"':
                    i += 1
            elif c in "'\"":
                quote = c
            elif c == "\\":
                i += 1  # escaped char (incl. a line continuation)
            elif c == "\n":
                break
            i += 1
        if quote:
            raise ExtractError(f"unterminated quote in curl command at offset {m.start()}")
        out.append((m.start(), text[m.start() : i]))
    return out


def parse_curl(command: str) -> dict[str, Any]:
    """Parse one curl command into ``{method, url, headers, data, form}``.

    ``headers`` is a list of ``[name, value]``; ``data`` the raw ``-d`` string or ``None``;
    ``form`` a list of ``[name, value]`` from ``-F`` (a value ``@path`` is a file) or ``None``.

    Raises:
        ExtractError: for an option this parser does not know.
    """
    tokens = shlex.split(command.replace("\\\n", " "))
    if not tokens or tokens[0] != "curl":
        raise ExtractError(f"not a curl command: {command[:40]!r}")
    method = url = data = None
    headers: list[list[str]] = []
    form: list[list[str]] | None = None
    it = iter(tokens[1:])
    for tok in it:
        if tok in ("-X", "--request"):
            method = next(it)
        elif tok == "--url":
            url = next(it)
        elif tok in ("-H", "--header"):
            name, _, value = next(it).partition(":")
            headers.append([name.strip(), value.strip()])
        elif tok in ("-d", "--data", "--data-raw"):
            data = next(it)
        elif tok in ("-F", "--form"):
            name, _, value = next(it).partition("=")
            form = (form or []) + [[name, value]]
        elif tok in ("-s", "-S", "-sS", "-L", "--location", "--silent", "--show-error"):
            continue
        elif tok.startswith("-"):
            raise ExtractError(f"unknown curl option {tok!r}")
        elif url is None:
            url = tok
        else:
            raise ExtractError(f"second URL {tok!r}")
    if url is None:
        raise ExtractError("curl command without a URL")
    method = method or ("POST" if data is not None or form is not None else "GET")
    return {"method": method, "url": url, "headers": headers, "data": data, "form": form}


# -- JSON pointer helpers -----------------------------------------------------------------------


def pointer_get(doc: Any, pointer: str) -> Any:
    """The value at RFC 6901 ``pointer`` (``*`` is read as index 0). Raises ``KeyError`` when absent."""
    cur = doc
    for raw in pointer.split("/")[1:] if pointer else []:
        tok = unescape_token(raw)
        if isinstance(cur, list):
            idx = 0 if tok == "*" else int(tok) if tok.isdigit() else -1
            if not 0 <= idx < len(cur):
                raise KeyError(pointer)
            cur = cur[idx]
        elif isinstance(cur, dict) and tok in cur:
            cur = cur[tok]
        else:
            raise KeyError(pointer)
    return cur


def _walk_strings(doc: Any, pointer: str = "") -> list[tuple[str, str]]:
    if isinstance(doc, str):
        return [(pointer, doc)]
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _walk_strings(v, f"{pointer}/{escape_token(k)}")]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in _walk_strings(v, f"{pointer}/{i}")]
    return []


def _pointer_set(doc: Any, pointer: str, value: Any) -> None:
    parts = unpointer(pointer)
    cur = doc
    for tok in parts[:-1]:
        cur = cur[int(tok)] if isinstance(cur, list) else cur[tok]
    if isinstance(cur, list):
        cur[int(parts[-1])] = value
    else:
        cur[parts[-1]] = value


# -- building entries ---------------------------------------------------------------------------


def _documented_response(text: str, anchor: str) -> Any:
    at = text.find(anchor)
    if at < 0:
        raise ExtractError(f"response anchor {anchor!r} not found")
    start = text.index("{", at + len(anchor))
    value, _ = json.JSONDecoder().raw_decode(text, start)
    return value


def _substitutions(
    ann: dict[str, Any], headers: list[list[str]], path: str, body: Any, form: list[list[str]] | None
) -> tuple[list[dict[str, Any]], Any]:
    subs: list[dict[str, Any]] = []
    for h_name, h_value in headers:
        if h_value == "<authorization>":
            subs.append(
                {
                    "at": f"header:{h_name}",
                    "placeholder": h_value,
                    "value": "bearer_api_key",
                    "why": "the whole header value is a placeholder; Bearer scheme per 'Authentication Bearer sk-xxxxxxxxxx'",
                }
            )
        for ph in KEY_PLACEHOLDERS:
            if ph in h_value:
                subs.append({"at": f"header:{h_name}", "placeholder": ph, "value": "api_key", "why": "API key placeholder"})
    req = ann.get("requires")
    if req:
        if req["placeholder"] not in path:
            raise ExtractError(f"{ann['id']}: {req['placeholder']} not in path {path}")
        subs.append(
            {
                "at": "path",
                "placeholder": req["placeholder"],
                "value": "task_id",
                "from_example": req["example"],
                "pointer": req["pointer"],
                "why": "the task id returned by the create example",
            }
        )
    resolved = json.loads(json.dumps(body)) if body is not None else None
    for ov in ann.get("overrides", []):
        if pointer_get(body, ov["at"]) != ov["placeholder"]:
            raise ExtractError(f"{ann['id']}: override at {ov['at']} does not hold {ov['placeholder']!r}")
        subs.append({"at": f"json:{ov['at']}", "placeholder": ov["placeholder"], "value": "json", "json": ov["json"], "why": ov["why"]})
        _pointer_set(resolved, ov["at"], json.loads(json.dumps(ov["json"])))
    for pointer, s in _walk_strings(resolved) if resolved is not None else []:
        m = TRUNCATED_B64.match(s)
        if m:
            fname = TRUNCATED_TO_FILE[m.group(1)]
            subs.append(
                {
                    "at": f"json:{pointer}",
                    "placeholder": s,
                    "value": f"png_data_url:{fname}",
                    "why": f"truncated base64 in the document; a real PNG (fixtures/images/{fname}) as a data URL",
                }
            )
        elif UNRESOLVED.search(s) or s == "<string>":
            raise ExtractError(f"{ann['id']}: unhandled placeholder {s!r} at {pointer}")
    for name, value in form or []:
        if value.startswith("@"):
            if not FILE_PLACEHOLDER.match(value[1:]):
                raise ExtractError(f"{ann['id']}: unexpected file {value}")
            subs.append(
                {
                    "at": f"form_file:{name}",
                    "placeholder": value,
                    "value": "file:sample.png",
                    "why": "curl file upload of a placeholder path; fixtures/images/sample.png is uploaded",
                }
            )
    return subs, resolved


def extract_gateway(gateway: str, docs_dir: Path) -> dict[str, Any]:
    """The fixture document for ``gateway`` built from its gateway document in ``docs_dir``.

    Raises:
        ExtractError: when the document no longer matches the annotations.
    """
    doc = DOCS[gateway]
    original = (docs_dir / doc).read_text(encoding="utf-8")
    text = original
    fixes_by_example: dict[str, list[dict[str, str]]] = {}
    for fdoc, pattern, repl, example_id, why in CAPTURE_FIXES:
        if fdoc != doc:
            continue
        text, n = re.subn(pattern, repl, text)
        if n == 0:
            raise ExtractError(f"capture fix {pattern!r} no longer applies to {doc}")
        fixes_by_example.setdefault(example_id, []).append({"pattern": pattern, "replacement": repl, "count": n, "why": why})
    found = scan_curl_commands(text)
    orig_starts = [m.start() for m in re.finditer(r"(?m)^curl\s", original)]
    anns = ANNOTATIONS[gateway]
    if len(found) != len(anns) or len(orig_starts) != len(found):
        raise ExtractError(f"{doc}: found {len(found)} curl commands, annotated {len(anns)}")
    responses = {
        rid: _documented_response(docs_dir.joinpath(d).read_text(encoding="utf-8"), a)
        for rid, (d, a) in RESPONSE_ANCHORS.items()
        if d == doc
    }
    host = None
    examples: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for (_offset, command), orig_offset, ann in zip(found, orig_starts, anns, strict=False):
        parsed = parse_curl(command)
        url = urlsplit(parsed["url"])
        host = host or f"{url.scheme}://{url.netloc}"
        body = json.loads(parsed["data"]) if parsed["data"] is not None else None
        form = None
        if parsed["form"] is not None:
            form = {
                "fields": [[k, v] for k, v in parsed["form"] if not v.startswith("@")],
                "files": [[k, v[1:]] for k, v in parsed["form"] if v.startswith("@")],
            }
        subs, resolved = _substitutions(ann, parsed["headers"], url.path, body, parsed["form"])
        if "response" in ann:
            documented = responses[ann["response"]]
        else:
            documented = by_id[ann["response_of"]]["documented_response"]
        _check_expect_against_document(ann["id"], ann["expect"], documented)
        entry = {
            "id": ann["id"],
            "gateway": gateway,
            "doc": doc,
            "doc_line": original.count("\n", 0, orig_offset) + 1,
            "label": ann["label"],
            "curl": command,
            "capture_fixes": fixes_by_example.get(ann["id"], []),
            "method": parsed["method"],
            "documented_url": parsed["url"],
            "path": url.path + (f"?{url.query}" if url.query else ""),
            "headers": parsed["headers"],
            "json": body,
            "form": form,
            "substitutions": subs,
            "requires": ann.get("requires"),
            "clock": ann.get("clock"),
            "expect": ann["expect"],
            "shape_source": ann["shape_source"],
            "documented_response": documented,
            "documented_response_of": ann.get("response_of"),
        }
        if resolved is not None and resolved != body:
            entry["json_after_decisions"] = resolved
        examples.append(entry)
        by_id[ann["id"]] = entry
    return {
        "gateway": gateway,
        "doc": doc,
        "documented_host": host,
        "generated_by": "tools/extract_doc_examples.py (do not edit by hand; edit tools/doc_example_annotations.py and re-run)",
        "note": None if examples else "The captured document shows only the tab labels of its examples; it holds no curl command.",
        "examples": examples,
    }


def _check_expect_against_document(example_id: str, expect: dict[str, Any], documented: Any) -> None:
    pointers: list[str] = []
    for key in ("present", "nonempty"):
        pointers += expect.get(key, [])
    for key in ("equals", "matches", "not_matches", "count"):
        pointers += list(expect.get(key, {}))
    for group in expect.get("one_of_nonempty", []):
        pointers += group
    pointers += [img["at"] for img in expect.get("images", [])]
    for p in pointers:
        try:
            pointer_get(documented, p)
        except KeyError:
            raise ExtractError(f"{example_id}: expected pointer {p} is not in the documented response") from None


def extract_all(docs_dir: Path) -> dict[str, dict[str, Any]]:
    """``{gateway id: fixture document}`` for all five gateways."""
    return {gw: extract_gateway(gw, docs_dir) for gw in DOCS}


def render(doc: dict[str, Any]) -> str:
    """The fixture file text (stable: sorted keys off, 2-space indent, UTF-8, trailing newline)."""
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# -- sample images ------------------------------------------------------------------------------


def make_sample_images(out_dir: Path = IMAGES_DIR) -> list[Path]:
    """Write the sample input images (deterministic, drawn with Pillow).

    * ``sample.png``  256x256 RGB: a sky gradient, a sun and a house.
    * ``sample2.png`` 256x256 RGB: a different picture (stripes and a circle), the 'second image'.
    * ``mask.png``    256x256 RGBA: opaque, with a fully transparent 128x128 square in the middle
      (TokenHub 001: 'mask — optional PNG mask (transparent regions = edit area)').
    """
    from PIL import Image, ImageDraw

    out_dir.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (256, 256))
    d = ImageDraw.Draw(img)
    for y in range(256):
        d.line([(0, y), (255, y)], fill=(90 + y // 4, 150 + y // 5, 235))
    d.rectangle([0, 200, 255, 255], fill=(70, 160, 70))
    d.ellipse([180, 24, 232, 76], fill=(255, 210, 60))
    d.rectangle([60, 130, 150, 205], fill=(200, 80, 60))
    d.polygon([(50, 130), (105, 85), (160, 130)], fill=(120, 40, 30))
    img2 = Image.new("RGB", (256, 256), (30, 30, 60))
    d2 = ImageDraw.Draw(img2)
    for x in range(0, 256, 32):
        d2.rectangle([x, 0, x + 15, 255], fill=(230, 120, 40))
    d2.ellipse([64, 64, 192, 192], fill=(40, 200, 220))
    mask = Image.new("RGBA", (256, 256), (0, 0, 0, 255))
    ImageDraw.Draw(mask).rectangle([64, 64, 191, 191], fill=(0, 0, 0, 0))
    paths = []
    for name, im in (("sample.png", img), ("sample2.png", img2), ("mask.png", mask)):
        p = out_dir / name
        im.save(p, "PNG", optimize=True)
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=Path, default=Path(os.environ.get("IMAGEGW_DOCS", DEFAULT_DOCS)))
    ap.add_argument("--check", action="store_true", help="compare with fixtures/doc_examples instead of writing")
    ap.add_argument("--images", action="store_true", help="also (re)write fixtures/images/*.png")
    args = ap.parse_args(argv)
    try:
        result = extract_all(args.docs)
    except ExtractError as exc:
        print(f"extract_doc_examples: {exc}", file=sys.stderr)
        return 2
    stale = 0
    for gw, doc in result.items():
        path = OUT_DIR / f"{gw}.json"
        text = render(doc)
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                stale += 1
                sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True), str(path), "extracted"))
        else:
            OUT_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"{gw:12s} {len(doc['examples']):2d} examples  ({doc['doc']})", file=sys.stderr)
    if args.images and not args.check:
        for p in make_sample_images():
            print(f"wrote {p.relative_to(ROOT)}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
