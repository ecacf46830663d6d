"""Section D: coordination, from the Technical Secretariat's own logs, and the Provincial Coordination Index."""

from __future__ import annotations

from .base import Indicator

# One row per planned meeting; a central meeting has no province (its figures count in the national total only).
_MEETINGS = """
    SELECT meeting_id, any_value(period) AS period, any_value(level) AS level,
           CASE WHEN any_value(level) = 'central' THEN NULL ELSE any_value(province) END AS province,
           bool_or(held_date IS NOT NULL) AS held, min(planned_date) AS planned_date
    FROM commission_meetings GROUP BY meeting_id"""

COORD_MEETINGS = Indicator(
    id="COORD_MEETINGS",
    short_name="Commission meetings held",
    long_name="Commission meetings held / meetings planned (central commission and each provincial commission)",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=("province",),
    breakdowns=("level",),
    sources=("commission_meetings",),
    person_based=False,
    numerator_label="Meetings held",
    denominator_label="Meetings planned in the yearly plan",
    method_note=(
        "What it counts: meetings planned in the quarter (by planned date) and, of them, those held (a held date "
        "is given, at any date). As of: the meeting record's own date (the last meeting held it records); a "
        "meeting planned after that date is not yet due and is not counted. Central meetings count in the "
        "national total and under level 'central'; provincial meetings in their province. What it leaves out: "
        "meetings outside the yearly plan."
    ),
    numerator_sql=f"""
        SELECT period, province, NULL AS district, NULL AS sex, level, CAST(held AS INTEGER) AS numerator,
               1 AS denominator
        FROM ({_MEETINGS}) WHERE held OR planned_date <= getvariable('as_of_commission_meetings')""",
)

_ATTENDANCE = """
    SELECT m.period, CASE WHEN m.level = 'central' THEN NULL ELSE m.province END AS province, m.level, m.sex,
           m.present, m.representative_level
    FROM commission_meetings m WHERE m.held_date IS NOT NULL"""

COORD_ATTENDANCE = Indicator(
    id="COORD_ATTENDANCE",
    short_name="Commission attendance",
    long_name="Member institutions present / member institutions expected, at meetings held",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=("province",),
    breakdowns=("level",),
    sources=("commission_meetings",),
    person_based=False,
    numerator_label="Member institutions present",
    denominator_label="Member institutions expected",
    method_note=(
        "What it counts: at the Commission meetings held in the quarter, the member institutions marked present "
        "over the member institutions expected. As of: the meeting record's own date (the last meeting held). "
        "What it leaves out: meetings not held (see COORD_MEETINGS)."
    ),
    numerator_sql=f"""
        SELECT period, province, NULL AS district, NULL AS sex, level, CAST(present AS INTEGER) AS numerator,
               1 AS denominator
        FROM ({_ATTENDANCE})""",
)

COORD_ATTENDANCE_LEVEL = Indicator(
    id="COORD_ATTENDANCE_LEVEL",
    short_name="Attendance at the designated level",
    long_name="Member institutions represented at the designated level rather than by a delegate / member "
    "institutions present",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=("province", "sex"),
    breakdowns=("level",),
    sources=("commission_meetings",),
    person_based=False,
    numerator_label="Present at the designated level",
    denominator_label="Member institutions present",
    method_note=(
        "What it counts: of the member institutions present at meetings held in the quarter, those represented "
        "at the designated level (minister ... director, governor, vice-governor) rather than by a 'delegate'; "
        "by sex of the person attending, where recorded. As of: the meeting record's own date (the last meeting "
        "held). What it leaves out: absent members; the sex breakdown leaves out attendees whose sex is not "
        "recorded (they count in the total)."
    ),
    numerator_sql=f"""
        SELECT period, province, NULL AS district, sex, level,
               CASE WHEN coalesce(representative_level, 'delegate') <> 'delegate' THEN 1 ELSE 0 END AS numerator,
               1 AS denominator
        FROM ({_ATTENDANCE}) WHERE present""",
)

# Expected returns, as of the returns log's own date: one not yet due and not yet received is not counted.
_RETURNS = """
    SELECT period, province, sender_type, sender, source, due_date, received_date
    FROM returns_log WHERE received_date IS NOT NULL OR due_date < getvariable('as_of_returns_log')"""

COORD_REPORT_TIMELY = Indicator(
    id="COORD_REPORT_TIMELY",
    short_name="Returns on time",
    long_name="Data returns received by their due date / returns expected, by ministry and by province",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=("province",),
    breakdowns=("sender_type", "sender", "source"),
    sources=("returns_log",),
    person_based=False,
    numerator_label="Returns received on or before the due date",
    denominator_label="Returns expected",
    method_note=(
        "What it counts: for each quarter reported on, the data returns expected (one per source and sender, as "
        "the Secretariat's returns log lists them) and, of them, those received on or before their due date. As "
        "of: the returns log's own date (the last receipt it records); a return not yet due on that date and not "
        "received is not counted yet, one past its due date and not received counts as not on time. Ministries' "
        "returns (no province) count in the national total only; breakdowns by sender and by source. What it "
        "leaves out: returns the log does not list."
    ),
    numerator_sql=f"""
        SELECT period, province, NULL AS district, NULL AS sex, sender_type, sender, source,
               CASE WHEN received_date <= due_date THEN 1 ELSE 0 END AS numerator, 1 AS denominator
        FROM ({_RETURNS})""",
)

COORD_REPORT_COMPLETE = Indicator(
    id="COORD_REPORT_COMPLETE",
    short_name="Returns received",
    long_name="Data returns received / returns expected, by ministry and by province",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=("province",),
    breakdowns=("sender_type", "sender", "source"),
    sources=("returns_log",),
    person_based=False,
    numerator_label="Returns received (at any date)",
    denominator_label="Returns expected",
    method_note=(
        "What it counts: for each quarter reported on, the data returns expected and, of them, those received at "
        "any date up to the returns log's as-of date (late ones included). As of: the returns log's own date (the "
        "last receipt it records); a return not yet due then is not counted. What it leaves out: returns the log "
        "does not list; ministries' returns count in the national total only."
    ),
    numerator_sql=f"""
        SELECT period, province, NULL AS district, NULL AS sex, sender_type, sender, source,
               CASE WHEN received_date IS NOT NULL THEN 1 ELSE 0 END AS numerator, 1 AS denominator
        FROM ({_RETURNS})""",
)

_ALL = ("province", "district", "sex")

COORD_REFERRAL_DONE = Indicator(
    id="COORD_REFERRAL_DONE",
    short_name="Referrals completed",
    long_name="Referrals completed (service received) / referrals made whose standard time has run out or that "
    "are completed",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("to_service", "from_programme"),
    sources=("referrals",),
    numerator_label="Referrals completed",
    denominator_label="Referrals made in the quarter whose standard time has run out",
    method_note=(
        "What it counts: referrals made in the quarter (by referral date) whose standard time - "
        "referral_standard_days, a parameter, 30 days - has run out, and among them those whose service was "
        "received (a completion date). As of: the referral log's own date (the last referral or completion it "
        "records). A referral still inside its standard time on that date is pending - not judged yet, completed "
        "or not, so it is not a failure - and is shown apart as pending. What it leaves out: pending referrals "
        "(shown as pending)."
    ),
    pending_label="Referrals still within their standard time on the as-of date (not judged yet)",
    numerator_sql="""
        SELECT period, province, district, sex, to_service, from_programme,
               CASE WHEN NOT pending AND completed_date IS NOT NULL THEN 1 ELSE 0 END AS numerator,
               CASE WHEN pending THEN 0 ELSE 1 END AS denominator, CAST(pending AS INTEGER) AS pending
        FROM (SELECT *, referred_date + CAST(getvariable('referral_standard_days') AS INTEGER)
                            > getvariable('as_of_referrals') AS pending
              FROM referrals)""",
)

COORD_COUNTER_REFERRAL = Indicator(
    id="COORD_COUNTER_REFERRAL",
    short_name="Counter-referrals returned",
    long_name="Completed referrals whose feedback came back (counter-referral) / completed referrals",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("to_service", "from_programme"),
    sources=("referrals",),
    numerator_label="Completed referrals with feedback returned",
    denominator_label="Completed referrals",
    method_note=(
        "What it counts: referrals made in the quarter and completed, and among them those whose service sent "
        "feedback back (counter-referral). As of: the referral log's own date (the last referral or completion "
        "it records). What it leaves out: referrals not completed; the log records whether feedback came back, "
        "not when, so feedback still on its way counts as not returned."
    ),
    numerator_sql="""
        SELECT period, province, district, sex, to_service, from_programme,
               CASE WHEN feedback_returned THEN 1 ELSE 0 END AS numerator, 1 AS denominator
        FROM referrals WHERE completed_date IS NOT NULL""",
)

COORD_GRIEVANCE_TIMELY = Indicator(
    id="COORD_GRIEVANCE_TIMELY",
    short_name="Grievances resolved in time",
    long_name="Grievances resolved within the standard time / grievances whose standard time has run out",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("programme", "category"),
    sources=("grievances",),
    numerator_label="Resolved within grievance_standard_days",
    denominator_label="Grievances received in the quarter whose standard time has run out",
    method_note=(
        "What it counts: grievances received in the quarter whose standard time - grievance_standard_days, a "
        "parameter, 30 days - has run out, and among them those resolved within it. As of: the grievance log's "
        "own date (the last receipt or resolution it records). A grievance still inside its standard time on "
        "that date is pending - not judged yet, resolved or not, so an open one is not counted as late - and is "
        "shown apart as pending. A grievance with no recorded sex is counted under 'sex not recorded', so women "
        "+ men + not recorded = total. What it leaves out: pending grievances (shown as pending); districts "
        "where none is recorded."
    ),
    pending_label="Grievances still within their standard time on the as-of date (not judged yet)",
    numerator_sql="""
        SELECT period, province, district, coalesce(sex, '_U') AS sex, programme, category,
               CASE WHEN NOT pending AND date_diff('day', received_date, resolved_date)
                         <= getvariable('grievance_standard_days') THEN 1 ELSE 0 END AS numerator,
               CASE WHEN pending THEN 0 ELSE 1 END AS denominator, CAST(pending AS INTEGER) AS pending
        FROM (SELECT *, received_date + CAST(getvariable('grievance_standard_days') AS INTEGER)
                            > getvariable('as_of_grievances') AS pending
              FROM grievances)""",
)

COORD_ID_LINKABLE = Indicator(
    id="COORD_ID_LINKABLE",
    short_name="Beneficiaries with a national id",
    long_name="Beneficiaries with a valid national identifier (linkable across registries) / beneficiaries",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("beneficiary_type",),
    sources=("mecg_register", "mecg_payments"),
    numerator_label="Enrolled with a national id",
    denominator_label="Enrolled by the end of the quarter",
    method_note=(
        "What it counts: grant register records enrolled by the end of the quarter that carry a national id (kept "
        "only as a keyed hash, which is what lets registries be linked), over the records enrolled. As of: the "
        "end of the quarter (the register carries no date of its own). What it leaves out: other programmes' "
        "registers (not person-level yet)."
    ),
    # Records counted by the quarter of their enrolment, then matched with the quarters after.
    numerator_sql="""
        WITH records AS (
            SELECT province, district, sex, beneficiary_type, quarter_end_of(enrolment_date) AS enrolled_by,
                   count(national_id_key) AS linkable, count(*) AS records
            FROM ind_mecg_beneficiary GROUP BY ALL)
        SELECT q.period, b.province, b.district, b.sex, b.beneficiary_type,
               CAST(sum(b.linkable) AS BIGINT) AS numerator, CAST(sum(b.records) AS BIGINT) AS denominator
        FROM records b JOIN ind_mecg_quarters q ON b.enrolled_by <= q.quarter_end
        GROUP BY ALL""",
)

COORD_COMPLEMENTARITY = Indicator(
    id="COORD_COMPLEMENTARITY",
    short_name="Grant recipients with health insurance",
    long_name="Grant recipients who also hold health insurance / grant recipients",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=_ALL,
    breakdowns=("beneficiary_type",),
    bounded=True,
    sources=("mecg_register", "mecg_payments", "hi_membership_link"),
    numerator_label="Recipients found among health insurance members",
    denominator_label="Grant recipients",
    method_note=(
        "What it counts: grant recipients (persons paid at least once by the end of the quarter) whose keyed "
        "national id is in the health insurance membership list, over those recipients. Recipients without a "
        "national id cannot be matched and count as not insured in the value; upper_bound counts them as "
        "insured, lower_bound equals the value. As of: the end of the quarter, up to the payment ledger's own "
        "date; the membership list carries no date (it is taken as current). What it leaves out: recipients "
        "who cannot be linked (see the bounds)."
    ),
    # Persons counted by the quarter of their first payment, then matched with the quarters after.
    numerator_sql="""
        WITH persons AS (
            SELECT p.province, p.district, p.sex, p.beneficiary_type, quarter_end_of(p.first_paid_date) AS paid_by,
                   count(*) FILTER (WHERE p.national_id_key IN (SELECT national_id_key FROM hi_membership_link))
                       AS insured,
                   count(*) FILTER (WHERE p.national_id_key IS NULL) AS unlinked, count(*) AS persons
            FROM ind_mecg_person p
            GROUP BY ALL)
        SELECT q.period, p.province, p.district, p.sex, p.beneficiary_type,
               CAST(sum(p.insured) AS BIGINT) AS numerator, CAST(sum(p.insured) AS BIGINT) AS lower_numerator,
               CAST(sum(p.insured) + sum(p.unlinked) AS BIGINT) AS upper_numerator,
               CAST(sum(p.persons) AS BIGINT) AS denominator
        FROM persons p JOIN ind_mecg_quarters q ON p.paid_by <= q.quarter_end
        GROUP BY ALL""",
)

COORD_ROADMAP = Indicator(
    id="COORD_ROADMAP",
    short_name="Roadmap actions done",
    long_name="NSPS roadmap actions done / actions due by the end of the quarter (overdue actions from earlier "
    "quarters included until done)",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=(),
    breakdowns=("pillar", "responsible_ministry"),
    sources=("roadmap_actions",),
    person_based=False,
    numerator_label="Actions done by the end of the quarter",
    denominator_label="Actions due by the end of the quarter and not done before it began",
    method_note=(
        "What it counts: for each quarter, the roadmap actions that were due by its end - those due in the "
        "quarter and those overdue from earlier quarters that were still not done when it began - and, among "
        "them, those done by the quarter's end. An overdue action stays in every quarter until it is done, so a "
        "backlog cannot disappear from the figure; an action done late counts as done in the quarter it was "
        "finished. As of: the roadmap list's own date (the latest completion it records); the current quarter "
        "is judged up to that date, and an action not yet due by then is not counted. What it leaves out: "
        "dropped actions. National only, by pillar and responsible ministry."
    ),
    numerator_sql="""
        WITH actions AS (
            SELECT * FROM roadmap_actions
            WHERE status <> 'dropped' AND due_date <= getvariable('as_of_roadmap_actions')),
        quarters AS (
            SELECT quarter_of(CAST(d AS DATE)) AS period, CAST(d AS DATE) AS quarter_start,
                   least(quarter_end(quarter_of(CAST(d AS DATE))), getvariable('as_of_roadmap_actions'))
                       AS judged_on
            FROM generate_series((SELECT date_trunc('quarter', min(due_date)) FROM actions),
                                 CAST(getvariable('as_of_roadmap_actions') AS TIMESTAMP), INTERVAL 3 MONTH) AS s(d))
        SELECT q.period, NULL AS province, NULL AS district, NULL AS sex, a.pillar, a.responsible_ministry,
               CASE WHEN a.completed_date <= q.judged_on THEN 1 ELSE 0 END AS numerator, 1 AS denominator
        FROM actions a JOIN quarters q ON a.due_date <= q.judged_on
             AND (a.due_date >= q.quarter_start OR a.completed_date IS NULL OR a.completed_date >= q.quarter_start)
        """,
)

COORD_TRAINING = Indicator(
    id="COORD_TRAINING",
    short_name="Capacity-building participants",
    long_name="Participants in capacity-building events",
    area="coordination",
    unit="persons",
    polarity="higher_is_better",
    kind="count",
    frequency="quarterly",
    disaggregations=("province",),
    breakdowns=("level",),
    sources=("capacity_building",),
    person_based=False,
    numerator_label="Participants",
    denominator_label=None,
    method_note=(
        "What it counts: participants in the capacity-building events held in the quarter; national events (no "
        "province) count in the national total only. A total of persons: a province's count is part of the "
        "country's and is not compared with it. As of: the end of the quarter the Secretariat's record covers. "
        "What it leaves out: training not reported to the Secretariat. No target is set, so no progress status "
        "is given."
    ),
    numerator_sql="""
        SELECT period, province, NULL AS district, NULL AS sex, level, participants AS numerator
        FROM capacity_building""",
)

COORD_TRAINING_WOMEN = Indicator(
    id="COORD_TRAINING_WOMEN",
    short_name="Women among training participants",
    long_name="Women participants / participants in capacity-building events",
    area="coordination",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=("province",),
    breakdowns=("level",),
    sources=("capacity_building",),
    person_based=False,
    numerator_label="Women participants",
    denominator_label="Participants",
    method_note=(
        "What it counts: women participants over all participants in the capacity-building events held in the "
        "quarter. As of: the end of the quarter the Secretariat's record covers. What it leaves out: training "
        "not reported to the Secretariat."
    ),
    numerator_sql="""
        SELECT period, province, NULL AS district, NULL AS sex, level, women_participants AS numerator,
               participants AS denominator
        FROM capacity_building""",
)

PCI = Indicator(
    id="PCI",
    short_name="Provincial Coordination Index",
    long_name="Provincial Coordination Index (in the shape of Brazil's IGD): weighted rates of reporting "
    "timeliness, referral completion, on-time payment and ID linkability x the commission-met condition",
    area="coordination",
    unit="score",
    polarity="higher_is_better",
    kind="index",
    frequency="quarterly",
    disaggregations=("province",),
    breakdowns=("component",),
    person_based=False,
    sources=("returns_log", "referrals", "mecg_register", "mecg_payments", "cash_transfer", "commission_meetings"),
    numerator_label="Weighted sum of component rates (0-1)",
    denominator_label=None,
    method_note=(
        "What it counts: for each province and quarter, a score between 0 and 1 = condition x (0.30 x reporting "
        "timeliness + 0.20 x referral completion + 0.30 x on-time payment + 0.20 x ID linkability); weights and "
        "minimums are parameters ([pci]). Each rate is the province's own value of COORD_REPORT_TIMELY (its own "
        "returns), COORD_REFERRAL_DONE, PAY_ONTIME together with PAY_ONTIME_MAF (payments due to the province's "
        "residents, each programme judged by its own rule) and COORD_ID_LINKABLE. The condition is 1 when every "
        "provincial commission meeting planned in the quarter was held (1 when none was planned), 0 otherwise. "
        "As of: each component uses its own source's as-of date. What it leaves out: nothing is left out for "
        "lack of data - as in Brazil's IGD, rates are measured against what should have been done, so a "
        "component whose return is missing scores 0 and is named as missing in the reasons (a province cannot "
        "score higher by reporting less). No score is computed for quarters that ended before the Commission "
        "existed (December 2021). A province is flagged when its score or any component is below its minimum. "
        "The national row uses national rates and the central commission; rows with breakdown 'component' give "
        "each rate and the condition."
    ),
    numerator_sql="-- computed from the component indicators by indicators.pci",
)

INDICATORS = (
    COORD_MEETINGS,
    COORD_ATTENDANCE,
    COORD_ATTENDANCE_LEVEL,
    COORD_REPORT_TIMELY,
    COORD_REPORT_COMPLETE,
    COORD_REFERRAL_DONE,
    COORD_COUNTER_REFERRAL,
    COORD_GRIEVANCE_TIMELY,
    COORD_ID_LINKABLE,
    COORD_COMPLEMENTARITY,
    COORD_ROADMAP,
    COORD_TRAINING,
    COORD_TRAINING_WOMEN,
    PCI,
)
