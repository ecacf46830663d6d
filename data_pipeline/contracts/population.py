"""Lao Statistics Bureau: population by province, sex and five-year age group, and births (yearly)."""

from .base import AGE_GROUPS_5Y, Column, Contract, district_column, province_column, sex_column, year_column

CONTRACTS = (
    Contract(
        name="population",
        title="Population by province, sex and age group",
        sender="Lao Statistics Bureau",
        grain="aggregate",
        sheet="population",
        description="Mid-year population estimates. Denominator of every coverage indicator.",
        columns=(
            year_column(),
            province_column(),
            sex_column(),
            Column(
                "age_group",
                "category",
                "Five-year age group (65+ open-ended)",
                aliases=("age", "age group (years)", "age band", "ກຸ່ມອາຍຸ"),
                allowed=AGE_GROUPS_5Y,
                value_aliases={
                    "00-04": "0-4",
                    "05-09": "5-9",
                    "0 - 4": "0-4",
                    "5 - 9": "5-9",
                    "65 and over": "65+",
                    "65 +": "65+",
                },
            ),
            Column("population", "count", "Persons", aliases=("persons", "pop", "total population", "ປະຊາກອນ")),
        ),
        key=("year", "province", "sex", "age_group"),
        period_column="year",
        covers=("year", "province"),
    ),
    Contract(
        name="births",
        title="Births by district and sex",
        sender="Lao Statistics Bureau",
        grain="aggregate",
        sheet="births",
        description="Live births in the year, by district where known. Denominator of maternity coverage and of "
        "the grant's eligible population (pregnant women and children under 12 months).",
        columns=(
            year_column(),
            province_column(),
            district_column(required=False, nullable=True),
            sex_column(),
            Column("births", "count", "Live births", aliases=("live births", "number of births", "ການເກີດ")),
        ),
        key=("year", "province", "district", "sex"),
        period_column="year",
        covers=("year", "province", "district"),
    ),
)
