"""An edit of the parameters file reaches the very next view (issue 13): every cached view of dashboard.data is keyed
on the file's hash, so none is served as it was before the edit until the data cache happens to be emptied."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

POVERTY_LINE = "LA-SV = 0.226"  # Savannakhet's share below the poverty line: SI_COV_POOR's denominator
BENEFITS_TARGET = "[targets.SI_COV_BENFTS]\nbaseline_year = 2021\ntarget_2025 = "  # the scorecard's target


@pytest.fixture
def parameters_copy(dashboard_warehouse, tmp_path, monkeypatch) -> Path:
    from indicators import api

    path = tmp_path / "parameters.toml"
    text = Path(api.parameters()["_path"]).read_text()
    assert POVERTY_LINE in text
    path.write_text(text)
    monkeypatch.setenv("SP_PARAMETERS", str(path))
    return path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _poor(frame: pd.DataFrame) -> pd.Series:
    return frame.set_index("indicator_id").loc["SI_COV_POOR"]


@pytest.mark.parametrize("audience", ["all", "public"])
def test_the_next_view_after_a_parameters_edit_shows_the_new_figures(parameters_copy, audience):
    from dashboard import data, views

    version = data.current_version()
    with data.as_audience(audience):
        profile = data.province_profile(version, "LA-SV", "_T", None)
        card = data.scorecard(version, "LA", "_T", None)
        grace = data.parameters(version)["general"]["payment_grace_days"]
        target = card.set_index("indicator_id").loc["SI_COV_BENFTS", "target_value"]

        _edit(parameters_copy, POVERTY_LINE, "LA-SV = 0.452")  # twice the poor: half the coverage
        _edit(parameters_copy, f"{BENEFITS_TARGET}20.0", f"{BENEFITS_TARGET}25.0")
        _edit(parameters_copy, "payment_grace_days = 15", "payment_grace_days = 20")

        edited_profile = data.province_profile(version, "LA-SV", "_T", None)
        edited_card = data.scorecard(version, "LA", "_T", None)
        whole = data.values(version)
        catalogue = data.catalogue(version)
        assert data.parameters(version)["general"]["payment_grace_days"] == 20 != grace
    # The cached views equal the views of the table as the indicator layer computes it now ...
    pd.testing.assert_frame_equal(
        edited_profile, views.province_profile(whole, catalogue, province="LA-SV", sex="_T", period=None)
    )
    pd.testing.assert_frame_equal(edited_card, views.scorecard(whole, catalogue, province="LA", sex="_T", period=None))
    # ... and they changed: Savannakhet's coverage of the poor halves, the national target moves.
    before, after = _poor(profile), _poor(edited_profile)
    assert before["period"] == after["period"] and before["value"] > 0
    assert after["value"] == pytest.approx(before["value"] / 2, rel=1e-9)
    assert edited_card.set_index("indicator_id").loc["SI_COV_BENFTS", "target_value"] == 25.0 != target
