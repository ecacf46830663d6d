"""MoH or MoLSW: health insurance membership of grant recipients, matched on the national id (person-level)."""

from .base import Column, Contract

CONTRACTS = (
    Contract(
        name="hi_membership_link",
        title="Health insurance membership of grant recipients",
        sender="MoH — National Health Insurance Bureau",
        grain="person",
        sheet="hi_members",
        description="National ids of health insurance members, hashed on receipt with the same key as the grant "
        "register so the two can be linked (complementarity). A snapshot.",
        columns=(
            Column(
                "national_id_key",
                "pii_id",
                "National id (hashed on receipt)",
                aliases=("national id", "national_id", "nid", "id card"),
            ),
            Column("full_name", "pii_drop", "Name (dropped)", aliases=("name",), required=False, nullable=True),
            Column(
                "scheme",
                "category",
                "Health insurance scheme",
                allowed=(
                    "civil_servants",
                    "private_employees",
                    "informal_sector",
                    "health_equity_fund",
                    "exempt_groups",
                ),
                value_aliases={
                    "hef": "health_equity_fund",
                    "health equity fund": "health_equity_fund",
                    "informal": "informal_sector",
                    "exempt": "exempt_groups",
                    "free mch": "exempt_groups",
                },
            ),
        ),
        key=("national_id_key",),
        covers=(),  # a snapshot: each return is the whole table
    ),
)
