"""Districts via MoLSW: referrals from programmes to services, and the counter-referral (feedback)."""

from .base import Check, Column, Contract, district_column, province_column, sex_column

CONTRACTS = (
    Contract(
        name="referrals",
        title="Referrals and counter-referrals",
        sender="District social welfare offices via MoLSW",
        grain="event",
        sheet="referrals",
        description="One row per referral of a beneficiary from a programme to a service.",
        columns=(
            Column("referral_key", "pii_id", "Referral id (hashed on receipt)", aliases=("referral id", "ref no")),
            Column(
                "from_programme",
                "category",
                "Referring programme",
                aliases=("programme", "from"),
                allowed=("mecg", "cash_transfer", "school_meals", "health_insurance", "other"),
                value_aliases={
                    "mother and early childhood grant": "mecg",
                    "maf cct": "cash_transfer",
                    "cct": "cash_transfer",
                    "nhi": "health_insurance",
                },
            ),
            Column(
                "to_service",
                "category",
                "Service referred to",
                aliases=("service", "to"),
                allowed=("health", "nutrition", "birth_registration", "disability", "other"),
                value_aliases={"birth registration": "birth_registration", "health centre": "health"},
            ),
            province_column(),
            district_column(),
            sex_column(),
            Column("referred_date", "date", "Date referred", aliases=("date referred", "referral date")),
            Column(
                "completed_date",
                "date",
                "Date the service was received; blank when not completed",
                aliases=("date completed", "completion date"),
                nullable=True,
            ),
            Column(
                "feedback_returned",
                "bool",
                "The service sent feedback back (counter-referral)",
                aliases=("feedback", "counter referral", "counter-referral"),
            ),
        ),
        key=("referral_key",),
        # The log is as of the last referral or completion it records.
        as_of=("referred_date", "completed_date"),
        period_from_date="referred_date",
        covers=("period", "province"),
        checks=(
            Check(
                "completed_after_referred",
                "completed_date < referred_date",
                "completed_date",
                "completed before it was referred",
            ),
            Check(
                "feedback_needs_completion",
                "feedback_returned AND completed_date IS NULL",
                "feedback_returned",
                "feedback returned for a referral that was not completed",
            ),
        ),
    ),
)
