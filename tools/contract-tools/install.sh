#!/usr/bin/env bash
# Install the OpenAPI tools that `pytest -m contract_tools` runs on every contract (tests/tools/):
#   node_modules/  openapi-typescript, typescript (tsc), Stoplight Prism 5, Spectral, Redocly CLI
#                  (pinned in package.json, locked in package-lock.json)
#   .venv/         openapi-python-client (pinned in requirements.txt; its own virtualenv because it
#                  pins httpx and typer older than the project's)
# Idempotent; needs node/npm and python3 (3.11+). Registries: the ordinary npm and pip clients.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.txt
