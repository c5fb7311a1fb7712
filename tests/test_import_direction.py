"""Which package may import which (ARCHITECTURE.md, "Layers"), checked in a fresh interpreter.

``clients``, ``drift`` and ``mock_server`` meet only through ``contracts`` (the contract model
and the gateway registry) and ``recordings`` (the recordings format); drift drives the
reference client's flows, so ``drift -> clients`` is the one edge between them, never the other
way. ``imagegw`` (the composition root) imports them all and nothing imports it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package -> the packages it must never import (directly or through anything it imports)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "contracts": ("mock_server", "clients", "drift", "recordings", "imagegw"),
    "recordings": ("mock_server", "clients", "drift", "imagegw"),
    "clients": ("mock_server", "drift", "recordings", "imagegw"),
    "mock_server": ("clients", "drift", "imagegw"),
    "drift": ("mock_server", "imagegw"),
}

_PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
modules = [package.__name__]
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    if info.name.rsplit(".", 1)[-1] != "__main__":
        importlib.import_module(info.name)
        modules.append(info.name)
print(json.dumps({"modules": modules, "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _imports(package: str) -> dict[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE, package], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_never_imports_what_its_layer_forbids(package: str) -> None:
    seen = _imports(package)
    assert len(seen["modules"]) > 1  # every module of the package was imported, not only its __init__
    bad = sorted(set(seen["loaded"]) & set(FORBIDDEN[package]))
    assert bad == [], f"{package} imports {bad}"


def test_clients_never_import_the_mock() -> None:
    # DESIGN.md: "clients never imports mock_server"; the other packages' rules are above
    assert "mock_server" not in _imports("clients")["loaded"]


def test_drift_uses_the_client_flows_and_the_recordings_format() -> None:
    loaded = _imports("drift")["loaded"]
    assert {"clients", "contracts", "recordings"} <= set(loaded)
