"""The venv the suite runs in holds exactly the locked versions, and the locks honour requirements*.txt."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _pins(lock: Path) -> dict[str, str]:
    text = lock.read_text(encoding="utf-8")
    return {
        canonicalize_name(m.group(1)): m.group(2)
        for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", text, re.M)
    }


def _direct(requirements: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in requirements.read_text(encoding="utf-8").splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def test_the_running_venv_holds_exactly_the_dev_lock():
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {}
    for line in frozen.splitlines():
        name, _, version = line.partition("==")
        assert version, f"pip freeze lists {line!r}, which is not an exact release from the lock"
        installed[canonicalize_name(name)] = version
    locked = _pins(ROOT / "requirements-dev.lock")
    assert set(installed.items()) == set(locked.items()), (
        "the venv differs from requirements-dev.lock (run `bash scripts/setup.sh dev`): "
        f"installed but not locked {sorted(set(installed.items()) - set(locked.items()))}, "
        f"locked but not installed {sorted(set(locked.items()) - set(installed.items()))}"
    )


def test_every_locked_line_carries_a_hash():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text(encoding="utf-8"))
        pinned = [e for e in entries if "==" in e.split("\n", 1)[0]]
        assert pinned, lock
        assert all("--hash=sha256:" in e for e in pinned), f"{lock}: an entry has no hash"


def test_the_dev_lock_agrees_with_the_runtime_lock():
    runtime, dev = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_every_direct_dependency_is_pinned_within_its_bounds():
    for requirements, lock in (
        ("requirements.txt", "requirements.lock"),
        ("requirements-dev.txt", "requirements-dev.lock"),
    ):
        pins = _pins(ROOT / lock)
        for requirement in _direct(ROOT / requirements):
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{requirements} names {name}, {lock} does not pin it"
            assert requirement.specifier.contains(pins[name]), (
                f"{lock} pins {name}=={pins[name]}, outside {requirement.specifier}"
            )
            assert any(s.operator == "<" for s in requirement.specifier), f"{requirements}: {name} needs an upper bound"
