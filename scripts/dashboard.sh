#!/usr/bin/env bash
# Command one: set up, build the warehouse from the bundled sample data (first time only), open the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh runtime
if [ ! -f "${SP_WAREHOUSE:-warehouse}/CURRENT" ]; then
  echo "==> building the warehouse from sample_data/ (demo key: sample data only)" >&2
  .venv/bin/python -m data_pipeline refresh sample_data --operator "sample-data" --demo-key
fi
exec .venv/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false "$@"
