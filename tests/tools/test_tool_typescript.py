"""openapi-typescript generates types from every served contract, and ``tsc --noEmit --strict``
compiles them together with a small typed usage file per gateway (``typescript/<id>.usage.ts``, and
``typescript/unified.usage.ts`` for both Gravitex and Image Series:
build the documented requests, read the answers' fields such as PowerTokens' ``item.url``, read
the error bodies).

The types are generated once per session; one ``tsc`` run checks all five gateways, and each
gateway's test reads the diagnostics of its own files.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from toolrun import IDS, Run, run_tool

USAGE = Path(__file__).parent / "typescript"
#: openapi-typescript 7 makes a property with a ``default`` required (its ``defaultNonNullable``,
#: on by default), also in request bodies whose schema is a named component, where the default is
#: what the server assumes when the field is left out (openapi-ts/openapi-typescript#1903, #2012).
#: Its documented switch turns that off; without it every request type would demand every
#: defaulted field.
OPENAPI_TYPESCRIPT_FLAGS = ("--default-non-nullable=false",)
TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmit": True,
        "target": "es2022",
        "lib": ["es2022"],
        "module": "esnext",
        "moduleResolution": "bundler",
        "types": [],
        "skipLibCheck": False,
        "noImplicitAny": True,
        "exactOptionalPropertyTypes": False,
    },
}
DIAGNOSTIC = re.compile(r"^(?P<file>[^\s(]+)\((?P<line>\d+),(?P<col>\d+)\): error (?P<code>TS\d+): (?P<msg>.*)$", re.M)


@pytest.fixture(scope="session")
def typescript_check(served_contracts: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``{"generate": {gid: Run}, "tsc": Run, "errors": {gid: [diagnostic lines]}}``."""
    folder = tmp_path_factory.mktemp("typescript")
    # cwd: the temporary folder, so the repository's redocly.yaml (which openapi-typescript reads) stays out
    generate = {
        gid: run_tool(
            "openapi-typescript", served_contracts[gid], "--output", folder / f"{gid}.api.ts", *OPENAPI_TYPESCRIPT_FLAGS, cwd=folder
        )
        for gid in IDS
    }
    files = ["common.ts"]
    shutil.copy(USAGE / "common.ts", folder / "common.ts")
    for gid in IDS:
        usage = USAGE / f"{gid}.usage.ts"
        if usage.exists():
            shutil.copy(usage, folder / f"{gid}.usage.ts")
        else:  # the unified endpoint's gateways share one usage file
            text = (USAGE / "unified.usage.ts").read_text(encoding="utf-8")
            (folder / f"{gid}.usage.ts").write_text(text.replace("./GATEWAY.api", f"./{gid}.api"), encoding="utf-8")
        files.append(f"{gid}.usage.ts")
    (folder / "tsconfig.json").write_text(json.dumps({**TSCONFIG, "files": files}, indent=2), encoding="utf-8")
    tsc = run_tool("tsc", "--project", folder / "tsconfig.json", "--pretty", "false", cwd=folder)
    errors: dict[str, list[str]] = {gid: [] for gid in IDS}
    for m in DIAGNOSTIC.finditer(tsc.output):
        name = Path(m["file"]).name
        owners = [g for g in IDS if name.startswith(f"{g}.")] or list(IDS)  # common.ts: everyone's
        for gid in owners:
            errors[gid].append(m.group(0))
    return {"generate": generate, "tsc": tsc, "errors": errors}


@pytest.mark.tool("openapi-typescript + typescript")
@pytest.mark.parametrize("gid", IDS)
def test_typescript_types_compile_with_typed_usage(gid: str, typescript_check: dict[str, Any]) -> None:
    gen: Run = typescript_check["generate"][gid]
    assert gen.returncode == 0, gen.explain()
    assert "⚠" not in gen.output and "warn" not in gen.output.lower(), gen.explain()
    tsc: Run = typescript_check["tsc"]
    errors = typescript_check["errors"][gid]
    assert errors == [], f"{gid}: tsc --noEmit\n" + "\n".join(errors[:40])
    assert tsc.returncode == 0 or not DIAGNOSTIC.search(tsc.output) or any(typescript_check["errors"].values()), tsc.explain()
