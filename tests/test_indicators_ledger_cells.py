"""The payment ledger joined to the register once (indicators.sql_helpers): its cells add up to the ledger, and the
person numbers that stand in for the keyed person ids never merge two persons."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from indicators import engine, sql_helpers
from indicators.catalogue import all_indicators
from indicators.parameters import load_parameters
from indicators.warehouse_access import open_version
from indicators_fixture import TABLES, VERSION, write_parameters, write_warehouse

# Every entry reading the ledger's cells or its paid persons, directly or through ind_mecg_recipients_q.
LEDGER_ENTRIES = [i.id for i in all_indicators().values() if i.kind != "index" and set(i.sources) & {"mecg_payments"}]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("ledger_cells")
    write_warehouse(root / "warehouse", TABLES)
    return root / "warehouse", load_parameters(write_parameters(root / "parameters.toml"))


def _connection(warehouse):
    root, params = warehouse
    con = open_version(VERSION, root)
    engine.prepare(con, params)
    return con


def _ledger_figures(warehouse) -> pd.DataFrame:
    con = _connection(warehouse)
    return pd.concat([engine.compute(con, i, prepared=True) for i in LEDGER_ENTRIES], ignore_index=True)


def test_cells_add_up_to_the_payments_not_cancelled(warehouse):
    con = _connection(warehouse)
    cells = con.execute(
        "SELECT sum(payments), sum(amount_due), sum(amount_paid), count(paid_date) FROM ind_mecg_payment_cells"
    ).fetchone()
    ledger = con.execute("""
        SELECT count(*), sum(amount_due), sum(coalesce(amount_paid, 0)),
               count(*) FILTER (WHERE status = 'paid' AND paid_date IS NOT NULL)
        FROM mecg_payments WHERE status <> 'cancelled'""").fetchone()
    assert cells[:3] == ledger[:3]
    assert 0 < cells[3] <= ledger[3] < cells[0]  # paid and unpaid payments both counted
    cancelled = con.execute("SELECT count(*) FROM mecg_payments WHERE status = 'cancelled'").fetchone()[0]
    assert cancelled > 0  # the fixture has cancelled payments, and the cells leave them out


def test_paid_persons_are_the_persons_paid(warehouse):
    con = _connection(warehouse)
    numbered = con.execute("SELECT count(DISTINCT (period, person_number)) FROM ind_mecg_paid_persons").fetchone()[0]
    keyed = con.execute("""
        SELECT count(DISTINCT (quarter_of(paid_date), person_key)) FROM ind_mecg_payment
        WHERE paid_date IS NOT NULL""").fetchone()[0]
    assert numbered == keyed > 0


def test_persons_sharing_a_number_are_numbered_again(warehouse, monkeypatch):
    """Persons are numbered by a hash of their key; were two to share one, they are numbered in order instead."""
    expected = _ledger_figures(warehouse)
    monkeypatch.setattr(sql_helpers, "PERSON_NUMBER", "0")  # every person gets number 0
    con = _connection(warehouse)
    persons = con.execute("SELECT count(*) FROM ind_mecg_person").fetchone()[0]
    keys = con.execute(f"SELECT count(DISTINCT {sql_helpers.PERSON_KEY}) FROM mecg_register").fetchone()[0]
    assert persons == keys > 1
    pd.testing.assert_frame_equal(_ledger_figures(warehouse), expected)
    assert expected["indicator_id"].nunique() == len(LEDGER_ENTRIES) >= 8


def test_a_ledger_too_long_for_one_bit_set_reads_its_paid_persons_from_the_ledger(warehouse, monkeypatch):
    """The quarters a record was paid in ride in a bit set; a ledger spanning more quarters joins the ledger again."""
    expected = _ledger_figures(warehouse)
    unfolded = _connection(warehouse).execute("SELECT * FROM ind_mecg_paid_persons ORDER BY ALL").fetchall()
    assert len({row[0] for row in unfolded}) > 1  # paid in several quarters: one bit set cannot hold them
    monkeypatch.setattr(sql_helpers, "QUARTERS_PER_BIT_SET", 1)
    con = _connection(warehouse)
    assert con.execute("SELECT count(paid_quarters) FROM ind_mecg_beneficiary").fetchone()[0] == 0
    assert con.execute("SELECT * FROM ind_mecg_paid_persons ORDER BY ALL").fetchall() == unfolded
    pd.testing.assert_frame_equal(_ledger_figures(warehouse), expected)


def test_a_date_is_within_a_quarter_end_exactly_when_its_own_quarter_end_is(warehouse):
    """Records are counted per quarter_end_of(their date) before being matched with quarters (``d <= quarter_end``)."""
    con = _connection(warehouse)
    mismatches, pairs = con.execute("""
        WITH days AS (SELECT CAST(d AS DATE) AS d FROM generate_series(DATE '2020-12-25', DATE '2022-01-05',
                                                                        INTERVAL 1 DAY) AS s(d)),
             ends AS (SELECT quarter_end(quarter_of(d)) AS qe FROM days GROUP BY ALL)
        SELECT count(*) FILTER (WHERE (d <= qe) <> (quarter_end_of(d) <= qe)), count(*) FROM days, ends""").fetchone()
    assert mismatches == 0 and pairs > 365 * 5


def test_each_helper_table_is_a_step_the_benchmark_measures(warehouse):
    """bench/benchmark_indicators.py --entries times each helper table through ``prepare(step=...)``; the figures
    are those computed without it."""
    expected = _ledger_figures(warehouse)
    root, params = warehouse
    labels = []

    def step(label, run):
        labels.append(label)
        return run()

    con = open_version(VERSION, root)
    engine.prepare(con, params, step)
    assert set(sql_helpers.MATERIALIZED) <= set(labels) and "person numbers checked" in labels
    assert len(labels) == len(set(labels))
    figures = pd.concat([engine.compute(con, i, prepared=True) for i in LEDGER_ENTRIES], ignore_index=True)
    pd.testing.assert_frame_equal(figures, expected)


@pytest.mark.parametrize(
    "records, apart",
    [
        ([(1, "nid-a"), (1, "nid-a"), (2, None)], True),  # one person enrolled twice; one without a national id
        ([(1, "nid-a"), (1, "nid-b")], False),  # two national ids, one number
        ([(1, "nid-a"), (1, None)], False),  # a national id and a record without one
        ([(1, None), (1, None)], False),  # two records without a national id
    ],
)
def test_persons_sharing_a_number_are_found_from_the_records(records, apart):
    """The check reads the numbered records (no 68-character keys): only records of one same national id share."""
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE ind_mecg_beneficiary (person_number BIGINT, national_id_key VARCHAR)")
    con.executemany("INSERT INTO ind_mecg_beneficiary VALUES (?, ?)", records)
    assert sql_helpers._persons_numbered_apart(con) is apart


def test_the_cells_join_as_written_and_the_connection_keeps_its_optimizers(warehouse):
    """The cells are joined in the order written (the register held, the ledger streamed); the optimizers turned
    off for that are on again afterwards, and those the connection had turned off stay off."""
    root, params = warehouse
    con = open_version(VERSION, root)
    con.execute("SET disabled_optimizers = 'top_n'")
    engine.prepare(con, params)
    assert con.execute("SELECT current_setting('disabled_optimizers')").fetchone()[0] == "top_n"
    assert "ind_mecg_payment_cells" in sql_helpers.JOINED_AS_WRITTEN
    cells = con.execute("SELECT sum(payments) FROM ind_mecg_payment_cells").fetchone()[0]
    assert cells == con.execute("SELECT count(*) FROM mecg_payments WHERE status <> 'cancelled'").fetchone()[0]


def test_days_late_distribution_from_the_cells_is_the_one_counted_payment_by_payment(warehouse):
    """The supporting table reads the cells, not the ledger: the same bins and counts as payment by payment."""
    from indicators import supporting

    con = _connection(warehouse)
    query = supporting.QUERIES["days_late_distribution"]
    assert "FROM ind_mecg_payment_cells" in query and "CAST(sum(payments) AS BIGINT)" in query
    from_cells = con.execute(query).df()
    # The same bins over single payments (the view joining each payment to the register), counted one by one.
    by_payment = con.execute(
        query.replace("CAST(sum(payments) AS BIGINT)", "count(*)").replace(
            "FROM ind_mecg_payment_cells", "FROM ind_mecg_payment WHERE status <> 'cancelled'"
        )
    ).df()
    assert from_cells["days_late_bin"].nunique() >= 3 and from_cells["payments"].sum() > 0
    pd.testing.assert_frame_equal(from_cells, by_payment)
