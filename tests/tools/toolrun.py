"""Where the contract tools live and how the tests run them (see ``conftest.py``)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import contracts

ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = ROOT / "tools" / "contract-tools"
NODE_BIN = TOOLS_DIR / "node_modules" / ".bin"
PY_TOOLS_BIN = TOOLS_DIR / ".venv" / "bin"
IDS = contracts.GATEWAY_IDS
INSTALL_HINT = "install the tools with: bash tools/contract-tools/install.sh"


# -- the tools -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A finished tool run: ``argv``, ``returncode`` and its combined ``output`` (stdout + stderr)."""

    argv: list[str]
    returncode: int
    output: str

    def explain(self) -> str:
        return f"$ {' '.join(self.argv)}\n(exit {self.returncode})\n{self.output[-6000:]}"


def tool_path(name: str) -> Path:
    """The executable of tool ``name`` (an npm binary, or ``openapi-python-client``); fails the test
    when it is not installed."""
    path = (PY_TOOLS_BIN if name == "openapi-python-client" else NODE_BIN) / name
    if not path.exists():
        pytest.fail(f"{name} is not installed at {path}; {INSTALL_HINT}", pytrace=False)
    return path


def tool_env() -> dict[str, str]:
    """The environment the tools run in: no telemetry, no update checks, no colours."""
    env = dict(os.environ)
    env.update(
        {
            "REDOCLY_TELEMETRY": "off",
            "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
            "NO_COLOR": "1",
            "FORCE_COLOR": "0",
            "NO_UPDATE_NOTIFIER": "1",
            "SCARF_ANALYTICS": "false",
        }
    )
    return env


def run_tool(name: str, *args: str | Path, cwd: Path | None = None, timeout_s: float = 300) -> Run:
    """Run tool ``name`` with ``args`` and wait for it (``timeout_s`` seconds at most)."""
    argv = [str(tool_path(name)), *map(str, args)]
    proc = subprocess.run(
        argv, cwd=cwd or ROOT, env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout_s, check=False
    )
    return Run(argv, proc.returncode, proc.stdout)
