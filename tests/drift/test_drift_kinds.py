"""Every drift kind, injected into the mock on more than one gateway, is reported with the right
kind, severity and location — and nothing else is.

Expectations follow the rules in ``docs/drift.md`` (and ``drift.model``'s docstring):
narrowing what a request may send and widening what a response may hold break clients; a field
the contract marks optional may go; an added field is tolerated unless the schema is closed;
latency is reported but does not break. Whether a part is required comes from the contracts
(``contracts/<id>.openapi.yaml``), which the tests cite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from drift_mutations import FakeTimer, Rule, body_has, drop_at, each_item, set_at
from drift_support import Baselines, Mutated, run_drift_on

from mock_server import ManualClock

GEN = r"^/v1/images/generations$"
PB_GPT = r"^/v2/extend/image/gpt_image/generations$"
PB_GPT_POLL = r"^/v2/extend/image/gpt_image/tasks/"
PB_GEMINI_POLL = r"^/v2/extend/image/tasks/"
CHAT = r"^/v1/chat/completions$"


def _openai_error(param: str, message: str, code: str = "invalid_parameter") -> Any:
    return lambda body, _h: {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


def _to_flat_error(body: Any, _h: dict) -> Any:
    err = body["error"]
    return {"code": err["code"], "message": err["message"]}


def _to_envelope(body: Any, _h: dict) -> Any:
    return {"code": 400, "msg": body["error"]["message"], "data": None}


@dataclass
class Case:
    """One injected change and the findings it must produce: ``(kind, severity, step, location)``."""

    name: str
    gateway: str
    rules: list[Rule]
    expect: set[tuple[str, str, str, str]]
    budget: int = 1
    baseline: bool = True
    documented: dict[str, bool] = field(default_factory=dict)  # location -> documented?


def cases() -> list[Case]:
    return [
        # -- field added: a field the contract does not declare; schemas are open -> non-breaking
        Case(
            "field_added",
            "powertokens",
            [Rule(path=GEN, status=200, body=each_item("data", lambda i: i.__setitem__("revised_prompt", "x")))],
            {("field_added", "non-breaking", "send", "/body/data/0/revised_prompt")},
        ),
        Case(
            "field_added",
            "piebox",
            [Rule(path=PB_GPT, status=200, body=set_at(["queue_position"], 3))],
            {("field_added", "non-breaking", "create", "/body/queue_position")},
        ),
        # -- field removed: `created` is required (powertokens CreateImageResponse.required), `model` too (piebox)
        Case(
            "field_removed",
            "powertokens",
            [Rule(path=GEN, status=200, body=drop_at(["created"]))],
            {("field_removed", "breaking", "send", "/body/created")},
            documented={"/body/created": True},
        ),
        Case(
            "field_removed",
            "piebox",
            [Rule(path=PB_GPT, status=200, body=drop_at(["model"]))],
            {("field_removed", "breaking", "create", "/body/model")},
        ),
        # -- an optional field (ImageItem.size is not required) may go: reported, non-breaking
        Case(
            "field_removed_optional",
            "powertokens",
            [Rule(path=GEN, status=200, body=each_item("data", lambda i: i.pop("size")))],
            {("field_removed", "non-breaking", "send", "/body/data/0/size")},
        ),
        # -- type changed
        Case(
            "type_changed",
            "powertokens",
            [Rule(path=GEN, status=200, body=lambda b, _h: {**b, "created": str(b["created"])})],
            {("type_changed", "breaking", "send", "/body/created")},
        ),
        Case(
            "type_changed",
            "piebox",
            [Rule(path=r"^/v2/extend/image/generations$", status=400, body=lambda b, _h: {"error": {**b["error"], "code": 400}})],
            {("type_changed", "breaking", "send", "/body/error/code")},
        ),
        # -- now nullable: error.message is `type: string` in both contracts
        Case(
            "now_nullable",
            "powertokens",
            [Rule(path=GEN, status=400, when=body_has("size", "1x1"), body=lambda b, _h: {"error": {**b["error"], "message": None}})],
            {("now_nullable", "breaking", "send", "/body/error/message")},
        ),
        Case(
            "now_nullable",
            "piebox",
            [Rule(path=PB_GPT_POLL, status=200, body=set_at(["model"], None))],
            {("now_nullable", "breaking", "poll", "/body/model")},
            documented={"/body/model": True},
        ),
        # -- a categorical value outside the known set
        Case(
            "enum_value_new",
            "powertokens",
            [
                Rule(
                    path=GEN,
                    status=400,
                    when=body_has("model", "imagegw-drift-no-such-model"),
                    body=lambda b, _h: {"error": {**b["error"], "type": "invalid_model_error"}},
                )
            ],
            {("enum_value_new", "breaking", "send", "/body/error/type")},
        ),
        Case(
            "enum_value_new",
            "piebox",
            [Rule(path=PB_GPT, status=200, body=set_at(["model"], "gpt-image-2-preview"))],
            {("enum_value_new", "breaking", "create", "/body/model")},
        ),
        # -- a documented request value refused: narrowing a request -> breaking
        Case(
            "enum_value_gone",
            "powertokens",
            [
                Rule(
                    path=GEN,
                    status=200,
                    when=body_has("response_format", "url"),
                    set_status=400,
                    body=_openai_error("response_format", "response_format: 'url' is no longer supported"),
                )
            ],
            {("enum_value_gone", "breaking", "send", "/request/body/response_format")},
            documented={"/request/body/response_format": True},
        ),
        Case(
            "enum_value_gone",
            "piebox",
            [
                Rule(
                    path=PB_GPT,
                    status=200,
                    when=body_has("quality", "low"),
                    set_status=400,
                    body=_openai_error("quality", "quality: 'low' is not one of medium, high"),
                )
            ],
            {("enum_value_gone", "breaking", "create", "/request/body/quality")},
        ),
        # -- status code changed (bodies unchanged)
        Case(
            "status_code_changed",
            "powertokens",
            [Rule(path=GEN, status=400, when=body_has("model", "imagegw-drift-no-such-model"), set_status=404)],
            {("status_code_changed", "breaking", "send", "/status")},
        ),
        Case(
            "status_code_changed",
            "piebox",
            [Rule(path=PB_GPT, status=401, set_status=403)],
            {("status_code_changed", "breaking", "send", "/status")},
        ),
        # -- error shape changed: every error body of the free probes
        Case(
            "error_shape_changed",
            "powertokens",
            [Rule(path=GEN, status=400, body=_to_flat_error)],
            {("error_shape_changed", "breaking", "send", "/body")},
        ),
        Case(
            "error_shape_changed", "piebox", [Rule(status=404, body=_to_envelope)], {("error_shape_changed", "breaking", "send", "/body")}
        ),
        # -- task states (PieBox is the only gateway with tasks: two families)
        Case(
            "task_state_renamed",
            "piebox",
            [Rule(path=PB_GPT_POLL, status=200, body=lambda b, _h: {**b, "status": "completed"} if b["status"] == "succeeded" else b)],
            {("task_state_renamed", "breaking", "poll", "/body/status")},
            documented={"/body/status": True},
        ),
        Case(
            "task_state_renamed_no_baseline",
            "piebox",
            [Rule(path=PB_GPT_POLL, status=200, body=lambda b, _h: {**b, "status": "done"} if b["status"] == "succeeded" else b)],
            {("task_state_renamed", "breaking", "poll", "/body/status")},
            baseline=False,
        ),
        Case(
            "task_state_new",
            "piebox",
            [Rule(path=PB_GPT_POLL, status=200, times=1, body=set_at(["status"], "queued"))],
            {("task_state_new", "breaking", "poll", "/body/status")},
        ),
        Case(
            "task_state_new_gemini",
            "piebox",
            [Rule(path=PB_GEMINI_POLL, status=200, times=1, body=set_at(["status"], "queued"))],
            {("task_state_new", "breaking", "poll", "/body/status")},
            budget=2,
        ),
        # -- header dropped: X-Request-Id is `required: true` in both contracts (inferred)
        Case(
            "header_dropped",
            "powertokens",
            [Rule(path=GEN, status=400, drop_headers=("X-Request-Id",))],
            {("header_dropped", "breaking", "send", "/headers/x-request-id")},
            documented={"/headers/x-request-id": False},
        ),
        Case(
            "header_dropped",
            "piebox",
            [Rule(path=PB_GPT_POLL, status=200, drop_headers=("X-Request-Id",))],
            {("header_dropped", "breaking", "poll", "/headers/x-request-id")},
        ),
        # -- content type changed: the image download, a JSON answer, undecodable base64
        Case(
            "content_type_changed",
            "powertokens",
            [Rule(path=r"^/files/", status=200, content_type="application/octet-stream")],
            {("content_type_changed", "breaking", "download", "/content_type")},
        ),
        Case(
            "content_type_changed",
            "piebox",
            [Rule(path=PB_GPT_POLL, status=404, content_type="text/html")],
            {("content_type_changed", "breaking", "send", "/content_type")},
        ),
        Case(
            "content_type_changed_b64",
            "powertokens",
            [
                Rule(
                    path=GEN,
                    status=200,
                    when=body_has("response_format", "b64_json"),
                    body=each_item("data", lambda i: i.__setitem__("b64_json", "bm90IGFuIGltYWdlLCBqdXN0IHRleHQ=")),
                )
            ],
            {("content_type_changed", "breaking", "send", "/body/data/0/b64_json")},
            budget=2,
        ),
        # -- latency: non-breaking, against the baseline (0 ms recorded; 30 s injected)
        Case(
            "latency_shifted",
            "powertokens",
            [Rule(path=GEN, status=200, delay_s=30.0)],
            {("latency_shifted", "non-breaking", "send", "/latency_ms")},
        ),
        Case(
            "latency_shifted",
            "piebox",
            [Rule(path=PB_GPT, status=200, delay_s=5.0)],
            {("latency_shifted", "non-breaking", "create", "/latency_ms")},
        ),
        # -- TokenHub (OpenAI flat + chat, DashScope passthrough)
        Case(
            "field_added",
            "tokenhub",
            [Rule(path=GEN, status=200, body=each_item("data", lambda i: i.__setitem__("imagegw_extra", 1)))],
            {("field_added", "non-breaking", "send", "/body/data/0/imagegw_extra")},
        ),
        Case(
            "field_removed",
            "tokenhub",
            [Rule(path=CHAT, status=200, body=drop_at(["object"]))],
            {("field_removed", "breaking", "send", "/body/object")},
            budget=4,
        ),
        Case(
            "type_changed",
            "tokenhub",
            [Rule(path=CHAT, status=200, body=lambda b, _h: {**b, "created": str(b["created"])})],
            {("type_changed", "breaking", "send", "/body/created")},
            budget=4,
        ),
        Case(
            "now_nullable",
            "tokenhub",
            [Rule(path=CHAT, status=200, body=lambda b, _h: {**b, "choices": [{**c, "finish_reason": None} for c in b["choices"]]})],
            {("now_nullable", "breaking", "send", "/body/choices/0/finish_reason")},
            budget=4,
        ),
        Case(
            "enum_value_new",
            "tokenhub",
            [
                Rule(
                    path=GEN,
                    status=400,
                    when=lambda r: isinstance(r, dict) and "input" in r,
                    body=lambda b, _h: {**b, "code": "InvalidSize"},
                )
            ],
            {("enum_value_new", "breaking", "send", "/body/code")},
        ),
        Case(
            "enum_value_gone",
            "tokenhub",
            [
                Rule(
                    path=GEN,
                    status=200,
                    when=body_has("response_format", "url"),
                    set_status=400,
                    body=_openai_error("response_format", "response_format url is not available for this model"),
                )
            ],
            {("enum_value_gone", "breaking", "send", "/request/body/response_format")},
            budget=2,
        ),
        Case(
            "status_code_changed",
            "tokenhub",
            [Rule(path=CHAT, status=400, when=lambda r: r.get("model") != "imagegw-drift-no-such-model", set_status=403)],
            {("status_code_changed", "breaking", "send", "/status")},
        ),
        Case(
            "error_shape_changed",
            "tokenhub",
            [Rule(path=r"^/v1/images/edits$", status=400, body=_to_flat_error)],
            {("error_shape_changed", "breaking", "send", "/body")},
        ),
        Case(
            "header_dropped",
            "tokenhub",
            [Rule(path=CHAT, status=400, drop_headers=("X-Request-Id",))],
            {("header_dropped", "breaking", "send", "/headers/x-request-id")},
        ),
        Case(
            "content_type_changed",
            "tokenhub",
            [Rule(path=CHAT, status=200, content_type="text/event-stream")],
            {("content_type_changed", "breaking", "send", "/content_type")},
            budget=4,
        ),
        Case(
            "latency_shifted",
            "tokenhub",
            [Rule(path=r"^/v1/images/edits$", delay_s=4.0)],
            {("latency_shifted", "non-breaking", "send", "/latency_ms")},
        ),
        # -- Gravitex and Image Series (the {code, msg, data} envelope)
        Case(
            "field_added",
            "imageseries",
            [Rule(path=GEN, status=200, body=set_at(["trace_id"], "t-1"))],
            {("field_added", "non-breaking", "send", "/body/trace_id")},
        ),
        Case(
            "field_removed",
            "gravitex",
            [Rule(path=GEN, status=200, body=drop_at(["data", "created"]))],
            {("field_removed", "breaking", "send", "/body/data/created")},
            documented={"/body/data/created": True},
        ),
        Case(
            "type_changed",
            "gravitex",
            [Rule(path=GEN, status=400, body=lambda b, _h: {**b, "code": str(b["code"])})],
            {("type_changed", "breaking", "send", "/body/code")},
        ),
        Case(
            "now_nullable",
            "gravitex",
            [
                Rule(
                    path=GEN,
                    status=200,
                    body=lambda b, _h: {**b, "data": {**b["data"], "data": [{**i, "revised_prompt": None} for i in b["data"]["data"]]}},
                )
            ],
            {("now_nullable", "breaking", "send", "/body/data/data/0/revised_prompt")},
        ),
        Case(
            "enum_value_new",
            "gravitex",
            [Rule(path=GEN, status=200, body=set_at(["msg"], "OK"))],
            {("enum_value_new", "breaking", "send", "/body/msg")},
        ),
        Case(
            "enum_value_gone",
            "imageseries",
            [
                Rule(
                    path=GEN,
                    status=200,
                    when=body_has("quality", "low"),
                    set_status=400,
                    body=lambda b, _h: {"code": 400, "msg": "quality: 'low' is not supported any more", "data": None},
                )
            ],
            {("enum_value_gone", "breaking", "send", "/request/body/quality")},
        ),
        Case(
            "status_code_changed",
            "imageseries",
            [Rule(path=GEN, status=401, set_status=403, body=lambda b, _h: {**b, "code": 403})],
            {("status_code_changed", "breaking", "send", "/status")},
        ),
        Case(
            "error_shape_changed",
            "gravitex",
            [
                Rule(
                    path=GEN,
                    status=401,
                    body=lambda b, _h: {"error": {"message": b["msg"], "type": "authentication_error", "param": None, "code": None}},
                )
            ],
            {("error_shape_changed", "breaking", "send", "/body")},
        ),
        Case(
            "header_dropped",
            "imageseries",
            [Rule(path=GEN, status=400, drop_headers=("X-Request-Id",))],
            {("header_dropped", "breaking", "send", "/headers/x-request-id")},
        ),
        Case(
            "content_type_changed",
            "imageseries",
            [Rule(path=GEN, status=400, content_type="text/plain")],
            {("content_type_changed", "breaking", "send", "/content_type")},
        ),
        Case(
            "latency_shifted",
            "gravitex",
            [Rule(path=GEN, status=401, delay_s=2.5)],
            {("latency_shifted", "non-breaking", "send", "/latency_ms")},
        ),
        # -- without a baseline: the contract alone catches what it declares
        Case(
            "contract_field_removed",
            "powertokens",
            [Rule(path=GEN, status=200, body=drop_at(["created"]))],
            {("field_removed", "breaking", "send", "/body/created")},
            baseline=False,
        ),
        Case(
            "contract_header_dropped",
            "piebox",
            [Rule(path=PB_GPT_POLL, status=200, drop_headers=("X-Request-Id",))],
            {("header_dropped", "breaking", "poll", "/headers/x-request-id")},
            baseline=False,
        ),
        Case(
            "contract_enum_value_new",
            "piebox",
            [Rule(path=PB_GPT, status=200, body=set_at(["model"], "gpt-image-3"))],
            {("enum_value_new", "breaking", "create", "/body/model")},
            baseline=False,
        ),
        Case(
            "contract_error_shape_changed",
            "gravitex",
            [Rule(path=GEN, status=400, body=lambda b, _h: {"message": b["msg"]})],
            {("error_shape_changed", "breaking", "send", "/body")},
            baseline=False,
        ),
        Case(
            "contract_type_changed",
            "tokenhub",
            [Rule(path=CHAT, status=200, body=lambda b, _h: {**b, "created": str(b["created"])})],
            {("type_changed", "breaking", "send", "/body/created")},
            budget=4,
            baseline=False,
        ),
        Case(
            "contract_status_code_changed",
            "imageseries",
            [Rule(path=GEN, status=401, set_status=418)],
            {("status_code_changed", "breaking", "send", "/status")},
            baseline=False,
        ),
        Case(
            "contract_field_added",
            "gravitex",
            [Rule(path=GEN, status=200, body=set_at(["trace_id"], "t-1"))],
            {("field_added", "non-breaking", "send", "/body/trace_id")},
            baseline=False,
        ),
    ]


CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}-{c.gateway}" for c in CASES])
def test_injected_change_is_reported(
    case: Case, baselines: Baselines, mutated: Mutated, imagegw_clock: ManualClock, fake_timer: FakeTimer
) -> None:
    app = mutated(case.gateway, case.rules)
    baseline = baselines(case.gateway) if case.baseline else None
    report = run_drift_on(case.gateway, app, imagegw_clock, timer=fake_timer, budget=case.budget, baseline=baseline)
    assert report.status == "ok", report.reason
    assert all(r.applied for r in case.rules), "the injected change never applied"
    got = {(f.kind, f.severity, f.step, f.location) for f in report.findings}
    assert got == case.expect, [f.as_dict() for f in report.findings]
    breaking = any(sev == "breaking" for _, sev, _, _ in case.expect)
    assert report.exit_code == (1 if breaking else 0)
    for f in report.findings:
        assert f.id.startswith("DRIFT-") and f.gateway == case.gateway and f.operation
        assert f.provenance.kind in ("documented", "inferred"), f.as_dict()
        if f.location in case.documented:
            assert f.documented is case.documented[f.location], f.as_dict()
        if f.kind != "latency_shifted":
            assert f.request_id or f.location == "/headers/x-request-id", f.as_dict()


def test_every_kind_is_covered_on_more_than_one_gateway() -> None:
    from drift import KINDS

    gateways: dict[str, set[str]] = {}
    for c in CASES:
        for kind, *_ in c.expect:
            gateways.setdefault(kind, set()).add(c.gateway)
    # contract_violation: test_drift_runs.py (gravitex); mock_divergence: test_mock_divergence.py (every gateway)
    tested = set(gateways) | {"contract_violation", "mock_divergence"}
    assert tested == set(KINDS)
    single = {k for k, g in gateways.items() if len(g) < 2 and not k.startswith("task_state")}
    assert not single, single  # task states exist on PieBox only: covered on two of its families instead
