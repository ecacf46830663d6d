"""Where and how many people: the geography (LSB provinces and districts) and a seeded population model.

Every other sample source draws its magnitudes from here, so coverage ratios built from the sample are plausible:
2015 census totals grown ~1.45 % a year, a young Lao age pyramid, close to 50/50 by sex, and each province's
population split across its districts with seeded weights (the LSB publishes no district table in the reference).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np

from data_pipeline.contracts import AGE_GROUPS_5Y
from data_pipeline.reference import reference_rows


YEARS = (2020, 2021, 2022)
QUARTERS = tuple(f"{y}-Q{q}" for y in YEARS for q in (1, 2, 3, 4))[:10]  # 2020-Q1 … 2022-Q2
AS_OF = date(2022, 6, 30)  # the source report's reference date; nothing in the sample happens after it
ANNUAL_GROWTH = 0.0145
SEXES = ("F", "M")

# Share of the population in each five-year group: a young pyramid (about 31 % under 15, 7 % aged 60+).
_AGE_SHARES = np.array([10.6, 10.3, 10.2, 10.0, 9.4, 8.6, 7.7, 6.8, 5.9, 5.0, 4.2, 3.5, 2.6, 4.1])
# Share of males in each group: slightly more boys at birth, more women among the old.
_MALE_SHARE = np.array(
    [0.512, 0.511, 0.510, 0.507, 0.503, 0.500, 0.499, 0.498, 0.497, 0.495, 0.490, 0.482, 0.470, 0.445]
)


@dataclass(frozen=True)
class Province:
    iso: str  # LA-AT
    lsb: str  # 17
    name_en: str
    name_lo: str
    iso_name: str  # the ISO 3166-2 spelling (Attapu)
    other_spellings: tuple[str, ...]
    population_2015: int

    @property
    def short(self) -> str:
        """Two letters used inside programme ids (AT for Attapeu)."""
        return self.iso.split("-")[1]


@dataclass(frozen=True)
class District:
    lsb: str  # 1703
    province_iso: str
    name_en: str


@cache
def provinces() -> tuple[Province, ...]:
    return tuple(
        Province(
            r["iso_code"],
            r["lsb_code"],
            r["name_en"],
            r["name_lo"],
            r["iso_name"],
            tuple(s for s in r["other_spellings"].split(";") if s),
            int(r["population_2015"]),
        )
        for r in reference_rows("provinces")
    )


@cache
def districts() -> tuple[District, ...]:
    return tuple(District(r["lsb_code"], r["province_iso"], r["name_en"]) for r in reference_rows("districts"))


def province(iso: str) -> Province:
    return next(p for p in provinces() if p.iso == iso)


def district(lsb: str) -> District:
    return next(d for d in districts() if d.lsb == lsb)


def districts_of(iso: str) -> tuple[District, ...]:
    return tuple(d for d in districts() if d.province_iso == iso)


def rng_for(seed: int, topic: str) -> np.random.Generator:
    """One independent random stream per topic, so changing one source never shifts the numbers of another."""
    return np.random.default_rng([seed, zlib.crc32(topic.encode())])


def quarter_end(period: str) -> date:
    year, q = int(period[:4]), int(period[-1])
    return (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


class PopulationModel:
    """Mid-year population by province, sex and age group, and district shares; fully determined by the seed."""

    def __init__(self, seed: int):
        rng = rng_for(seed, "population")
        self.provinces = provinces()
        n_groups = len(AGE_GROUPS_5Y)
        centred_age = (np.arange(n_groups) - n_groups / 2) / n_groups
        self._age_shares = {}
        for p in self.provinces:
            # The capital is older than the rural north and south; other provinces vary a little around the mean.
            tilt = -0.45 if p.iso == "LA-VT" else rng.normal(0.05, 0.08)
            shares = _AGE_SHARES * np.exp(-tilt * centred_age * 2)
            self._age_shares[p.iso] = shares / shares.sum()
        self._district_share = {}
        for p in self.provinces:
            members = districts_of(p.iso)
            weights = rng.dirichlet(np.full(len(members), 6.0))
            self._district_share.update({d.lsb: float(w) for d, w in zip(members, weights)})

    def total(self, iso: str, year: float) -> float:
        return province(iso).population_2015 * (1 + ANNUAL_GROWTH) ** (year - 2015)

    def at_quarter(self, iso: str, period: str) -> float:
        """Population at the end of a quarter (mid-year = between Q2 and Q3)."""
        return self.total(iso, int(period[:4]) + (int(period[-1]) * 3 - 6) / 12)

    def by_sex_age(self, iso: str, year: float) -> dict[tuple[str, str], float]:
        """{(sex, five-year age group): persons}, not rounded."""
        by_age = self.total(iso, year) * self._age_shares[iso]
        out = {}
        for group, persons, male in zip(AGE_GROUPS_5Y, by_age, _MALE_SHARE):
            out[("F", group)] = persons * (1 - male)
            out[("M", group)] = persons * male
        return out

    def by_sex_broad_age(self, iso: str, year: float) -> dict[tuple[str, str], float]:
        """{(sex, 0-14 / 15-59 / 60+): persons}: the health-insurance age bands."""
        out: dict[tuple[str, str], float] = {}
        for (sex, group), persons in self.by_sex_age(iso, year).items():
            start = int(group.split("-")[0].rstrip("+"))
            band = "0-14" if start < 15 else "15-59" if start < 60 else "60+"
            out[(sex, band)] = out.get((sex, band), 0.0) + persons
        return out

    def aged_15_plus(self, iso: str, year: float, sex: str) -> float:
        return sum(v for (s, band), v in self.by_sex_broad_age(iso, year).items() if s == sex and band != "0-14")

    def district_share(self, lsb: str) -> float:
        return self._district_share[lsb]

    def district_total(self, lsb: str, year: float) -> float:
        return self.total(district(lsb).province_iso, year) * self._district_share[lsb]
