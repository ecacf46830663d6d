"""Issue 14.1-14.2: one disclosure rule for everything public, decided once per version in the indicator layer.

The attacker here holds every public output at once — the public table the pages and downloads are cut from, the
referral funnel, the public csv / SDMX / Open SDG exports — and the two recoveries a tester made from the old outputs
(men's referrals from the Open SDG file beside the dashboard; Oudomxay's feedback from the funnel beside the indicator
table) are replayed against them.
"""

from __future__ import annotations

import io
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from indicators import disclosure, export
from tests.conftest import PROJECT
from tests.roles_fixtures import accounts, run_as  # noqa: F401  (fixture)

THRESHOLD = 5


def row(
    indicator, province, numerator, denominator, *, sex="_T", district=None, breakdown="_T", item="_T", period="2024-Q1"
):
    return {
        "indicator_id": indicator,
        "period": period,
        "province": province,
        "district": district,
        "sex": sex,
        "breakdown": breakdown,
        "breakdown_value": item,
        "unit": "percent",
        "numerator": float(numerator),
        "denominator": float(denominator),
        "value": 100.0 * numerator / denominator if denominator else np.nan,
    }


def hide(rows: list[dict], hidden: set[int]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    return table.assign(suppressed=[i in hidden for i in range(len(table))])


# ------------------------------------------------------------------------------------------------ the audit itself


def test_the_audit_recovers_a_cell_hidden_alone_and_not_two():
    rows = [row("X", "LA", 20, 50), row("X", "LA-VT", 3, 20), row("X", "LA-AT", 17, 30)]
    computed = pd.DataFrame(rows)
    assert list(disclosure.audit(hide(rows, {1}), computed).index) == [1]
    assert disclosure.audit(hide(rows, {1, 2}), computed).empty


def test_numerators_and_denominators_are_solved_apart():
    # Insured persons by scheme: the numerators add up, the denominator is the same population in every row.
    rows = [
        row("HI", "LA", 30, 100),
        row("HI", "LA", 3, 100, breakdown="scheme", item="a"),
        row("HI", "LA", 27, 100, breakdown="scheme", item="b"),
    ]
    computed = pd.DataFrame(rows)
    # Hiding both schemes protects the numerators (3 + 27 = 30) but each denominator is the published total's.
    assert list(disclosure.audit(hide(rows, {1, 2}), computed).index) == [1, 2]
    public = disclosure.public_table(computed, THRESHOLD, person_based={"HI"})
    assert public["suppressed"].all()  # the total goes too: nothing else can protect a repeated population
    assert disclosure.audit(public, computed).empty


def test_a_set_that_does_not_add_up_gives_no_equation():
    # A grievance with a blank district counts in the province but in none of its districts.
    rows = [
        row("G", "LA-VT", 12, 20),
        row("G", "LA-VT", 3, 8, district="0101"),
        row("G", "LA-VT", 8, 11, district="0102"),
    ]
    computed = pd.DataFrame(rows)
    assert disclosure.audit(hide(rows, {1}), computed).empty
    # ... while one that does add up gives the hidden district back.
    rows[0] = row("G", "LA-VT", 11, 19)
    assert list(disclosure.audit(hide(rows, {1}), pd.DataFrame(rows)).index) == [1]


def test_unknown_sex_counts_in_the_total_and_protects_nothing_by_its_absence():
    rows = [
        row("G", "LA", 20, 30),
        row("G", "LA", 15, 23, sex="F"),
        row("G", "LA", 1, 3, sex="M"),
        row("G", "LA", 4, 4, sex="_U"),
    ]
    computed = pd.DataFrame(rows)
    public = disclosure.public_table(computed, THRESHOLD, person_based={"G"})
    assert public.loc[2, "suppressed"] and public["suppressed"].sum() >= 2
    assert disclosure.audit(public, computed).empty


def test_two_indicators_counting_the_same_people_are_tied():
    # Referrals completed (numerator of one) are the denominator of the counter-referral rate.
    done = [row("DONE", p, n, d) for p, n, d in (("LA", 30, 40), ("LA-VT", 3, 9), ("LA-AT", 12, 14), ("LA-SV", 15, 17))]
    counter = [
        row("COUNTER", p, f, n) for p, f, n in (("LA", 20, 30), ("LA-VT", 2, 3), ("LA-AT", 8, 12), ("LA-SV", 10, 15))
    ]
    computed = pd.DataFrame(done + counter)
    # Hiding VT and AT in one indicator and VT and SV in the other: AT's 12 completed comes back through the tie.
    leaky = computed.assign(suppressed=[False, True, True, False, False, True, False, True])
    assert 2 in disclosure.audit(leaky, computed).index
    public = disclosure.public_table(computed, THRESHOLD, person_based={"DONE", "COUNTER"})
    assert disclosure.audit(public, computed).empty
    hidden = public.set_index(["indicator_id", "province"])["suppressed"]
    assert hidden["DONE"].to_dict() == hidden["COUNTER"].to_dict()


def _ties_written_out(frame: pd.DataFrame, figures: np.ndarray) -> list[tuple[int, int]]:
    """The ties from their definition: for two figure columns (indicator x numerator or denominator) of different
    indicators that agree on a non-zero figure somewhere, every period in which they share at least three cells, all
    equal and not all zero, ties those cells pairwise (cell = row * 2 + figure). Column pairs in order of (indicator,
    figure); periods, then cells, in order of first appearance in the table."""
    cell_columns = ["period", "province", "district", "sex", "breakdown", "breakdown_value"]
    cells = [tuple(None if pd.isna(v) else v for v in r) for r in frame[cell_columns].itertuples(index=False)]
    first_seen = {cell: i for i, cell in reversed(list(enumerate(dict.fromkeys(cells))))}
    periods = list(dict.fromkeys(frame["period"]))
    column_rows = {}
    for indicator in sorted(set(frame["indicator_id"])):
        for f in (0, 1):
            rows = [
                r for r in range(len(frame)) if frame["indicator_id"][r] == indicator and not np.isnan(figures[r, f])
            ]
            if rows:
                column_rows[(indicator, f)] = {cells[r]: r for r in rows}
    names = sorted(column_rows)
    ties = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            by_cell_a, by_cell_b = column_rows[a], column_rows[b]
            if a[0] == b[0] or not any(
                figures[r, a[1]] != 0 and cell in by_cell_b and figures[by_cell_b[cell], b[1]] == figures[r, a[1]]
                for cell, r in by_cell_a.items()
            ):
                continue
            common = sorted((c for c in by_cell_a if c in by_cell_b), key=first_seen.get)
            for period in periods:
                here = [c for c in common if c[0] == period]
                fa = [figures[by_cell_a[c], a[1]] for c in here]
                fb = [figures[by_cell_b[c], b[1]] for c in here]
                if len(here) >= 3 and fa == fb and any(fa):
                    ties += [(by_cell_a[c] * 2 + a[1], by_cell_b[c] * 2 + b[1]) for c in here]
    return ties


def test_ties_are_those_written_out_from_their_definition():
    """Two referral indicators tied in 2024-Q1 (not in Q2: referrals still open), a third agreeing by chance on one
    figure, blank figures, and the rows shuffled so that first appearance is not alphabetical order."""
    rows = []
    for period, late in (("2024-Q1", 0), ("2024-Q2", 1)):
        for province, done, made in (("LA", 30, 40), ("LA-VT", 3, 9), ("LA-AT", 12, 14), ("LA-SV", 15, 17)):
            for sex, part in (("_T", 1.0), ("F", 0.5)):
                rows.append(row("DONE", province, done * part, made * part, sex=sex, period=period))
                rows.append(row("COUNTER", province, 2, done * part + late, sex=sex, period=period))
                rows.append(row("CHANCE", province, 3, 99, sex=sex, period=period))  # DONE in VT: 3 too
    rows.append({**row("COUNTER", "LA-XS", 1, 1), "denominator": np.nan})
    table = pd.DataFrame(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)
    figures = disclosure.figure_matrix(table)
    expected = _ties_written_out(table, figures)
    assert disclosure._ties(table, figures).tolist() == [list(t) for t in expected]
    tied = {(table["indicator_id"][a // 2], table["indicator_id"][b // 2]) for a, b in expected}
    assert tied == {("COUNTER", "DONE")}
    assert {table["period"][a // 2] for a, _ in expected} == {"2024-Q1"}


def test_recovery_c_a_days_late_bin_from_the_on_time_denominator():
    """The payments page's days-late table, suppressed on its own, hid a small bin with a second province's (its
    only sets: provinces = national); but a province's bins add up to its payments due, which the on-time
    indicator publishes as its denominator. Joined into the one public table, they are tied and hidden together."""
    due = {"LA-VT": (30, 40), "LA-AT": (20, 31), "LA-SV": (25, 33)}  # (paid on time, payments due)
    bins = {
        "LA-VT": {"on or before the due date": 30, "1-15 days": 3, "not paid": 7},
        "LA-AT": {"on or before the due date": 20, "1-15 days": 4, "not paid": 7},
        "LA-SV": {"on or before the due date": 25, "1-15 days": 6, "not paid": 2},
    }
    rows = [row("PAY_ONTIME", p, n, d) for p, (n, d) in due.items()]
    rows.append(row("PAY_ONTIME", "LA", sum(n for n, _ in due.values()), sum(d for _, d in due.values())))
    computed_all = pd.DataFrame(rows)
    days_late = pd.DataFrame(
        [
            {"period": "2024-Q1", "province": p, "sex": "F", "days_late_bin": b, "payments": n}
            for p, counts in bins.items()
            for b, n in counts.items()
        ]
    )
    assert days_late.groupby("province")["payments"].sum().to_dict() == {p: d for p, (_, d) in due.items()}

    def attack(days_late_public: pd.DataFrame, indicator: pd.DataFrame):
        """VT's hidden 1-15 days bin: its payments due − its other bins."""
        mine = days_late_public[days_late_public["province"] == "LA-VT"]
        others = mine[mine["days_late_bin"] != "1-15 days"]
        denominator = figure(indicator, "PAY_ONTIME", "2024-Q1", "LA-VT", column="denominator")
        if denominator is None or others["suppressed"].any() or len(others) != 2:
            return None
        return denominator - others["payments"].sum()

    # The old outputs: the days-late table suppressed on its own (the dashboard's supporting-table rule).
    totals = days_late.groupby(["period", "province", "days_late_bin"], as_index=False)["payments"].sum()
    national = totals.groupby(["period", "days_late_bin"], as_index=False)["payments"].sum().assign(province="LA")
    old = disclosure.suppress_table(
        pd.concat([totals, national[totals.columns]], ignore_index=True),
        ["payments"],
        THRESHOLD,
        group_sets={"province": "LA"},
    )
    assert old.loc[(old["province"] == "LA-VT") & (old["days_late_bin"] == "1-15 days"), "suppressed"].all()
    assert attack(old, computed_all.assign(suppressed=False)) == 3
    # Now one public table: the bins, their totals and the on-time denominators decided together.
    public = disclosure.public_table(computed_all, THRESHOLD, person_based={"PAY_ONTIME"}, days_late=days_late)
    shown = disclosure.public_days_late(public)
    shown = shown[(shown["sex"] == "_T") & (shown["days_late_bin"] != "_T")]
    assert attack(shown, public) is None
    assert disclosure.audit(public, disclosure.public_rows(computed_all, days_late=days_late)).empty
    tied = public[public["district"].isna() & (public["sex"] == "_T") & (public["breakdown"] == "_T")]
    hidden = tied.pivot_table(index="province", columns="indicator_id", values="suppressed", aggfunc="first")
    assert (hidden["PAY_ONTIME"] == hidden[disclosure.DAYS_LATE]).all()  # the same people hidden in both or neither


def test_a_figure_the_own_province_alone_gives_back_costs_no_further_cells():
    """A provincial account knows its province's figures; where the national figure is that province's alone (no
    other province has any), it gives the hidden national figure back whatever else is hidden, so hiding more rows
    protects nothing: the scoped table hides no more than the public one there (it hid thousands of cells on
    national data, in 80 s, before)."""
    rows = [
        row("Y", "LA", 20, 30),
        row("Y", "LA", 3, 5, sex="F"),
        row("Y", "LA", 17, 25, sex="M"),
        row("Y", "LA-VT", 20, 30),
        row("Y", "LA-VT", 3, 5, sex="F"),
        row("Y", "LA-VT", 17, 25, sex="M"),
        row("Z", "LA", 30, 50),
        row("Z", "LA-AT", 12, 20),
        row("Z", "LA-SV", 18, 30),
    ]
    computed = pd.DataFrame(rows)
    public = disclosure.public_table(computed, THRESHOLD, person_based={"Y", "Z"})
    assert public["suppressed"].sum() >= 2  # the small women's figures and complements
    figures = disclosure.figure_matrix(computed)
    equations = disclosure.figure_equations(computed, figures)
    own = (computed["province"] == "LA-VT").to_numpy()
    scoped = disclosure.protect_figures(
        public["suppressed"].to_numpy(), figures, equations, np.arange(len(computed)), known=own
    )
    assert (scoped == (public["suppressed"].to_numpy() & ~own)).all()
    assert not scoped[6:].any()  # indicator Z, where nothing is small, stays whole


def test_the_sentence_and_the_sdmx_code():
    assert disclosure.PRIVACY_NOTE == "Figures based on fewer than 5 persons are hidden to protect privacy."
    assert disclosure.privacy_note(10) == "Figures based on fewer than 10 persons are hidden to protect privacy."
    from tests.test_indicators_exports import DSD  # the shared LSB structure the SDMX files follow

    text = DSD.read_text(encoding="utf-8")
    at = text.index(f'CL_OBS_STATUS(2.1).{disclosure.OBS_STATUS_SUPPRESSED}"')
    assert "Missing value; suppressed" in text[at : at + 400]


# --------------------------------------------------------------------------------------- the sample, every output


@pytest.fixture(scope="module")
def outputs(sample_warehouse):
    from indicators import api

    version = api.current_version(sample_warehouse)
    computed_all = api.indicator_values(version, sample_warehouse)
    public = api.public_table(version, sample_warehouse)
    computed = disclosure.public_rows(
        computed_all,
        api.supporting_table(version, "referral_funnel", sample_warehouse),
        api.supporting_table(version, "days_late_distribution", sample_warehouse),
    )
    # The public table may have been written by another process (a dashboard server of the browser tests).
    public = public.reset_index(drop=True)
    computed = disclosure.lined_up(computed, public)
    return {"version": version, "computed_all": computed_all, "computed": computed, "public": public}


def figure(table: pd.DataFrame, indicator: str, period: str, province: str, sex: str = "_T", column="numerator"):
    match = table[
        (table["indicator_id"] == indicator)
        & (table["period"] == period)
        & (table["province"] == province)
        & table["district"].isna()
        & (table["sex"] == sex)
        & (table["breakdown"] == "_T")
    ]
    assert len(match) <= 1
    if match.empty or bool(match["suppressed"].iloc[0] if "suppressed" in match else False):
        return None
    return match[column].iloc[0]


def test_the_public_table_of_the_sample_gives_nothing_back(outputs):
    public, computed = outputs["public"], outputs["computed"]
    assert disclosure.audit(public, computed).empty
    hidden = public["suppressed"].to_numpy(dtype=bool)
    assert hidden.sum() > 0
    assert public.loc[hidden, ["numerator", "denominator", "value"]].isna().all().all()
    assert (public.loc[hidden, "suppressed_label"] == disclosure.SUPPRESSED_LABEL).all()
    # A hidden cell is never "no data": the member's table has a figure for every one of them.
    assert computed.loc[hidden, ["numerator", "value"]].notna().any(axis=1).all()
    pd.testing.assert_series_equal(public.loc[~hidden, "value"], computed.loc[~hidden, "value"], check_names=False)


def test_recovery_a_mens_referrals_from_the_open_sdg_file_beside_the_dashboard(outputs):
    computed_all, public = outputs["computed_all"], outputs["public"]
    period = "2020-Q3"
    assert (
        figure(computed_all, "COORD_REFERRAL_DONE", period, "LA", "M", "numerator"),
        figure(computed_all, "COORD_REFERRAL_DONE", period, "LA", "M", "denominator"),
    ) == (1, 7)

    def womens_share(open_sdg: pd.DataFrame) -> float | None:
        hit = open_sdg[
            (open_sdg["Year"] == 2020)
            & (open_sdg["Quarter"] == "Q3")
            & (open_sdg["Sex"] == "Female")
            & open_sdg["Province"].isna()
            & open_sdg["District"].isna()
        ]
        return None if hit.empty else float(hit["Value"].iloc[0])

    def attack(open_sdg: pd.DataFrame, dashboard: pd.DataFrame):
        total = (
            figure(dashboard, "COORD_REFERRAL_DONE", period, "LA", "_T", "numerator"),
            figure(dashboard, "COORD_REFERRAL_DONE", period, "LA", "_T", "denominator"),
        )
        unknown = [
            figure(dashboard, "COORD_REFERRAL_DONE", period, "LA", "_U", c) for c in ("numerator", "denominator")
        ]
        share = womens_share(open_sdg)
        if None in total or share is None:
            return None
        women = Fraction(share / 100).limit_denominator(int(total[1]))  # 65.217…% of at most 30 = 15/23
        rest = (
            [0, 0]
            if all(u is None for u in unknown)
            and not ((dashboard["indicator_id"] == "COORD_REFERRAL_DONE") & (dashboard["sex"] == "_U")).any()
            else None
        )
        if rest is None:
            return None
        return total[0] - women.numerator, total[1] - women.denominator

    # The old outputs: the Open SDG file left out small cells only, the dashboard showed the national total.
    old_open_sdg = export.opensdg_table(computed_all, "COORD_REFERRAL_DONE")
    assert attack(old_open_sdg, computed_all.assign(suppressed=False)) == (1, 7)
    # Now every output is cut from the one public table.
    assert attack(export.opensdg_table(public, "COORD_REFERRAL_DONE"), public) is None


def test_recovery_b_oudomxay_from_the_funnel_beside_the_indicator_table(outputs):
    computed, public = outputs["computed"], outputs["public"]
    period, provinces = "2022-Q1", ("LA-AT", "LA-PH", "LA-SV")
    feedback = {p: figure(computed, disclosure.FUNNEL_FEEDBACK, period, p) for p in ("LA", "LA-OU", *provinces)}
    assert feedback == {"LA": 45, "LA-OU": 3, "LA-AT": 27, "LA-PH": 7, "LA-SV": 8}  # 45 − 27 − 8 − 7 = 3

    def attack(funnel: pd.DataFrame, indicator: pd.DataFrame):
        national = figure(indicator, "COORD_COUNTER_REFERRAL", period, "LA")
        seen = {}
        for p in provinces:  # from either output: the funnel or the indicator table
            in_funnel = funnel[(funnel["period"] == period) & (funnel["province"] == p) & ~funnel["suppressed"]]
            seen[p] = (
                in_funnel["feedback_returned"].iloc[0]
                if len(in_funnel)
                else figure(indicator, "COORD_COUNTER_REFERRAL", period, p)
            )
        if national is None or None in seen.values():
            return None
        return national - sum(seen.values())

    # The old outputs: the funnel suppressed on its own (a different province hidden), the table on its own.
    by_province = computed[computed["indicator_id"] == disclosure.FUNNEL_FEEDBACK][["period", "province", "numerator"]]
    old_funnel = disclosure.suppress_table(
        by_province.rename(columns={"numerator": "feedback_returned"}),
        ["feedback_returned"],
        THRESHOLD,
        group_sets={"province": "LA"},
    )
    old_table = outputs["computed_all"].assign(suppressed=outputs["computed_all"]["small_cell"].fillna(False))
    assert attack(old_funnel, old_table) == 3
    # Now the funnel is cut from the public table, which ties it to the indicator.
    assert attack(disclosure.public_funnel(public), public) is None
    funnel = disclosure.public_funnel(public).set_index(["period", "province"])
    counter = public[
        (public["indicator_id"] == "COORD_COUNTER_REFERRAL")
        & public["district"].isna()
        & (public["sex"] == "_T")
        & (public["breakdown"] == "_T")
    ].set_index(["period", "province"])
    as_computed = computed.set_index(["indicator_id", "period", "province", "sex", "breakdown"])
    as_computed = as_computed[as_computed["district"].isna()]["numerator"]
    comparable = [
        k
        for k in funnel.index
        if k in counter.index
        and as_computed[(disclosure.FUNNEL_FEEDBACK, *k, "_T", "_T")]
        == as_computed[("COORD_COUNTER_REFERRAL", *k, "_T", "_T")]
    ]
    assert comparable
    for k in comparable:  # the same referrals are hidden in both or in neither
        assert bool(funnel.loc[k, "suppressed"]) >= bool(counter.loc[k, "suppressed"])


def test_the_days_late_table_is_cut_from_the_public_table_and_tied_to_the_on_time_indicator(outputs, sample_warehouse):
    from indicators import api

    public = outputs["public"]
    raw = api.supporting_table(outputs["version"], "days_late_distribution", sample_warehouse)
    shown = disclosure.public_days_late(public)
    assert {"LA", "_T"} <= set(shown["province"]) | set(shown["sex"]) and "_T" in set(shown["days_late_bin"])
    # Every published count is the count as computed at its level (national, both sexes, all bins included).
    for _, level in shown[~shown["suppressed"]].iterrows():
        match = raw[raw["period"] == level["period"]]
        for column in ("province", "sex", "days_late_bin"):
            code = "LA" if column == "province" else "_T"
            if level[column] != code:
                match = match[match[column] == level[column]]
        assert match["payments"].sum() == level["payments"]
    assert shown.loc[shown["suppressed"], "payments"].isna().all()
    # All bins of a province and sex are its payments due: hidden in the on-time indicator, hidden here too.
    totals = shown[shown["days_late_bin"] == "_T"].set_index(["period", "province", "sex"])
    on_time = public[
        (public["indicator_id"] == "PAY_ONTIME") & public["district"].isna() & (public["breakdown"] == "_T")
    ].set_index(["period", "province", "sex"])
    computed = outputs["computed"]
    due = computed[
        (computed["indicator_id"] == "PAY_ONTIME") & computed["district"].isna() & (computed["breakdown"] == "_T")
    ].set_index(["period", "province", "sex"])["denominator"]
    common = [k for k in totals.index if k in on_time.index]
    assert len(common) >= 9 and all(
        due[k] == totals.loc[k, "payments"] for k in common if not totals.loc[k, "suppressed"]
    )
    assert all(bool(totals.loc[k, "suppressed"]) == bool(on_time.loc[k, "suppressed"]) for k in common)


def test_public_exports_say_suppressed_and_hide_what_the_dashboard_hides(outputs, sample_warehouse, tmp_path):
    public = outputs["public"]
    for kind in ("csv", "sdmx", "opensdg"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "indicators",
                "export",
                str(tmp_path / kind),
                "--format",
                kind,
                "--public",
                "--warehouse",
                str(sample_warehouse),
            ],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
    csv = pd.read_csv(next((tmp_path / "csv").glob("*.csv")), dtype=str, keep_default_na=False)
    shown = public[~public["indicator_id"].isin(disclosure.PSEUDO_INDICATORS)].reset_index(drop=True)
    assert (csv.loc[shown["suppressed"].to_numpy(), "value"] == "suppressed").all()
    assert (csv.loc[~shown["suppressed"].to_numpy(), "value"] != "suppressed").all()
    sdmx = pd.read_csv(tmp_path / "sdmx" / "sdg_1-3-1.sdmx.csv", dtype=str, keep_default_na=False)
    hidden_obs = sdmx[sdmx["OBS_STATUS"] == disclosure.OBS_STATUS_SUPPRESSED]
    assert len(hidden_obs) and (hidden_obs["OBS_VALUE"] == "").all()
    series = shown[shown["indicator_id"].str.startswith("SI_COV") & (shown["breakdown"] == "_T")]
    assert len(hidden_obs) == int(series["suppressed"].sum())
    # Every value in the Open SDG files is one the public table shows.
    published = set(np.round(shown.loc[~shown["suppressed"], "value"].dropna().to_numpy(), 6))
    for path in (tmp_path / "opensdg").glob("indicator_*.csv"):
        values = pd.read_csv(path)["Value"].dropna().to_numpy()
        assert set(np.round(values, 6)) <= published, path.name


# ------------------------------------------------------------------------------- scan: every public page, download


def _figures(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[c for c in frame.columns if c in PERSON_FIGURES]].astype(str)


PERSON_FIGURES = (
    "numerator",
    "denominator",
    "value",
    "made",
    "completed",
    "feedback_returned",
    "payments",
    "female",
    "male",
    "never_paid",
    "enrolled",
)


@pytest.mark.parametrize(
    "page,params",
    [
        ("pages/overview.py", {}),
        ("pages/coverage.py", {}),
        ("pages/payments.py", {}),
        ("pages/coordination.py", {}),
        ("pages/province.py", {"province": "LA-OU"}),
        ("pages/indicator.py", {"indicator": "COORD_REFERRAL_DONE"}),
        ("pages/indicator.py", {"indicator": "COORD_GRIEVANCE_TIMELY"}),
    ],
)
def test_every_public_download_shows_the_true_figure_or_says_suppressed(
    dashboard_warehouse, accounts, page, params, monkeypatch
):
    """A public figure is the member's figure or the word "suppressed", where the member reads a number: never a
    sum of what is left (a partial total would give the hidden part back beside the true total) nor "no data"."""
    from dashboard import components

    captured: list[bytes] = []
    original = components.csv_bytes

    def recording(*args, **kwargs):
        captured.append(original(*args, **kwargs))
        return captured[-1]

    monkeypatch.setattr(components, "csv_bytes", recording)
    public_at = run_as(page, None, params)
    assert not public_at.exception
    public = [pd.read_csv(io.BytesIO(b), dtype=str, keep_default_na=False) for b in captured]
    # A download holding a hidden figure ends with the privacy sentence (issue 14): a line of its own, set apart here.
    noted = [len(t) > 0 and t.iloc[-1, 0] == disclosure.PRIVACY_NOTE for t in public]
    assert noted == [bool(t.isin([disclosure.SUPPRESSED_LABEL]).any().any()) for t in public]
    public = [t.iloc[:-1] if note else t for t, note in zip(public, noted)]
    captured.clear()
    member_at = run_as(page, "member", params, role="commission")
    assert not member_at.exception
    member = [pd.read_csv(io.BytesIO(b), dtype=str, keep_default_na=False) for b in captured]
    compared = hidden = 0
    for mine, theirs in zip(public, member):
        if list(mine.columns) != list(theirs.columns) or len(mine) != len(theirs):
            continue  # a table only a member gets (or shaped by role): not the same table
        mine, theirs = _figures(mine), _figures(theirs)
        said = mine == disclosure.SUPPRESSED_LABEL
        a = mine.mask(said).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        b = theirs.mask(said).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        assert np.allclose(a, b, equal_nan=True, rtol=1e-9), "a public figure differs from the member's"
        numbers = theirs[said].apply(pd.to_numeric, errors="coerce")
        assert numbers[said].notna().sum().sum() == said.sum().sum(), "suppressed where the member has no number"
        compared += 1
        hidden += int(said.sum().sum())
    assert compared >= 1
    if page in ("pages/indicator.py", "pages/coordination.py"):
        assert hidden > 0, "the sample has small referral and grievance cells"


def test_the_coordination_index_hides_the_shares_of_hidden_rows(outputs, sample_warehouse):
    from indicators import api

    pci = api.supporting_table(outputs["version"], "pci", sample_warehouse)
    computed_share = pci.set_index(["period", "province"]).loc[("2022-Q2", "LA-OU"), "referral_completion"]
    assert computed_share == pytest.approx(1 / 3)  # Oudomxay's hidden 1 of 3 referrals completed
    public = disclosure.public_pci(pci, outputs["public"]).set_index(["period", "province"])
    hidden = public.loc[("2022-Q2", "LA-OU")]
    assert hidden["referral_completion_suppressed"] and np.isnan(hidden["referral_completion"])
    assert hidden["score_suppressed"] and pd.isna(hidden["score"]) and pd.isna(hidden["reasons"])
    shown = public[~public["score_suppressed"]]
    assert len(shown) and shown["score"].notna().all()
