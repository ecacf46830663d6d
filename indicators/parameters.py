"""Load and check ``indicators/parameters.toml`` (or the file named by ``SP_PARAMETERS``).

A mistake in the file is reported with the file name, the key and what was expected, so the Secretariat can fix it
without reading code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import tomllib
from pathlib import Path

import settings

DEFAULT_PATH = settings.DEFAULT_PARAMETERS
PCI_COMPONENTS = ("reporting_timeliness", "referral_completion", "payment_on_time", "id_linkability")
PCI_MISSING_RULES = ("zero", "reweight", "no_score")
TARGET_KEYS = ("baseline_year", "baseline_value", "target_2025", "target_2030")


class ParameterError(ValueError):
    """The parameters file is unreadable or holds a value the tool cannot use."""


def parameters_path() -> Path:
    return settings.parameters_path()


def load_parameters(path: Path | None = None) -> dict:
    """The parsed, checked parameters, plus ``_path`` and ``_hash`` (of the file's bytes, for cache keys)."""
    path = Path(path) if path else parameters_path()
    try:
        raw = path.read_bytes()
        params = tomllib.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{path}: parameters file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path}: not valid TOML: {exc}") from None
    _check(params, path)
    params["_path"] = str(path)
    params["_hash"] = hashlib.sha256(raw).hexdigest()[:16]
    return params


def _number(
    path: Path, key: str, value, low: float | None = None, high: float | None = None, integer: bool = False
) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ParameterError(f"{path}: {key} = {value!r}: expected a number")
    if integer and not isinstance(value, int):
        raise ParameterError(f"{path}: {key} = {value!r}: expected a whole number")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ParameterError(f"{path}: {key} = {value!r}: expected a value between {low} and {high}")


def _section(params: dict, path: Path, name: str) -> dict:
    section = params
    for part in name.split("."):
        section = section.get(part) if isinstance(section, dict) else None
        if not isinstance(section, dict):
            raise ParameterError(f"{path}: section [{name}] is missing")
    return section


def _check(params: dict, path: Path) -> None:
    from indicators.catalogue import all_indicators

    general = _section(params, path, "general")
    expected = {
        "small_cell_threshold": (0, 1000, True),
        "payment_grace_days": (0, 365, True),
        "grievance_standard_days": (1, 3650, True),
        "referral_standard_days": (1, 3650, True),
        "severe_disability_prevalence": (0, 1, False),
        "mecg_pregnant_women_per_birth": (0, 2, False),
    }
    for key, (low, high, integer) in expected.items():
        if key not in general:
            raise ParameterError(f"{path}: [general] {key} is missing")
        _number(path, f"[general] {key}", general[key], low, high, integer)
    for key in general:
        if key not in expected:
            raise ParameterError(f"{path}: [general] {key}: unknown parameter (expected one of {sorted(expected)})")

    provinces = _province_codes()
    rates = _section(params, path, "poverty_rate")
    for code, rate in rates.items():
        if code not in provinces:
            raise ParameterError(f"{path}: [poverty_rate] {code}: not a province code (expected e.g. LA-AT)")
        _number(path, f"[poverty_rate] {code}", rate, 0, 1)
    missing = sorted(provinces - set(rates))
    if missing:
        raise ParameterError(f"{path}: [poverty_rate] has no rate for {', '.join(missing)}")

    pci = _section(params, path, "pci")
    weights, minimums = _section(params, path, "pci.weights"), _section(params, path, "pci.minimums")
    for name, table in (("pci.weights", weights), ("pci.minimums", minimums)):
        if set(table) != set(PCI_COMPONENTS):
            raise ParameterError(
                f"{path}: [{name}] must give exactly {', '.join(PCI_COMPONENTS)}; found {', '.join(sorted(table))}"
            )
        for key, value in table.items():
            _number(path, f"[{name}] {key}", value, 0, 1)
    if abs(sum(weights.values()) - 1) > 1e-9:
        raise ParameterError(f"{path}: [pci.weights] add up to {sum(weights.values()):g}; expected 1")
    _number(path, "[pci] minimum_score", pci.get("minimum_score"), 0, 1)
    if pci.get("missing_component") not in PCI_MISSING_RULES:
        raise ParameterError(
            f"{path}: [pci] missing_component = {pci.get('missing_component')!r}: "
            'expected "zero", "reweight" or "no_score"'
        )
    if not isinstance(pci.get("commission_established"), dt.date) or isinstance(
        pci.get("commission_established"), dt.datetime
    ):
        raise ParameterError(
            f"{path}: [pci] commission_established = {pci.get('commission_established')!r}: "
            "expected a date written YYYY-MM-DD (no quotes)"
        )

    catalogue = all_indicators()
    for indicator_id, target in params.get("targets", {}).items():
        if indicator_id not in catalogue:
            raise ParameterError(f"{path}: [targets.{indicator_id}]: no indicator with this id in the catalogue")
        for key, value in target.items():
            if key not in TARGET_KEYS:
                raise ParameterError(
                    f"{path}: [targets.{indicator_id}] {key}: unknown key (expected {', '.join(TARGET_KEYS)})"
                )
            if key == "baseline_year":
                _number(path, f"[targets.{indicator_id}] {key}", value, 2000, 2030, integer=True)
            else:
                _number(path, f"[targets.{indicator_id}] {key}", value)
        if "baseline_value" in target and "baseline_year" not in target:
            raise ParameterError(f"{path}: [targets.{indicator_id}] has a baseline_value but no baseline_year")


def _province_codes() -> set[str]:
    from data_pipeline.reference import reference_rows

    return {row["iso_code"] for row in reference_rows("provinces")}


def target_for(params: dict, indicator_id: str) -> dict:
    """The indicator's baseline and targets (keys absent when not set)."""
    return dict(params.get("targets", {}).get(indicator_id, {}))
