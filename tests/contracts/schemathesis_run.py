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
  ``image-png-alpha``) generated as real tiny images, since random text cannot decode as one,
  and sizes inside each ``size:<rule>`` (``contracts/schemathesis_hooks.py``, the module the
  CLI loads too);
* Schemathesis's constants pool off: it feeds string literals found in the *mock's source* (e.g.
  ``"1024x1536"``) into generation, and a negative case built from one may be a size the server
  rightly accepts though the contract does not list it (Seedream's pixel-count rule is wider than
  any list; see ``x-server-enforces`` in the PowerTokens contract).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from mock_apps import build_app
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

import contracts
from contracts import schemathesis_hooks
from mock_server import ManualClock, Settings

API_KEY = "sk-imagegw-schemathesis"
TICK_SECONDS = 1.0


def register_formats(spec: dict[str, Any] | None = None) -> None:
    """Teach Schemathesis the contracts' own formats and send binary multipart parts as files:
    the same hooks module the CLI loads (``SCHEMATHESIS_HOOKS=contracts.schemathesis_hooks``),
    for ``spec``'s size rules too. Idempotent."""
    schemathesis_hooks.register(spec)


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


def _resolve(spec: dict[str, Any], schema: Any) -> Any:
    """``schema`` with a local ``$ref`` (``#/…``) followed, as many times as it takes."""
    while isinstance(schema, dict) and str(schema.get("$ref", "")).startswith("#/"):
        node: Any = spec
        for part in schema["$ref"][2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


def _as_sent(spec: dict[str, Any], schema: Any, media: str, body: Any) -> Any:
    """``body`` as the server reads it. A ``multipart/form-data`` part is text: a number or
    boolean drawn for a property whose schema is ``type: string`` arrives as its JSON text, a
    valid string (a "type" mutation there changes nothing on the wire)."""
    if media != "multipart/form-data" or not isinstance(body, dict):
        return body
    props = _resolve(spec, schema).get("properties") or {}
    sent = dict(body)
    for k, v in body.items():
        if isinstance(v, (bool, int, float)) and (_resolve(spec, props.get(k)) or {}).get("type") == "string":
            sent[k] = json.dumps(v)
    return sent


def schema_valid_negative(spec: dict[str, Any], case: Any) -> bool:
    """Whether a case Schemathesis generated as negative data is, as the server receives it,
    valid: only its body was mutated, and the body (:func:`_as_sent`) validates against the
    operation's request schema (JSON Schema 2020-12, the contract's own ``$ref``s resolved).

    Schemathesis 4.32 makes two such cases on TokenHub's multipart edits: it negates one branch
    of the body's ``anyOf`` (its rendering of ``if``/``then``/``else``) and draws a value the
    other branch accepts (only ``image[]`` parts: "violates `allOf` at /anyOf/0"), and it
    "mutates" a string field (``user``) into a number, which a multipart part sends as text.
    The mock is right to accept both, so they are counted apart (``RunResult.mislabelled``),
    not as failures; any other accepted negative case stays a failure.
    """
    from jsonschema import Draft202012Validator
    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.generation import GenerationMode

    meta = case.meta
    if meta is None or any(loc != ParameterLocation.BODY and info.mode == GenerationMode.NEGATIVE for loc, info in meta.components.items()):
        return False
    media = case.media_type or ""
    operation = ((spec.get("paths") or {}).get(case.path) or {}).get(case.method.lower()) or {}
    content = (operation.get("requestBody") or {}).get("content") or {}
    if media not in content:
        return False
    pointer = "/".join(
        p.replace("~", "~0").replace("/", "~1")
        for p in ("paths", case.path, case.method.lower(), "requestBody", "content", media, "schema")
    )
    # the contract as the root resource (its other keys are no JSON Schema keywords), so "#/components/…" resolves
    validator = Draft202012Validator({**spec, "$ref": f"#/{pointer}"})
    return validator.is_valid(_as_sent(spec, content[media].get("schema"), media, case.body))


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
    #: "negative" cases whose body the contract accepts (:func:`schema_valid_negative`), not failures
    mislabelled: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "gateway": self.gateway,
            "cases": dict(self.cases),
            "total_cases": self.total,
            "checks": dict(sorted(self.checks.items())),
            "phases": self.phases,
            "failures": len(self.failures),
            "errors": len(self.errors),
            "mislabelled": len(self.mislabelled),
            "seconds": round(self.seconds, 2),
            "task_states": dict(self.task_states),
        }


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
    settings = Settings(
        raise_server_exceptions=False, api_keys={gateway_id: API_KEY}, task_pending_seconds=1.5, task_processing_seconds=1.0
    )
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
                        if node.name == "negative_data_rejection" and case is not None and schema_valid_negative(spec, case.value):
                            result.mislabelled.append(f"[{event.phase.value}] {label}: {case.value.meta.phase.data}")
                            continue
                        result.failures.append(
                            f"[{event.phase.value}] {label} {node.name}: {node.failure_info.failure.title}\n"
                            f"{str(node.failure_info.failure)[:800]}\n    {node.failure_info.code_sample[:6000]}"
                            + (f"\n    (case {case.value.method} {case.value.path})" if case is not None else "")
                        )
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
