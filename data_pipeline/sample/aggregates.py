"""The ministries' aggregate returns: population and births, labour force, health insurance, social security, school
meals, the MAF cash transfer and social protection spending.

Each builder returns rows as dicts keyed by the contract's column names, holding canonical values (ISO province codes,
LSB district codes, F/M, whole numbers); how they are spelled in a file is the writers' business.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from data_pipeline.contracts import AGE_GROUPS_5Y

from .geography import QUARTERS, SEXES, YEARS, PopulationModel, District, districts, districts_of, provinces, rng_for

Row = dict[str, object]

# Provinces where MoES targets school meals (poorer, mostly rural) and where MAF runs its cash transfer (the north).
SCHOOL_MEAL_PROVINCES = ("LA-PH", "LA-LM", "LA-OU", "LA-HO", "LA-KH", "LA-SV", "LA-SL", "LA-XE", "LA-AT")
CASH_TRANSFER_DISTRICTS = (
    "0202",
    "0203",
    "0204",
    "0206",
    "0402",
    "0403",
    "0404",
    "0405",
    "0703",
    "0706",
    "0707",
    "0708",
)


def population_rows(model: PopulationModel) -> list[Row]:
    rows = []
    for year in YEARS:
        for p in provinces():
            by_sex_age = model.by_sex_age(p.iso, year)
            for sex in SEXES:
                for group in AGE_GROUPS_5Y:
                    rows.append(
                        {
                            "year": year,
                            "province": p.iso,
                            "sex": sex,
                            "age_group": group,
                            "population": int(round(by_sex_age[(sex, group)])),
                        }
                    )
    return rows


def births_rows(model: PopulationModel, seed: int) -> list[Row]:
    """Births ≈ 2.2 % of the population a year, by district; 51 % boys."""
    rng = rng_for(seed, "births")
    rows = []
    for year in YEARS:
        for d in districts():
            births = model.district_total(d.lsb, year) * 0.022 * rng.normal(1, 0.04)
            boys = int(round(births * 0.512))
            rows.append(
                {
                    "year": year,
                    "province": d.province_iso,
                    "district": d.lsb,
                    "sex": "F",
                    "births": int(round(births)) - boys,
                }
            )
            rows.append({"year": year, "province": d.province_iso, "district": d.lsb, "sex": "M", "births": boys})
    return rows


def labour_force_rows(model: PopulationModel, seed: int) -> list[Row]:
    """Employed ≈ 62 % of the 15+ population (more men than women); unemployed 2-3 % of the labour force."""
    rng = rng_for(seed, "labour_force")
    employment_rate = {"F": 0.58, "M": 0.66}
    unemployment_by_year = {2020: 0.029, 2021: 0.027, 2022: 0.024}  # COVID-19 raised it in 2020-21
    rows = []
    for year in YEARS:
        for p in provinces():
            urban = 1.6 if p.iso == "LA-VT" else 1.0
            for sex in SEXES:
                employed = model.aged_15_plus(p.iso, year, sex) * employment_rate[sex] * rng.normal(1, 0.03)
                rate = unemployment_by_year[year] * urban * rng.uniform(0.8, 1.2)
                rows.append(
                    {
                        "year": year,
                        "province": p.iso,
                        "sex": sex,
                        "employed": int(round(employed)),
                        "unemployed": int(round(employed * rate / (1 - rate))),
                    }
                )
    return rows


# Scheme mix of health insurance members by age band: children mostly exempt (free MCH) or HEF, adults mostly HEF.
_HI_SCHEMES = ("civil_servants", "private_employees", "informal_sector", "health_equity_fund", "exempt_groups")
_HI_MIX = {
    "0-14": np.array([0.06, 0.03, 0.02, 0.49, 0.40]),
    "15-59": np.array([0.08, 0.07, 0.05, 0.72, 0.08]),
    "60+": np.array([0.12, 0.02, 0.03, 0.80, 0.03]),
}


def health_insurance_rows(model: PopulationModel, seed: int) -> list[Row]:
    """Members rising from ~92.5 % to ~94.5 % of the population over the ten quarters."""
    rng = rng_for(seed, "health_insurance")
    province_effect = {p.iso: rng.normal(0, 0.012) for p in provinces()}
    rows = []
    for i, period in enumerate(QUARTERS):
        coverage_trend = 0.925 + 0.02 * i / (len(QUARTERS) - 1)
        year = int(period[:4]) + (int(period[-1]) * 3 - 6) / 12
        for p in provinces():
            coverage = min(coverage_trend + province_effect[p.iso], 0.985)
            for (sex, band), persons in sorted(model.by_sex_broad_age(p.iso, year).items()):
                mix = _HI_MIX[band].copy()
                if p.iso == "LA-VT":  # the capital: far more civil servants and private employees
                    mix[:2] *= 2.5
                mix = mix / mix.sum()
                for scheme, share in zip(_HI_SCHEMES, mix):
                    members = persons * coverage * share * rng.normal(1, 0.01)
                    rows.append(
                        {
                            "period": period,
                            "province": p.iso,
                            "sex": sex,
                            "age_group": band,
                            "scheme": scheme,
                            "members": int(round(members)),
                        }
                    )
    return rows


# National stock at 2022-Q2 by scheme (LSSO orders of magnitude): ~0.87 million insured persons incl. dependants,
# ~0.33 million active contributors.
_SS_2022Q2 = {
    "private": {
        "active_contributors": 162_000,
        "insured_persons": 420_000,
        "old_age_pensioners": 3_200,
        "maternity_benefit_recipients": 1_900,
        "unemployment_benefit_recipients": 160,
        "disability_benefit_recipients": 650,
    },
    "public": {
        "active_contributors": 168_000,
        "insured_persons": 450_000,
        "old_age_pensioners": 48_000,
        "maternity_benefit_recipients": 1_500,
        "unemployment_benefit_recipients": 0,
        "disability_benefit_recipients": 2_400,
    },
}
_SS_FEMALE = {
    "active_contributors": 0.46,
    "insured_persons": 0.51,
    "old_age_pensioners": 0.34,
    "maternity_benefit_recipients": 1.0,
    "unemployment_benefit_recipients": 0.45,
    "disability_benefit_recipients": 0.3,
}
# Private-sector jobs concentrate in the capital and the southern and central trading provinces.
_PRIVATE_PULL = {"LA-VT": 6.0, "LA-CH": 1.6, "LA-SV": 1.5, "LA-VI": 1.4, "LA-LP": 1.3}


def social_security_rows(model: PopulationModel, seed: int) -> list[Row]:
    rng = rng_for(seed, "social_security")
    weights = {}
    for scheme, pull in (("private", _PRIVATE_PULL), ("public", {"LA-VT": 3.0})):
        w = np.array([model.total(p.iso, 2022) * pull.get(p.iso, 1.0) * rng.uniform(0.85, 1.15) for p in provinces()])
        weights[scheme] = w / w.sum()
    rows = []
    for i, period in enumerate(QUARTERS):
        growth = (1 + 0.035) ** ((i - (len(QUARTERS) - 1)) / 4)  # ~3.5 % a year up to 2022-Q2
        for p_index, p in enumerate(provinces()):
            for scheme, national in _SS_2022Q2.items():
                for sex in SEXES:
                    row: Row = {"period": period, "province": p.iso, "sex": sex, "scheme": scheme}
                    for measure, total in national.items():
                        female = _SS_FEMALE[measure]
                        share = female if sex == "F" else 1 - female
                        flow = rng.normal(1, 0.06) if "recipients" in measure else 1.0  # quarterly flows vary
                        row[measure] = int(round(total * growth * weights[scheme][p_index] * share * flow))
                    # Employment-injury cover goes with contributing employment.
                    row["employment_injury_covered"] = int(round(row["active_contributors"] * rng.uniform(0.97, 1)))
                    rows.append(row)
    return rows


def school_meal_districts(seed: int, scale: str) -> tuple[District, ...]:
    """A few dozen target districts in poorer provinces (national scale: every district)."""
    if scale == "national":
        return districts()
    rng = rng_for(seed, "school_meal_districts")
    chosen = []
    for iso in SCHOOL_MEAL_PROVINCES:
        rural = [d for d in districts_of(iso) if not d.lsb.endswith("01")]  # xx01 is the provincial town
        take = max(2, int(round(len(rural) * 0.45)))
        chosen += sorted(rng.choice(rural, size=take, replace=False), key=lambda d: d.lsb)
    return tuple(chosen)


def school_meals_rows(model: PopulationModel, seed: int, target: tuple[District, ...]) -> list[Row]:
    """Primary pupils ≈ 12.5 % of the district population; most fed, fewer when schools closed (2020-Q2 lockdown)."""
    rng = rng_for(seed, "school_meals")
    reach = {d.lsb: rng.uniform(0.86, 0.98) for d in target}
    rows = []
    for period in QUARTERS:
        year = int(period[:4]) + (int(period[-1]) * 3 - 6) / 12
        closure = 0.35 if period == "2020-Q2" else 0.7 if period == "2021-Q2" else 1.0
        for d in target:
            pupils = model.district_total(d.lsb, year) * 0.125
            for sex, share in (("F", 0.485), ("M", 0.515)):
                enrolled = int(round(pupils * share * rng.normal(1, 0.01)))
                fed = min(enrolled, int(round(enrolled * reach[d.lsb] * closure * rng.normal(1, 0.015))))
                rows.append(
                    {
                        "period": period,
                        "province": d.province_iso,
                        "district": d.lsb,
                        "sex": sex,
                        "pupils_enrolled": enrolled,
                        "pupils_receiving_meals": fed,
                    }
                )
    return rows


def cash_transfer_districts(scale: str) -> tuple[District, ...]:
    if scale == "national":
        return districts()
    return tuple(d for d in districts() if d.lsb in CASH_TRANSFER_DISTRICTS)


def cash_transfer_rows(model: PopulationModel, seed: int, target: tuple[District, ...]) -> list[Row]:
    """MAF's transfer for mothers and children under two: rolled out through 2020, paid quarterly, often late
    during the 2021 lockdowns."""
    rng = rng_for(seed, "cash_transfer")
    start = {d.lsb: int(rng.integers(0, 4)) for d in target}  # first quarter of operation, 2020-Q1 … Q4
    eligible_share = {d.lsb: rng.uniform(0.03, 0.045) for d in target}
    rows = []
    for i, period in enumerate(QUARTERS):
        on_time_rate = 0.55 if period in ("2021-Q2", "2021-Q3") else 0.82
        year = int(period[:4]) + (int(period[-1]) * 3 - 6) / 12
        for d in target:
            ramp = 0.0 if i < start[d.lsb] else min(1.0, 0.4 + 0.3 * (i - start[d.lsb]))
            reached = model.district_total(d.lsb, year) * eligible_share[d.lsb] * ramp
            for sex, share in (("F", 0.62), ("M", 0.38)):  # mothers and their children
                beneficiaries = int(round(reached * share))
                on_time = int(round(beneficiaries * min(1.0, on_time_rate * rng.normal(1, 0.08))))
                rows.append(
                    {
                        "period": period,
                        "province": d.province_iso,
                        "district": d.lsb,
                        "sex": sex,
                        "beneficiaries": beneficiaries,
                        "payments_due": beneficiaries,
                        "payments_on_time": on_time,
                    }
                )
    return rows


# The 13 Chart-of-Accounts line items MoLSW submitted to MoF: (ministry, code, label, programme, LAK billion in 2021).
SP_BUDGET_LINES = (
    ("MoLSW", "62-11-01", "Social welfare and disaster relief", "Social welfare", 25),
    ("MoLSW", "62-11-02", "Allowances for veterans and persons with disabilities", "Social welfare", 180),
    ("MoLSW", "62-11-03", "Mother and Early Childhood Grant", "MECG", 3),
    ("MoLSW", "62-11-04", "Social welfare services and centres", "Social welfare", 12),
    ("MoH", "62-21-01", "Health Equity Fund", "National Health Insurance", 90),
    ("MoH", "62-21-02", "Free maternal, newborn and child health services", "National Health Insurance", 40),
    ("MoH", "62-21-03", "National Health Insurance subsidy", "National Health Insurance", 150),
    ("MoES", "62-31-01", "School meals programme", "School meals", 30),
    ("MoES", "62-31-02", "Stipends for poor and ethnic-minority pupils", None, 15),
    ("MAF", "62-41-01", "Cash transfer for mothers and children (nutrition)", "MAF cash transfer", 20),
    ("MoF", "62-51-01", "Civil servant pensions and allowances", "Social security (public)", 1_400),
    ("MoF", "62-51-02", "State contribution to social security for civil servants", "Social security (public)", 350),
    ("MPI", "62-61-01", "Poverty Reduction Fund", None, 60),
)


def sp_spending_rows(seed: int) -> list[Row]:
    """Allocated and executed per fiscal year; 2022 is executed only to mid-year."""
    rng = rng_for(seed, "sp_spending")
    rows = []
    for year in YEARS:
        for ministry, code, label, programme, billions_2021 in SP_BUDGET_LINES:
            if code == "62-11-03":  # the MECG starts in 2021 (design money only in 2020)
                billions = {2020: 0.6, 2021: 3.0, 2022: 5.5}[year]
            else:
                billions = billions_2021 * (1.04 ** (year - 2021)) * rng.normal(1, 0.05)
            allocated = int(round(billions * 1_000)) * 1_000_000  # whole LAK millions
            pensions = code.startswith("62-51")
            execution = (rng.uniform(0.98, 1.04) if pensions else rng.uniform(0.72, 0.97)) * (
                0.47 if year == 2022 else 1.0
            )
            rows.append(
                {
                    "year": year,
                    "ministry": ministry,
                    "coa_code": code,
                    "coa_label": label,
                    "programme": programme,
                    "allocated_lak": allocated,
                    "executed_lak": int(round(allocated * execution / 1e6)) * 1_000_000,
                    "reported_to": dt.date(year, 6, 30) if year == 2022 else dt.date(year, 12, 31),
                }
            )
    return rows
