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
        mp.delenv("SP_PARAMETERS", raising=False)   # the shipped parameters
        api.clear_cache()
        yield root, result.version, api.indicator_values(result.version, root)
    api.clear_cache()


def _q2(tidy: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    return tidy[(tidy["indicator_id"] == indicator_id) & (tidy["period"] == "2022-Q2") & (tidy["sex"] == "_T")
                & (tidy["breakdown"] == "_T")]


def test_mecg_enrolment_by_district_matches_the_report(sample):
    rows = _q2(sample[2], "PAY_NEVER_PAID")
    areas = rows[rows["district"].isna()].set_index("province")["denominator"].to_dict()
    assert areas == {"LA": 2596, "LA-AT": 1100 + 372, "LA-SV": 1124}
    districts = rows[rows["district"].notna()].set_index("district")["denominator"].to_dict()
    assert districts == {"1703": 1100, "1705": 372, "1306": 1124}   # Sanamxay, Phouvong, Nong


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
    assert coverage["province"].nunique() == 19             # 18 provinces + national
    assert set(coverage["sex"]) == {"F", "M", "_T"}
    assert coverage["period"].nunique() == 10               # 2020-Q1 .. 2022-Q2


def test_csv_export_of_the_sample_warehouse(sample, tmp_path, monkeypatch):
    root, version, tidy = sample
    monkeypatch.delenv("SP_PARAMETERS", raising=False)
    assert main(["export", str(tmp_path / "indicators.csv"), "--warehouse", str(root)]) == 0
    written = pd.read_csv(tmp_path / "indicators.csv", dtype={"district": str})
    assert len(written) == len(tidy) and set(written["data_version"]) == {version}
