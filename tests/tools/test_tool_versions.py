"""Each OpenAPI tool reports the version pinned in ``tools/contract-tools`` (``package.json`` for the
npm tools, ``requirements.txt`` for openapi-python-client); the versions are recorded for the
terminal summary and ``reports/contract-tools.json``."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from contract_tools_summary import VERSION_PROPERTY
from toolrun import TOOLS_DIR, run_tool

#: table name -> (executable, npm package or None for the pip one)
TOOLS = {
    "openapi-python-client": ("openapi-python-client", None),
    "openapi-typescript": ("openapi-typescript", "openapi-typescript"),
    "typescript": ("tsc", "typescript"),
    "prism": ("prism", "@stoplight/prism-cli"),
    "spectral": ("spectral", "@stoplight/spectral-cli"),
    "redocly": ("redocly", "@redocly/cli"),
}


def pinned(package: str | None) -> str:
    """The version ``tools/contract-tools`` pins for ``package`` (None: openapi-python-client)."""
    if package is None:
        text = (TOOLS_DIR / "requirements.txt").read_text(encoding="utf-8")
        [version] = re.findall(r"^openapi-python-client==(\S+)", text, re.M)
        return version
    return json.loads((TOOLS_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"][package]


@pytest.mark.parametrize("name", list(TOOLS))
def test_tool_reports_its_pinned_version(name: str, record_property: Any) -> None:
    exe, package = TOOLS[name]
    run = run_tool(exe, "--version", timeout_s=60)
    assert run.returncode == 0, run.explain()
    # the line that ends with the version (tools may print notices around it)
    found = re.findall(r"(?:^|[\sv])(\d+\.\d+\.\d+)[ \t]*$", run.output, re.M)
    assert found, run.explain()
    record_property(VERSION_PROPERTY, [name, found[0]])  # for the run's summary (also from an xdist worker)
    assert found[0] == pinned(package), run.explain()
