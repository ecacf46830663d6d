"""The registry of source contracts: every module in this package that declares ``CONTRACTS`` is a source.

Adding a source = adding one module here (and its test); nothing else registers it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from .base import AGE_GROUPS_5Y, Check, Column, Contract, normalise_header


@cache
def all_contracts() -> dict[str, Contract]:
    """Every declared contract, by name, in a stable order."""
    found: dict[str, Contract] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for contract in getattr(module, "CONTRACTS", ()):
            if contract.name in found:
                raise ValueError(f"contract {contract.name!r} declared twice")
            found[contract.name] = contract
    return found


def get_contract(name: str) -> Contract:
    return all_contracts()[name]


__all__ = ["AGE_GROUPS_5Y", "Check", "Column", "Contract", "all_contracts", "get_contract", "normalise_header"]
