"""Pure shaping of the tidy indicator table into what a page shows (no Streamlit, no I/O).

Every function takes the tidy table of docs/DESIGN.md §4 (or a supporting table) and returns a small frame; the cached
wrappers in ``dashboard.data`` call these so that a page never recomputes while the data version is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from dashboard.format import SUPPRESSED

NATIONAL = "LA"
TOTAL = "_T"
PERIOD_PATTERN = re.compile(r"^\d{4}(-Q[1-4])?$")

# Scorecard groups, in the order the Commission reads them.
AREA_GROUPS = (
    ("SDG 1.3.1 — effective coverage", ("sdg_131",)),
    ("Pillar 1 — health insurance", ("health_insurance",)),
    ("Pillar 2 — social security", ("social_security",)),
    ("Pillar 3 — social welfare", ("social_welfare",)),
    ("Financing", ("financing",)),
    ("Benefit delivery — payments", ("delivery",)),
    ("Coordination", ("coordination",)),
)

# The headline figures: the Commission's first questions (the overview's tiles, the meeting pack's summary).
# A figure, where and when it is, and what it is made of: the first columns of the trend and scorecard tables.
FIGURE_COLUMNS = ("indicator_id", "period", "value", "numerator", "denominator", "lower_bound", "upper_bound")
HEADLINES = ("SI_COV_BENFTS", "NSPS_HI_COV", "NSPS_SW_MECG", "PAY_NEVER_PAID", "COORD_REPORT_TIMELY")


def _flag(frame: pd.DataFrame) -> list[str]:
    """["suppressed"] when the table comes from a public (suppressed) view: the flag travels with its cell."""
    return ["suppressed"] if "suppressed" in frame.columns else []


def _shown(rows: pd.DataFrame) -> pd.Series:
    """Rows that have a figure to show: a value, or a value hidden by suppression (shown as 'suppressed')."""
    shown = rows["value"].notna()
    return shown | rows["suppressed"].fillna(False).astype(bool) if "suppressed" in rows.columns else shown


def _headline_rows(values: pd.DataFrame) -> pd.DataFrame:
    """Rows above district level with no extra breakdown."""
    return values[values["district"].isna() & (values["breakdown"] == TOTAL)]


def with_figure(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows that have a figure to show, hidden ones included (a tile then reads 'suppressed', never an older value)."""
    return rows[_shown(rows)]


def hidden(row) -> bool:
    """True when a row (a Series, or None) is a figure hidden by suppression."""
    flag = None if row is None else row.get("suppressed")
    return isinstance(flag, (bool, np.bool_)) and bool(flag)


def at_or_before(values: pd.DataFrame, period: str | None) -> pd.DataFrame:
    """Rows whose period is the chosen one or earlier ('2022' counts as at or before '2022-Q2')."""
    if not period:
        return values
    return values[values["period"].astype(str).str.slice(0, len(period)) <= period]


def in_view(
    frame: pd.DataFrame, *, province: str, period: str | None, province_column: str = "province"
) -> pd.DataFrame:
    """Rows at or before ``period`` (where the table has periods) of ``province`` (every row for ``NATIONAL``, or
    where the table has no such column)."""
    if period and "period" in frame:
        frame = at_or_before(frame, period)
    if province != NATIONAL and province_column in frame:
        frame = frame[frame[province_column] == province]
    return frame


def latest(values: pd.DataFrame, *, province: str, sex: str, period: str | None) -> pd.DataFrame:
    """One row per indicator: its latest value at or before ``period`` for one area and sex (value may be null)."""
    rows = _headline_rows(values)
    rows = rows[(rows["province"] == province) & (rows["sex"] == sex)]
    rows = at_or_before(rows, period)
    with_value = rows[_shown(rows)]
    # Prefer the latest period that has a value; fall back to the latest row ("no data") so the indicator still shows.
    best = with_value.sort_values("period").groupby("indicator_id", as_index=False).tail(1)
    missing = rows[~rows["indicator_id"].isin(best["indicator_id"])]
    missing = missing.sort_values("period").groupby("indicator_id", as_index=False).tail(1)
    return pd.concat([best, missing], ignore_index=True)


def trend(values: pd.DataFrame, *, province: str, sex: str, indicator_id: str | None = None) -> pd.DataFrame:
    """Period series (headline rows) for one area and sex; every indicator unless one is named."""
    # One mask, one selection of the columns shown, then the sort (the same rows in the same order as filtering
    # step by step and sorting every column: a page's tiles ask for six trends on a first view).
    chosen = (
        values["district"].isna()
        & (values["breakdown"] == TOTAL)
        & (values["province"] == province)
        & (values["sex"] == sex)
    )
    if indicator_id:
        chosen &= values["indicator_id"] == indicator_id
    columns = [
        *FIGURE_COLUMNS,
        "pending",
        "as_of_date",
        "unit",
        *_flag(values),
    ]
    return values.loc[chosen.to_numpy(), columns].sort_values(["indicator_id", "period"]).reset_index(drop=True)


def baseline(series: pd.DataFrame, baseline_year, official_value) -> tuple[float | None, str | None]:
    """The baseline the status is measured from: the official value when the parameters set one, else the series'
    first value in or after the baseline year (the indicator layer's rule for the national headline)."""
    if pd.notna(official_value):
        return float(official_value), str(int(baseline_year))
    rows = series.dropna(subset=["value"])
    if pd.notna(baseline_year):
        rows = rows[rows["period"].str.slice(0, 4) >= str(int(baseline_year))]
    if rows.empty:
        return None, None
    first = rows.sort_values("period").iloc[0]
    return float(first["value"]), str(first["period"])


def by_sex_where_possible(values: pd.DataFrame, catalogue: pd.DataFrame, sex: str) -> pd.DataFrame:
    """Rows of the chosen sex; for indicators not disaggregated by sex, their both-sexes rows (flagged)."""
    if sex == TOTAL:
        return values.assign(sex_note="")
    without_sex = set(catalogue.loc[~catalogue["disaggregations"].map(lambda d: "sex" in list(d)), "indicator_id"])
    chosen = values[(values["sex"] == sex) & ~values["indicator_id"].isin(without_sex)]
    both = values[(values["sex"] == TOTAL) & values["indicator_id"].isin(without_sex)]
    return pd.concat(
        [chosen.assign(sex_note=""), both.assign(sex_note="both sexes: not recorded by sex", sex=sex)],
        ignore_index=True,
    )


def scorecard(
    values: pd.DataFrame, catalogue: pd.DataFrame, *, province: str, sex: str, period: str | None
) -> pd.DataFrame:
    """Every catalogue indicator with its latest value, target, status and trend (a list of values by period)."""
    values = by_sex_where_possible(values, catalogue, sex)
    now = latest(values, province=province, sex=sex, period=period)
    series = at_or_before(trend(values, province=province, sex=sex), period)
    sparks = (
        series.dropna(subset=["value"])
        .groupby("indicator_id")["value"]
        .agg(lambda s: [float(v) for v in s])
        .rename("trend")
    )
    keep = [
        *FIGURE_COLUMNS,
        "target_year",
        "target_value",
        "baseline_year",
        "baseline_value",
        "status",
        "as_of_date",
        "sex_note",
        "suppressed",
    ]
    now = now[[c for c in keep if c in now.columns]]
    card = (
        catalogue[["indicator_id", "short_name", "area", "unit", "polarity", "illustrative_targets"]]
        .merge(now, on="indicator_id", how="left")
        .merge(sparks, on="indicator_id", how="left")
    )
    card["trend"] = card["trend"].map(lambda v: v if isinstance(v, list) else [])
    card["group"] = card["area"].map({a: g for g, areas in AREA_GROUPS for a in areas}).fillna("Other")
    return card


def narrow_table(rows: pd.DataFrame, columns: dict[str, str]) -> str:
    """A table for a phone, as Markdown whose cells wrap: ``columns`` maps a column of ``rows`` to its title. Cells
    are the page's own words (names from the catalogue, formatted figures); a '|' is escaped."""

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    names = list(columns)
    lines = ["| " + " | ".join(cell(columns[c]) for c in names) + " |", "|" + "---|" * len(names)]
    for _, row in rows.iterrows():
        cells = [cell(row[c]) for c in names]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def by_province(
    values: pd.DataFrame, provinces: pd.DataFrame, *, indicator_id: str, sex: str, period: str | None
) -> pd.DataFrame:
    """All 18 provinces (reference order) with the latest value at or before ``period``; null = no data."""
    rows = _headline_rows(values)
    rows = rows[(rows["indicator_id"] == indicator_id) & (rows["sex"] == sex) & (rows["province"] != NATIONAL)]
    rows = at_or_before(rows, period)
    rows = rows[_shown(rows)]
    rows = rows.sort_values("period").groupby("province", as_index=False).tail(1)
    out = (
        provinces[["iso_code", "lsb_code", "name_en"]]
        .merge(
            rows[["province", "period", "value", "numerator", "denominator", *_flag(rows)]],
            left_on="iso_code",
            right_on="province",
            how="left",
        )
        .drop(columns="province")
    )
    return out.rename(columns={"iso_code": "province", "name_en": "province_name"})


def by_sex(values: pd.DataFrame, *, indicator_id: str, province: str, period: str | None) -> pd.DataFrame:
    """Female and male values over time with the F/M ratio (null when either is missing)."""
    chosen = (
        values["district"].isna()
        & (values["breakdown"] == TOTAL)
        & (values["indicator_id"] == indicator_id)
        & (values["province"] == province)
        & values["sex"].isin(["F", "M"])
    )
    rows = at_or_before(values.loc[chosen.to_numpy(), ["period", "sex", "value", *_flag(values)]], period)
    rows = rows[rows["period"].notna()]
    # What pivot_table(index="period", columns="sex", aggfunc="first") made, from the few rows of one indicator and
    # area without its pivots (~4 ms each, four of them in a payments view): each sex's first value that is not
    # null, by period, periods in order; a period with no value for either sex is left out.
    first: dict[tuple[str, str], float] = {}
    for key, value in zip(zip(rows["sex"], rows["period"]), rows["value"].to_numpy(dtype=float, na_value=np.nan)):
        if not np.isnan(value):
            first.setdefault(key, value)
    periods = pd.Index(sorted({p for _, p in first}), dtype=rows["period"].dtype)
    female, male = (np.array([first.get((sex, p), np.nan) for p in periods], dtype=float) for sex in ("F", "M"))
    columns = {
        "period": periods,
        "female": female,
        "male": male,
        "female_to_male_ratio": female / np.where(male > 0, male, np.nan),
        "gap_points": female - male,
    }
    if "suppressed" in rows.columns:
        # A sex is hidden in a period when any of its rows is (aggfunc="any": a null flag hides nothing).
        flagged = rows["suppressed"].fillna(False).astype(bool).to_numpy()
        hidden = set(zip(rows["sex"].to_numpy()[flagged], rows["period"].to_numpy()[flagged]))
        for sex, name in (("F", "female"), ("M", "male")):
            columns[f"{name}_suppressed"] = np.array([(sex, p) in hidden for p in periods], dtype=bool)
    wide = pd.DataFrame(columns)
    wide.columns.name = "sex"
    return wide


def breakdown(
    values: pd.DataFrame, *, indicator_id: str, dimension: str, province: str, sex: str, period: str | None = None
) -> pd.DataFrame:
    """Values by one extra dimension (channel, cycle, ministry, programme…) over time, above district level."""
    rows = values[
        values["district"].isna()
        & (values["indicator_id"] == indicator_id)
        & (values["breakdown"] == dimension)
        & (values["province"] == province)
        & (values["sex"] == sex)
    ]
    rows = at_or_before(rows, period)
    return (
        rows.sort_values(["period", "breakdown_value"])[
            ["period", "breakdown_value", "value", "numerator", "denominator", "unit", *_flag(rows)]
        ]
        .rename(columns={"breakdown_value": dimension})
        .reset_index(drop=True)
    )


def by_district(
    values: pd.DataFrame,
    districts: pd.DataFrame,
    *,
    indicator_id: str,
    sex: str,
    province: str | None,
    period: str | None,
) -> pd.DataFrame:
    """District rows (where the source has them) at their latest period, with district and province names."""
    rows = values[
        values["district"].notna()
        & (values["indicator_id"] == indicator_id)
        & (values["sex"] == sex)
        & (values["breakdown"] == TOTAL)
    ]
    if province and province != NATIONAL:
        rows = rows[rows["province"] == province]
    rows = at_or_before(rows, period)
    rows = rows.sort_values("period").groupby("district", as_index=False).tail(1)
    named = rows.merge(
        districts[["lsb_code", "name_en"]].rename(columns={"lsb_code": "district", "name_en": "district_name"}),
        on="district",
        how="left",
    )
    return (
        named[
            [
                "province",
                "district",
                "district_name",
                "period",
                "value",
                "numerator",
                "denominator",
                "unit",
                *_flag(named),
            ]
        ]
        .sort_values(["province", "district"])
        .reset_index(drop=True)
    )


def province_profile(
    values: pd.DataFrame, catalogue: pd.DataFrame, *, province: str, sex: str, period: str | None
) -> pd.DataFrame:
    """Every indicator for one province beside the national figure, with the difference."""
    values = by_sex_where_possible(values, catalogue, sex)
    here = latest(values, province=province, sex=sex, period=period)
    nation = latest(values, province=NATIONAL, sex=sex, period=period)
    merged = (
        catalogue[["indicator_id", "short_name", "area", "unit", "polarity", "kind"]]
        .merge(
            here[["indicator_id", "period", "value", "numerator", "denominator", *_flag(here)]],
            on="indicator_id",
            how="left",
        )
        .merge(
            nation[["indicator_id", "period", "value", *_flag(nation)]].rename(
                columns={"period": "national_period", "value": "national_value", "suppressed": "national_suppressed"}
            ),
            on="indicator_id",
            how="left",
        )
    )
    merged["difference"] = merged["value"] - merged["national_value"]
    better = merged["difference"].where(merged["polarity"] == "higher_is_better", -merged["difference"])
    merged["compared_with_national"] = better.map(
        lambda d: "no data" if pd.isna(d) else ("▲ better" if d > 1e-9 else ("▼ worse" if d < -1e-9 else "= same"))
    )
    # A province's total (persons, LAK) is a part of the country's, not a rate: comparing them says nothing.
    totals = merged["kind"].isin(["count", "amount"])
    merged.loc[totals, "difference"] = float("nan")
    merged.loc[totals & merged["value"].notna(), "compared_with_national"] = "not comparable (a total)"
    # A comparison with a hidden figure would give it away, and it is not "no data": it reads "suppressed", like the
    # figure (the page, its download and the meeting pack all take this column as it is).
    hidden = pd.Series(False, index=merged.index)
    for flag in ("suppressed", "national_suppressed"):
        if flag in merged.columns:
            hidden |= merged[flag].fillna(False).astype(bool)
    merged.loc[hidden, "compared_with_national"] = SUPPRESSED
    merged["group"] = merged["area"].map({a: g for g, areas in AREA_GROUPS for a in areas}).fillna("Other")
    return merged


def periods(values: pd.DataFrame) -> list[str]:
    """Quarterly periods present in the data, newest first (years are matched to quarters by prefix)."""
    return periods_of(values["period"].dropna().unique())


def periods_of(distinct: Iterable) -> list[str]:
    """``periods`` of a table's distinct periods (a null among them is no period)."""
    found = sorted({str(p) for p in distinct if not pd.isna(p)}, reverse=True)
    quarters = [p for p in found if "-Q" in p]
    return quarters or found


def indicator_disaggregations(values: pd.DataFrame, indicator_id: str) -> list[str]:
    """The breakdown dimensions present for one indicator (besides province, district and sex)."""
    dims = values.loc[values["indicator_id"] == indicator_id, "breakdown"].dropna().unique()
    return sorted(d for d in dims if d != TOTAL)


AUDIT_COLUMNS = ["when", "action", "outcome", "operator", "version", "previous_version", "files", "errors", "warnings"]


def audit_trail(log: pd.DataFrame) -> pd.DataFrame:
    """The refresh log, one row per publish, rejection or roll-back, newest first: who, when, which files, which
    version resulted (for a roll-back: the version made current again)."""
    if log.empty:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    files = log["files"] if "files" in log.columns else pd.Series([[]] * len(log))
    trail = pd.DataFrame(
        {
            "when": log["timestamp"].astype(str).str.replace("T", " ").str.slice(0, 19),
            "action": log["action"],
            "outcome": log["outcome"],
            "operator": log["operator"],
            "version": log["version"],
            "previous_version": log.get("parent"),
            "files": [
                ", ".join(dict.fromkeys(f["file"] for f in entry)) if isinstance(entry, list) else "" for entry in files
            ],
            "errors": log.get("error_count", 0),
            "warnings": log.get("warning_count", 0),
        }
    )
    return trail.iloc[::-1].reset_index(drop=True)[AUDIT_COLUMNS]
