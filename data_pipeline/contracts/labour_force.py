"""Lao Statistics Bureau / MoLSW: employed and unemployed persons (yearly labour force survey)."""

from .base import Column, Contract, province_column, sex_column, year_column

CONTRACTS = (
    Contract(
        name="labour_force",
        title="Labour force by province and sex",
        sender="Lao Statistics Bureau / MoLSW",
        grain="aggregate",
        sheet="labour_force",
        description="Employed and unemployed persons aged 15+. Denominators of unemployment, employment-injury and "
        "contributor coverage.",
        columns=(
            year_column(),
            province_column(),
            sex_column(),
            Column("employed", "count", "Employed persons", aliases=("employment", "persons employed")),
            Column("unemployed", "count", "Unemployed persons", aliases=("unemployment", "persons unemployed")),
        ),
        key=("year", "province", "sex"),
        period_column="year",
        covers=("year", "province"),
    ),
)
