"""Progress status against targets, the way Open SDG does it (Statistics Canada's method, sdg-build's
``ProgressMeasure``), computed in SQL for every row of the tidy table.

For a series (indicator x place x sex x breakdown) with base value y0 at time t0 and current value yi at ti:
  observed growth   CAGR_o = (yi / y0) ** (1 / (ti - t0)) - 1
  with a target yT for year tT:
  required growth   CAGR_r = (yT / y0) ** (1 / (tT - t0)) - 1,   ratio R = d x CAGR_o / |CAGR_r|
  (d = +1 when higher is better, -1 when lower is better)
  target achieved when yi is at or beyond yT in the desired direction; else R >= 0.95 substantial progress / on
  track, 0.60 <= R < 0.95 moderate progress, 0 <= R < 0.60 limited or no progress, R < 0 deterioration.
  without a target: "no target set" - a trend alone is never called progress towards, or away from, a target
  (growth_actual still shows the trend).
Zero base or target values are replaced by 0.001 as sdg-build does. Times are period midpoints in years (2021 ->
2021.5, 2022-Q2 -> 2022.375); the target year's midpoint too. The target is 2025's for periods up to 2025, 2030's
after. The base: for the national headline row, the parameters' baseline (year and value) when given; for every other
series (and the headline without a parameter baseline), the series' own first value in or after the baseline year.
A row less than MIN_YEARS after its base, or with no base, is "not_available" unless it already meets the target
(sdg-build asks for at least one year between two yearly points; quarterly data allow half a year). A value that is
only a lower bound ("at least", lower_bound without upper_bound: a delay while payments are unpaid) proves nothing
in its favour: it is assessed only when it shows a move away from the target, and never serves as a base.
"""

from __future__ import annotations

import duckdb

LABELS = {
    "target_achieved": "Target achieved",
    "substantial_progress": "Substantial progress / on track",
    "moderate_progress": "Moderate progress",
    "limited_progress": "Limited or no progress",
    "deterioration": "Deterioration",
    "not_available": "Not enough data to assess",
    "no_target": "No target set",
}
ON_TRACK, MODERATE = 0.95, 0.60  # ratio thresholds with a target
MIN_YEARS = 0.5  # shortest time from base to current value that is assessed


def install_metadata(con: duckdb.DuckDBPyConnection, catalogue: dict, params: dict) -> None:
    """ind_meta(indicator_id, position, unit, polarity, person_based) and param_targets from the parameters."""
    con.execute("""CREATE OR REPLACE TEMP TABLE ind_meta (indicator_id VARCHAR, position INTEGER, unit VARCHAR,
                   direction INTEGER, person_based BOOLEAN)""")
    con.executemany(
        "INSERT INTO ind_meta VALUES (?, ?, ?, ?, ?)",
        [
            (ind.id, i, ind.unit, 1 if ind.polarity == "higher_is_better" else -1, ind.person_based)
            for i, ind in enumerate(catalogue.values())
        ],
    )
    con.execute("""CREATE OR REPLACE TEMP TABLE param_targets (indicator_id VARCHAR, baseline_year INTEGER,
                   baseline_value DOUBLE, target_2025 DOUBLE, target_2030 DOUBLE)""")
    con.executemany(
        "INSERT INTO param_targets VALUES (?, ?, ?, ?, ?)",
        [
            (ind_id, t.get("baseline_year"), t.get("baseline_value"), t.get("target_2025"), t.get("target_2030"))
            for ind_id, t in params.get("targets", {}).items()
        ],
    )
    con.execute("CREATE OR REPLACE TEMP TABLE status_labels (status VARCHAR, status_label VARCHAR)")
    con.executemany("INSERT INTO status_labels VALUES (?, ?)", list(LABELS.items()))


_TIME = (
    "CASE WHEN length({p}) = 4 THEN CAST({p} AS INTEGER) + 0.5 "
    "ELSE CAST(left({p}, 4) AS INTEGER) + (CAST(right({p}, 1) AS INTEGER) - 0.5) / 4 END"
)


def status_sql(rows: str = "ind_results", carried: tuple[str, ...] = ()) -> str:
    """The status query over ``rows`` (a table or a subquery with the columns of ``ind_results``, needing
    ``ind_meta`` and ``param_targets``); its ``carried`` columns are passed through after the status columns."""
    return _STATUS_SQL.replace("{rows}", rows).replace("{carried}", "".join(f", {c}" for c in carried))


_STATUS_SQL = f"""
WITH r AS (
    SELECT r.*, m.unit, m.direction, t.baseline_year, t.baseline_value, t.target_2025, t.target_2030,
           {_TIME.format(p="r.period")} AS t_now,
           (r.lower_bound IS NOT NULL AND r.upper_bound IS NULL) AS at_least,
           (r.province = 'LA' AND r.district IS NULL AND r.sex = '_T' AND r.breakdown = '_T') AS headline
    FROM {{rows}} r JOIN ind_meta m USING (indicator_id) LEFT JOIN param_targets t USING (indicator_id)),
own_base AS (
    SELECT indicator_id, province, district, sex, breakdown, breakdown_value,
           arg_min(period, t_now) AS base_period, arg_min(value, t_now) AS base_value, min(t_now) AS base_t,
           arg_min(at_least, t_now) AS base_at_least
    FROM r
    WHERE value IS NOT NULL AND (baseline_year IS NULL OR CAST(left(period, 4) AS INTEGER) >= baseline_year)
    GROUP BY ALL),
based AS (
    SELECT r.*,
           CASE WHEN r.headline AND r.baseline_value IS NOT NULL THEN CAST(r.baseline_year AS VARCHAR)
                ELSE b.base_period END AS status_base_period,
           CASE WHEN r.headline AND r.baseline_value IS NOT NULL THEN r.baseline_value
                ELSE b.base_value END AS status_base_value,
           CASE WHEN r.headline AND r.baseline_value IS NOT NULL THEN r.baseline_year + 0.5
                ELSE b.base_t END AS base_t,
           CASE WHEN r.headline AND r.baseline_value IS NOT NULL THEN FALSE
                ELSE coalesce(b.base_at_least, FALSE) END AS base_at_least,
           CASE WHEN CAST(left(r.period, 4) AS INTEGER) <= 2025 AND r.target_2025 IS NOT NULL THEN 2025
                WHEN r.target_2030 IS NOT NULL THEN 2030 END AS target_year
    FROM r LEFT JOIN own_base b
         ON b.indicator_id = r.indicator_id AND b.province = r.province
        AND b.district IS NOT DISTINCT FROM r.district AND b.sex = r.sex AND b.breakdown = r.breakdown
        AND b.breakdown_value = r.breakdown_value),
growth AS (
    SELECT *,
           CASE target_year WHEN 2025 THEN target_2025 WHEN 2030 THEN target_2030 END AS target_value,
           t_now - base_t AS status_years,
           CASE WHEN value IS NOT NULL AND status_base_value IS NOT NULL AND t_now - base_t >= {MIN_YEARS} AND value >= 0
                     AND status_base_value >= 0
                THEN pow(value / CASE WHEN status_base_value = 0 THEN 0.001 ELSE status_base_value END,
                         1 / (t_now - base_t)) - 1 END AS growth_actual
    FROM based),
required AS (
    SELECT *,
           CASE WHEN target_value IS NOT NULL AND status_base_value IS NOT NULL AND target_year + 0.5 > base_t
                     AND target_value >= 0 AND status_base_value >= 0
                THEN pow(CASE WHEN target_value = 0 THEN 0.001 ELSE target_value END
                         / CASE WHEN status_base_value = 0 THEN 0.001 ELSE status_base_value END,
                         1 / (target_year + 0.5 - base_t)) - 1 END AS growth_required,
           target_value IS NOT NULL AND value IS NOT NULL
               AND ((direction = 1 AND value >= target_value) OR (direction = -1 AND value <= target_value))
               AS achieved
    FROM growth),
rated AS (
    SELECT *,
           CASE WHEN growth_actual IS NOT NULL AND growth_required IS NOT NULL AND growth_required <> 0
                THEN direction * growth_actual / abs(growth_required) END AS progress_ratio
    FROM required)
SELECT indicator_id, period, province, district, sex, breakdown, breakdown_value, numerator, denominator, value,
       lower_bound, upper_bound, pending, unit, baseline_year, baseline_value, target_year, target_value,
       status, l.status_label, status_base_period, status_base_value, status_years, growth_actual,
       growth_required, progress_ratio{{carried}}
FROM (
    SELECT *,
           CASE WHEN value IS NULL THEN 'not_available'
                WHEN achieved AND NOT (at_least AND direction = -1) THEN 'target_achieved'
                WHEN target_value IS NULL THEN 'no_target'
                WHEN growth_actual IS NULL THEN 'not_available'
                -- an "at least" value (a censored delay) only proves a move the way it points: worse
                WHEN base_at_least OR (at_least AND direction * growth_actual >= 0) THEN 'not_available'
                WHEN progress_ratio IS NULL
                     THEN CASE WHEN direction * growth_actual < 0 THEN 'deterioration' ELSE 'limited_progress' END
                WHEN progress_ratio >= {ON_TRACK} THEN 'substantial_progress'
                WHEN progress_ratio >= {MODERATE} THEN 'moderate_progress'
                WHEN progress_ratio >= 0 THEN 'limited_progress'
                ELSE 'deterioration' END AS status
    FROM rated) JOIN status_labels l USING (status)
"""
STATUS_SQL = status_sql()
