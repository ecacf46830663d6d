"""The preview of a refresh: the indicator cells that would move, computed without touching the warehouse."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from data_pipeline import refresh, warehouse
from data_pipeline.secrets import DEMO_HASH_KEY, key_fingerprint
from indicators import api, preview
from tests.roles_fixtures import fixed_return


def tidy(rows: list[tuple]) -> pd.DataFrame:
    """A tiny tidy table: (indicator, period, province, sex, numerator, denominator, value)."""
    frame = pd.DataFrame(
        rows, columns=["indicator_id", "period", "province", "sex", "numerator", "denominator", "value"]
    )
    return frame.assign(district=None, breakdown="_T", breakdown_value="_T", unit="percent")


def test_changes_name_each_moved_added_and_removed_cell_with_its_difference():
    before = tidy(
        [
            ("A", "2022-Q1", "LA", "_T", 50, 100, 50.0),
            ("A", "2022-Q2", "LA", "_T", 60, 100, 60.0),
            ("B", "2022-Q2", "LA", "_T", 1, 4, 25.0),
            ("C", "2022-Q2", "LA", "_T", 7, 10, 70.0),
        ]
    )
    after = tidy(
        [
            ("A", "2022-Q1", "LA", "_T", 50, 100, 50.0),
            ("A", "2022-Q2", "LA", "_T", 66, 100, 66.0),
            ("A", "2022-Q3", "LA", "_T", 10, 20, 50.0),
            ("C", "2022-Q2", "LA", "_T", 7, 10, 70.0),
        ]
    )
    changes = preview.indicator_changes(before, after).set_index(["indicator_id", "period"])
    assert set(changes.index) == {("A", "2022-Q2"), ("A", "2022-Q3"), ("B", "2022-Q2")}
    assert changes.loc[("A", "2022-Q2"), "change"] == "changed"
    assert changes.loc[("A", "2022-Q2"), "difference"] == pytest.approx(6.0)
    assert changes.loc[("A", "2022-Q3"), "change"] == "added"
    assert changes.loc[("B", "2022-Q2"), "change"] == "removed"
    assert changes.loc[("B", "2022-Q2"), "value_before"] == 25.0 and pd.isna(
        changes.loc[("B", "2022-Q2"), "value_after"]
    )


def test_a_denominator_that_moves_is_a_change_even_when_the_value_stays():
    before = tidy([("A", "2022-Q2", "LA", "_T", 5, 10, 50.0)])
    after = tidy([("A", "2022-Q2", "LA", "_T", 10, 20, 50.0)])
    assert preview.indicator_changes(before, after)["change"].tolist() == ["changed"]


def test_summary_gives_the_national_headline_of_the_latest_period_touched():
    before = tidy(
        [
            ("A", "2022-Q1", "LA", "_T", 50, 100, 50.0),
            ("A", "2022-Q2", "LA", "_T", 60, 100, 60.0),
            ("A", "2022-Q2", "LA-AT", "_T", 3, 10, 30.0),
        ]
    )
    after = tidy(
        [
            ("A", "2022-Q1", "LA", "_T", 40, 100, 40.0),
            ("A", "2022-Q2", "LA", "_T", 66, 100, 66.0),
            ("A", "2022-Q2", "LA-AT", "_T", 9, 10, 90.0),
        ]
    )
    summary = preview.summarise_changes(
        preview.indicator_changes(before, after), pd.DataFrame({"indicator_id": ["A"], "short_name": ["Alpha"]})
    )
    row = summary.set_index("indicator_id").loc["A"]
    assert row["short_name"] == "Alpha" and row["cells_changed"] == 3
    assert (row["national_period"], row["national_before"], row["national_after"]) == ("2022-Q2", 60.0, 66.0)
    assert row["national_change"] == pytest.approx(6.0)
    assert row["largest_change"] == pytest.approx(60.0)  # Attapeu: 30 % -> 90 %


def test_preview_equals_what_publishing_gives_and_leaves_the_warehouse_untouched(sample_warehouse, tmp_path):
    staged_file = fixed_return(tmp_path)
    report, staged = refresh.validate([staged_file], hash_key=DEMO_HASH_KEY)
    assert report.ok, report.summary()
    versions_before = [v.version for v in warehouse.list_versions(sample_warehouse)]
    log_before = len(warehouse.read_refresh_log(sample_warehouse))

    previewed = preview.preview_indicator_changes(
        staged,
        files=report.returns,
        hash_key_fingerprint=key_fingerprint(DEMO_HASH_KEY),
        demo_key=True,
        root=sample_warehouse,
    )

    assert [v.version for v in warehouse.list_versions(sample_warehouse)] == versions_before
    assert len(warehouse.read_refresh_log(sample_warehouse)) == log_before
    # The same refresh really published (on a copy) gives exactly the previewed differences.
    copy = tmp_path / "copy"
    shutil.copytree(sample_warehouse, copy)
    result = refresh.refresh([staged_file], root=copy, operator="test", hash_key=DEMO_HASH_KEY)
    assert result.published
    published = preview.indicator_changes(
        api.indicator_values(result.previous_version, copy), api.indicator_values(result.version, copy)
    )
    pd.testing.assert_frame_equal(previewed, published)
    # The return covers school meals in 2022-Q2 for three districts: only that indicator, quarter and those districts
    # (and the province and national totals holding them) move; every other district keeps its figures.
    assert set(previewed["indicator_id"]) == {"NSPS_SW_MEALS"}
    assert set(previewed["period"]) == {"2022-Q2"}
    assert set(previewed["change"]) == {"changed"}
    new_con = warehouse.open_version(result.version, copy)
    sent = new_con.execute(
        "SELECT list(DISTINCT province), list(DISTINCT district), sum(pupils_enrolled) "
        "FROM school_meals WHERE source_file = ?",
        [staged_file.name],
    ).fetchone()
    districts_moved = set(previewed["district"].dropna())
    assert districts_moved and districts_moved <= set(sent[1])
    assert set(previewed["province"]) <= {"LA", *sent[0]}
    old_enrolled = (
        warehouse.open_version(result.previous_version, copy)
        .execute(
            "SELECT sum(pupils_enrolled) FROM school_meals WHERE period = '2022-Q2' AND district IN (SELECT unnest(?))",
            [sent[1]],
        )
        .fetchone()[0]
    )
    national = previewed[
        (previewed["province"] == "LA") & (previewed["sex"] == "_T") & previewed["district"].isna()
    ].iloc[0]
    assert national["denominator_after"] - national["denominator_before"] == sent[2] - old_enrolled
