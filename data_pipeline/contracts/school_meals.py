"""MoES: pupils enrolled and pupils receiving school meals in target districts (quarterly). NSPS pillar 3."""

from .base import Check, Column, Contract, district_column, period_column, province_column, sex_column

CONTRACTS = (
    Contract(
        name="school_meals",
        title="School meals",
        sender="MoES",
        grain="aggregate",
        sheet="school_meals",
        description="Primary pupils in school-meal target districts.",
        columns=(
            period_column(),
            province_column(),
            district_column(),
            sex_column(),
            Column("pupils_enrolled", "count", "Pupils enrolled", aliases=("enrolled", "enrolment", "pupils")),
            Column(
                "pupils_receiving_meals",
                "count",
                "Pupils receiving school meals",
                aliases=("pupils fed", "receiving meals", "beneficiaries"),
            ),
        ),
        key=("period", "province", "district", "sex"),
        period_column="period",
        covers=("period", "province", "district"),
        checks=(
            Check(
                "fed_within_enrolled",
                "pupils_receiving_meals > pupils_enrolled",
                "pupils_receiving_meals",
                "more pupils receiving meals than enrolled",
            ),
        ),
    ),
)
