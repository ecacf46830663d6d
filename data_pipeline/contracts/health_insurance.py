"""MoH, National Health Insurance Bureau: members by scheme (quarterly). NSPS pillar 1."""

from .base import Column, Contract, period_column, province_column, sex_column

SCHEMES = ("civil_servants", "private_employees", "informal_sector", "health_equity_fund", "exempt_groups")

CONTRACTS = (
    Contract(
        name="health_insurance",
        title="Health insurance members",
        sender="MoH — National Health Insurance Bureau",
        grain="aggregate",
        sheet="members",
        description="Persons covered by National Health Insurance at the end of the quarter, by scheme.",
        columns=(
            period_column(),
            province_column(),
            sex_column(),
            Column(
                "age_group",
                "category",
                "Broad age group",
                aliases=("age", "age band"),
                allowed=("0-14", "15-59", "60+"),
                value_aliases={"0 - 14": "0-14", "15 - 59": "15-59", "60 and over": "60+", "60 +": "60+"},
            ),
            Column(
                "scheme",
                "category",
                "Health insurance scheme",
                aliases=("scheme name", "membership type"),
                allowed=SCHEMES,
                value_aliases={
                    "civil servants": "civil_servants",
                    "public sector": "civil_servants",
                    "private employees": "private_employees",
                    "formal private": "private_employees",
                    "informal": "informal_sector",
                    "informal sector": "informal_sector",
                    "hef": "health_equity_fund",
                    "health equity fund": "health_equity_fund",
                    "exempt": "exempt_groups",
                    "free mch": "exempt_groups",
                    "exempt groups": "exempt_groups",
                },
            ),
            Column(
                "members",
                "count",
                "Members at end of quarter",
                aliases=("insured", "persons covered", "number of members"),
            ),
        ),
        key=("period", "province", "sex", "age_group", "scheme"),
        period_column="period",
        covers=("period", "province"),
    ),
)
