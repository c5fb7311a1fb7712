"""The CI recipes of ``docs/ci.md``, run here: their own shell steps, on 127.0.0.1.

For each recipe (GitHub Actions, GitLab CI, plain shell) the test reads the document, takes the
shell steps that start the mock, wait on ``/__mock/health`` and keep the journal, and runs them
in ``bash`` with three substitutions: the package spec ``imagegw`` becomes a wheel built from
this checkout (PyPI has no imagegw to install here), port 8000 becomes a free port, and the
recipe's own test step (``npm test``, ``./run-tests.sh``) becomes one generation request with
curl. The mock must answer it, the journal the recipe keeps must hold it, and whatever the
recipe leaves running is stopped by its process group afterwards (the plain-shell recipe stops
the mock itself, which is checked).

* GitHub Actions: the ``run`` steps named ``imagegw: …`` (``uses`` steps are the runner's:
  checkout, setup-python, upload-artifact); ``pipx run --spec <wheel>``.
* GitLab CI: ``before_script``, then the test step, then ``after_script``.
* plain shell: the script as written, the line after ``# your tests`` being the test step.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest
import yaml
from e2e_support import ROOT, TOOL_VERSIONS, free_port

pytestmark = pytest.mark.slow

DOC = ROOT / "docs" / "ci.md"
PROMPT = "a first image from a CI recipe"  # no quote characters: the test step is shell text


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def recipe_steps(name: str) -> tuple[list[str], list[str]]:
    """``(steps before the app's tests, steps after them)`` of recipe ``name``, as shell text."""
    if name == "github":
        workflow = yaml.safe_load(next(b for b in _blocks("yaml") if "runs-on" in b))
        steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
        runs = [s for s in steps if "run" in s]
        app = next(i for i, s in enumerate(runs) if not str(s.get("name", "")).startswith("imagegw:"))
        assert all(str(s.get("name", "")).startswith("imagegw:") for i, s in enumerate(runs) if i != app)
        return [s["run"] for s in runs[:app]], [s["run"] for s in runs[app + 1 :]]
    if name == "gitlab":
        pipeline = yaml.safe_load(next(b for b in _blocks("yaml") if "before_script" in b))
        (job,) = [j for j in pipeline.values() if isinstance(j, dict) and "script" in j]
        return list(job["before_script"]), list(job.get("after_script", []))
    if name == "shell":
        script = next(b for b in _blocks("sh") if b.startswith("#!/usr/bin/env bash"))
        head, _, tail = script.partition("# your tests")
        tail_lines = tail.splitlines()[2:]  # the comment's own line end, then the app's test command
        return [head], ["\n".join(tail_lines)]
    raise ValueError(name)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this checkout, built by pip (as a publisher would) from the files git tracks,
    copied out first: an untracked file cannot slip in, and the build leaves nothing behind."""
    src, dist = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("dist")
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True, text=True).stdout
    for name in filter(None, tracked.split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    (built,) = dist.glob("imagegw-*.whl")
    names = zipfile.ZipFile(built).namelist()
    # what the recipes and the README's commands need from the wheel
    for needed in ("mock_server/cli.py", "mock_server/inspector.py", "contracts/schemathesis_hooks.py", "contracts/tokenhub.openapi.yaml"):
        assert needed in names, f"{needed} missing from {built.name}"
    return built


def _substitute(text: str, wheel: Path, port: int, work: Path) -> str:
    text = text.replace("pipx run --spec imagegw ", f"pipx run --spec {wheel} ")
    text = text.replace("/tmp/imagegw", str(work / "imagegw-venv"))  # GitLab's throw-away container path
    text = text.replace("pip install --quiet imagegw", f"pip install --quiet {wheel}")
    return text.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace("--port 8000", f"--port {port}")


@pytest.mark.parametrize("name", ["github", "gitlab", "shell"])
def test_recipe_starts_the_mock_and_keeps_the_journal(name: str, wheel: Path, tmp_path: Path) -> None:
    before, after = recipe_steps(name)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app_step = (
        f"curl -fsS {base}/powertokens/v1/images/generations -H 'Authorization: Bearer sk-test' "
        f"-H 'Content-Type: application/json' -o generation.json "
        f"-d '{json.dumps({'model': 'seedream-4-5-251128', 'prompt': PROMPT, 'size': '2048x2048', 'response_format': 'url'})}'"
    )
    script = "\n".join(["set -euo pipefail", *before, app_step, *after]) if name != "shell" else "\n".join([*before, app_step, *after])
    work = tmp_path / "job"
    work.mkdir()
    script = _substitute(script, wheel, port, work)
    assert str(wheel) in script, "the recipe installs imagegw some other way than the document's spec"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "pipx-bin"),
    }
    for var in ("VIRTUAL_ENV", "PYTHONPATH", "IMAGEGW_MOCK_SECRET"):
        env.pop(var, None)
    (work / "recipe.sh").write_text(script)
    job = subprocess.Popen(
        ["bash", "recipe.sh"], cwd=work, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        out, _ = job.communicate(timeout=900)
        still_running = _group_alive(job.pid, wait_s=10 if name == "shell" else 0)
    finally:
        _stop_group(job.pid)
    log = (work / "imagegw.log").read_text(errors="replace") if (work / "imagegw.log").exists() else ""
    shown = "\n".join(line for line in out.splitlines() if "is ignored: it is neither a file nor a directory" not in line)
    assert job.returncode == 0, (
        f"{name} recipe exited {job.returncode}:\n{script}\n--- output\n{shown[-4000:]}\n--- imagegw.log\n{log[-2000:]}"
    )

    generation = json.loads((work / "generation.json").read_text())
    assert generation["data"][0]["url"].startswith(f"{base}/powertokens/files/")
    journal = json.loads((work / "imagegw-journal.json").read_text())["requests"]
    assert [e["body"]["prompt"] for e in journal if e.get("operation") == "createImage"] == [PROMPT]
    if name == "shell":  # its trap stopped the mock
        assert not still_running, "the plain-shell recipe left the mock running"
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{base}/__mock/health", timeout=2)
    TOOL_VERSIONS[f"ci recipe {name}"] = f"passed ({len(before)} start step(s), {len(after)} after step(s))"


def _group_alive(pgid: int, wait_s: float) -> bool:
    """Whether a process of group ``pgid`` still runs, waiting up to ``wait_s`` for it to end
    (a server finishing its shutdown, not a test sleep)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.1)


def _stop_group(pgid: int) -> None:
    """SIGTERM the process group this test started (the recipe's shell and its background mock)."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
