#!/usr/bin/env bash
# Regenerates requirements.lock and requirements-dev.lock (exact versions with hashes) from requirements.txt and
# requirements-dev.txt, resolving from PyPI only (this machine's pip config adds local indexes; they are ignored here).
# The newest versions inside the bounds are chosen. Afterwards run `bash scripts/test.sh`: the suite is the gate, commit
# the locks only when it passes. Pass uv options through, e.g. `--upgrade-package duckdb`; without -U existing pins
# are kept where still allowed, so add -U (the default below) only for a full upgrade.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
tools=.lock-tools
if [ ! -x "$tools/bin/uv" ]; then
  "$PYTHON" -m venv "$tools"
  PIP_CONFIG_FILE=/dev/null "$tools/bin/python" -m pip install --quiet --index-url https://pypi.org/simple "uv==0.13.9"
fi
args=(--no-config --custom-compile-command "bash scripts/upgrade-locks.sh" --index-url https://pypi.org/simple --python-version 3.11 --generate-hashes --quiet)
if [ "$#" -eq 0 ]; then set -- --upgrade; fi
"$tools/bin/uv" pip compile "${args[@]}" "$@" requirements.txt -o requirements.lock
"$tools/bin/uv" pip compile "${args[@]}" "$@" --constraint requirements.lock requirements-dev.txt \
  -o requirements-dev.lock
echo "==> locks written; now run: bash scripts/test.sh   (the suite is the gate for an upgrade)" >&2
