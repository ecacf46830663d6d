"""Shared fixtures. Dashboard tests run on the real pipeline's output for the committed sample_data/."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
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


BROWSER_FILES = "test_browser*.py"  # where the browser tests live: scripts/test.sh runs these files on one worker


def pytest_collection_modifyitems(items) -> None:
    """Browser tests first in line, so that under xdist their worker starts on them while the others take the rest."""
    strays = [
        item.nodeid for item in items if item.get_closest_marker("browser") and not item.path.match(BROWSER_FILES)
    ]
    if strays:
        raise pytest.UsageError(f"browser tests belong in tests/{BROWSER_FILES} (one worker runs them): {strays}")
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)  # stable: the order within stays


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: without xdist, nothing calls it
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (scripts/test.sh), with every browser file as one: each module's tests stay on one worker, so
    its module-scoped fixtures are built once, and the browser tests run in turn on one worker and one `sample_server`
    (several chromiums and servers at once on two cores make timeouts, not speed)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserFilesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "browser" if Path(path).match(BROWSER_FILES) else path

    return BrowserFilesTogether(config, log)


@pytest.fixture(scope="session")
def sample_server(sample_warehouse, tmp_path_factory) -> Iterator[str]:
    """One `streamlit run` on the session's sample warehouse, shared by the browser tests that only read (starting a
    server costs seconds); the account "member" (commission, tests.roles_fixtures.PASSWORD) can sign in."""
    from tests.browser_fixtures import streamlit_server
    from tests.roles_fixtures import add_account

    folder = tmp_path_factory.mktemp("sample_server")
    accounts = folder / "accounts.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SP_BCRYPT_ROUNDS", "4")
        add_account(accounts, "member", "commission")
    environment = {
        **os.environ,
        "SP_WAREHOUSE": str(sample_warehouse),
        "SP_ACCOUNTS_FILE": str(accounts),
        "SP_BCRYPT_ROUNDS": "4",
    }
    with streamlit_server(environment, folder / "streamlit.log") as base:
        yield base


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
