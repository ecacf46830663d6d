"""Comparisons on the pages that cannot mislead (issue 9, point 9): a province's totals are not set against the
country's, and a change that rounds to nothing is not an arrow."""

from __future__ import annotations

import pandas as pd

from dashboard import format as fmt, views

CATALOGUE = pd.DataFrame(
    [
        dict(
            indicator_id="PAY_ARREARS_LAK",
            short_name="Payment arrears",
            area="delivery",
            unit="LAK",
            polarity="lower_is_better",
            kind="amount",
            disaggregations=["province", "sex"],
        ),
        dict(
            indicator_id="PAY_NEVER_PAID",
            short_name="Enrolled, never paid",
            area="delivery",
            unit="percent",
            polarity="lower_is_better",
            kind="ratio",
            disaggregations=["province", "sex"],
        ),
    ]
)


def _row(indicator_id, province, value):
    return dict(
        indicator_id=indicator_id,
        period="2022-Q2",
        province=province,
        district=None,
        sex="_T",
        breakdown="_T",
        breakdown_value="_T",
        value=value,
        numerator=value,
        denominator=None,
    )


def test_province_totals_are_not_compared_with_the_national_total():
    # Attapeu's LAK 155 M of arrears is part of the national LAK 286 M: "lower, so better" would be nonsense.
    # Its never-paid rate (40%) against the national 45.7% is a like-for-like comparison.
    values = pd.DataFrame(
        [
            _row("PAY_ARREARS_LAK", "LA-AT", 155e6),
            _row("PAY_ARREARS_LAK", "LA", 286e6),
            _row("PAY_NEVER_PAID", "LA-AT", 40.0),
            _row("PAY_NEVER_PAID", "LA", 45.7),
        ]
    )
    profile = views.province_profile(values, CATALOGUE, province="LA-AT", sex="_T", period=None)
    profile = profile.set_index("indicator_id")
    assert profile.loc["PAY_ARREARS_LAK", "compared_with_national"] == "not comparable (a total)"
    assert pd.isna(profile.loc["PAY_ARREARS_LAK", "difference"])
    assert profile.loc["PAY_NEVER_PAID", "compared_with_national"] == "▲ better"


def test_a_comparison_with_a_hidden_figure_reads_suppressed_not_no_data():
    # The public view blanks a small cell and flags it: "no data" would tell a donor the province has none.
    values = pd.DataFrame(
        [
            _row("PAY_NEVER_PAID", "LA-AT", None) | {"suppressed": True},
            _row("PAY_NEVER_PAID", "LA", 45.7) | {"suppressed": False},
            _row("PAY_ARREARS_LAK", "LA-AT", 155e6) | {"suppressed": False},
            _row("PAY_ARREARS_LAK", "LA", None) | {"suppressed": True},
        ]
    )
    profile = views.province_profile(values, CATALOGUE, province="LA-AT", sex="_T", period=None)
    compared = profile.set_index("indicator_id")["compared_with_national"]
    assert compared["PAY_NEVER_PAID"] == "suppressed"  # the province's own figure is hidden
    assert compared["PAY_ARREARS_LAK"] == "suppressed"  # the national one is


def test_a_change_that_rounds_to_zero_is_no_change():
    assert fmt.change_on_previous([53.0, 53.04], "percent") == ("no change on previous", True)  # was "+0.0 pts"
    assert fmt.change_on_previous([53.0, 53.5], "percent") == ("+0.5 pts on previous", False)
    assert fmt.change_on_previous([93.0, 93.4], "persons") == ("no change on previous", True)


def test_a_change_is_told_in_its_unit_at_the_precision_its_value_is_shown():
    assert fmt.change_on_previous([10.0, -2.0], "days") == ("-12 days on previous", False)  # was "-12"
    assert fmt.change_on_previous([90.0, 100.0], "persons") == ("+10 persons on previous", False)
    assert fmt.change_on_previous([0.70, 0.75], "score") == ("+0.05 on previous", False)  # was "no change"
    assert fmt.change_on_previous([0.70, 0.702], "score") == ("no change on previous", True)
    assert fmt.change_on_previous([53.0], "percent") == (None, False)


def test_status_without_target_reads_no_target_set():
    assert fmt.status_label("no_target") == "○ No target set"
    assert fmt.status_label("deterioration") == "▼ Moving away from target"


def test_a_lower_bound_reads_at_least():
    assert fmt.at_least(76.0, "days", 76.0, None) == "at least 76 days"
    assert fmt.at_least(29.0, "days", None, None) == "29 days"
    assert fmt.at_least(5.0, "percent", 4.0, 6.0) == "5.0%"  # a range is not "at least"


def test_a_small_share_never_reads_as_a_true_zero():
    from dashboard import format as fmt

    assert fmt.value_with_unit(0.0419, "percent") == "0.042%"  # child coverage on the sample: not "0.0%"
    assert fmt.value_with_unit(0.0, "percent") == "0.0%"  # a province without recipients
    assert fmt.value_with_unit(54.321, "percent") == "54.3%"
