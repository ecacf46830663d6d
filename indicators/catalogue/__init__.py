"""The indicator catalogue: every module in this package that declares ``INDICATORS`` adds its entries.

Adding an indicator = adding one ``Indicator(...)`` to a module here (and its golden test); nothing else registers it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from .base import AREAS, Indicator


@cache
def all_indicators() -> dict[str, Indicator]:
    """Every declared indicator, by id, in the order of the modules' ``ORDER`` then declaration."""
    found: dict[str, Indicator] = {}
    modules = [m.name for m in pkgutil.iter_modules(__path__) if m.name != "base"]
    for name in sorted(modules, key=lambda n: _MODULE_ORDER.index(n) if n in _MODULE_ORDER else 99):
        module = importlib.import_module(f"{__name__}.{name}")
        for indicator in getattr(module, "INDICATORS", ()):
            if indicator.id in found:
                raise ValueError(f"indicator {indicator.id!r} declared twice")
            found[indicator.id] = indicator
    return found


def get_indicator(indicator_id: str) -> Indicator:
    try:
        return all_indicators()[indicator_id]
    except KeyError:
        raise KeyError(f"no indicator {indicator_id!r} in the catalogue") from None


_MODULE_ORDER = ["coverage", "pillars", "delivery", "coordination"]

__all__ = ["AREAS", "Indicator", "all_indicators", "get_indicator"]
