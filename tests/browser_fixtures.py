"""Shared by the browser tests: `streamlit run app.py` on a free localhost port, and Debian chromium's settings."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import settings
from tests.conftest import PROJECT

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps dialling out, and this machine refuses every connection.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def session_cookie(context, seconds: float = 30) -> dict:
    """The dashboard's session cookie, once the script that writes it (right after sign-in) has run."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == "sp_session"]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError("no sp_session cookie after sign-in")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"streamlit not healthy after {seconds} s")


@contextlib.contextmanager
def streamlit_server(environment: dict[str, str], log_path: Path) -> Iterator[str]:
    """The dashboard served on 127.0.0.1 with ``environment``; yields its base URL and stops it afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=PROJECT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(base, server)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


def save(page, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot in tmp_path, copied to $SP_ARTIFACTS when set (CI keeps them)."""
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    if settings.ARTIFACTS.value():
        Path(settings.ARTIFACTS.value()).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(settings.ARTIFACTS.value()) / name)
    return shot
