"""Run Schemathesis 4 in-process against one gateway of the mock, the way ``schemathesis run`` does.

The engine (``schemathesis.engine.from_schema(schema).execute()``) runs every phase — probing,
examples (the contracts' own), coverage (boundary and negative values, unexpected methods),
fuzzing (positive and negative data) and the stateful phase driven by the contract's OpenAPI
links — with every built-in check enabled. The app is called through Schemathesis's ASGI
transport (``schema.app = app``): no socket.

The app under test is ``mock_apps.build_app(Settings(raise_server_exceptions=False, …),
clock=ManualClock())`` with:

* one accepted API key per gateway, so ``ignored_auth`` can prove that a wrong key is refused;
* a clock that advances ``TICK_SECONDS`` on every request (:class:`TickingClockApp`), so
  PieBox tasks created in the stateful phase move pending -> processing -> succeeded while they
  are polled, with no sleeping;
* the house string formats (``contracts/formats.py``: ``image-data-url``, ``image-base64``,
  ``image-png-alpha``) generated as real tiny images, since random text cannot decode as one;
* Schemathesis's constants pool off: it feeds string literals found in the *mock's source* (e.g.
  ``"1024x1536"``) into generation, and a negative case built from one may be a size the server
  rightly accepts though the contract does not list it (Seedream's pixel-count rule is wider than
  any list; see ``x-server-enforces`` in the PowerTokens contract).
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import strategies as st
from mock_apps import build_app
from PIL import Image
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.transport.asgi import ASGI_TRANSPORT
from schemathesis.transport.serialization import Binary

import contracts
from contracts.formats import SIZE_FORMAT_PREFIX, SizeRule, size_rules
from mock_server import ManualClock, Settings

API_KEY = "sk-imagegw-schemathesis"
TICK_SECONDS = 1.0

def _b64_image(fmt: str, size: tuple[int, int], colour: tuple[int, int, int]) -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt.upper())
    return base64.b64encode(buf.getvalue()).decode("ascii")


_SAMPLES = [("png", _b64_image("png", (4, 4), (200, 30, 30))), ("jpeg", _b64_image("jpeg", (16, 8), (30, 200, 30))),
            ("png", _b64_image("png", (64, 64), (30, 30, 200)))]


def _png_rgba(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


_ALPHA_PNGS = [_png_rgba((1, 1))]  # 1x1, the size of the PNG Schemathesis sends for a binary image part


def size_strategy(rule: SizeRule) -> st.SearchStrategy[str]:
    """``WxH`` strings inside ``rule`` (a contract's ``x-size-rules`` entry), boundaries included:
    a width on the rule's grid, then a height that keeps pixels, aspect ratio and sides inside."""
    m = rule.multiple_of
    lo_side = max(rule.min_side, 1)
    hi_side = rule.max_side or 99_999

    def heights(width: int) -> tuple[int, int]:
        aspect = rule.max_aspect_ratio
        lo = max(lo_side, -(-rule.min_pixels // width), math.ceil(width / aspect) if aspect != math.inf else 1)
        hi = min(hi_side, rule.max_pixels // width, math.floor(width * aspect) if aspect != math.inf else hi_side)
        return -(-lo // m) * m, hi // m * m

    widths = [w for w in range(-(-lo_side // m) * m, hi_side + 1, m) if heights(w)[0] <= heights(w)[1]]
    assert widths, f"size rule {rule.name} admits no size"

    @st.composite
    def draw(d: st.DrawFn) -> str:
        w = d(st.sampled_from([widths[0], widths[-1]]) | st.sampled_from(widths))
        lo, hi = heights(w)
        h = d(st.sampled_from([lo, hi]) | st.integers(lo // m, hi // m).map(lambda k: k * m))
        return f"{w}{rule.separator}{h}"

    return draw()


def register_formats(spec: dict[str, Any] | None = None) -> None:
    """Teach Schemathesis to generate the contracts' house formats (``contracts/formats.py``):
    real tiny images for ``image-data-url``, ``image-base64`` and ``image-png-alpha``; the
    ``image/png`` media type and ``binary`` format (multipart file parts) as a 1x1 RGBA PNG; and,
    for ``spec``, one ``size:<rule>`` strategy per custom-size rule of its ``x-size-rules``. Idempotent."""
    for name, rule in size_rules(spec).items():
        schemathesis.openapi.format(SIZE_FORMAT_PREFIX + name, size_strategy(rule))
    schemathesis.openapi.format("image-data-url", st.sampled_from([f"data:image/{f};base64,{b}" for f, b in _SAMPLES]))
    schemathesis.openapi.format("image-base64", st.sampled_from([b for _, b in _SAMPLES]))
    schemathesis.openapi.format("image-png-alpha", st.sampled_from(_ALPHA_PNGS))
    # multipart file parts declared `contentMediaType: image/png` (TokenHub edits: `image`, `mask`):
    # a 1x1 RGBA PNG is a valid image and a valid mask (alpha channel, same size as the image)
    schemathesis.openapi.media_type("image/png", st.sampled_from(_ALPHA_PNGS))
    # the items of an array of file parts (TokenHub edits' `image[]`) get no `encoding` entry: Schemathesis
    # would send the encoded array as one part without a filename. They are plain `format: binary`, the
    # contracts' only binary values (every one a PNG upload), so that format yields the same PNG.
    schemathesis.openapi.format("binary", st.sampled_from(_ALPHA_PNGS))
    _send_binary_parts_as_files()


def _send_binary_parts_as_files() -> None:
    """Make Schemathesis's ASGI transport send every binary multipart part as a file (with a
    filename), as multipart clients do for binary data (curl ``-F name=@file``, the OpenAI SDK).

    Schemathesis names a part's file only when the body schema's top-level ``properties`` declare
    it ``format: binary``; TokenHub's edit request declares ``image[]`` inside the condition where it
    applies (a top-level ``image[]`` beside ``image`` gives generated clients one field for both),
    so its PNG parts would go out as plain text fields, which a server rightly refuses as "no file".
    The parts' values and names are unchanged. Idempotent."""
    if getattr(ASGI_TRANSPORT, "_imagegw_binary_parts_as_files", False):
        return
    builtin = ASGI_TRANSPORT.get_first_matching_media_type("multipart/form-data")
    assert builtin is not None, "Schemathesis has no multipart/form-data serializer"
    serialize = builtin[1]

    def with_filenames(ctx: Any, value: Any) -> dict[str, Any]:
        out = serialize(ctx, value)
        files = out.get("files")
        if files:
            out["files"] = [(name, (f"{name.removesuffix('[]')}.png", part[1], *part[2:]))
                            if isinstance(part, tuple) and part[0] is None and isinstance(part[1], (bytes, Binary))
                            else (name, part) for name, part in files]
        return out

    ASGI_TRANSPORT.serializer("multipart/form-data")(with_filenames)
    ASGI_TRANSPORT._imagegw_binary_parts_as_files = True  # type: ignore[attr-defined]


class TickingClockApp:
    """ASGI wrapper: advance a :class:`ManualClock` by ``seconds`` before every HTTP request, and
    count the ``status`` of every successful task poll (``GET …/tasks/…`` answering 200) in
    :attr:`task_states`, to show which task states a run reached.

    ``state`` is the wrapped app's, so ``app.state.mock`` keeps working."""

    def __init__(self, app: Any, clock: ManualClock, seconds: float) -> None:
        self.app, self.clock, self.seconds = app, clock, seconds
        self.task_states: Counter = Counter()

    @property
    def state(self) -> Any:
        return self.app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.clock.advance(self.seconds)
        if scope.get("method") != "GET" or "/tasks/" not in scope.get("path", ""):
            await self.app(scope, receive, send)
            return
        status: list[int] = []
        body: list[bytes] = []

        async def spy(message: Any) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, spy)
        if status == [200]:
            try:
                self.task_states[str(json.loads(b"".join(body)).get("status"))] += 1
            except (ValueError, AttributeError):
                self.task_states["(unparsed)"] += 1


def auth_headers(spec: dict[str, Any], key: str) -> dict[str, str]:
    """Headers that satisfy every security scheme the contract declares, with ``key``."""
    headers: dict[str, str] = {}
    for scheme in ((spec.get("components") or {}).get("securitySchemes") or {}).values():
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            headers["Authorization"] = f"Bearer {key}"
        elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            headers[scheme["name"]] = key
    return headers


@dataclass
class RunResult:
    """What one Schemathesis run did: cases per phase, check outcomes, failures and errors."""

    gateway: str
    cases: Counter = field(default_factory=Counter)
    checks: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    phases: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    task_states: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def as_dict(self) -> dict[str, Any]:
        return {"gateway": self.gateway, "cases": dict(self.cases), "total_cases": self.total,
                "checks": dict(sorted(self.checks.items())), "phases": self.phases,
                "failures": len(self.failures), "errors": len(self.errors), "seconds": round(self.seconds, 2),
                "task_states": dict(self.task_states)}


def run(gateway_id: str, *, max_examples: int, seed: int | None, max_failures: int = 20) -> RunResult:
    """Run every phase and check of Schemathesis against ``gateway_id`` on a fresh mock.

    Args:
        gateway_id: one of ``contracts.GATEWAY_IDS`` (its contract must exist).
        max_examples: Hypothesis examples per operation in the fuzzing and stateful phases.
        seed: fixed seed for a reproducible run, or ``None`` for a random one.

    Returns:
        A :class:`RunResult`; ``failures`` and ``errors`` are formatted for an assertion message.
    """
    contract = contracts.load(gateway_id)
    register_formats(contract.spec)
    clock = ManualClock()
    settings = Settings(raise_server_exceptions=False, api_keys={gateway_id: API_KEY},
                        task_pending_seconds=1.5, task_processing_seconds=1.0)
    app = TickingClockApp(build_app(settings, clock=clock), clock, TICK_SECONDS)
    spec = contract.with_servers(f"http://testserver/{gateway_id}")
    config: dict[str, Any] = {
        "generation": {"max-examples": max_examples, "mode": "all", "deterministic": seed is not None},
        "headers": auth_headers(spec, API_KEY),
        "checks": {"enabled": True},
        "max-failures": max_failures,
        "analysis": {"constants": {"enabled": False}},
    }
    if seed is not None:
        config["seed"] = seed
    schema = schemathesis.openapi.from_dict(spec, config=SchemathesisConfig.from_dict(config))
    schema.app = app
    result = RunResult(gateway_id)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            result.cases[event.phase.value] += len(event.recorder.cases)
            for case_id, nodes in event.recorder.checks.items():
                for node in nodes:
                    result.checks[f"{node.name}:{node.status.value}"] += 1
                    if node.failure_info is not None:
                        case = event.recorder.cases.get(case_id)
                        label = event.recorder.label
                        result.failures.append(
                            f"[{event.phase.value}] {label} {node.name}: {node.failure_info.failure.title}\n"
                            f"{str(node.failure_info.failure)[:800]}\n    {node.failure_info.code_sample[:6000]}"
                            + (f"\n    (case {case.value.method} {case.value.path})" if case is not None else ""))
        elif isinstance(event, events.NonFatalError):
            result.errors.append(f"[{event.phase.value if event.phase else '-'}] {event.label}: {str(event.value)[:800]}")
        elif isinstance(event, events.FatalError):
            result.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.PhaseFinished):
            skip = getattr(event.phase, "skip_reason", None)
            result.phases[event.phase.name.value] = event.status.value + (f" ({skip.value})" if skip is not None else "")
        elif isinstance(event, events.EngineFinished):
            result.seconds = event.running_time
    result.task_states = app.task_states
    return result
