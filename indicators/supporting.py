"""Aggregate tables the pages chart beside the indicators. Aggregates only: no person-level row ever leaves here.

Each is one SQL query over a prepared warehouse connection (``engine.prepare``); "pci" comes from the engine's run.
"""

from __future__ import annotations

DAYS_LATE_BINS = (
    "on or before the due date",
    "1-15 days",
    "16-30 days",
    "31-60 days",
    "61-90 days",
    "over 90 days",
    "not paid",
)

QUERIES: dict[str, str] = {
    # From the ledger cells the catalogue made (payments not cancelled, paid_date only when paid): the ledger is
    # not joined to the register again (1x: 0.82 -> 0.1 CPU s).
    "days_late_distribution": """
        SELECT period, province, district, sex, channel,
               CASE WHEN paid_date IS NULL THEN 'not paid'
                    WHEN date_diff('day', due_date, paid_date) <= 0 THEN 'on or before the due date'
                    WHEN date_diff('day', due_date, paid_date) <= 15 THEN '1-15 days'
                    WHEN date_diff('day', due_date, paid_date) <= 30 THEN '16-30 days'
                    WHEN date_diff('day', due_date, paid_date) <= 60 THEN '31-60 days'
                    WHEN date_diff('day', due_date, paid_date) <= 90 THEN '61-90 days'
                    ELSE 'over 90 days' END AS days_late_bin,
               CAST(sum(payments) AS BIGINT) AS payments
        FROM ind_mecg_payment_cells
        GROUP BY ALL ORDER BY ALL""",
    # One row per sender and quarter: the worst of its returns (missing, then late, then on time).
    "reporting_matrix": """
        SELECT sender, sender_type, province, period,
               CASE WHEN bool_or(received_date IS NULL) THEN 'missing'
                    WHEN bool_or(received_date > due_date) THEN 'late' ELSE 'on time' END AS status,
               max(due_date) AS due_date,
               CASE WHEN bool_or(received_date IS NULL) THEN NULL ELSE max(received_date) END AS received_date
        FROM returns_log WHERE received_date IS NOT NULL OR due_date < getvariable('as_of_returns_log')
        GROUP BY ALL ORDER BY period, sender_type, sender""",
    "referral_funnel": """
        SELECT period, province, district, sex, to_service, count(*) AS made,
               count(completed_date) AS completed,
               count(*) FILTER (WHERE feedback_returned AND completed_date IS NOT NULL) AS feedback_returned
        FROM referrals GROUP BY ALL ORDER BY ALL""",
    "spending_lines": """
        SELECT year, ministry, coa_code, coa_label, programme, allocated_lak, executed_lak
        FROM sp_spending ORDER BY year, ministry, coa_code""",
    "meetings": """
        SELECT level, CASE WHEN level = 'central' THEN NULL ELSE province END AS province, period,
               count(DISTINCT meeting_id) AS planned,
               count(DISTINCT meeting_id) FILTER (WHERE held_date IS NOT NULL) AS held,
               count(*) FILTER (WHERE held_date IS NOT NULL) AS members_expected,
               count(*) FILTER (WHERE held_date IS NOT NULL AND present) AS members_present,
               count(*) FILTER (WHERE held_date IS NOT NULL AND present
                                AND coalesce(representative_level, 'delegate') <> 'delegate') AS at_designated_level
        FROM commission_meetings GROUP BY ALL ORDER BY period, level, province""",
    "roadmap": """
        SELECT action_id, description, pillar, responsible_ministry, due_date, completed_date, status,
               coalesce(completed_date <= due_date, FALSE) AS on_time
        FROM roadmap_actions ORDER BY due_date, action_id""",
    "returns_status": """
        SELECT source, sender, period, due_date, received_date,
               CASE WHEN received_date IS NULL THEN 'missing' ELSE 'late' END AS status
        FROM returns_log
        WHERE (received_date IS NULL AND due_date < getvariable('as_of_returns_log')) OR received_date > due_date
        ORDER BY period, status, sender, source""",
}

NAMES = tuple(QUERIES) + ("pci",)
