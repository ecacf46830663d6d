"""Section A: SDG 1.3.1 effective coverage (custodian ILO; series codes of the UN SDG Global Database)."""

from __future__ import annotations

from .base import Indicator

_SS_SOURCES = ("social_security",)
_MECG = ("mecg_register", "mecg_payments")


# Population of a group (by quarter, province, sex) as a denominator.
def _population(age_filter: str = "TRUE", factor: str = "1") -> str:
    return f"""
        SELECT period, province, NULL AS district, sex, sum(population) * {factor} AS denominator
        FROM ind_population_q WHERE {age_filter} GROUP BY ALL"""


def _social_security(column: str) -> str:
    return f"""
        SELECT period, province, NULL AS district, sex, sum({column}) AS numerator
        FROM social_security GROUP BY ALL"""


_BOUNDS_NOTE = (
    " Persons are counted once where registers can be linked: grant recipients are de-duplicated on the keyed "
    "national id (on the record id when a person has none). Aggregate returns cannot be linked, so their overlap is "
    "unknown: the value assumes no overlap (the usual convention for administrative data), and lower_bound/"
    "upper_bound give the range overlap leaves open. Within each province and sex the lower bound is the largest "
    "single component (everyone else could be among them) and the upper bound the sum of components capped at the "
    "denominator; national bounds add up the provinces' (populations do not overlap across provinces or sexes)."
)

SI_COV_BENFTS = Indicator(
    id="SI_COV_BENFTS",
    short_name="Effective coverage: at least one benefit",
    long_name="Proportion of the population covered by at least one social protection cash benefit or actively "
    "contributing to a social insurance scheme (SDG 1.3.1)",
    area="sdg_131",
    sdg_series="SI_COV_BENFTS",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    bounded=True,
    sources=("social_security", "mecg_register", "mecg_payments", "cash_transfer", "population"),
    numerator_label="Persons actively contributing or receiving at least one cash benefit",
    denominator_label="Total population",
    method_note=(
        "What it counts, by quarter, province and sex: persons actively contributing to social security + "
        "old-age pensioners + recipients of other social security cash benefits (maternity, unemployment, "
        "disability) + persons paid the Mother and Early Childhood Grant in the quarter + MAF cash transfer "
        "beneficiaries in the quarter, over the mid-year population of the quarter's year. Grant recipients are "
        "those receiving it now (paid in the quarter), as the ILO's 1.3.1 asks: a child who left the grant at age "
        "one is no longer counted. As of: the end of the quarter, within each source's own date (the grant's "
        "ledger: its last payment). What it leaves out: health insurance (not a cash benefit); quarters without "
        "a social security return (the figure would be meaningless without it); a missing cash transfer return "
        "leaves its beneficiaries out (see source_files)." + _BOUNDS_NOTE
    ),
    numerator_sql="""
        WITH ss AS (
            SELECT period, province, sex, sum(active_contributors) AS contributors,
                   sum(old_age_pensioners) AS pensioners, sum(maternity_benefit_recipients) AS maternity,
                   sum(unemployment_benefit_recipients) AS unemployment,
                   sum(disability_benefit_recipients) AS disability
            FROM social_security GROUP BY ALL),
        sa AS (SELECT * FROM ind_social_assistance_q),
        pop AS (SELECT period, province, sex, sum(population) AS population FROM ind_population_q GROUP BY ALL),
        cells AS (SELECT period, province, sex FROM ss
                  UNION SELECT period, province, sex FROM sa WHERE period IN (SELECT period FROM ss)),
        joined AS (
            SELECT c.period, c.province, c.sex, pop.population,
                   coalesce(contributors, 0) + coalesce(pensioners, 0) + coalesce(maternity, 0)
                   + coalesce(unemployment, 0) + coalesce(disability, 0) + coalesce(mecg, 0) + coalesce(ct, 0)
                       AS total,
                   greatest(contributors, pensioners, maternity, unemployment, disability, mecg, ct) AS largest
            FROM cells c LEFT JOIN ss USING (period, province, sex) LEFT JOIN sa USING (period, province, sex)
                 LEFT JOIN pop USING (period, province, sex))
        SELECT period, province, NULL AS district, sex, least(total, population) AS numerator,
               least(largest, population) AS lower_numerator, least(total, population) AS upper_numerator
        FROM joined""",
    denominator_sql=_population(),
)

SI_COV_CHLD = Indicator(
    id="SI_COV_CHLD",
    short_name="Effective coverage: children",
    long_name="Proportion of children (0-14) receiving child or family cash benefits (SDG 1.3.1)",
    area="sdg_131",
    sdg_series="SI_COV_CHLD",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    sources=_MECG + ("population",),
    numerator_label="Children paid a child or family cash benefit in the quarter",
    denominator_label="Children aged 0-14",
    method_note=(
        "What it counts: children enrolled in the Mother and Early Childhood Grant who were paid in the quarter "
        "(persons receiving it now, counted once: keyed national id, else record id), over the population aged "
        "0-14 (groups 0-4, 5-9, 10-14) of the quarter's year. Every province counts: one without grant children "
        "shows 0%, so the national figure is the sum of the provinces. As of: the end of the quarter, up to the "
        "payment ledger's own date (its last payment). What it leaves out: children enrolled but not paid in the "
        "quarter (see PAY_NEVER_PAID); children who left the grant; the MAF cash transfer, a household benefit "
        "reported without ages."
    ),
    numerator_sql="""
        WITH children AS (
            SELECT DISTINCT period, province, sex FROM ind_population_q
            WHERE broad_age(age_group) = '0-14' AND period IN (SELECT period FROM ind_mecg_payment_quarters)),
        recipients AS (
            SELECT period, province, sex, sum(recipients) AS recipients
            FROM ind_mecg_recipients_q WHERE beneficiary_type = 'child' GROUP BY ALL)
        SELECT period, province, NULL AS district, sex, coalesce(recipients, 0) AS numerator
        FROM children FULL JOIN recipients USING (period, province, sex)""",
    denominator_sql=_population("broad_age(age_group) = '0-14'"),
)

SI_COV_MATNL = Indicator(
    id="SI_COV_MATNL",
    short_name="Effective coverage: maternity",
    long_name="Proportion of women giving birth receiving maternity cash benefits (SDG 1.3.1)",
    area="sdg_131",
    sdg_series="SI_COV_MATNL",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    disaggregations=("province",),
    bounded=True,
    sources=("social_security", "mecg_register", "mecg_payments", "births"),
    numerator_label="Women receiving a maternity cash benefit in the quarter",
    denominator_label="Women giving birth in the quarter (yearly live births / 4)",
    method_note=(
        "What it counts, by quarter and province: social security maternity benefit recipients in the quarter + "
        "pregnant women enrolled in the Mother and Early Childhood Grant who were paid in the quarter (each "
        "counted once), over the women giving birth in the quarter (live births of the quarter's year, both sexes "
        "of the child, divided by four; multiple births make it a slight over-count). The two programmes cannot "
        "be linked: lower_bound is the larger of the two, upper_bound their sum capped at the denominator. As "
        "of: the end of the quarter (the grant's part up to its ledger's last payment). What it leaves out: "
        "quarters without a social security return; sex (the benefit is women's by definition)."
    ),
    numerator_sql="""
        WITH ss AS (SELECT period, province, sum(maternity_benefit_recipients) AS ss
                    FROM social_security GROUP BY ALL),
        mecg AS (SELECT period, province, count(DISTINCT person_number) AS mecg
                 FROM ind_mecg_paid_persons WHERE beneficiary_type = 'pregnant_woman' GROUP BY ALL),
        births AS (SELECT period, province, sum(births) / 4.0 AS mothers FROM ind_births_q GROUP BY ALL)
        SELECT period, province, NULL AS district, NULL AS sex,
               least(coalesce(ss, 0) + coalesce(mecg, 0), mothers) AS numerator,
               least(greatest(ss, mecg), mothers) AS lower_numerator,
               least(coalesce(ss, 0) + coalesce(mecg, 0), mothers) AS upper_numerator
        FROM ss LEFT JOIN mecg USING (period, province) LEFT JOIN births USING (period, province)""",
    denominator_sql="""
        SELECT period, province, NULL AS district, NULL AS sex, sum(births) / 4.0 AS denominator
        FROM ind_births_q GROUP BY ALL""",
)

SI_COV_DISAB = Indicator(
    id="SI_COV_DISAB",
    short_name="Effective coverage: persons with severe disabilities",
    long_name="Proportion of persons with severe disabilities receiving disability cash benefits (SDG 1.3.1)",
    area="sdg_131",
    sdg_series="SI_COV_DISAB",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    sources=_SS_SOURCES + ("population",),
    numerator_label="Persons receiving a disability cash benefit",
    denominator_label="Persons with severe disabilities (population x prevalence)",
    method_note=(
        "What it counts: social security disability (invalidity) benefit recipients at the end of the quarter, "
        "over the population of the quarter's year x the severe-disability prevalence ratio (parameter "
        "severe_disability_prevalence). As of: the end of the quarter the social security return covers. What it "
        "leaves out: non-contributory disability cash benefits (none reported yet); quarters without a social "
        "security return."
    ),
    numerator_sql=_social_security("disability_benefit_recipients"),
    denominator_sql=_population(factor="getvariable('severe_disability_prevalence')"),
)

SI_COV_UEMP = Indicator(
    id="SI_COV_UEMP",
    short_name="Effective coverage: unemployed",
    long_name="Proportion of unemployed persons receiving unemployment cash benefits (SDG 1.3.1)",
    area="sdg_131",
    sdg_series="SI_COV_UEMP",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    sources=_SS_SOURCES + ("labour_force",),
    numerator_label="Persons receiving unemployment cash benefits",
    denominator_label="Unemployed persons",
    method_note=(
        "What it counts: social security unemployment benefit recipients in the quarter, over the unemployed "
        "persons of the quarter's year (labour force return). As of: the end of the quarter the social security "
        "return covers. What it leaves out: quarters without a social security return; years without a labour "
        "force return."
    ),
    numerator_sql=_social_security("unemployment_benefit_recipients"),
    denominator_sql="""
        SELECT period, province, NULL AS district, sex, sum(unemployed) AS denominator
        FROM ind_labour_q GROUP BY ALL""",
)

SI_COV_WKINJRY = Indicator(
    id="SI_COV_WKINJRY",
    short_name="Effective coverage: employment injury",
    long_name="Proportion of employed persons protected by employment-injury insurance (SDG 1.3.1)",
    area="sdg_131",
    sdg_series="SI_COV_WKINJRY",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    sources=_SS_SOURCES + ("labour_force",),
    numerator_label="Workers covered for employment injury",
    denominator_label="Employed persons",
    method_note=(
        "What it counts: workers covered for employment injury by social security at the end of the quarter, "
        "over the employed persons of the quarter's year (labour force return). As of: the end of the quarter the "
        "social security return covers. What it leaves out: workers outside social security (most of the "
        "informal sector); quarters without a social security return."
    ),
    numerator_sql=_social_security("employment_injury_covered"),
    denominator_sql="""
        SELECT period, province, NULL AS district, sex, sum(employed) AS denominator
        FROM ind_labour_q GROUP BY ALL""",
)

SI_COV_PENSN = Indicator(
    id="SI_COV_PENSN",
    short_name="Effective coverage: older persons (old-age pensioners of any age / persons 60+)",
    long_name="Old-age pensioners of social security (of any age: the return gives no ages) as a proportion of "
    "persons aged 60 and over (SDG 1.3.1 proxy)",
    area="sdg_131",
    sdg_series="SI_COV_PENSN",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    sources=_SS_SOURCES + ("population",),
    numerator_label="Old-age pensioners (any age)",
    denominator_label="Persons aged 60 and over",
    method_note=(
        "What it counts: social security old-age pensioners at the end of the quarter, as the Lao Social Security "
        "Organisation's return gives them, over the population aged 60 and over (groups 60-64 and 65+) of the "
        "quarter's year. The SDG series counts only pensioners above the statutory pensionable age (60); the "
        "return has no ages, so pensioners who retired early (under 60) are included and the figure can overstate "
        "coverage of persons 60+. As of: the end of the quarter the return covers. What it leaves out: "
        "non-contributory old-age benefits (none reported yet); quarters without a social security return."
    ),
    numerator_sql=_social_security("old_age_pensioners"),
    denominator_sql=_population("broad_age(age_group) = '60+'"),
)

# Every province and sex of the denominator counts: one without recipients is a true 0, so national = sum.
_SOCIAL_ASSISTANCE_NUMERATOR = """
    SELECT period, province, NULL AS district, sex,
           least(coalesce(mecg, 0) + coalesce(ct, 0), cap) AS numerator,
           least(greatest(coalesce(mecg, 0), coalesce(ct, 0)), cap) AS lower_numerator,
           least(coalesce(mecg, 0) + coalesce(ct, 0), cap) AS upper_numerator
    FROM (SELECT period, province, sex, {cap} AS cap FROM {cap_view}) FULL JOIN ind_social_assistance_q
         USING (period, province, sex)
    WHERE period IN (SELECT period FROM cash_transfer)"""

_SA_NOTE = (
    "What it counts: social assistance recipients = persons paid the Mother and Early Childhood Grant in the "
    "quarter (receiving it now, de-duplicated on the keyed id) + MAF cash transfer beneficiaries in the quarter. "
    "The two cannot be linked (the transfer reports aggregates): lower_bound is the larger of the two, "
    "upper_bound their sum capped at the denominator, within each province and sex. Every province counts: one "
    "without recipients shows 0%, so the national figure is the sum of the provinces. As of: the end of the "
    "quarter (the grant's part up to its ledger's last payment). What it leaves out: quarters without a cash "
    "transfer return; grant beneficiaries not paid in the quarter. "
)

SI_COV_VULN = Indicator(
    id="SI_COV_VULN",
    short_name="Effective coverage: vulnerable persons",
    long_name="Proportion of vulnerable persons receiving social assistance cash benefits (SDG 1.3.1)",
    area="sdg_131",
    sdg_series="SI_COV_VULN",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    bounded=True,
    sources=("mecg_register", "mecg_payments", "cash_transfer", "population", "social_security"),
    numerator_label="Social assistance recipients",
    denominator_label="Vulnerable persons (children + uncovered working-age + older persons without a pension)",
    method_note=_SA_NOTE
    + (
        "Denominator (ILO definition), vulnerable persons: all children 0-14 + persons 15-59 not actively "
        "contributing to social security + persons 60+ not receiving an old-age pension, each part floored at "
        "zero within the province and sex; it needs the quarter's social security return."
    ),
    numerator_sql=_SOCIAL_ASSISTANCE_NUMERATOR.format(cap="vulnerable", cap_view="ind_vulnerable_q"),
    denominator_sql="""
        SELECT period, province, NULL AS district, sex, vulnerable AS denominator FROM ind_vulnerable_q""",
)

SI_COV_POOR = Indicator(
    id="SI_COV_POOR",
    short_name="Effective coverage: poor persons",
    long_name="Proportion of poor persons receiving social assistance cash benefits (SDG 1.3.1)",
    area="sdg_131",
    sdg_series="SI_COV_POOR",
    unit="percent",
    polarity="higher_is_better",
    kind="ratio",
    frequency="quarterly",
    bounded=True,
    sources=("mecg_register", "mecg_payments", "cash_transfer", "population"),
    numerator_label="Social assistance recipients",
    denominator_label="Persons below the national poverty line (population x provincial poverty rate)",
    method_note=_SA_NOTE
    + (
        "Denominator, poor persons: population of the quarter's year x the province's poverty rate (parameters, "
        "[poverty_rate]); the same rate is used for women and men."
    ),
    numerator_sql=_SOCIAL_ASSISTANCE_NUMERATOR.format(cap="poor", cap_view="ind_poor_q"),
    denominator_sql="SELECT period, province, NULL AS district, sex, poor AS denominator FROM ind_poor_q",
)

INDICATORS = (
    SI_COV_BENFTS,
    SI_COV_CHLD,
    SI_COV_MATNL,
    SI_COV_DISAB,
    SI_COV_UEMP,
    SI_COV_WKINJRY,
    SI_COV_PENSN,
    SI_COV_VULN,
    SI_COV_POOR,
)
