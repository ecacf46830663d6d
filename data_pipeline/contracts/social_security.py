"""Lao Social Security Organisation: contributors and beneficiaries by scheme (quarterly). NSPS pillar 2."""

from .base import Check, Column, Contract, period_column, province_column, sex_column


def _count(name: str, description: str, *aliases: str) -> Column:
    return Column(name, "count", description, aliases=aliases)


CONTRACTS = (
    Contract(
        name="social_security",
        title="Social security contributors and beneficiaries",
        sender="Lao Social Security Organisation (LSSO)",
        grain="aggregate",
        sheet="lsso",
        description="Stock at the end of the quarter, by scheme (private or public sector).",
        columns=(
            period_column(),
            province_column(),
            sex_column(),
            Column(
                "scheme",
                "category",
                "Private or public sector scheme",
                aliases=("sector",),
                allowed=("private", "public"),
                value_aliases={
                    "private sector": "private",
                    "enterprise": "private",
                    "public sector": "public",
                    "civil servants": "public",
                    "state": "public",
                },
            ),
            _count("active_contributors", "Members who contributed in the quarter", "contributors", "active members"),
            _count(
                "insured_persons",
                "Insured persons including dependants",
                "insured persons incl dependants",
                "insured incl. dependants",
                "persons covered",
            ),
            _count("old_age_pensioners", "Old-age pension recipients", "pensioners", "old age pension"),
            _count(
                "maternity_benefit_recipients",
                "Maternity cash benefit recipients in the quarter",
                "maternity benefit",
                "maternity",
            ),
            _count(
                "unemployment_benefit_recipients",
                "Unemployment benefit recipients in the quarter",
                "unemployment benefit",
                "unemployment",
            ),
            _count(
                "employment_injury_covered",
                "Workers covered for employment injury",
                "employment injury",
                "workers covered for employment injury",
            ),
            _count(
                "disability_benefit_recipients",
                "Disability (invalidity) benefit recipients",
                "disability benefit",
                "invalidity benefit",
            ),
        ),
        key=("period", "province", "sex", "scheme"),
        period_column="period",
        covers=("period", "province"),
        checks=(
            Check(
                "contributors_within_insured",
                "active_contributors > insured_persons",
                "active_contributors",
                "active contributors exceed insured persons (who include contributors and their dependants)",
            ),
        ),
    ),
)
