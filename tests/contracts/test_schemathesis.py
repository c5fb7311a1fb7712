"""Schemathesis against each gateway's mock, in-process, every phase and every check.

Budget: the Hypothesis profile selected by ``IMAGEGW_PROFILE`` (``tests/conftest.py``) sets
Schemathesis's examples per operation (``dev`` 10, ``ci`` 25, ``nightly`` 10 000) and whether the
run is reproducible (``ci`` is derandomized: fixed seed). The coverage and examples phases add
their own deterministic cases on top. Case counts are printed at the end of the run.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings as hsettings
from schemathesis_run import run

import contracts

PHASES_THAT_MUST_RUN = ("examples", "coverage", "fuzzing")


@pytest.mark.parametrize("gateway_id", contracts.GATEWAY_IDS)
def test_mock_conforms_to_its_contract(gateway_id: str, report_schemathesis_run: Any) -> None:
    profile = hsettings()
    result = run(gateway_id, max_examples=profile.max_examples, seed=0 if profile.derandomize else None)
    # the counts travel with the test's report (also from an xdist worker) to the run's summary
    report_schemathesis_run(result.as_dict())

    problems = result.errors + result.failures
    assert not problems, f"{len(result.failures)} check failures, {len(result.errors)} errors:\n\n" + "\n\n".join(problems[:15])
    for phase in PHASES_THAT_MUST_RUN:
        assert result.cases[phase] > 0, f"phase {phase} sent no request: {result.phases}"
    # the fuzzing phase reached every operation (Hypothesis stops early only on a small input space)
    operations = len(contracts.load(gateway_id).operations)
    assert result.cases["fuzzing"] >= operations * min(profile.max_examples, 10)
    if profile.max_examples >= 10_000:  # the nightly promise: at least 10 000 cases per gateway
        assert result.total >= 10_000, result.as_dict()
    # the checks that prove the contract was exercised actually ran and passed
    for check in (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",
    ):
        assert result.checks[f"{check}:success"] > 0, f"{check} never ran: {dict(result.checks)}"
    if gateway_id == "piebox":
        # the stateful phase followed the contract's links from each create to its poll, and the
        # polls saw tasks move through the documented states (000: "Status values: pending
        # processing succeeded or failed"); the clock ticks per request
        assert result.phases.get("stateful", "").startswith("success"), result.phases
        assert result.cases["stateful"] > 0
        assert result.task_states["pending"] > 0 and result.task_states["succeeded"] > 0, result.task_states


def test_piebox_contract_links_each_create_to_its_poll() -> None:
    """PieBox's OpenAPI links (create -> poll) are what drive the stateful phase of its run above
    (000: "they return a task_id, and you need to poll for the result")."""
    links = [
        link
        for item in contracts.load("piebox").spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
        for resp in (op.get("responses") or {}).values()
        if isinstance(resp, dict)
        for link in (resp.get("links") or {}).values()
    ]
    assert len(links) >= 3, "each of the three create operations links to its poll operation"
