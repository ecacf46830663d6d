"""The catalogue is complete and documented, its parameters file is checked with clear errors, and the pages' API
answers with the documented shapes (never a person-level row)."""

from __future__ import annotations

import re
import tomllib

import pandas as pd
import pytest

from data_pipeline.contracts import all_contracts
from indicators import api, disclosure
from indicators.catalogue import all_indicators
from indicators.catalogue.base import AREAS, Indicator
from indicators.engine import TIDY_COLUMNS
from indicators.parameters import DEFAULT_PATH, ParameterError, load_parameters
from indicators_fixture import VERSION, write_parameters, write_warehouse
from test_indicators_golden import GOLDEN

SPEC_IDS = {  # /work/shared/spec/indicators.md sections A-D, plus the PCI
    "SI_COV_BENFTS",
    "SI_COV_CHLD",
    "SI_COV_MATNL",
    "SI_COV_DISAB",
    "SI_COV_UEMP",
    "SI_COV_WKINJRY",
    "SI_COV_PENSN",
    "SI_COV_VULN",
    "SI_COV_POOR",
    "NSPS_HI_COV",
    "NSPS_SS_CONTRIB",
    "NSPS_SS_PERSONS",
    "NSPS_SW_MECG",
    "NSPS_SW_MEALS",
    "NSPS_FIN_EXEC",
    "PAY_ONTIME",
    "PAY_DELAY_MEDIAN",
    "PAY_DELAY_P90",
    "PAY_NEVER_PAID",
    "PAY_ARREARS_LAK",
    "PAY_FIRST_LAG",
    "COORD_MEETINGS",
    "COORD_ATTENDANCE",
    "COORD_REPORT_TIMELY",
    "COORD_REPORT_COMPLETE",
    "COORD_REFERRAL_DONE",
    "COORD_COUNTER_REFERRAL",
    "COORD_GRIEVANCE_TIMELY",
    "COORD_ID_LINKABLE",
    "COORD_COMPLEMENTARITY",
    "COORD_ROADMAP",
    "COORD_TRAINING",
    "PCI",
}


def test_every_spec_indicator_is_in_the_catalogue():
    assert SPEC_IDS <= set(all_indicators())


@pytest.mark.parametrize("indicator", all_indicators().values(), ids=lambda i: i.id)
def test_entry_is_complete(indicator: Indicator):
    assert re.fullmatch(r"[A-Z][A-Z0-9_]+", indicator.id)
    assert indicator.short_name and indicator.long_name and indicator.numerator_label
    assert indicator.area in AREAS
    assert len(indicator.method_note) > 60
    # A Commission member can follow it: what the figure counts, the date it is "as of", what it leaves out.
    for part in ("What it counts", "As of:", "What it leaves out"):
        assert part in indicator.method_note, f"{indicator.id}: method note lacks {part!r}"
    assert indicator.pending_label is None or "pending" in indicator.method_note
    assert indicator.sources and set(indicator.sources) <= set(all_contracts()), indicator.sources
    if indicator.kind == "ratio":
        assert indicator.denominator_label
    if indicator.area == "sdg_131":
        assert indicator.sdg_series == indicator.id
    for table in indicator.sources:  # every source it names is read by its SQL (or, for the PCI, its components)
        assert (
            table in indicator.numerator_sql + (indicator.denominator_sql or "")
            or indicator.kind == "index"
            or table
            in (
                "mecg_register",
                "mecg_payments",
                "population",
                "births",
                "labour_force",
                "cash_transfer",
                "social_security",
            )
        ), f"{indicator.id} names {table} but does not read it"


@pytest.mark.parametrize("indicator", all_indicators().values(), ids=lambda i: i.id)
def test_entry_has_golden_values_at_national_and_below(indicator: Indicator):
    cases = [g for g in GOLDEN if g.indicator_id == indicator.id]
    assert cases, f"{indicator.id} has no golden test in tests/test_indicators_golden.py"
    if indicator.disaggregations:
        assert any(g.province != "LA" or g.sex != "_T" for g in cases), f"{indicator.id}: only national goldens"


def test_shipped_parameters_are_valid_and_labelled_illustrative():
    params = load_parameters(DEFAULT_PATH)
    assert params["meta"]["illustrative"] is True
    assert "ILLUSTRATIVE" in DEFAULT_PATH.read_text(encoding="utf-8")
    assert params["general"]["small_cell_threshold"] == 5
    assert len(params["poverty_rate"]) == 18
    targets = params["targets"]
    assert set(targets) == set(all_indicators())


@pytest.mark.parametrize(
    "edit, message",
    [
        (("id_linkability = 0.20", "id_linkability = 0.30"), r"\[pci.weights\] add up to 1.1; expected 1"),
        (("payment_grace_days = 15", "payment_grace_days = -3"), r"\[general\] payment_grace_days = -3: expected"),
        (("LA-XS = 0.168\n", ""), r"\[poverty_rate\] has no rate for LA-XS"),
        (("[targets.PCI]", "[targets.PCI_TYPO]"), r"\[targets.PCI_TYPO\]: no indicator with this id"),
        (('missing_component = "zero"', 'missing_component = "ignore"'), r"expected \"zero\", \"reweight\" or"),
        (
            ("commission_established = 2021-12-01", 'commission_established = "Dec 2021"'),
            r"\[pci\] commission_established = 'Dec 2021': expected a date",
        ),
        (("small_cell_threshold = 5 ", 'small_cell_threshold = "five" '), r"small_cell_threshold = 'five': expected"),
        (("[general]", "[general"), r"not valid TOML"),
    ],
)
def test_parameter_mistakes_name_file_key_and_expectation(tmp_path, edit, message):
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert edit[0] in text
    path = tmp_path / "parameters.toml"
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ParameterError, match=message) as error:
        load_parameters(path)
    assert str(path) in str(error.value)


# ------------------------------------------------------------------------------------------------------------ api
@pytest.fixture()
def warehouse(tmp_path, monkeypatch):
    root = write_warehouse(tmp_path / "warehouse")
    monkeypatch.setenv("SP_PARAMETERS", str(write_parameters(tmp_path / "parameters.toml")))
    api.clear_cache()
    yield root
    api.clear_cache()


def test_catalogue_frame(warehouse):
    frame = api.catalogue()
    assert list(frame.columns[:7]) == [
        "indicator_id",
        "short_name",
        "long_name",
        "area",
        "sdg_series",
        "unit",
        "polarity",
    ]
    for column in (
        "disaggregations",
        "sources",
        "numerator_label",
        "denominator_label",
        "method_note",
        "baseline_year",
        "baseline_value",
        "target_2025",
        "target_2030",
        "illustrative_targets",
    ):
        assert column in frame.columns
    assert len(frame) == len(all_indicators()) and frame["illustrative_targets"].all()
    assert set(frame["polarity"]) == {"higher_is_better", "lower_is_better"}
    row = frame.set_index("indicator_id").loc["SI_COV_BENFTS"]
    assert row["disaggregations"] == ["province", "sex"] and row["target_2030"] == 40.0


def test_indicator_values_cached_beside_the_version_not_inside_it(warehouse):
    first = api.indicator_values(VERSION, warehouse)
    assert list(first.columns) == TIDY_COLUMNS
    cached = list((warehouse / "cache" / VERSION).glob("*.parquet"))
    assert len(cached) == 2  # the tidy table and the PCI table
    assert not list((warehouse / "versions").rglob("cache"))
    first.loc[:, "value"] = -1.0  # callers get their own copy
    again = api.indicator_values(VERSION, warehouse)
    assert (again["value"].dropna() >= 0).all()
    api.clear_cache()  # a fresh process reads the disk cache
    pd.testing.assert_frame_equal(api.indicator_values(VERSION, warehouse), again)


def test_public_view_hides_small_cells_and_says_so(warehouse):
    public = api.indicator_values(VERSION, warehouse, public=True)
    computed = api.indicator_values(VERSION, warehouse)
    assert not public["indicator_id"].isin(disclosure.PSEUDO_INDICATORS).any()  # the funnel's pseudo-rows stay out
    mine = api.indicator_values(VERSION, warehouse, public=True)
    mine.loc[:, "value"] = -1.0  # callers get their own copy
    pd.testing.assert_frame_equal(api.indicator_values(VERSION, warehouse, public=True), public)
    assert "small_cell" not in public and "primary_suppressed" not in public  # "1 to 4" is not said either
    hidden = public["suppressed"].to_numpy(dtype=bool)
    assert public.loc[hidden, ["numerator", "denominator", "value"]].isna().all().all()
    assert (public.loc[hidden, "suppressed_label"] == "suppressed").all()
    assert public.loc[~hidden, "value"].notna().any()
    # Every small person count (1 to 4 persons; 0 is a true zero, not small) is hidden among the rows the public sees.
    shown = computed[computed["district"].isna() | (computed["breakdown"] == "_T")].reset_index(drop=True)
    small = (
        shown["small_cell"].fillna(False) & (shown["numerator"].between(1, 4) | shown["denominator"].between(1, 4))
    ).to_numpy(dtype=bool)
    assert small.any() and public[small]["suppressed"].all()
    assert public.loc[~hidden, "value"].equals(shown.loc[~hidden, "value"])


def test_versions_manifest_and_log(warehouse):
    assert api.current_version(warehouse) == VERSION
    assert api.version_info(VERSION, warehouse)["operator"] == "fixture"
    versions = api.list_versions(warehouse)
    assert list(versions["version"]) == [VERSION] and bool(versions["current"].iloc[0])
    assert api.refresh_log(warehouse).empty


EXPECTED_SUPPORTING = {
    "days_late_distribution": ["period", "province", "district", "sex", "channel", "days_late_bin", "payments"],
    "reporting_matrix": ["sender", "sender_type", "province", "period", "status", "due_date", "received_date"],
    "referral_funnel": [
        "period",
        "province",
        "district",
        "sex",
        "to_service",
        "made",
        "completed",
        "feedback_returned",
    ],
    "pci": [
        "period",
        "province",
        "reporting_timeliness",
        "referral_completion",
        "payment_on_time",
        "id_linkability",
        "meetings_planned",
        "meetings_held",
        "condition_met",
        "components_missing",
        "score",
        "flagged",
        "reasons",
    ],
    "spending_lines": ["year", "ministry", "coa_code", "coa_label", "programme", "allocated_lak", "executed_lak"],
    "meetings": [
        "level",
        "province",
        "period",
        "planned",
        "held",
        "members_expected",
        "members_present",
        "at_designated_level",
    ],
    "roadmap": [
        "action_id",
        "description",
        "pillar",
        "responsible_ministry",
        "due_date",
        "completed_date",
        "status",
        "on_time",
    ],
    "returns_status": ["source", "sender", "period", "due_date", "received_date", "status"],
}


@pytest.mark.parametrize("name", EXPECTED_SUPPORTING)
def test_supporting_tables_are_aggregates_with_the_documented_columns(warehouse, name):
    table = api.supporting_table(VERSION, name, warehouse)
    assert list(table.columns) == EXPECTED_SUPPORTING[name]
    assert len(table) > 0
    assert not [c for c in table.columns if c.endswith("_key")]


def test_supporting_table_values(warehouse):
    bins = api.supporting_table(VERSION, "days_late_distribution", warehouse)
    q2 = bins[bins["period"] == "2022-Q2"].groupby("days_late_bin")["payments"].sum().to_dict()
    # p10 0 days, p7 4, p2 29, p8 60, p4 unpaid (p9 cancelled is not shown)
    assert q2 == {"on or before the due date": 1, "1-15 days": 1, "16-30 days": 1, "31-60 days": 1, "not paid": 1}
    matrix = api.supporting_table(VERSION, "reporting_matrix", warehouse).set_index(["sender", "period"])
    assert (
        matrix.loc[("MAF", "2022-Q2"), "status"] == "late"
        and matrix.loc[("MoES", "2022-Q2"), "status"] == "missing"
        and matrix.loc[("LSSO", "2022-Q2"), "status"] == "on time"
    )
    late_or_missing = api.supporting_table(VERSION, "returns_status", warehouse)
    assert sorted(late_or_missing["sender"]) == ["LSSO", "MAF", "MoES", "Savannakhet PSWO"]
    meetings = api.supporting_table(VERSION, "meetings", warehouse)
    sv_q1 = meetings[(meetings["province"] == "LA-SV") & (meetings["period"] == "2022-Q1")].iloc[0]
    assert (sv_q1["planned"], sv_q1["held"]) == (1, 0)
    with pytest.raises(ValueError, match="no supporting table 'payments'"):
        api.supporting_table(VERSION, "payments", warehouse)


def test_parameters_api_returns_the_parsed_file(warehouse):
    params = api.parameters()
    assert params["general"]["payment_grace_days"] == 15
    assert tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["pci"]["weights"] == params["pci"]["weights"]
