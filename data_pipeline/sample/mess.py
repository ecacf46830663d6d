"""The harmless quirks of real returns, as cell writers: every spelling used here is one the contracts declare (a
header alias, a value alias) or the province alias table resolves (provinces.csv: English and Lao names, ISO
spellings, other spellings, LSB codes). Districts are written as their LSB name or code, or as a romanisation listed
in the district alias table (reference/district_aliases.csv), which ingestion resolves within the province.
"""

from __future__ import annotations

from datetime import date

from .geography import district, province

EXCEL_EPOCH = date(1899, 12, 30)


def excel_serial(value: date | None, _i: int = 0) -> int | None:
    """A date as the bare number Excel stores (a cell that lost its date format)."""
    return None if value is None else (value - EXCEL_EPOCH).days


def day_month_year(value: date | None, _i: int = 0) -> str | None:
    """A date typed as text, day first: 15/10/2021."""
    return None if value is None else f"{value.day:02d}/{value.month:02d}/{value.year}"


def thousands(value: int | float | None, _i: int = 0) -> str | None:
    """A number stored as text with thousands separators: "1,234"."""
    return None if value is None else f"{value:,}"


def province_lao(iso: str | None, _i: int = 0) -> str | None:
    return None if iso is None else province(iso).name_lo


def province_iso_spelling(iso: str | None, _i: int = 0) -> str | None:
    """The ISO 3166-2 subdivision name (Attapu, Savannakhét, Phôngsali)."""
    return None if iso is None else province(iso).iso_name


def province_other_spelling(iso: str | None, i: int = 0) -> str | None:
    """One of the province's other romanisations, varying from row to row."""
    if iso is None:
        return None
    spellings = province(iso).other_spellings or (province(iso).name_en,)
    return spellings[i % len(spellings)]


def province_mixed(iso: str | None, i: int = 0) -> str | None:
    """English name, Lao name, ISO spelling and LSB code in turn: several clerks filled the same sheet."""
    if iso is None:
        return None
    p = province(iso)
    return (p.name_en, p.name_lo, p.iso_name, p.lsb)[i % 4]


def province_lsb_code(iso: str | None, _i: int = 0) -> str | None:
    """The LSB's two-digit province code, as text ("17")."""
    return None if iso is None else province(iso).lsb


def province_english(iso: str | None, _i: int = 0) -> str | None:
    return None if iso is None else province(iso).name_en


def district_name(lsb: str | None, _i: int = 0) -> str | None:
    return None if lsb is None else district(lsb).name_en


def district_name_or_code(lsb: str | None, i: int = 0) -> str | None:
    """Some rows give the district's name, others its LSB code."""
    if lsb is None:
        return None
    return district(lsb).name_en if i % 3 else lsb


# Romanisations of the MECG districts used in the register; each is in reference/district_aliases.csv.
DISTRICT_VARIANTS = {"1703": ("Sanamxai", "Xanamxay"), "1705": ("Phuvong",), "1306": ("Nong district",)}


def district_romanised(lsb: str | None, i: int = 0) -> str | None:
    """Mostly the LSB name; every fourth row another romanisation (several enumerators, several spellings)."""
    if lsb is None:
        return None
    variants = DISTRICT_VARIANTS.get(lsb, ())
    return variants[(i // 4) % len(variants)] if variants and i % 4 == 3 else district(lsb).name_en


def words(mapping: dict[object, str]):
    """A value written as a word the contract's value_aliases (or the kind's own vocabulary) accepts."""

    def write(value: object, _i: int = 0) -> object:
        return mapping.get(value, value)

    return write


def alternating(*writers):
    """Row i is written by writers[i % n]: a sheet typed by several people."""

    def write(value: object, i: int = 0) -> object:
        return writers[i % len(writers)](value, i)

    return write


def period_spelled(style: str):
    """Quarters as typed by hand: "2022 Q2" or "Q2/2022" (both absorbed by the period kind)."""

    def write(value: str, _i: int = 0) -> str:
        year, quarter = value.split("-")
        return f"{year} {quarter}" if style == "space" else f"{quarter}/{year}"

    return write
