"""``prism mock`` on every served contract answers the documents' examples
(``fixtures/doc_examples``) and every request example of the contract: Prism validates each request
against the contract (OpenAPI 3.1, JSON Schema 2020-12 via ``jsonSchemaDialect``), finds no
violation (no ``sl-violations`` header), answers 2xx, and its answer — built from the contract's
own examples — conforms to the contract (``contracts.Contract.validate_response``).

One Prism process per gateway for the session, on a free port of 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from doc_examples import Prepared, build_request, load_examples
from toolrun import IDS, tool_env, tool_path

import contracts
from contracts import provenance as prov

API_KEY = "sk-imagegw-contract-tools"  # a test value
START_TIMEOUT_S = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclasses.dataclass
class PrismMock:
    gid: str
    url: str
    process: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


@pytest.fixture(scope="session")
def prism_mocks(served_contracts: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, PrismMock]]:
    """gateway id -> a running ``prism mock`` of its served contract (started together, stopped at the end)."""
    exe = tool_path("prism")
    folder = tmp_path_factory.mktemp("prism")
    mocks: dict[str, PrismMock] = {}
    try:
        for gid in IDS:
            port = _free_port()
            log = folder / f"{gid}.log"
            with log.open("w", encoding="utf-8") as out:
                proc = subprocess.Popen(
                    [str(exe), "mock", "-h", "127.0.0.1", "-p", str(port), str(served_contracts[gid])],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=tool_env(),
                    cwd=folder,
                    start_new_session=True,
                    text=True,
                )
            mocks[gid] = PrismMock(gid, f"http://127.0.0.1:{port}", proc, log)
        deadline = time.monotonic() + START_TIMEOUT_S
        for mock in mocks.values():
            while "Prism is listening" not in mock.output() and mock.process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)  # waiting for a real server to start, not a test sleep
        yield mocks
    finally:
        for mock in mocks.values():
            mock.process.terminate()
        for mock in mocks.values():
            try:
                mock.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                mock.process.kill()


def contract_request_examples(gid: str) -> list[tuple[str, Prepared]]:
    """``(label, request)`` for every ``application/json`` request-body example of the contract."""
    c = contracts.load(gid)
    auth = contracts.gateway_spec(gid).auth.headers(API_KEY)
    out = []
    for op in c.operations:
        body = prov.resolve(c.spec, c.operation_object(op).get("requestBody") or {})
        media = (body.get("content") or {}).get("application/json") or {}
        headers = {**auth, "Content-Type": "application/json"}
        for param in c.operation_object(op).get("parameters") or []:
            param = prov.resolve(c.spec, param)
            if param.get("in") == "header" and param.get("required"):
                headers[param["name"]] = param["schema"]["enum"][0]
        for name, ex in (media.get("examples") or {}).items():
            value = prov.resolve(c.spec, ex)["value"]
            out.append(
                (
                    f"contract example {op.operation_id}/{name}",
                    Prepared(op.method, op.path, headers, content=json.dumps(value).encode("utf-8")),
                )
            )
    return out


def doc_example_requests(gid: str) -> list[tuple[str, Prepared, str | None]]:
    """``(label, request, id of the example whose answer it needs)`` for the document's examples."""
    out = []
    for ex in load_examples(gid):
        needs = ex.requires["example"] if ex.requires else None
        out.append((f"document example {ex.id}", ex, needs))
    return out  # type: ignore[return-value]


def _ask(client: httpx.Client, gid: str, prepared: Prepared) -> httpx.Response:
    path = prepared.url.removeprefix(f"/{gid}")
    return client.request(
        prepared.method, path, headers=prepared.headers, content=prepared.content, data=prepared.data, files=prepared.files
    )


def _problems(gid: str, label: str, prepared: Prepared, response: httpx.Response) -> list[str]:
    c = contracts.load(gid)
    out = []
    if "sl-violations" in response.headers:
        out.append(f"{label}: Prism refused the request: {response.headers['sl-violations'][:1500]}")
    if not 200 <= response.status_code < 300:
        out.append(f"{label}: Prism answered {response.status_code}: {response.text[:800]}")
        return out
    path = prepared.url.removeprefix(f"/{gid}").split("?")[0]
    findings = c.validate_response(prepared.method, path, response)
    out += [f"{label}: Prism's answer breaks the contract: {f}" for f in findings]
    return out


@pytest.mark.tool("prism")
@pytest.mark.parametrize("gid", IDS)
def test_prism_mock_answers_the_examples(gid: str, prism_mocks: dict[str, PrismMock]) -> None:
    mock = prism_mocks[gid]
    assert mock.process.poll() is None and "Prism is listening" in mock.output(), f"prism did not start:\n{mock.output()}"
    problems: list[str] = []
    asked = 0
    with httpx.Client(base_url=mock.url, timeout=30) as client:
        answers: dict[str, Any] = {}
        for label, ex, needs in doc_example_requests(gid):
            prior = {needs: answers[needs]} if needs else None
            prepared = build_request(ex, api_key=API_KEY, prior=prior)  # type: ignore[arg-type]
            response = _ask(client, gid, prepared)
            asked += 1
            problems += _problems(gid, label, prepared, response)
            if response.headers.get("content-type", "").startswith("application/json"):
                answers[ex.id] = response.json()  # type: ignore[attr-defined]
        for label, prepared in contract_request_examples(gid):
            response = _ask(client, gid, prepared)
            asked += 1
            problems += _problems(gid, label, prepared, response)
    assert asked > 0, f"{gid}: no example to send"
    assert problems == [], f"{gid}: {len(problems)} problems in {asked} requests\n" + "\n".join(problems[:30])
