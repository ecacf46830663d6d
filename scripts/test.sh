#!/usr/bin/env bash
# Command two: set up (virtualenv, and Debian's chromium for the browser tests) and run every test, on every core.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing Debian's chromium for the browser test" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "==> chromium missing: run 'sudo apt-get install chromium' for the browser test" >&2
  fi
fi
# One worker per core (pytest-xdist), a test file at a time; the browser files count as one and go first, so one
# worker runs them in turn while the others take the rest in file order (tests/conftest.py; no reordering by size,
# or the browser tests would start late). Arguments come last: `-n 0` runs everything in one process.
exec .venv/bin/python -m pytest -n auto --dist loadfile --no-loadscope-reorder "$@"
