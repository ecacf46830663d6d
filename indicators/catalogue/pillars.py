"""Section B: the NSPS pillars (1 health insurance, 2 social security, 3 social welfare) and financing."""

from __future__ import annotations

from .base import Indicator

NSPS_HI_COV = Indicator(
    id="NSPS_HI_COV",
    short_name="Health insurance coverage",
    long_name="Health insurance members as a share of the population (NSPS pillar 1)",
    area="health_insurance",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    sources=("health_insurance", "population"),
    breakdowns=("scheme", "age_group"),
    denominator_breakdowns=("age_group",),
    numerator_label="Health insurance members at the end of the quarter",
    denominator_label="Population (of the same age group when broken down by age)",
    method_note=(
        "What it counts: members of National Health Insurance at the end of the quarter, over the mid-year "
        "population of the quarter's year. By scheme, each scheme's members are shown against the whole "
        "population (shares add up to the total); by age group (0-14, 15-59, 60+), against the population of "
        "that group. As of: the end of the quarter the health insurance return covers. What it leaves out: "
        "private insurance; quarters without a health insurance return."
    ),
    numerator_sql="""
        SELECT period, province, NULL AS district, sex, scheme, age_group, members AS numerator
        FROM health_insurance""",
    denominator_sql="""
        SELECT period, province, NULL AS district, sex, broad_age(age_group) AS age_group,
               population AS denominator
        FROM ind_population_q""",
)

NSPS_SS_CONTRIB = Indicator(
    id="NSPS_SS_CONTRIB",
    short_name="Active social security contributors",
    long_name="Active social security contributors as a share of employed persons (NSPS pillar 2)",
    area="social_security",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    sources=("social_security", "labour_force"),
    breakdowns=("scheme",),
    numerator_label="Active contributors in the quarter",
    denominator_label="Employed persons",
    method_note=(
        "What it counts: members who contributed to social security in the quarter (private and public sector "
        "schemes), over the employed persons of the quarter's year. By scheme, each scheme's contributors over all "
        "employed persons. As of: the end of the quarter the social security return covers. What it leaves out: "
        "members who did not contribute in the quarter; quarters without a social security return."
    ),
    numerator_sql="""
        SELECT period, province, NULL AS district, sex, scheme, active_contributors AS numerator
        FROM social_security""",
    denominator_sql="""
        SELECT period, province, NULL AS district, sex, sum(employed) AS denominator
        FROM ind_labour_q GROUP BY ALL""",
)

NSPS_SS_PERSONS = Indicator(
    id="NSPS_SS_PERSONS",
    short_name="Persons covered by social security",
    long_name="Persons covered by social security (insured members and dependants) as a share of the population "
    "(NSPS pillar 2)",
    area="social_security",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    sources=("social_security", "population"),
    breakdowns=("scheme",),
    numerator_label="Insured persons including dependants",
    denominator_label="Population",
    method_note=(
        "What it counts: insured persons including dependants at the end of the quarter, over the population of "
        "the quarter's year. By scheme, over the whole population. As of: the end of the quarter the social "
        "security return covers. What it leaves out: quarters without a social security return."
    ),
    numerator_sql="""
        SELECT period, province, NULL AS district, sex, scheme, insured_persons AS numerator
        FROM social_security""",
    denominator_sql="""
        SELECT period, province, NULL AS district, sex, sum(population) AS denominator
        FROM ind_population_q GROUP BY ALL""",
)

NSPS_SW_MECG = Indicator(
    id="NSPS_SW_MECG",
    short_name="Grant enrolment in covered districts",
    long_name="Mother and Early Childhood Grant: enrolled beneficiaries / eligible persons (pregnant women and "
    "children under 12 months) in the districts the grant covers (NSPS pillar 3)",
    area="social_welfare",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=("province", "district", "sex"),
    breakdowns=("beneficiary_type",),
    denominator_breakdowns=("beneficiary_type",),
    sources=("mecg_register", "mecg_payments", "births"),
    numerator_label="Beneficiaries in the grant at the end of the quarter",
    denominator_label="Eligible: children under 12 months (yearly births) + pregnant women (births x 0.75)",
    method_note=(
        "What it counts: the grant's register records enrolled by the end of the quarter and still in the grant "
        "then - a child leaves it at its first birthday (dates of birth are kept to the month, so a child is "
        "counted up to the end of the month before the one it turns one in) - over the eligible persons in the "
        "districts with at least one enrolment: children under 12 months = live births of the quarter's year (by "
        "sex); pregnant women = births x mecg_pregnant_women_per_birth (parameter; 9 of 12 months), counted as "
        "women. Ever enrolled (2,596 in the pilot) is PAY_NEVER_PAID's denominator. As of: the end of the quarter "
        "(the register carries no date of its own). What it leaves out: pregnant women who have given birth (the "
        "register records no date for it, so they stay counted - an over-count); children whose date of birth "
        "is blank stay counted; districts the grant does not cover; districts without births data."
    ),
    # Records counted by the quarter of their enrolment (and a child's birth date), then matched with the quarters
    # after; only a child's birth date matters, so the others are counted without it.
    numerator_sql="""
        WITH records AS (
            SELECT province, district, sex, beneficiary_type, quarter_end_of(enrolment_date) AS enrolled_by,
                   CASE WHEN beneficiary_type <> 'child' THEN NULL ELSE birth_date END AS birth_date,
                   count(*) AS records
            FROM ind_mecg_beneficiary GROUP BY ALL)
        SELECT q.period, b.province, b.district, b.sex, b.beneficiary_type, CAST(sum(b.records) AS BIGINT) AS numerator
        FROM records b JOIN ind_mecg_quarters q ON b.enrolled_by <= q.quarter_end
        WHERE b.beneficiary_type <> 'child' OR b.birth_date IS NULL
           OR b.birth_date + INTERVAL 12 MONTH > q.quarter_end
        GROUP BY ALL""",
    denominator_sql="""
        WITH covered AS (SELECT DISTINCT province, district FROM mecg_register),
        births AS (SELECT b.* FROM ind_births_q b JOIN covered USING (province, district))
        SELECT period, province, district, sex, 'child' AS beneficiary_type, births AS denominator FROM births
        UNION ALL
        SELECT period, province, district, 'F', 'pregnant_woman',
               sum(births) * getvariable('mecg_pregnant_women_per_birth')
        FROM births GROUP BY period, province, district""",
)

NSPS_SW_MEALS = Indicator(
    id="NSPS_SW_MEALS",
    short_name="School meals coverage",
    long_name="Pupils receiving school meals / pupils enrolled in school-meal target districts (NSPS pillar 3)",
    area="social_welfare",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=("province", "district", "sex"),
    sources=("school_meals",),
    numerator_label="Pupils receiving school meals",
    denominator_label="Pupils enrolled in target districts",
    method_note=(
        "What it counts: pupils receiving school meals over pupils enrolled, both from the MoES return for the "
        "quarter, summed over the target districts. As of: the end of the quarter the return covers. What it "
        "leaves out: districts outside the school-meal programme; quarters without a MoES return."
    ),
    numerator_sql="""
        SELECT period, province, district, sex, pupils_receiving_meals AS numerator,
               pupils_enrolled AS denominator
        FROM school_meals""",
)

NSPS_FIN_EXEC = Indicator(
    id="NSPS_FIN_EXEC",
    short_name="Social protection budget execution (year to date)",
    long_name="Social protection spending executed / allocated for the same part of the fiscal year, by ministry "
    "and Chart-of-Accounts line (financing)",
    area="financing",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="yearly",
    disaggregations=(),
    breakdowns=("ministry", "coa_code", "programme"),
    person_based=False,
    sources=("sp_spending",),
    numerator_label="Executed up to the reporting date (LAK)",
    denominator_label="Allocated for the year x share of the year elapsed by the reporting date (LAK)",
    method_note=(
        "What it counts: money spent on the social protection Chart-of-Accounts lines of the fiscal year, up to "
        "the date the Ministry of Finance's return reports it to ('Expenditure to'), over the part of the year's "
        "allocation that corresponds to the same part of the year (allocation x days elapsed / days in the "
        "year). Half a year's spending is thus compared with half a year's allocation, never with the whole "
        "year's. In total and by ministry, line and programme; national only. As of: the return's 'Expenditure "
        "to' date (blank = the whole fiscal year). What it leaves out: the allocation is assumed to be spread "
        "evenly over the year (the return gives no monthly plan), so lines spent in a few large instalments can "
        "read high or low before the year ends; compare full years for a final judgement."
    ),
    numerator_sql="""
        SELECT CAST(year AS VARCHAR) AS period, NULL AS province, NULL AS district, NULL AS sex, ministry,
               coa_code, programme, executed_lak AS numerator,
               allocated_lak * least(1.0, (date_diff('day', make_date(year, 1, 1),
                                                      coalesce(reported_to, make_date(year, 12, 31))) + 1)
                                          / (date_diff('day', make_date(year, 1, 1), make_date(year, 12, 31)) + 1))
                   AS denominator
        FROM sp_spending""",
)

INDICATORS = (NSPS_HI_COV, NSPS_SS_CONTRIB, NSPS_SS_PERSONS, NSPS_SW_MECG, NSPS_SW_MEALS, NSPS_FIN_EXEC)
