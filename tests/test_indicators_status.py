"""Progress status (Open SDG / Statistics Canada), on hand-made series whose growth rates are round numbers.

Yearly periods sit at mid-year, so base 2021 -> current 2023 is 2 years and base 2021 -> target 2025 is 4 years.
"""

from __future__ import annotations

import duckdb
import pytest

from indicators import status
from indicators.catalogue import all_indicators

TARGETS = {
    "SI_COV_BENFTS": {"baseline_year": 2021, "baseline_value": 10.0, "target_2025": 40.0, "target_2030": 80.0},
    "PAY_NEVER_PAID": {"baseline_year": 2021, "baseline_value": 40.0, "target_2025": 10.0},
    "COORD_TRAINING": {"baseline_year": 2021},
}


def assess(rows: list[tuple]) -> dict:
    """rows: (indicator_id, period, province, value) -> {(indicator_id, period, province): row as dict}."""
    con = duckdb.connect()
    con.execute("""CREATE TEMP TABLE ind_results (indicator_id VARCHAR, period VARCHAR, province VARCHAR,
                   district VARCHAR, sex VARCHAR, breakdown VARCHAR, breakdown_value VARCHAR, numerator DOUBLE,
                   denominator DOUBLE, value DOUBLE, lower_bound DOUBLE, upper_bound DOUBLE, pending DOUBLE)""")
    con.executemany(
        "INSERT INTO ind_results VALUES (?, ?, ?, NULL, '_T', '_T', '_T', NULL, NULL, ?, NULL, NULL, NULL)", rows
    )
    status.install_metadata(con, all_indicators(), {"targets": TARGETS})
    out = con.execute(status.STATUS_SQL).df()
    return {(r.indicator_id, r.period, r.province): r._asdict() for r in out.itertuples(index=False)}


@pytest.mark.parametrize(
    "current, expected",
    [
        (45.0, "target_achieved"),  # at or beyond 40
        (20.0, "substantial_progress"),  # sqrt(2) - 1 = 0.4142 a year, as required (4th root of 4 - 1): ratio 1
        (16.9, "moderate_progress"),  # sqrt(1.69) - 1 = 0.30: ratio 0.30 / 0.4142 = 0.72
        (12.1, "limited_progress"),  # sqrt(1.21) - 1 = 0.10: ratio 0.24
        (8.1, "deterioration"),  # sqrt(0.81) - 1 = -0.10: ratio -0.24
    ],
)
def test_headline_against_parameter_baseline_and_2025_target(current, expected):
    result = assess([("SI_COV_BENFTS", "2023", "LA", current)])[("SI_COV_BENFTS", "2023", "LA")]
    assert result["status"] == expected
    assert result["status_base_period"] == "2021" and result["status_base_value"] == 10.0
    assert result["target_year"] == 2025 and result["target_value"] == 40.0
    assert result["status_years"] == 2.0
    assert result["growth_required"] == pytest.approx(2**0.5 - 1)
    assert result["growth_actual"] == pytest.approx((current / 10) ** 0.5 - 1)
    assert result["status_label"] == status.LABELS[expected]


def test_ratio_component_is_observed_over_required_growth():
    result = assess([("SI_COV_BENFTS", "2023", "LA", 16.9)])[("SI_COV_BENFTS", "2023", "LA")]
    assert result["progress_ratio"] == pytest.approx(0.3 / (2**0.5 - 1))


def test_lower_is_better_direction():
    # 40 -> 10 in 4 years needs 0.25 ** 0.25 - 1 = -0.2929 a year; 40 -> 20 in 2 years is exactly that.
    result = assess([("PAY_NEVER_PAID", "2023", "LA", 20.0)])[("PAY_NEVER_PAID", "2023", "LA")]
    assert result["progress_ratio"] == pytest.approx(1.0) and result["status"] == "substantial_progress"
    worse = assess([("PAY_NEVER_PAID", "2023", "LA", 50.0)])[("PAY_NEVER_PAID", "2023", "LA")]
    assert worse["status"] == "deterioration"


def test_after_2025_the_2030_target_applies():
    result = assess([("SI_COV_BENFTS", "2026", "LA", 45.0)])[("SI_COV_BENFTS", "2026", "LA")]
    assert (result["target_year"], result["target_value"]) == (2030, 80.0)
    assert result["status"] != "target_achieved"


def test_other_series_start_from_their_own_first_value():
    # A province: its base is its own 2021 value 30; 36.3 in 2023 is 10% a year.
    got = assess([("SI_COV_BENFTS", "2021", "LA-AT", 30.0), ("SI_COV_BENFTS", "2023", "LA-AT", 36.3)])
    row = got[("SI_COV_BENFTS", "2023", "LA-AT")]
    assert row["status_base_period"] == "2021" and row["status_base_value"] == 30.0
    assert row["growth_actual"] == pytest.approx(0.1)  # sqrt(36.3 / 30) - 1 = sqrt(1.21) - 1
    # required: (40 / 30) ** (1/4) - 1 = 0.07457; ratio 1.34 -> on track
    assert row["status"] == "substantial_progress"
    assert got[("SI_COV_BENFTS", "2021", "LA-AT")]["status"] == "not_available"  # its own base


@pytest.mark.parametrize("current", [104.04, 100.0, 98.01])
def test_without_a_target_the_status_says_no_target_set_whatever_the_trend(current):
    # Before: +2%/year read "substantial progress", -1%/year "deterioration" (moving away from a target that does
    # not exist). The trend is still given in growth_actual.
    got = assess([("COORD_TRAINING", "2021", "LA", 100.0), ("COORD_TRAINING", "2023", "LA", current)])
    row = got[("COORD_TRAINING", "2023", "LA")]
    assert row["status"] == "no_target" and row["status_label"] == "No target set"
    assert row["growth_actual"] == pytest.approx((current / 100) ** 0.5 - 1)


def test_too_soon_or_no_value_is_not_assessed():
    got = assess([("SI_COV_BENFTS", "2021-Q3", "LA", 12.0), ("SI_COV_BENFTS", "2023", "LA", None)])
    assert got[("SI_COV_BENFTS", "2021-Q3", "LA")]["status"] == "not_available"  # a quarter after the base
    assert got[("SI_COV_BENFTS", "2023", "LA")]["status"] == "not_available"


def test_quarter_times_are_mid_quarter():
    got = assess([("SI_COV_BENFTS", "2022-Q3", "LA", 20.0)])[("SI_COV_BENFTS", "2022-Q3", "LA")]
    assert got["status_years"] == pytest.approx(2022 + 2.5 / 4 - 2021.5)


def test_an_at_least_value_only_proves_a_move_away_from_the_target():
    # PAY_DELAY_P90 while payments are unpaid is "at least N days" (lower_bound, no upper_bound). From an exact 60:
    # "at least 40" may be 40 or 400 - no progress can be read; "at least 90" is certainly worse.
    con = duckdb.connect()
    con.execute("""CREATE TEMP TABLE ind_results (indicator_id VARCHAR, period VARCHAR, province VARCHAR,
                   district VARCHAR, sex VARCHAR, breakdown VARCHAR, breakdown_value VARCHAR, numerator DOUBLE,
                   denominator DOUBLE, value DOUBLE, lower_bound DOUBLE, upper_bound DOUBLE, pending DOUBLE)""")
    rows = [
        ("LA", "2021", 60.0, None),
        ("LA-AT", "2021", 60.0, None),
        ("LA", "2023", 40.0, 40.0),
        ("LA-AT", "2023", 90.0, 90.0),
        ("LA-SV", "2021", 200.0, 200.0),
        ("LA-SV", "2023", 50.0, None),
    ]
    con.executemany(
        "INSERT INTO ind_results VALUES ('PAY_DELAY_P90', ?, ?, NULL, '_T', '_T', '_T', 1, NULL, ?, ?, NULL, NULL)",
        [(p, a, v, lo) for a, p, v, lo in rows],
    )
    targets = {"PAY_DELAY_P90": {"baseline_year": 2021, "target_2025": 20.0}}
    status.install_metadata(con, all_indicators(), {"targets": targets})
    got = {(r.province, r.period): r.status for r in con.execute(status.STATUS_SQL).df().itertuples()}
    assert got[("LA", "2023")] == "not_available"  # at least 40, from 60: better or worse, unknown
    assert got[("LA-AT", "2023")] == "deterioration"  # at least 90, from 60: certainly worse
    assert got[("LA-SV", "2023")] == "not_available"  # the base was only "at least 200"
