"""Prints the installed distributions a lock file does not list (space-separated), for scripts/setup.sh to remove.

Usage: python scripts/venv_extras.py requirements.lock   (run with the venv's python)
"""

import re
import sys
from importlib import metadata

# pip, setuptools and wheel come with the venv itself and are never in a lock (pip freeze hides them too).
_VENV_TOOLS = {"pip", "setuptools", "wheel", "distribute"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_names(lock_text: str) -> set[str]:
    return {normalised(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock_text, re.M)}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as lock:
        wanted = locked_names(lock.read())
    installed = {normalised(d.metadata["Name"]) for d in metadata.distributions()}
    print(" ".join(sorted(installed - wanted - _VENV_TOOLS)))
