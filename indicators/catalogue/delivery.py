"""Section C: benefit delivery, from the Mother and Early Childhood Grant payment ledger (and, as its own indicator,
the MAF transfer's reported on-time payments). Every indicator here goes down to district and sex; the ledger's also
to channel and payment cycle."""

from __future__ import annotations

from ..sql_helpers import exact_units, from_exact_units
from .base import Indicator

_LEDGER = ("mecg_register", "mecg_payments")
_ALL = ("province", "district", "sex")

PAY_ONTIME = Indicator(
    id="PAY_ONTIME",
    short_name="Grant payments on time",
    long_name="Mother and Early Childhood Grant: payments made within the grace period of their due date / "
    "payments due",
    area="delivery",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("channel", "cycle"),
    sources=_LEDGER,
    numerator_label="Grant payments paid within the grace period",
    denominator_label="Grant payments due in the quarter whose grace period has run out",
    method_note=(
        "One programme, one rule: the Mother and Early Childhood Grant's payment ledger only. What it counts: "
        "payments falling due in the quarter (by due date) whose grace period - payment_grace_days, a parameter, "
        "15 days - has run out, and among them those paid no later than the due date + the grace period. As of: "
        "the ledger's own date (the latest payment it records). A payment whose grace period has not run out on "
        "that date is pending - not judged yet, paid or not, so a batch that has just fallen due does not count "
        "only its quickest payments - and is shown apart as pending. What it leaves out: cancelled payments; "
        "payments falling due after the as-of date; the MAF cash transfer, which reports on-time payments by its "
        "own rule (see PAY_ONTIME_MAF, shown beside this figure, never added into it)."
    ),
    pending_label="Payments still within their grace period on the as-of date (not judged yet)",
    numerator_sql="""
        SELECT period, province, district, sex, channel, cycle,
               CASE WHEN NOT pending AND paid_date <= due_date + CAST(getvariable('payment_grace_days') AS INTEGER)
                    THEN payments ELSE 0 END AS numerator,
               CASE WHEN pending THEN 0 ELSE payments END AS denominator,
               CASE WHEN pending THEN payments ELSE 0 END AS pending
        FROM (SELECT *, due_date + CAST(getvariable('payment_grace_days') AS INTEGER)
                            > getvariable('as_of_mecg_payments') AS pending
              FROM ind_mecg_payment_cells WHERE due_date <= getvariable('as_of_mecg_payments'))""",
)

PAY_ONTIME_MAF = Indicator(
    id="PAY_ONTIME_MAF",
    short_name="Cash transfer payments on time (MAF)",
    long_name="MAF cash transfer: payments made on time / payments due, as the Ministry of Agriculture and "
    "Forestry reports them",
    area="delivery",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=_ALL,
    sources=("cash_transfer",),
    numerator_label="Payments made on time (MAF's own rule)",
    denominator_label="Payments due (MAF's return)",
    method_note=(
        "One programme, one rule: the MAF cash transfer (World Bank supported) only. What it counts: the "
        "payments due in the quarter and, of them, those made on time, both as MAF's quarterly return reports "
        "them, by district and sex. MAF applies its own on-time rule, which the return does not state, so this "
        "figure is shown beside the grant's (PAY_ONTIME, 15-day rule) and never added to it. As of: the end of the "
        "quarter the return covers. What it leaves out: quarters and districts without a MAF return; no channel "
        "or payment cycle is reported."
    ),
    numerator_sql="""
        SELECT period, province, district, sex, payments_on_time AS numerator, payments_due AS denominator
        FROM cash_transfer""",
)

# Days late of every payment due whose grace period has run out by the ledger's as-of date: a paid one by its paid
# date, an unpaid one "at least" up to the as-of date (so the figure cannot improve while unpaid payments pile up).
# A batch still within its grace period is not judged yet (it would pull the median down to its few days of age).
_DAYS_LATE_ALL_DUE = """
        SELECT period, province, district, sex, channel, cycle,
               greatest(0, date_diff('day', due_date, coalesce(paid_date, getvariable('as_of_mecg_payments'))))
                   AS observation, paid_date IS NOT NULL AS paid, payments AS observations
        FROM ind_mecg_payment_cells
        WHERE due_date + CAST(getvariable('payment_grace_days') AS INTEGER) <= getvariable('as_of_mecg_payments')"""

_DELAY_NOTE = (
    "What it counts: every grant payment that fell due in the quarter (by due date), paid or not. Days late = "
    "paid date - due date for a payment made (0 when paid early or on the day); for a payment still unpaid, the "
    "days from its due date to the ledger's as-of date - it is at least that late, and the figure keeps rising "
    "while it stays unpaid, so a backlog of unpaid payments cannot make delays look shorter. As of: the payment "
    "ledger's own date (the last payment it records). What it leaves out: cancelled payments; payments whose "
    "grace period (payment_grace_days) has not run out by the as-of date - not judged yet, like PAY_ONTIME's "
    "pending ones. The numerator column holds the number of payments due it is computed from. "
)

PAY_DELAY_MEDIAN = Indicator(
    id="PAY_DELAY_MEDIAN",
    short_name="Median payment delay, all payments due",
    long_name="Median days late among all grant payments due, unpaid ones counted as late as the as-of date "
    "(0 when paid early or on the due date)",
    area="delivery",
    unit="days",
    polarity="lower_is_better",
    kind="statistic",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("channel", "cycle"),
    sources=_LEDGER,
    statistic="survival_quantile",
    quantile=0.5,
    numerator_label="Payments due (observations)",
    denominator_label=None,
    method_note=_DELAY_NOTE
    + (
        "The median, estimated as survival statisticians do (Kaplan-Meier), so unpaid payments count for what "
        "is known of them: half the payments due are estimated to have been paid within this many days. When "
        "fewer than half have been paid, it is the longest time observed: a lower bound (at least this late)."
    ),
    numerator_sql=_DAYS_LATE_ALL_DUE,
)

PAY_DELAY_P90 = Indicator(
    id="PAY_DELAY_P90",
    short_name="Payment delay, 90th percentile, all payments due",
    long_name="90th percentile of days late among all grant payments due, unpaid ones counted as late as the "
    "as-of date (0 when paid early or on the due date)",
    area="delivery",
    unit="days",
    polarity="lower_is_better",
    kind="statistic",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("channel", "cycle"),
    sources=_LEDGER,
    statistic="survival_quantile",
    quantile=0.9,
    numerator_label="Payments due (observations)",
    denominator_label=None,
    method_note=_DELAY_NOTE
    + (
        "The 90th percentile, estimated as the median is (Kaplan-Meier): nine payments in ten are estimated to "
        "have been paid within this many days. When fewer than nine in ten have been paid, it is the longest time "
        "observed: a lower bound (at least this late)."
    ),
    numerator_sql=_DAYS_LATE_ALL_DUE,
)

PAY_NEVER_PAID = Indicator(
    id="PAY_NEVER_PAID",
    short_name="Enrolled, never paid",
    long_name="Enrolled beneficiaries who have received no payment yet / enrolled beneficiaries, at the end of the "
    "quarter",
    area="delivery",
    unit="percent",
    polarity="lower_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("channel", "beneficiary_type"),
    sources=_LEDGER,
    numerator_label="Enrolled by the end of the quarter with no payment by then",
    denominator_label="Enrolled by the end of the quarter",
    method_note=(
        "What it counts: at the end of each quarter, the grant's register records enrolled by then and, among "
        "them, those who had received no payment by then (the source report's headline: 1,186 of 2,596 never "
        "paid by 30 June 2022, so 1,410 paid). Channel is the register's: wallet when the beneficiary has a "
        "registered phone, cash otherwise. As of: the end of the quarter, up to the payment ledger's own date "
        "(its last payment). What it leaves out: quarters before the first payment fell due (15 October 2021 in "
        "the pilot) - before it nobody could have been paid, so no value and no baseline is taken from them."
    ),
    # Records counted by the quarters of their enrolment and first payment, then matched with the quarters after.
    numerator_sql="""
        WITH records AS (
            SELECT province, district, sex, channel, beneficiary_type,
                   quarter_end_of(enrolment_date) AS enrolled_by, quarter_end_of(first_paid_date) AS first_paid_by,
                   count(*) AS records
            FROM ind_mecg_beneficiary GROUP BY ALL)
        SELECT q.period, b.province, b.district, b.sex, b.channel, b.beneficiary_type,
               CAST(coalesce(sum(b.records) FILTER (WHERE b.first_paid_by IS NULL OR b.first_paid_by > q.quarter_end),
                             0) AS BIGINT) AS numerator,
               CAST(sum(b.records) AS BIGINT) AS denominator
        FROM records b JOIN ind_mecg_payment_quarters q ON b.enrolled_by <= q.quarter_end
        GROUP BY ALL""",
)

# A cell's flows (exact units) added up over the quarters up to each one: its arrears at that quarter's end.
_RUNNING_TOTAL = """sum(coalesce(f.amount, 0))
                    OVER (PARTITION BY c.province, c.district, c.sex, c.channel, c.cycle ORDER BY q.period)"""

PAY_ARREARS_LAK = Indicator(
    id="PAY_ARREARS_LAK",
    short_name="Payment arrears",
    long_name="Amount due and not yet paid at the end of the quarter (LAK)",
    area="delivery",
    unit="LAK",
    polarity="lower_is_better",
    kind="amount",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("channel", "cycle"),
    sources=_LEDGER,
    person_based=False,
    numerator_label="Amount due by the end of the quarter and not paid by then (LAK)",
    denominator_label=None,
    method_note=(
        "What it counts: at the end of each quarter, the grant amounts due by then minus what was paid on them "
        "by then; a partial payment leaves its remainder in arrears. Computed from quarterly flows (+ amount due "
        "in the quarter it falls due, - amount paid in the quarter it is paid) added up over time. A total in "
        "LAK: a province's arrears are part of the country's and are not compared with them. As of: the end of "
        "the quarter, up to the payment ledger's own date. What it leaves out: cancelled payments; quarters "
        "before the first payment fell due. No target is set, so no progress status is given."
    ),
    # The cells read once, added up by the quarters their amounts fall due and are paid in (1x: 1.25 M cells ->
    # 69 k rows), and the flows taken from those. Amounts are carried as exact units (sql_helpers.exact_units) from
    # the cells to each quarter's running total, which is made a figure once: the same LAK whatever the threads.
    numerator_sql=f"""
        WITH by_quarters AS (
            SELECT province, district, sex, channel, cycle, quarter_end_of(due_date) AS due_by,
                   quarter_end_of(greatest(due_date, paid_date)) AS paid_by,
                   sum({exact_units("amount_due")}) AS amount_due,
                   sum({exact_units("amount_paid")}) FILTER (WHERE paid_date IS NOT NULL) AS amount_paid
            FROM ind_mecg_payment_cells GROUP BY ALL),
        flows AS (
            SELECT due_by AS quarter_end, province, district, sex, channel, cycle, amount_due AS amount
            FROM by_quarters
            UNION ALL
            SELECT paid_by, province, district, sex, channel, cycle, -amount_paid
            FROM by_quarters WHERE amount_paid IS NOT NULL),
        cell_flows AS (SELECT quarter_end, province, district, sex, channel, cycle, sum(amount) AS amount
                       FROM flows GROUP BY ALL),
        cells AS (SELECT DISTINCT province, district, sex, channel, cycle FROM cell_flows)
        SELECT q.period, c.province, c.district, c.sex, c.channel, c.cycle,
               {from_exact_units(_RUNNING_TOTAL)} AS numerator
        FROM cells c CROSS JOIN ind_mecg_payment_quarters q
             LEFT JOIN cell_flows f ON f.quarter_end = q.quarter_end AND f.province = c.province
                  AND f.district = c.district
                  AND f.sex = c.sex AND f.channel = c.channel AND f.cycle = c.cycle""",
)

PAY_FIRST_LAG = Indicator(
    id="PAY_FIRST_LAG",
    short_name="Days from enrolment to first payment",
    long_name="Median days from enrolment to first payment, for the beneficiaries enrolled in the quarter (those "
    "never paid counted as waiting since enrolment)",
    area="delivery",
    unit="days",
    polarity="lower_is_better",
    kind="statistic",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("channel",),
    sources=_LEDGER,
    statistic="survival_quantile",
    quantile=0.5,
    numerator_label="Beneficiaries enrolled in the quarter (observations)",
    denominator_label=None,
    method_note=(
        "What it counts: every register record enrolled in the quarter, and the days from its enrolment to its "
        "first payment; a record never paid is counted as waiting from enrolment to the payment ledger's as-of "
        "date (at least that long). The median is estimated as survival statisticians do (Kaplan-Meier): half "
        "the beneficiaries enrolled in the quarter are estimated to have been paid within this many days; when "
        "fewer than half have been paid, it is the longest wait observed, a lower bound. Counting only those "
        "already paid would make the figure look better the more people are left waiting. Channel is the "
        "register's (wallet when a phone is registered, cash otherwise). As of: the payment ledger's own date "
        "(its last payment). What it leaves out: nothing enrolled; records enrolled after the as-of date."
    ),
    numerator_sql="""
        SELECT quarter_of(enrolment_date) AS period, province, district, sex, channel,
               greatest(0, date_diff('day', enrolment_date,
                                     coalesce(least(first_paid_date, getvariable('as_of_mecg_payments')),
                                              getvariable('as_of_mecg_payments')))) AS observation,
               first_paid_date IS NOT NULL AND first_paid_date <= getvariable('as_of_mecg_payments') AS paid,
               1 AS observations
        FROM ind_mecg_beneficiary WHERE enrolment_date <= getvariable('as_of_mecg_payments')""",
)

INDICATORS = (
    PAY_ONTIME,
    PAY_ONTIME_MAF,
    PAY_DELAY_MEDIAN,
    PAY_DELAY_P90,
    PAY_NEVER_PAID,
    PAY_ARREARS_LAK,
    PAY_FIRST_LAG,
)
