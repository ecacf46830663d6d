"""Who has reported: per source and period, which provinces (and districts) a published version holds.

One implementation behind the CLI (``python -m data_pipeline coverage``, and the lines printed after a refresh) and
the data status page, so both say the same.

Only aggregate returns are judged (a row per province, or per district, is what the return *is*): for event and
person-level sources a province without rows may simply have had no events, so absence proves nothing there.
A province is *covered* in a period when every district the source has ever reported for it is there (province-grain
sources: when it has rows), *partly covered* when some are, *missing* when none are; a province the source has
never reported in any period is *never reported* (e.g. outside a programme's target area).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline import warehouse
from data_pipeline.contracts import Contract, all_contracts

COLUMNS = [
    "source",
    "period",
    "province",
    "province_name",
    "status",
    "districts_reported",
    "districts_expected",
    "districts_missing",
]
STATUS_ORDER = ("missing", "partly covered", "covered", "never reported")


def judged_contracts() -> dict[str, Contract]:
    """The sources whose coverage can be judged: aggregate returns whose cells include the province."""
    return {
        name: c
        for name, c in all_contracts().items()
        if c.grain == "aggregate" and "province" in c.covers and warehouse.period_key(c)
    }


def _source_select(name: str, contract: Contract) -> str:
    period = f"CAST({warehouse._ident(warehouse.period_key(contract))} AS VARCHAR)"
    by_district = "district" in contract.covers
    district = "district" if by_district else "CAST(NULL AS VARCHAR)"
    return f"""
        WITH reported AS (SELECT DISTINCT {period} AS period, province, {district} AS district
                          FROM {warehouse._ident(name)} WHERE province IS NOT NULL AND {period} IS NOT NULL),
        expected AS (SELECT DISTINCT province, district FROM reported WHERE district IS NOT NULL),
        grid AS (SELECT p.period, pr.iso_code AS province, pr.name_en, pr.lsb_code
                 FROM (SELECT DISTINCT period FROM reported) p CROSS JOIN provinces pr),
        per_province AS (
            SELECT g.period, g.province, any_value(g.name_en) AS province_name, any_value(g.lsb_code) AS lsb_code,
                   EXISTS (SELECT 1 FROM reported r WHERE r.period = g.period AND r.province = g.province) AS has_rows,
                   EXISTS (SELECT 1 FROM reported r WHERE r.province = g.province) AS ever,
                   count(e.district) AS districts_expected,
                   count(e.district) FILTER (WHERE EXISTS (SELECT 1 FROM reported r WHERE r.period = g.period
                       AND r.province = g.province AND r.district = e.district)) AS districts_reported,
                   list(e.district || ' ' || d.name_en ORDER BY e.district) FILTER (WHERE NOT EXISTS (
                       SELECT 1 FROM reported r WHERE r.period = g.period AND r.province = g.province
                       AND r.district = e.district)) AS missing
            FROM grid g LEFT JOIN expected e ON e.province = g.province
                        LEFT JOIN districts d ON d.lsb_code = e.district
            GROUP BY g.period, g.province)
        SELECT '{name}' AS source, period, province, province_name,
               CASE WHEN NOT ever THEN 'never reported'
                    WHEN NOT has_rows THEN 'missing'
                    WHEN {str(by_district).lower()} AND districts_reported < districts_expected THEN 'partly covered'
                    ELSE 'covered' END AS status,
               CASE WHEN {str(by_district).lower()} THEN districts_reported END AS districts_reported,
               CASE WHEN {str(by_district).lower()} THEN districts_expected END AS districts_expected,
               CASE WHEN {str(by_district).lower()} AND has_rows THEN array_to_string(missing, ', ') END
                   AS districts_missing,
               lsb_code
        FROM per_province"""


def coverage(
    con: duckdb.DuckDBPyConnection, sources: list[str] | None = None, periods: list[str] | None = None
) -> pd.DataFrame:
    """One row per judged source, period and province (``COLUMNS``), on a connection from ``open_version``.
    ``sources`` / ``periods`` narrow it (periods are compared as text: '2022-Q2', '2021')."""
    judged = judged_contracts()
    chosen = [n for n in judged if sources is None or n in sources]
    if not chosen:
        return pd.DataFrame(columns=COLUMNS)
    union = " UNION ALL ".join(f"SELECT * FROM ({_source_select(n, judged[n])})" for n in chosen)
    where = ""
    params: list = []
    if periods is not None:
        where, params = "WHERE period IN (SELECT unnest(?))", [list(periods)]
    return con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM ({union}) {where} ORDER BY source, period, lsb_code", params
    ).df()


def version_coverage(version: str | None = None, root: Path | str | None = None, **narrow) -> pd.DataFrame:
    """``coverage`` of a published version (None: the current one)."""
    con = warehouse.open_version(version, root)
    try:
        return coverage(con, **narrow)
    finally:
        con.close()


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per source and period: how many provinces are covered, partly covered, missing, and which."""
    columns = [
        "source",
        "period",
        "covered",
        "partly_covered",
        "missing",
        "never_reported",
        "partly_covered_provinces",
        "missing_provinces",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    con = duckdb.connect()
    try:
        con.register("coverage_rows", frame)
        return con.execute("""
            SELECT source, period,
                   count(*) FILTER (WHERE status = 'covered') AS covered,
                   count(*) FILTER (WHERE status = 'partly covered') AS partly_covered,
                   count(*) FILTER (WHERE status = 'missing') AS missing,
                   count(*) FILTER (WHERE status = 'never reported') AS never_reported,
                   coalesce(string_agg(province || ' (' || districts_reported || ' of ' || districts_expected
                                       || ' districts)', ', ') FILTER (WHERE status = 'partly covered'), '')
                       AS partly_covered_provinces,
                   coalesce(string_agg(province, ', ') FILTER (WHERE status = 'missing'), '') AS missing_provinces
            FROM coverage_rows GROUP BY source, period ORDER BY source, period""").df()[columns]
    finally:
        con.close()
