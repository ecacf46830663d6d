"""Programmes: grievances received and resolved."""

from .base import Check, Column, Contract, district_column, province_column, sex_column

CONTRACTS = (
    Contract(
        name="grievances",
        title="Grievances",
        sender="Programmes (MECG, MAF cash transfer, health insurance)",
        grain="event",
        sheet="grievances",
        description="One row per grievance received.",
        columns=(
            Column("grievance_key", "pii_id", "Grievance id (hashed on receipt)", aliases=("grievance id", "case no")),
            Column(
                "programme",
                "category",
                "Programme concerned",
                aliases=("program",),
                allowed=("mecg", "cash_transfer", "school_meals", "health_insurance", "social_security", "other"),
                value_aliases={
                    "mother and early childhood grant": "mecg",
                    "cct": "cash_transfer",
                    "nhi": "health_insurance",
                    "lsso": "social_security",
                },
            ),
            province_column(),
            district_column(required=False, nullable=True),
            sex_column(nullable=True),
            Column(
                "category",
                "category",
                "Kind of grievance",
                aliases=("type", "grievance type"),
                allowed=("payment", "eligibility", "service", "conduct", "other"),
                value_aliases={"payment delay": "payment", "late payment": "payment", "targeting": "eligibility"},
            ),
            Column("received_date", "date", "Date received", aliases=("date received",)),
            Column(
                "resolved_date", "date", "Date resolved; blank when open", aliases=("date resolved",), nullable=True
            ),
        ),
        key=("grievance_key",),
        # The log is as of the last grievance received or resolved it records.
        as_of=("received_date", "resolved_date"),
        period_from_date="received_date",
        covers=("period", "province"),
        checks=(
            Check(
                "resolved_after_received",
                "resolved_date < received_date",
                "resolved_date",
                "resolved before it was received",
            ),
        ),
    ),
)
