"""Shared fixtures. Dashboard tests run on the real pipeline's output for the committed sample_data/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """A warehouse built once per session from sample_data/ by the real CLI (demo key: sample data only)."""
    root = tmp_path_factory.mktemp("sample_warehouse")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_pipeline",
            "refresh",
            "sample_data",
            "--warehouse",
            str(root),
            "--operator",
            "sample-data",
            "--demo-key",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"sample refresh failed:\n{done.stdout}\n{done.stderr}"
    return root


@pytest.fixture
def dashboard_warehouse(sample_warehouse, monkeypatch) -> Path:
    """SP_WAREHOUSE pointed at the session's sample warehouse, with the dashboard's caches emptied."""
    import streamlit as st

    monkeypatch.setenv("SP_WAREHOUSE", str(sample_warehouse))
    st.cache_data.clear()
    return sample_warehouse


def run_page(page: str, params: dict[str, str] | None = None, timeout: float = 120, session: dict | None = None):
    """Run the app through st.navigation and open ``page`` (e.g. "pages/payments.py") with URL parameters.

    The first run registers the navigation's pages; then the URL is replaced, as when a link is opened.
    ``session`` presets Session State (a signed-in user, for example).
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=timeout)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    if page == "pages/overview.py":
        at.query_params.update(params or {})
        return at.run()
    at.run()
    at.query_params.clear()
    at.query_params.update(params or {})
    return at.switch_page(page).run()


def shown_text(at) -> str:
    """Every markdown, caption, metric, warning and info of a run, as one string to search."""
    parts = [
        e.value
        for e in (*at.markdown, *at.caption, *at.warning, *at.info, *at.error, *at.title, *at.subheader, *at.header)
    ]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def _decoded(node):
    """Plotly's JSON packs numeric arrays as {"dtype", "bdata"} (base64): unpack them into lists."""
    import base64

    import numpy as np

    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                array = array.reshape([int(n) for n in str(node["shape"]).split(",")])
            return array.tolist()
        return {k: _decoded(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decoded(v) for v in node]
    return node


def figures(at) -> list[dict]:
    """The plotly figures of a run, as plain dicts with numbers decoded."""
    import json

    return [_decoded(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]
