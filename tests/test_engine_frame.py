"""The tidy table is converted to pandas through Arrow (``engine._frame``): the frame must be the one DuckDB's own
``.df()`` gives, column types included, or the published Parquet and every reader would change."""

import duckdb
import pandas as pd
import pytest

from indicators import engine

QUERIES = [
    "SELECT 'a' AS x UNION ALL SELECT NULL",
    "SELECT CAST(NULL AS VARCHAR) AS x",
    "SELECT 'a' AS x WHERE FALSE",
    "SELECT CAST(1 AS INTEGER) AS x",
    "SELECT CAST(NULL AS INTEGER) AS x UNION ALL SELECT 2",
    "SELECT CAST(NULL AS BIGINT) AS x UNION ALL SELECT 2",
    "SELECT TRUE AS x",
    "SELECT CAST(NULL AS BOOLEAN) AS x UNION ALL SELECT TRUE",
    "SELECT DATE '2022-06-30' AS x UNION ALL SELECT NULL",
    "SELECT CAST(NULL AS DOUBLE) AS x UNION ALL SELECT 1.5",
    "SELECT 1.25 AS x, 'a' AS y",  # a DECIMAL: left to DuckDB
]


@pytest.mark.parametrize("query", QUERIES)
def test_frame_is_what_duckdb_gives(query):
    con = duckdb.connect()
    pd.testing.assert_frame_equal(engine._frame(con.sql(query).to_arrow_table()), con.sql(query).df())


def test_joins_run_as_written_only_inside_and_the_setting_comes_back():
    """The ledger cells' join runs as written (sql_helpers.joined_as_written); the connection's own setting returns
    afterwards, also after an error."""
    from indicators import sql_helpers

    con = duckdb.connect()
    con.execute("SET disabled_optimizers = 'filter_pushdown'")
    with sql_helpers.joined_as_written(con, "build_side_probe_side"):
        inside = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
    assert set(inside.split(",")) == {"filter_pushdown", "build_side_probe_side"}
    with pytest.raises(duckdb.Error), sql_helpers.joined_as_written(con, "join_order"):
        con.execute("SELECT * FROM no_such_table")
    assert con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0] == "filter_pushdown"
