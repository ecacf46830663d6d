#!/usr/bin/env bash
# Command one: set up, build the warehouse from the bundled sample data (first time only), open the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh runtime
# The meeting pack draws its charts with Debian's chromium (SP_CHROMIUM); without it the pack holds tables only.
if [ ! -x "${SP_CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "==> installing Debian's chromium for the meeting pack's charts" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "==> chromium missing: run 'sudo apt-get install chromium' for the meeting pack's charts" >&2
  fi
fi
if [ ! -f "${SP_WAREHOUSE:-warehouse}/CURRENT" ]; then
  echo "==> building the warehouse from sample_data/ (demo key: sample data only)" >&2
  .venv/bin/python -m data_pipeline refresh sample_data --operator "sample-data" --demo-key
fi
exec .venv/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
