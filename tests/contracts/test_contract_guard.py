"""The contract check: ``create_app(contract_guard=...)`` (contracts.asgi.ContractGuard) and the
suite's use of it (tests/contract_guard.py, tests/mock_apps.py).

Every mock response in the suite is validated against its contract; these tests show the guard
is on in every app the suite builds, that it reports a response breaking its contract, that it
leaves out what is out of scope, and that a reported violation fails the test phase in which it
happened.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import contract_guard
import httpx
import pytest
from mock_apps import build_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import contracts
import contracts.asgi
from contracts.asgi import ContractGuard, Violation
from mock_server import ManualClock, Settings, create_app
from mock_server.testing import SyncASGITransport

GOOD = {"created": 1, "data": [{"url": "https://x.example/a.png", "size": "2048x2048"}], "metadata": {}}
AUTH = {"Authorization": "Bearer k"}


def _fake_gateway(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Starlette:
    async def answer(request: Request) -> Response:
        return JSONResponse(body, status_code=status, headers={"X-Request-Id": "r1", **(headers or {})})

    return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])


def _call(app: object, method: str, path: str) -> httpx.Response:
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1") as c:
        return c.request(method, path, json={"model": "seedream-4-0-250828", "prompt": "p"})


def _guarded(inner: Starlette, routes: dict[str, str] | None = None) -> tuple[ContractGuard, list[Violation]]:
    seen: list[Violation] = []
    return ContractGuard(inner, routes=routes or {"/powertokens": "powertokens"}, on_violation=seen.append), seen


def test_conforming_answer_passes_and_is_forwarded_unchanged() -> None:
    app, seen = _guarded(_fake_gateway(GOOD))
    r = _call(app, "POST", "/powertokens/v1/images/generations")
    assert r.status_code == 200 and r.json() == GOOD
    assert seen == []


def test_breaking_answer_is_reported_with_its_findings() -> None:
    bad = {k: v for k, v in GOOD.items() if k != "created"}
    app, seen = _guarded(_fake_gateway(bad))
    r = _call(app, "POST", "/powertokens/v1/images/generations?x=1")
    assert r.json() == bad  # the client still gets the answer
    [v] = seen
    assert (v.gateway, v.method, v.path, v.status, v.request_id) == ("powertokens", "POST", "/v1/images/generations?x=1", 200, "r1")
    assert [(f.location, f.kind) for f in v.findings] == [("/response/body/created", "missing_property")]
    assert "breaks the contract" in str(v)


def test_out_of_scope_paths_and_unknown_gateways_are_not_checked() -> None:
    app, seen = _guarded(_fake_gateway({"anything": 1}, status=418), routes={"/powertokens": "powertokens", "/dalle": "dalle"})
    for path in ("/__mock/health", "/powertokens/files/abc.png", "/powertokens/openapi.json", "/dalle/v1/x", "/other/v1/x"):
        _call(app, "GET", path)
    assert seen == []
    _call(app, "GET", "/powertokens/v1/images/generations")  # in scope: 418 is declared nowhere
    assert [f.kind for f in seen[0].findings] == ["unknown_operation"]


def test_root_gateway_prefix() -> None:
    app, seen = _guarded(_fake_gateway({"oops": True}), routes={"": "powertokens"})
    _call(app, "POST", "/v1/images/generations")
    assert len(seen) == 1 and seen[0].path == "/v1/images/generations"


def test_the_option_adds_the_guard_and_leaves_the_app_otherwise_unchanged() -> None:
    plain = create_app(Settings(), clock=ManualClock())
    assert not any(m.cls is ContractGuard for m in plain.user_middleware)
    guarded = create_app(Settings(root_gateway="powertokens"), clock=ManualClock(), contract_guard=print)
    [m] = [m for m in guarded.user_middleware if m.cls is ContractGuard]
    assert m.kwargs["on_violation"] is print
    assert m.kwargs["routes"] == {**{f"/{gid}": gid for gid in contracts.GATEWAY_IDS}, "": "powertokens"}
    assert guarded.state.mock is not None  # state untouched


def test_every_app_the_suite_builds_is_guarded(imagegw_app: Starlette) -> None:
    for app in (build_app(), imagegw_app):
        [m] = [m for m in app.user_middleware if m.cls is ContractGuard]
        assert m.kwargs["on_violation"] is contract_guard.record


def test_no_test_builds_an_app_around_the_guard() -> None:
    """``create_app(`` is called only by the suite's builder (and by this module, on purpose)."""
    tests = Path(__file__).resolve().parents[1]
    allowed = {tests / "mock_apps.py", Path(__file__).resolve()}
    calls = [
        f"{path.relative_to(tests)}:{n}"
        for path in sorted(tests.rglob("*.py"))
        if path not in allowed
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bcreate_app\(", line) and not line.lstrip().startswith(("#", "``"))
    ]
    assert calls == [], "build the mock with mock_apps.build_app (or the imagegw_app / imagegw_app_factory fixtures): " + ", ".join(calls)


@pytest.mark.no_contract_guard
def test_a_mock_answer_that_breaks_its_contract_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a contract that demands a field the mock never sends, the mock's real answer is reported."""
    strict = copy.deepcopy(contracts.load("powertokens").spec)
    strict["components"]["schemas"]["CreateImageResponse"]["required"].append("billing")
    variant = contracts.Contract(strict, "powertokens")
    monkeypatch.setattr(contracts.asgi, "load", lambda gid: variant if gid == "powertokens" else contracts.load(gid))
    app = build_app(Settings())
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1") as c:
        r = c.post("/powertokens/v1/images/generations", headers=AUTH, json={"model": "seedream-4-0-250828", "prompt": "p", "size": "1K"})
    assert r.status_code == 200
    found = contract_guard._take()
    assert [(f.location, f.kind) for v in found for f in v.findings] == [("/response/body/billing", "missing_property")]


def _violation() -> Violation:
    f = contracts.Finding("/response/body/created", "property 'created' present", "absent", "missing_property", True, "createImage")
    return Violation("powertokens", "POST", "/v1/images/generations", 200, (f,), "r1")


def test_a_violation_fails_the_phase_it_happened_in(request: pytest.FixtureRequest) -> None:
    gen = contract_guard._check(request.node, "the test")
    next(gen)  # the phase runs ...
    contract_guard.record(_violation())  # ... and the mock sends a breaking answer
    with pytest.raises(contract_guard.ContractViolationInTest, match="POST /v1/images/generations -> 200"):
        gen.send(None)
    assert contract_guard.VIOLATIONS == []


@pytest.mark.no_contract_guard
def test_the_opt_out_marker_lets_a_violation_pass(request: pytest.FixtureRequest) -> None:
    gen = contract_guard._check(request.node, "the test")
    next(gen)
    contract_guard.record(_violation())
    with pytest.raises(StopIteration):
        gen.send(None)
