"""The Provincial Coordination Index, in the shape of Brazil's IGD (see /work/shared/spec/igd.md).

score = condition x sum(weight_c x rate_c)   [weights add up to 1]
The rates are the component indicators' own values (0-1) for the province and quarter, so the index is traceable
to them; the condition is 1 when every provincial commission meeting planned in the quarter was held (1 when none was
planned, 0 otherwise). A component without data is named in ``reasons`` and, by default ("zero"), scores 0: as in
the IGD, rates are measured against what should have been done, so work not reported counts as not done (otherwise
a province that sends less would score higher). The parameter can instead share its weight among the others
("reweight") or withhold the score ("no_score"). Quarters that ended before the Commission existed get no score.
Results land in the temp table ``ind_pci`` (the "pci" supporting table) and, as indicator PCI, in ``ind_results``.
"""

from __future__ import annotations

import duckdb

from .parameters import PCI_COMPONENTS
from .sql_helpers import exact_sum

# Each component's indicators: its rate is their summed numerators / summed denominators. On-time payment takes
# every programme paying the province's residents, each judged by its own rule (the grant's 15 days, MAF's own).
SOURCES = {
    "reporting_timeliness": ("COORD_REPORT_TIMELY",),
    "referral_completion": ("COORD_REFERRAL_DONE",),
    "payment_on_time": ("PAY_ONTIME", "PAY_ONTIME_MAF"),
    "id_linkability": ("COORD_ID_LINKABLE",),
}
LABELS = {
    "reporting_timeliness": "reporting timeliness",
    "referral_completion": "referral completion",
    "payment_on_time": "on-time payment",
    "id_linkability": "ID linkability",
}


def compute(con: duckdb.DuckDBPyConnection, params: dict) -> None:
    pci = params["pci"]
    weights, minimums = pci["weights"], pci["minimums"]

    def among(c: str) -> str:
        return "indicator_id IN (" + ", ".join(f"'{i}'" for i in SOURCES[c]) + ")"

    rates = ",\n".join(
        f"{exact_sum('numerator', where=among(c))} / nullif({exact_sum('denominator', where=among(c))}, 0) AS {c}"
        for c in PCI_COMPONENTS
    )
    weighted = " + ".join(f"{float(weights[c])!r} * coalesce({c}, 0)" for c in PCI_COMPONENTS)
    weight_with_data = " + ".join(
        f"CASE WHEN {c} IS NOT NULL THEN {float(weights[c])!r} ELSE 0 END" for c in PCI_COMPONENTS
    )
    rule = pci["missing_component"]
    divisor = "weight_with_data" if rule == "reweight" else "1.0"
    missing_words = " (counted as 0)" if rule == "zero" else ""
    missing = " + ".join(f"CAST({c} IS NULL AS INTEGER)" for c in PCI_COMPONENTS)
    below = " OR ".join(f"coalesce({c} < {float(minimums[c])!r}, FALSE)" for c in PCI_COMPONENTS)
    min_score = float(pci["minimum_score"])
    reasons = ", ".join(
        [f"CASE WHEN {c} IS NULL THEN 'no data for {LABELS[c]}{missing_words}' END" for c in PCI_COMPONENTS]
        + [
            f"CASE WHEN {c} < {float(minimums[c])!r} THEN printf('{LABELS[c]} %.2f below the minimum %.2f', "
            f"{c}, {float(minimums[c])!r}) END"
            for c in PCI_COMPONENTS
        ]
        + [
            "CASE WHEN condition_met = 0 THEN 'commission did not meet as planned' END",
            "CASE WHEN meetings_planned = 0 THEN 'no commission meeting planned (condition counted as met)' END",
            f"CASE WHEN score < {min_score!r} THEN printf('score %.2f below the minimum %.2f', score, "
            f"{min_score!r}) END",
        ]
    )
    no_score = "TRUE" if rule == "no_score" else "FALSE"
    established = pci["commission_established"].isoformat()
    ids = ", ".join(f"'{i}'" for ids in SOURCES.values() for i in ids)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ind_pci AS
        WITH components AS (
            SELECT period, province, {rates}
            FROM ind_results
            WHERE indicator_id IN ({ids}) AND district IS NULL AND sex = '_T' AND breakdown = '_T'
              AND length(period) = 7 AND quarter_end(period) >= DATE '{established}'
            GROUP BY period, province),
        meetings AS (
            SELECT period, CASE WHEN level = 'central' THEN 'LA' ELSE province END AS province,
                   count(*) AS meetings_planned, count(*) FILTER (WHERE held) AS meetings_held
            FROM (SELECT meeting_id, any_value(period) AS period, any_value(level) AS level,
                         any_value(province) AS province, bool_or(held_date IS NOT NULL) AS held,
                         min(planned_date) AS planned_date
                  FROM commission_meetings GROUP BY meeting_id)
            WHERE (level = 'central' OR province IS NOT NULL)
              AND (held OR planned_date <= getvariable('as_of_commission_meetings'))
            GROUP BY ALL),
        scored AS (
            SELECT c.*, coalesce(m.meetings_planned, 0) AS meetings_planned,
                   coalesce(m.meetings_held, 0) AS meetings_held,
                   CASE WHEN coalesce(m.meetings_held, 0) < coalesce(m.meetings_planned, 0) THEN 0 ELSE 1 END
                       AS condition_met,
                   {weighted} AS weighted_sum, {weight_with_data} AS weight_with_data,
                   {missing} AS components_missing
            FROM components c LEFT JOIN meetings m USING (period, province)),
        final AS (
            SELECT *, CASE WHEN ({divisor} = 0) OR ({no_score} AND components_missing > 0) THEN NULL
                           ELSE condition_met * weighted_sum / {divisor} END AS score
            FROM scored)
        SELECT period, province, {", ".join(PCI_COMPONENTS)}, meetings_planned, meetings_held, condition_met,
               components_missing, score,
               coalesce(score < {min_score!r}, FALSE) OR {below} AS flagged,
               concat_ws('; ', {reasons}) AS reasons
        FROM final ORDER BY period, province""")
    components = " UNION ALL ".join(
        f"SELECT period, province, '{c}' AS component, {c} AS value FROM ind_pci"
        for c in PCI_COMPONENTS + ("condition_met",)
    )
    con.execute(f"""
        INSERT INTO ind_results
        SELECT 'PCI', period, province, NULL, '_T', '_T', '_T', NULL, NULL, score, NULL, NULL, NULL FROM ind_pci
        UNION ALL
        SELECT 'PCI', period, province, NULL, '_T', 'component', component, NULL, NULL, value, NULL, NULL, NULL
        FROM ({components})""")
