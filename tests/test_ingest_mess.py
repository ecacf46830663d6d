"""Each kind of real-world mess in one small return: absorbed (value + warning) or rejected, located to the cell."""

from __future__ import annotations

import datetime as dt


from data_pipeline.ingest import validate_returns
from tests.ingest_fixtures import KEY, codes, hi_rows, only, write_csv, write_xlsx


def validate(*paths):
    return validate_returns(list(paths), hash_key=KEY)


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_excel_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx",
        [
            ["Ministry of Health — members"],
            ["National Health Insurance Bureau"],
            [],
            *hi_rows(
                ["2022-Q2", "Attapeu", "F", "0-14", "hef", 10], ["2022-Q2", "Attapeu", "F", "15-59", "hef", "ten"]
            ),
        ],
    )
    report, _ = validate(path)
    issue = only(report, "not_a_number")
    assert (issue.file, issue.sheet, issue.row, issue.column) == ("hi.xlsx", "members", 6, "members")
    assert "'ten'" in issue.message and "whole number" in issue.message


def test_total_row_is_dropped_with_a_warning_never_summed(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx",
        hi_rows(
            ["2022-Q2", "Attapeu", "F", "0-14", "hef", 10],
            ["2022-Q2", "Attapeu", "M", "0-14", "hef", 20],
            ["Grand Total", None, None, None, None, 30],
        ),
    )
    report, staged = validate(path)
    assert report.ok
    assert only(report, "total_row").row == 4
    assert staged["health_insurance"].column("members").to_pylist() == [10, 20]


def test_a_total_label_in_a_row_with_key_values_is_not_dropped_but_rejected(tmp_path):
    path = write_xlsx(tmp_path / "hi.xlsx", hi_rows(["2022-Q2", "Total", "F", "0-14", "hef", 10]))
    report, _ = validate(path)
    assert codes(report, "error") == ["unknown_province"]


def test_header_spellings_and_case_vary(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx",
        [
            ["QUARTER", "Province Name", "Gender", "Age band", "Membership type", "Number of members"],
            ["2022-Q2", "Attapeu", "female", "0 - 14", "Health Equity Fund", 10],
        ],
    )
    report, staged = validate(path)
    assert report.ok, report.issues
    assert staged["health_insurance"].to_pylist()[0] == {
        "period": "2022-Q2",
        "province": "LA-AT",
        "sex": "F",
        "age_group": "0-14",
        "scheme": "health_equity_fund",
        "members": 10,
        "source_file": "hi.xlsx",
    }


def test_renamed_sheet_is_recognised_by_its_headers_with_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "hi.xlsx", hi_rows(["2022-Q2", "Attapeu", "F", "0-14", "hef", 10]), sheet="Sheet1")
    report, staged = validate(path)
    assert report.ok and staged["health_insurance"].num_rows == 1
    assert only(report, "sheet_renamed").sheet == "Sheet1"


def test_province_names_in_lao_and_variants(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx",
        hi_rows(
            ["2022-Q2", "ອັດຕະປື", "F", "0-14", "hef", 1],
            ["2022-Q2", "Vientiane Prefecture", "F", "0-14", "hef", 2],
            ["2022-Q2", "Vientiane", "F", "0-14", "hef", 3],
            ["2022-Q2", "17", "M", "0-14", "hef", 4],
        ),
    )
    report, staged = validate(path)
    assert report.ok
    assert staged["health_insurance"].column("province").to_pylist() == ["LA-AT", "LA-VT", "LA-VI", "LA-AT"]


def _school_meals(*rows):
    return [["period", "province", "district", "sex", "pupils_enrolled", "pupils_receiving_meals"], *rows]


def test_district_in_the_wrong_province_is_an_error_naming_where_it_is(tmp_path):
    path = write_xlsx(
        tmp_path / "meals.xlsx",
        _school_meals(
            ["2022-Q2", "Attapeu", "Xanamxay", "F", 10, 5], ["2022-Q2", "Savannakhet", "Sanamxay", "F", 10, 5]
        ),
        sheet="school_meals",
    )
    report, _ = validate(path)
    issue = only(report, "unknown_district")
    assert (issue.row, issue.column) == (3, "district")
    assert "1703 Sanamxay (LA-AT)" in issue.message


def test_numbers_as_text_with_thousands_separators_are_read_with_one_warning_per_column(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx",
        hi_rows(
            ["2022-Q2", "Attapeu", "F", "0-14", "hef", "1,234"],
            ["2022-Q2", "Attapeu", "M", "0-14", "hef", "1 234 567"],
            ["2022-Q2", "Attapeu", "F", "15-59", "hef", "2.345.678"],
            # Grouped by a no-break, a narrow no-break and a thin space (each looked for before the patterns run).
            ["2022-Q2", "Attapeu", "M", "15-59", "hef", "1\u00a0234"],
            ["2022-Q2", "Attapeu", "F", "60+", "hef", "12\u202f345"],
            ["2022-Q2", "Attapeu", "M", "60+", "hef", "123\u2009456"],
        ),
    )
    report, staged = validate(path)
    assert report.ok
    members = staged["health_insurance"].column("members").to_pylist()
    assert members == [1234, 1234567, 2345678, 1234, 12345, 123456]
    warning = only(report, "thousands_separator")
    assert warning.column == "members" and warning.message.startswith("6 number(s)")


def test_decimals_in_a_count_are_an_error(tmp_path):
    path = write_xlsx(tmp_path / "hi.xlsx", hi_rows(["2022-Q2", "Attapeu", "F", "0-14", "hef", 12.5]))
    report, staged = validate(path)
    issue = only(report, "decimal_in_count")
    assert (issue.row, issue.column) == (2, "members") and "'12.5' has decimals" in issue.message
    assert staged == {}


def test_a_dot_grouped_amount_is_ambiguous_and_rejected(tmp_path):
    header = ["year", "ministry", "coa_code", "coa_label", "programme", "allocated_lak", "executed_lak"]
    path = write_xlsx(
        tmp_path / "spend.xlsx", [header, [2022, "MoH", "6201", "Grants", None, "150.000", 1000]], sheet="spending"
    )
    report, _ = validate(path)
    issue = only(report, "ambiguous_number")
    assert (issue.row, issue.column) == (2, "allocated_lak") and "150000" in issue.message


def _grievances(*rows):
    return [
        ["grievance_key", "programme", "province", "district", "sex", "category", "received_date", "resolved_date"],
        *rows,
    ]


def test_excel_serial_numbers_and_day_first_text_are_read_as_dates(tmp_path):
    path = write_xlsx(
        tmp_path / "g.xlsx",
        _grievances(
            ["G-1", "mecg", "Attapeu", None, "F", "payment", 44682, None],
            ["G-2", "mecg", "Attapeu", None, "F", "payment", "03/04/2022", "5-4-2022"],
            ["G-3", "mecg", "Attapeu", None, "F", "payment", dt.datetime(2022, 6, 30), ""],
        ),
        sheet="grievances",
    )
    report, staged = validate(path)
    assert report.ok, report.issues
    table = staged["grievances"]
    assert table.column("received_date").to_pylist() == [dt.date(2022, 5, 1), dt.date(2022, 4, 3), dt.date(2022, 6, 30)]
    assert table.column("resolved_date").to_pylist() == [None, dt.date(2022, 4, 5), None]
    assert table.column("period").to_pylist() == ["2022-Q2", "2022-Q2", "2022-Q2"]
    assert sorted(codes(report, "warning")) == ["day_first_date", "day_first_date", "excel_serial_date"]


def test_month_first_text_date_is_not_guessed(tmp_path):
    path = write_xlsx(
        tmp_path / "g.xlsx",
        _grievances(["G-1", "mecg", "Attapeu", None, "F", "payment", "04/13/2022", None]),
        sheet="grievances",
    )
    report, _ = validate(path)
    issue = only(report, "not_a_date")
    assert (issue.row, issue.column) == (2, "received_date") and "day first" in issue.message


def test_blank_required_cell_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "hi.xlsx", hi_rows(["2022-Q2", "Attapeu", None, "0-14", "hef", 10]))
    report, _ = validate(path)
    issue = only(report, "blank_required")
    assert (issue.row, issue.column) == (2, "sex")


def test_unknown_category_value_lists_what_is_allowed(tmp_path):
    path = write_xlsx(tmp_path / "hi.xlsx", hi_rows(["2022-Q2", "Attapeu", "F", "0-14", "gold plan", 10]))
    report, _ = validate(path)
    issue = only(report, "unknown_value")
    assert (issue.row, issue.column) == (2, "scheme")
    assert "'gold plan'" in issue.message and "health_equity_fund" in issue.message


def test_duplicate_key_within_a_return_names_both_rows(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx",
        hi_rows(
            ["2022-Q2", "Attapeu", "F", "0-14", "hef", 10],
            ["2022-Q2", "Attapeu", "M", "0-14", "hef", 10],
            ["2022 Q2", "attapeu", "female", "0 - 14", "HEF", 11],
        ),
    )
    report, _ = validate(path)
    issue = only(report, "duplicate_key")
    assert issue.row == 4 and "same as row 2" in issue.message


def test_rows_outside_the_quarter_the_file_name_states_are_errors(tmp_path):
    path = write_xlsx(
        tmp_path / "health_insurance_2022Q2.xlsx",
        hi_rows(["2022-Q2", "Attapeu", "F", "0-14", "hef", 10], ["2022-Q1", "Attapeu", "F", "0-14", "hef", 10]),
    )
    report, _ = validate(path)
    issue = only(report, "period_mismatch")
    assert (issue.row, issue.column) == (3, "period") and "2022-Q2" in issue.message


def test_rows_outside_the_quarter_a_title_row_states_are_errors(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx",
        [["Health insurance members, Q2/2022"], *hi_rows(["2022-Q3", "Attapeu", "F", "0-14", "hef", 10])],
    )
    report, _ = validate(path)
    assert only(report, "period_mismatch").row == 3


def test_a_quarter_range_in_the_file_name_bounds_the_rows(tmp_path):
    path = write_xlsx(
        tmp_path / "hi_2021Q1-2022Q2.xlsx",
        hi_rows(
            ["2021-Q1", "Attapeu", "F", "0-14", "hef", 10],
            ["2022-Q2", "Attapeu", "F", "0-14", "hef", 10],
            ["2022-Q3", "Attapeu", "F", "0-14", "hef", 10],
        ),
    )
    report, _ = validate(path)
    issue = only(report, "period_mismatch")
    assert issue.row == 4 and "2021-Q1 to 2022-Q2" in issue.message


def test_file_name_and_title_stating_different_quarters_is_an_error(tmp_path):
    path = write_xlsx(
        tmp_path / "hi_2022Q2.xlsx", [["Members, 2022-Q1"], *hi_rows(["2022-Q2", "Attapeu", "F", "0-14", "hef", 10])]
    )
    report, _ = validate(path)
    assert "states 2022-Q2 but the title states 2022-Q1" in only(report, "period_stated_conflict").message


def test_a_total_row_labelled_in_an_identifier_column_is_dropped(tmp_path):
    text = (
        "payment_key,beneficiary_key,cycle,due_date,paid_date,amount_due,amount_paid,channel,status\n"
        "P-1,B-1,1,2022-01-10,,300000,,cash,pending\nTOTAL,,,,,300000,,,\n"
    )
    report, staged = validate(write_csv(tmp_path / "pay.csv", text))
    assert report.ok and only(report, "total_row").row == 3
    assert staged["mecg_payments"].num_rows == 1


def test_trailing_empty_rows_and_columns_are_ignored_silently(tmp_path):
    rows = hi_rows(["2022-Q2", "Attapeu", "F", "0-14", "hef", 10])
    rows = [r + [None, None, None] for r in rows] + [[None] * 9] * 3
    path = write_xlsx(tmp_path / "hi.xlsx", rows)
    report, staged = validate(path)
    assert report.issues == [] and staged["health_insurance"].num_rows == 1


def test_failing_contract_check_is_reported_on_its_row(tmp_path):
    path = write_xlsx(
        tmp_path / "meals.xlsx", _school_meals(["2022-Q2", "Attapeu", "Sanamxay", "F", 10, 12]), sheet="school_meals"
    )
    report, _ = validate(path)
    issue = only(report, "check_fed_within_enrolled")
    assert (issue.severity, issue.row, issue.column) == ("error", 2, "pupils_receiving_meals")


def test_unknown_column_is_dropped_with_a_warning_and_missing_column_is_an_error(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx",
        [
            ["period", "province", "sex", "age_group", "scheme", "Remarks"],
            ["2022-Q2", "Attapeu", "F", "0-14", "hef", "ok"],
        ],
    )
    report, _ = validate(path)
    assert only(report, "unknown_column").column == "Remarks"
    missing = only(report, "missing_column")
    assert missing.column == "members" and "number of members" in missing.message


def test_a_column_named_twice_is_an_error_naming_both(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx",
        [
            ["period", "province", "sex", "age_group", "scheme", "members", "Province name"],
            ["2022-Q2", "Attapeu", "F", "0-14", "hef", 10, "Attapeu"],
        ],
    )
    report, _ = validate(path)
    issue = only(report, "duplicate_column")
    assert "B 'province'" in issue.message and "G 'Province name'" in issue.message


def test_identical_problems_are_capped_with_a_summary(tmp_path):
    path = write_xlsx(
        tmp_path / "hi.xlsx", hi_rows(*[["2022-Q2", "Attapeu", "F", f"{i}", "hef", 1] for i in range(50)])
    )
    report, _ = validate(path)
    unknown = [i for i in report.issues if i.code == "unknown_value"]
    assert len(unknown) == 21
    assert unknown[-1].row is None and unknown[-1].message.startswith("and 30 more row(s)")


def test_csv_with_bom_semicolons_title_and_blank_lines_reports_line_numbers(tmp_path):
    text = (
        "\ufeffMinistry of Health\n\nperiod;province;sex;age_group;scheme;members\n"
        '2022-Q2;Attapeu;F;0-14;hef;"1,200"\n\n2022-Q2;Attapeu;M;0-14;hef;abc\n'
    )
    report, staged = validate(write_csv(tmp_path / "hi.csv", text))
    issue = only(report, "not_a_number")
    assert (issue.file, issue.sheet, issue.row, issue.column) == ("hi.csv", None, 6, "members")


def test_csv_values_are_read_as_text_not_guessed(tmp_path):
    text = 'period,province,sex,age_group,scheme,members\n2022-Q2,01,F,0-14,hef,"1,200"\n'
    report, staged = validate(write_csv(tmp_path / "hi.csv", text))
    assert report.ok
    assert staged["health_insurance"].to_pylist()[0]["province"] == "LA-VT"
    assert staged["health_insurance"].to_pylist()[0]["members"] == 1200


def test_not_utf8_csv_is_rejected_as_a_whole(tmp_path):
    path = write_csv(
        tmp_path / "hi.csv",
        "period,province,sex,age_group,scheme,members\n2022-Q2,Attapeu,F,0-14,hef,1 é\n" * 3,
        encoding="latin-1",
    )
    report, _ = validate(path)
    # The gate refuses it before any reader opens it, naming the first line that is not UTF-8.
    assert only(report, "refused").message.startswith("line 2 is not UTF-8")


def test_parquet_returns_are_read(tmp_path):
    import duckdb

    path = tmp_path / "hi.parquet"
    duckdb.sql(
        f"COPY (SELECT '2022-Q2' AS period, 'Attapeu' AS province, 'F' AS sex, '0-14' AS age_group, "
        f"'hef' AS scheme, 12 AS members) TO '{path}' (FORMAT parquet)"
    )
    report, staged = validate(path)
    assert report.ok and staged["health_insurance"].column("members").to_pylist() == [12]


def test_a_file_with_no_known_table_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "notes.xlsx", [["Some notes"], ["nothing to see"]])
    report, _ = validate(path)
    assert codes(report) == ["unrecognised_sheet", "unrecognised_file"]


def test_an_unknown_province_on_many_rows_is_one_error_naming_its_rows_and_the_closest_provinces(tmp_path):
    rows = [["2022-Q2", "Bokeow" if i % 2 == 0 else "Attapeu", "FM"[i % 2], "0-14", "hef", i] for i in range(40)]
    rows += [["2022-Q3", "Viengchan", "F", "0-14", "hef", 1], ["2022-Q3", "Oudomsai", "F", "0-14", "hef", 1]]
    report, _ = validate(write_xlsx(tmp_path / "hi.xlsx", hi_rows(*rows)))
    errors = [i for i in report.issues if i.code == "unknown_province"]
    assert [e.message for e in errors] == [
        "'Bokeow' is not a known province: did you mean Bokeo (LA-BK)? — rows 2, 4, 6 and 17 more",
        "'Viengchan' could be more than one province: did you mean Vientiane Province (LA-VI) or "
        "Vientiane Capital (LA-VT)? — row 42",
    ]
    assert [e.row for e in errors] == [2, 42]
    warning = only(report, "province_spelling")
    assert "'Oudomsai' as LA-OU Oudomxay" in warning.message


def test_an_unknown_district_repeated_on_many_rows_is_one_error(tmp_path):
    rows = [["2022-Q2", "Attapeu", "Nowhere", "FM"[i % 2], 10, 5] for i in range(6)]
    report, _ = validate(write_xlsx(tmp_path / "meals.xlsx", _school_meals(*rows), sheet="school_meals"))
    issue = only(report, "unknown_district")
    assert issue.row == 2 and issue.message.startswith("'Nowhere' is not a known district")
    assert issue.message.endswith("— rows 2, 3, 4 and 3 more")


def test_an_amount_larger_than_the_whole_economy_is_a_typo_reported_on_its_cell(tmp_path):
    # Above normalise.AMOUNT_MAXIMUM (1e15 LAK, more than Lao PDR's GDP): rejected here, named by row and column,
    # rather than stopping the publish when the catalogue's exact sums overflow.
    header = ["year", "ministry", "coa_code", "coa_label", "programme", "allocated_lak", "executed_lak"]
    rows = [header, [2022, "MoH", "6201", "Grants", None, 1000, 1000], [2022, "MoH", "6202", "Goods", None, 1000, 0]]
    rows[1][6], rows[2][5] = 20_000_000_000_000_000_000, "1,000,000,000,000,001"
    report, staged = validate(write_xlsx(tmp_path / "spend.xlsx", rows, sheet="spending"))
    found = sorted((i.row, i.column, i.message) for i in report.issues if i.code == "above_maximum")
    assert [(row, column) for row, column, _ in found] == [(2, "executed_lak"), (3, "allocated_lak")]
    assert all("above the maximum 1,000,000,000,000,000" in message for _, _, message in found)
    assert staged == {}


def test_an_amount_up_to_the_maximum_is_read(tmp_path):
    header = ["year", "ministry", "coa_code", "coa_label", "programme", "allocated_lak", "executed_lak"]
    rows = [header, [2022, "MoH", "6201", "Grants", None, "1,000,000,000,000,000", 999_999_999_999_999]]
    report, staged = validate(write_xlsx(tmp_path / "spend.xlsx", rows, sheet="spending"))
    assert "above_maximum" not in codes(report) and codes(report, "error") == []
