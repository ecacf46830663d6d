#!/usr/bin/env bash
# Command two: set up (virtualenv, and Debian's chromium for the browser test) and run every test.
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
exec .venv/bin/python -m pytest "$@"
