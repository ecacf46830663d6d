"""The committed sample returns, refreshed into a fresh warehouse, give the source report's MECG figures
(UN Joint Programme final report, 2022): 2,596 enrolled (Sanamxay 1,100, Phouvong 372, Nong 1,124), 1,410 paid at
least once by 30 June 2022, so 1,186 of 2,596 never paid — and every indicator of the catalogue has values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_pipeline.refresh import collect_return_files, refresh
from data_pipeline.secrets import DEMO_HASH_KEY
from indicators import api
from indicators.__main__ import main
from indicators.catalogue import all_indicators

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample") / "warehouse"
    result = refresh(collect_return_files(SAMPLE), root=root, operator="test", hash_key=DEMO_HASH_KEY)
    assert result.published, str(result.report)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SP_PARAMETERS", raising=False)  # the shipped parameters
        api.clear_cache()
        yield root, result.version, api.indicator_values(result.version, root)
    api.clear_cache()


def _q2(tidy: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    return tidy[
        (tidy["indicator_id"] == indicator_id)
        & (tidy["period"] == "2022-Q2")
        & (tidy["sex"] == "_T")
        & (tidy["breakdown"] == "_T")
    ]


def test_mecg_enrolment_by_district_matches_the_report(sample):
    rows = _q2(sample[2], "PAY_NEVER_PAID")
    areas = rows[rows["district"].isna()].set_index("province")["denominator"].to_dict()
    assert areas == {"LA": 2596, "LA-AT": 1100 + 372, "LA-SV": 1124}
    districts = rows[rows["district"].notna()].set_index("district")["denominator"].to_dict()
    assert districts == {"1703": 1100, "1705": 372, "1306": 1124}  # Sanamxay, Phouvong, Nong


def test_never_paid_is_1186_of_2596_and_1410_were_paid(sample):
    national = _q2(sample[2], "PAY_NEVER_PAID")
    national = national[(national["province"] == "LA")].iloc[0]
    assert (national["numerator"], national["denominator"]) == (1186, 2596)
    assert national["value"] == pytest.approx(100 * 1186 / 2596)
    assert national["denominator"] - national["numerator"] == 1410


def test_every_indicator_has_values_by_province_sex_and_period(sample):
    tidy = sample[2]
    with_values = tidy[tidy["value"].notna()]
    assert set(with_values["indicator_id"]) == set(all_indicators())
    coverage = with_values[with_values["indicator_id"] == "SI_COV_BENFTS"]
    assert coverage["province"].nunique() == 19  # 18 provinces + national
    assert set(coverage["sex"]) == {"F", "M", "_T"}
    assert coverage["period"].nunique() == 10  # 2020-Q1 .. 2022-Q2


def test_csv_export_of_the_sample_warehouse(sample, tmp_path, monkeypatch):
    root, version, tidy = sample
    monkeypatch.delenv("SP_PARAMETERS", raising=False)
    assert main(["export", str(tmp_path / "indicators.csv"), "--warehouse", str(root)]) == 0
    written = pd.read_csv(tmp_path / "indicators.csv", dtype={"district": str})
    assert len(written) == len(tidy) and set(written["data_version"]) == {version}


def _headline(tidy: pd.DataFrame, indicator_id: str, period: str) -> pd.Series:
    rows = tidy[
        (tidy["indicator_id"] == indicator_id)
        & (tidy["period"] == period)
        & (tidy["province"] == "LA")
        & tidy["district"].isna()
        & (tidy["sex"] == "_T")
        & (tidy["breakdown"] == "_T")
    ]
    assert len(rows) == 1, (indicator_id, period)
    return rows.iloc[0]


def test_issue_9_meanings_hold_on_the_sample(sample):
    """Recomputed from the raw warehouse tables, not from the engine's helpers (issue 9's audit, in small)."""
    from indicators.warehouse_access import open_version

    root, version, tidy = sample
    con = open_version(version, root)
    # 2. The grant's on-time rate is the grant's alone: payments due in 2022-Q2 whose 15 days ran out by the
    # ledger's date (its last payment, 30 June 2022), paid within them.
    on_time, due = con.execute("""
        WITH as_of AS (SELECT max(paid_date) AS d FROM mecg_payments)
        SELECT count(*) FILTER (WHERE status = 'paid' AND paid_date <= due_date + 15), count(*)
        FROM mecg_payments, as_of
        WHERE status <> 'cancelled' AND due_date BETWEEN DATE '2022-04-01' AND DATE '2022-06-30'
          AND due_date + 15 <= as_of.d""").fetchone()
    row = _headline(tidy, "PAY_ONTIME", "2022-Q2")
    assert (row["numerator"], row["denominator"]) == (on_time, due)
    assert str(row["as_of_date"])[:10] == "2022-06-30"
    # 4. Roadmap: actions due by 30 June 2022 and not done before 1 April, done by 30 June.
    done, owed = con.execute("""
        SELECT count(*) FILTER (WHERE completed_date <= DATE '2022-06-30'), count(*) FROM roadmap_actions
        WHERE status <> 'dropped' AND due_date <= DATE '2022-06-30'
          AND (due_date >= DATE '2022-04-01' OR completed_date IS NULL OR completed_date >= DATE '2022-04-01')
        """).fetchone()
    row = _headline(tidy, "COORD_ROADMAP", "2022-Q2")
    assert (row["numerator"], row["denominator"]) == (done, owed) and owed > done  # a backlog stays visible
    # 3. No province reaches the top of the PCI by reporting less.
    pci = api.supporting_table(version, "pci", root)
    q2 = pci[(pci["period"] == "2022-Q2") & (pci["province"] != "LA")]
    missing = q2[q2["components_missing"] > 0]
    assert len(missing) and missing["reasons"].str.contains(r"\(counted as 0\)").all()
    assert q2.loc[q2["score"].idxmax(), "components_missing"] == 0
    assert pci["period"].min() == "2021-Q4"  # the Commission was created in December 2021
    # 5. No never-paid value from before the first payment fell due (15 October 2021).
    assert "2021-Q3" not in set(tidy.loc[tidy["indicator_id"] == "PAY_NEVER_PAID", "period"])
    # 6. Zero is a value: every province has a child-coverage value.
    chld = tidy[
        (tidy["indicator_id"] == "SI_COV_CHLD")
        & (tidy["period"] == "2022-Q2")
        & tidy["district"].isna()
        & (tidy["sex"] == "_T")
        & (tidy["province"] != "LA")
    ]
    assert chld["value"].notna().sum() == 18
    # 9. Without a target, no progress status.
    assert _headline(tidy, "PAY_ARREARS_LAK", "2022-Q2")["status"] == "no_target"
    # 8. While most 2022-Q2 payments are unpaid, the median delay is only "at least" - and not an improvement.
    delay = _headline(tidy, "PAY_DELAY_MEDIAN", "2022-Q2")
    assert delay["lower_bound"] == delay["value"] and delay["status"] in ("deterioration", "not_available")
