"""Load the documents' curl examples (``fixtures/doc_examples/*.json``) and replay them.

The fixtures are written by ``tools/extract_doc_examples.py`` from the five gateway documents;
each entry records the gateway id, source document, a label, method, path, headers, a JSON or
multipart body, the placeholders to substitute and the documented response shape (``expect``).
This module turns an entry into a request for the in-process mock and checks the answer:

* :func:`load_examples` -> ``list[DocExample]``;
* :func:`build_request` fills the placeholders (API keys, task ids, ``@/path/to/image.png``,
  truncated base64 data URLs, and the recorded decisions for Gravitex's ``"<string>"``) and
  returns an :class:`httpx.Request`-ready :class:`Prepared` with the host replaced by the mock's
  ``/{gateway}`` prefix;
* :func:`check_response` returns the list of ways an answer misses the documented shape
  (empty when it matches).

The key and paths it substitutes are test values, never real credentials.
"""

from __future__ import annotations

import base64
import binascii
import copy
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, UnidentifiedImageError

from contracts.wire import unescape_token, unpointer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "doc_examples"
IMAGES = ROOT / "fixtures" / "images"
TEST_API_KEY = "sk-imagegw-doc-examples"  # a test value; the mock accepts any non-empty key by default
_MARKDOWN_IMAGE = re.compile(r"data:image/png;base64,([^)]+)")  # 001: "match data:image/png;base64,([^)]+)"


@dataclass(frozen=True)
class DocExample:
    """One curl example of a gateway document, as stored in ``fixtures/doc_examples/<gateway>.json``.

    ``entry`` is the raw JSON object; the attributes are its most used fields.
    """

    id: str
    gateway: str
    doc: str
    label: str
    method: str
    path: str
    entry: dict[str, Any] = field(repr=False)

    @property
    def expect(self) -> dict[str, Any]:
        """The documented response shape (see the key list in ``tools/doc_example_annotations.py``)."""
        return self.entry["expect"]

    @property
    def requires(self) -> dict[str, Any] | None:
        """``{"example", "pointer", "placeholder"}`` when a prior example's answer feeds this one."""
        return self.entry.get("requires")


@dataclass
class Prepared:
    """A request ready for ``httpx.Client.request(method, url, headers=..., content=..., data=..., files=...)``.

    ``url`` is relative to the mock's base URL (``/{gateway}{documented path}``).
    """

    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None = None
    data: dict[str, str] | None = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None

    def send(self, client: httpx.Client) -> httpx.Response:
        """Send through ``client`` (the in-process mock client)."""
        return client.request(self.method, self.url, headers=self.headers, content=self.content, data=self.data, files=self.files)

    def describe(self) -> str:
        """A one-screen summary for failure messages (the API key is redacted)."""
        headers = {k: ("<redacted>" if k.lower() in ("authorization", "x-api-key") else v) for k, v in self.headers.items()}
        body: Any
        if self.content is not None:
            body = _shorten(json.loads(self.content))
        else:
            body = {"fields": self.data, "files": [(n, f[0], len(f[1])) for n, f in self.files or []]}
        return f"{self.method} {self.url}\nheaders: {headers}\nbody: {json.dumps(body, ensure_ascii=False)[:1500]}"


@cache
def _load_file(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def fixture_files() -> list[Path]:
    """The fixture files, one per gateway, sorted by name."""
    return sorted(FIXTURES.glob("*.json"))


def load_examples(gateway: str | None = None) -> list[DocExample]:
    """Every stored doc example (of ``gateway`` when given), in document order."""
    out = []
    for path in fixture_files():
        doc = _load_file(path)
        if gateway is not None and doc["gateway"] != gateway:
            continue
        for e in doc["examples"]:
            out.append(DocExample(e["id"], e["gateway"], e["doc"], e["label"], e["method"], e["path"], e))
    return out


def example_by_id(example_id: str) -> DocExample:
    """The example called ``example_id``. Raises ``KeyError`` when there is none."""
    for ex in load_examples():
        if ex.id == example_id:
            return ex
    raise KeyError(example_id)


@cache
def image_bytes(name: str) -> bytes:
    """The bytes of ``fixtures/images/<name>``."""
    return (IMAGES / name).read_bytes()


def png_data_url(name: str) -> str:
    """``data:image/png;base64,...`` of ``fixtures/images/<name>``."""
    return "data:image/png;base64," + base64.b64encode(image_bytes(name)).decode("ascii")


# -- JSON pointers ----------------------------------------------------------------------------------

_MISSING = object()


def resolve(doc: Any, pointer: str) -> list[tuple[str, Any]]:
    """All ``(concrete pointer, value)`` matched by ``pointer`` (``*`` = every list item).

    A missing key yields ``(pointer, _MISSING)``; ``*`` over an empty list yields nothing.
    """
    results: list[tuple[str, Any]] = [("", doc)]
    for raw in pointer.split("/")[1:]:
        tok = unescape_token(raw)
        nxt: list[tuple[str, Any]] = []
        for at, cur in results:
            if cur is _MISSING:
                nxt.append((f"{at}/{raw}", _MISSING))
            elif tok == "*" and isinstance(cur, list):
                nxt += [(f"{at}/{i}", v) for i, v in enumerate(cur)]
            elif isinstance(cur, list) and tok.isdigit() and int(tok) < len(cur):
                nxt.append((f"{at}/{tok}", cur[int(tok)]))
            elif isinstance(cur, dict) and tok in cur:
                nxt.append((f"{at}/{raw}", cur[tok]))
            else:
                nxt.append((f"{at}/{raw}", _MISSING))
        results = nxt
    return results


def _set(doc: Any, pointer: str, value: Any) -> None:
    parts = unpointer(pointer)
    cur = doc
    for tok in parts[:-1]:
        cur = cur[int(tok)] if isinstance(cur, list) else cur[tok]
    if isinstance(cur, list):
        cur[int(parts[-1])] = value
    else:
        cur[parts[-1]] = value


# -- building the request ---------------------------------------------------------------------------


def _value(sub: dict[str, Any], api_key: str, prior: dict[str, Any]) -> Any:
    kind = sub["value"]
    if kind == "api_key":
        return api_key
    if kind == "bearer_api_key":
        return f"Bearer {api_key}"
    if kind == "task_id":
        answer = prior[sub["from_example"]]
        [(_, tid)] = resolve(answer, sub["pointer"])
        if not isinstance(tid, str) or not tid:
            raise AssertionError(f"{sub['from_example']} answered no task id at {sub['pointer']}: {answer!r}")
        return tid
    if kind == "json":
        return copy.deepcopy(sub["json"])
    if kind.startswith("png_data_url:"):
        return png_data_url(kind.split(":", 1)[1])
    if kind.startswith("file:"):
        return kind.split(":", 1)[1]
    raise ValueError(f"unknown substitution kind {kind!r}")


def build_request(example: DocExample, *, api_key: str = TEST_API_KEY, prior: dict[str, Any] | None = None) -> Prepared:
    """The request of ``example`` with every placeholder filled, aimed at ``/{gateway}{path}``.

    Args:
        example: the stored example.
        api_key: replaces ``$TOKENHUB_API_KEY``, ``<your-api-key>``, ``sk-xxxxxxxxxx``, ``<token>``
            (and ``<authorization>`` becomes ``Bearer <api_key>``).
        prior: ``{example id: parsed JSON answer}`` of the examples named in ``requires``.

    Raises:
        KeyError: when a required prior answer is missing.
    """
    e = example.entry
    prior = prior or {}
    headers = {name: value for name, value in e["headers"]}
    path = e["path"]
    body = copy.deepcopy(e["json"])
    files_from: dict[str, str] = {}
    for sub in e["substitutions"]:
        where, _, what = sub["at"].partition(":")
        value = _value(sub, api_key, prior)
        if where == "header":
            headers[what] = headers[what].replace(sub["placeholder"], value)
        elif where == "path":
            path = path.replace(sub["placeholder"], value)
        elif where == "json":
            if sub["value"] == "json":
                _set(body, what, value)
            else:
                [(_, current)] = resolve(body, what)
                if current != sub["placeholder"]:
                    raise AssertionError(f"{example.id}: {what} holds {current!r}, not the placeholder")
                _set(body, what, value)
        elif where == "form_file":
            files_from[what] = value
        else:
            raise ValueError(f"{example.id}: unknown substitution target {sub['at']!r}")
    url = f"/{example.gateway}{path}"
    if e["form"] is not None:
        data = {name: value for name, value in e["form"]["fields"]}
        files = []
        for name, doc_path in e["form"]["files"]:
            fname = files_from.get(name)
            if fname is None:
                raise AssertionError(f"{example.id}: form file {name}={doc_path} has no substitution")
            files.append((name, (Path(doc_path).name, image_bytes(fname), "image/png")))
        return Prepared(example.method, url, headers, data=data, files=files)
    content = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
    return Prepared(example.method, url, headers, content=content)


# -- checking the answer ----------------------------------------------------------------------------


def _empty(v: Any) -> bool:
    return v is None or v is _MISSING or v == "" or v == [] or v == {}


def _decode_image(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.format or "?", img.size


def _image_problems(label: str, raw: bytes | None, size: list[int] | None) -> list[str]:
    if raw is None:
        return [f"{label}: no image bytes"]
    try:
        fmt, got = _decode_image(raw)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return [f"{label}: not a decodable image ({exc})"]
    if fmt not in ("PNG", "JPEG", "WEBP"):
        return [f"{label}: image format {fmt}, expected PNG/JPEG/WebP"]
    if size is not None and list(got) != list(size):
        return [f"{label}: image is {got[0]}x{got[1]}, the request asked for {size[0]}x{size[1]}"]
    return []


def _b64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def check_response(
    example: DocExample, response: httpx.Response, *, fetch: Callable[[str], httpx.Response], prior: dict[str, Any] | None = None
) -> list[str]:
    """Every way ``response`` misses the documented shape of ``example`` (``[]`` when it matches).

    Args:
        fetch: GETs an image URL returned by the mock (through the same in-process client).
        prior: earlier answers, for ``equals`` values of the form ``{"from_example", "pointer"}``.
    """
    problems: list[str] = []
    if not 200 <= response.status_code < 300:
        return [f"status {response.status_code}, expected 2xx"]
    try:
        body = response.json()
    except ValueError:
        return [f"answer is not JSON (Content-Type {response.headers.get('content-type')!r})"]
    exp = example.expect
    for p in exp.get("present", []):
        hits = resolve(body, p)
        if not hits:
            problems.append(f"{p}: no items")
        problems += [f"{at}: missing" for at, v in hits if v is _MISSING]
    for p in exp.get("nonempty", []):
        hits = resolve(body, p)
        if not hits:
            problems.append(f"{p}: no items")
        problems += [f"{at}: missing or empty ({_shorten(v)!r})" for at, v in hits if _empty(v)]
    for p, want in exp.get("equals", {}).items():
        if isinstance(want, dict) and "from_example" in want:
            [(_, want)] = resolve((prior or {})[want["from_example"]], want["pointer"])
        for at, v in resolve(body, p):
            if v is _MISSING or v != want or type(v) is not type(want):
                problems.append(f"{at}: {_shorten(v) if v is not _MISSING else 'missing'!r}, documented {want!r}")
    for p, rx in exp.get("matches", {}).items():
        for at, v in resolve(body, p):
            if not isinstance(v, str) or not re.search(rx, v):
                problems.append(f"{at}: {_shorten(v) if v is not _MISSING else 'missing'!r} does not match {rx!r}")
    for p, rx in exp.get("not_matches", {}).items():
        for at, v in resolve(body, p):
            if not isinstance(v, str) or re.search(rx, v):
                problems.append(f"{at}: {_shorten(v) if v is not _MISSING else 'missing'!r} should be a string without {rx!r}")
    for p, want in exp.get("count", {}).items():
        [(at, v)] = resolve(body, p)
        lo, hi = (want, want) if isinstance(want, int) else want
        if not isinstance(v, list) or not lo <= len(v) <= hi:
            problems.append(f"{at}: {len(v) if isinstance(v, list) else 'not a list'} items, expected {want}")
    for group in exp.get("one_of_nonempty", []):
        if all(_empty(v) for p in group for _, v in resolve(body, p)):
            problems.append(f"none of {group} is non-empty")
    if problems:
        return problems
    for img in exp.get("images", []):
        problems += _check_image(img, body, fetch)
    return problems


def _check_image(img: dict[str, Any], body: Any, fetch: Callable[[str], httpx.Response]) -> list[str]:
    [(at, v)] = resolve(body, img["at"])
    kind, size = img["kind"], img.get("size")
    if kind == "b64_or_url":
        if isinstance(v, dict) and not _empty(v.get("b64_json")):
            kind, v, at = "b64", v["b64_json"], at + "/b64_json"
        elif isinstance(v, dict):
            kind, v, at = "url", v.get("url"), at + "/url"
    if kind == "b64":
        raw = _b64(v)
        return _image_problems(at, raw, size) if raw is not None else [f"{at}: not valid base64"]
    if kind == "markdown":
        m = _MARKDOWN_IMAGE.search(v) if isinstance(v, str) else None
        raw = _b64(m.group(1)) if m else None
        return _image_problems(at + " (Markdown data URL)", raw, size) if raw is not None else [f"{at}: no decodable data URL"]
    if kind == "url":
        if not isinstance(v, str) or not v.startswith(("http://", "https://")):
            return [f"{at}: {_shorten(v)!r} is not an http(s) URL"]
        r = fetch(v)
        if r.status_code != 200:
            return [f"{at}: GET {v} answered {r.status_code}: {r.text[:200]}"]
        return _image_problems(f"{at} (GET {v})", r.content, size)
    return [f"{at}: unknown image kind {kind!r}"]


def _shorten(v: Any, limit: int = 120) -> Any:
    """``v`` with long strings cut (base64 payloads) for messages."""
    if isinstance(v, str) and len(v) > limit:
        return v[:limit] + f"...({len(v)} chars)"
    if isinstance(v, dict):
        return {k: _shorten(x, limit) for k, x in v.items()}
    if isinstance(v, list):
        return [_shorten(x, limit) for x in v]
    return v


def describe_response(response: httpx.Response) -> str:
    """Status, content type and a shortened body, for failure messages."""
    try:
        body: Any = _shorten(response.json())
        text = json.dumps(body, ensure_ascii=False)[:2000]
    except ValueError:
        text = response.text[:500]
    return f"{response.status_code} {response.headers.get('content-type')}\n{text}"
