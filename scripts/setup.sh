#!/usr/bin/env bash
# Creates .venv and installs the locked versions (exact pins with hashes), once and again whenever a lock changes.
#   bash scripts/setup.sh runtime   requirements.lock: what the dashboard and the pipeline need (scripts/dashboard.sh)
#   bash scripts/setup.sh dev       requirements-dev.lock: the runtime plus test and lint tools (scripts/test.sh)
# Packages the chosen lock does not list are removed, so the venv holds exactly the lock (a test checks this).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-dev}"
case "$mode" in
  runtime) lock=requirements.lock ;;
  dev) lock=requirements-dev.lock ;;
  *) echo "usage: setup.sh [runtime|dev]" >&2; exit 2 ;;
esac
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv" >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.locks.sha256
runtime_sum=$(cat requirements.lock | sha256sum | cut -d' ' -f1)
dev_sum=$(cat requirements.lock requirements-dev.lock | sha256sum | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
want=$runtime_sum; [ "$mode" = dev ] && want=$dev_sum
# A dev venv already holds the runtime lock (requirements-dev.lock is compiled against it): the dashboard can use it.
if [ "$have" = "$want" ] || { [ "$mode" = runtime ] && [ "$have" = "$dev_sum" ]; }; then
  exit 0
fi
echo "==> installing $lock into .venv" >&2
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
extra=$(.venv/bin/python scripts/venv_extras.py "$lock")
if [ -n "$extra" ]; then
  echo "==> removing packages $lock does not list: $extra" >&2
  # shellcheck disable=SC2086
  .venv/bin/python -m pip uninstall --quiet --yes $extra
fi
echo "$want" > "$stamp"
