"""The README's Schemathesis CLI commands, run as written against ``imagegw serve`` on 127.0.0.1.

The commands are read from the README (the fenced block that holds ``st run``), so the test
runs what a user copies: the ``imagegw serve`` line's ``--api-key`` pins, and one
``SCHEMATHESIS_HOOKS=contracts.schemathesis_hooks st run …/<id>/openapi.json --checks all -H …``
per gateway. Two things change: the port (a free one instead of 8000) and, appended, a small
budget and a fixed seed (``-n 2 --seed 1``) so CI is quick and reproducible. Every gateway must
exit 0 with every generated case passed (a warning, such as "missing test data" for
``GET /files/{token}``, is allowed); the case counts are printed in the terminal summary.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_support import ROOT, TOOL_VERSIONS

import contracts
from contracts.registry import gateway_spec

pytestmark = pytest.mark.slow

BUDGET = ["-n", "2", "--seed", "1"]
#: gateway id -> "N generated, N passed, …" of its run in this session
CASES: dict[str, str] = {}


def readme_commands() -> tuple[list[str], dict[str, str]]:
    """``(serve arguments, {gateway id: st command line})`` from the README's Schemathesis block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)
    block = next(b for b in blocks if "st run" in b)
    lines = block.replace("\\\n", " ").splitlines()
    serve = next(line for line in lines if line.startswith("imagegw serve"))
    serve_args = shlex.split(serve.rstrip("& "))[2:]
    runs = {}
    for line in lines:
        m = re.search(r"st run http://127\.0\.0\.1:8000/([a-z]+)/openapi\.json", line)
        if m:
            runs[m.group(1)] = line
    return serve_args, runs


def test_readme_block_covers_every_gateway_with_a_pinned_key() -> None:
    serve_args, runs = readme_commands()
    assert sorted(runs) == sorted(contracts.GATEWAY_IDS)
    pinned = {serve_args[i + 1].split("=", 1)[0] for i, a in enumerate(serve_args) if a == "--api-key"}
    assert pinned == set(contracts.GATEWAY_IDS)
    keys = {serve_args[i + 1].split("=", 1)[0]: serve_args[i + 1].split("=", 1)[1] for i, a in enumerate(serve_args) if a == "--api-key"}
    for gid, line in runs.items():
        assert line.startswith("SCHEMATHESIS_HOOKS=contracts.schemathesis_hooks st run ")
        assert "--checks all" in line, line
        # the header each gateway takes its key in (the registry), carrying the pinned key
        ((name, value),) = gateway_spec(gid).auth.headers(keys[gid]).items()
        assert shlex.split(line)[-2:] == ["-H", f"{name}: {value}"], line


@pytest.fixture(scope="module")
def mock_url():  # type: ignore[no-untyped-def]
    from e2e_support import serve, stop

    serve_args, _ = readme_commands()
    serve_args = [a for i, a in enumerate(serve_args) if a != "--port" and (i == 0 or serve_args[i - 1] != "--port")]
    proc, url = serve(*serve_args)
    yield url
    stop(proc)


@pytest.mark.parametrize("gateway_id", contracts.GATEWAY_IDS)
def test_schemathesis_cli_finds_no_issue(gateway_id: str, mock_url: str, tmp_path: Path) -> None:
    _, runs = readme_commands()
    line = runs[gateway_id].replace("http://127.0.0.1:8000", mock_url) + " " + shlex.join(BUDGET)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SCHEMATHESIS_TELEMETRY": "false",
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    env.pop("SCHEMATHESIS_HOOKS", None)
    done = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    out = done.stdout + done.stderr
    TOOL_VERSIONS.setdefault("schemathesis", (re.search(r"Schemathesis v(\S+)", out) or [None, "?"])[1])
    counts = re.search(r"(\d+) generated, .*", out)
    CASES[gateway_id] = counts.group(0).strip() if counts else "(no count)"
    TOOL_VERSIONS[f"st run {gateway_id}"] = CASES[gateway_id]
    assert done.returncode == 0, f"exit {done.returncode}:\n{out[-6000:]}"
    # every generated case passed: "N generated, N passed[, M skipped]" (failures read "…, found K unique failures")
    summary = re.search(r"(\d+) generated, (\d+) passed(?:, \d+ skipped)?\s*$", out, flags=re.MULTILINE)
    assert summary and summary.group(1) == summary.group(2) and int(summary.group(1)) > 0, out[-3000:]
