"""MoLSW Department of Social Welfare: the Mother and Early Childhood Grant beneficiary register (person-level)."""

from .base import Check, Column, Contract, district_column, province_column, sex_column

CONTRACTS = (
    Contract(
        name="mecg_register",
        title="MECG beneficiary register",
        sender="MoLSW — Department of Social Welfare",
        grain="person",
        sheet="register",
        description="One row per enrolled beneficiary (pregnant woman or child under 12 months). A snapshot: each "
        "return replaces the whole register. Names and phones are dropped; ids are hashed.",
        columns=(
            Column(
                "beneficiary_key",
                "pii_id",
                "Programme record id (hashed on receipt)",
                aliases=("record id", "record_id", "beneficiary id", "mecg id", "id"),
            ),
            Column(
                "national_id_key",
                "pii_id",
                "National id (hashed on receipt); blank when the person has none",
                aliases=("national id", "national_id", "nid", "id card", "family book no"),
                nullable=True,
            ),
            Column(
                "full_name",
                "pii_drop",
                "Full name (dropped at ingestion)",
                aliases=("name", "beneficiary name", "ຊື່"),
                required=False,
                nullable=True,
            ),
            Column(
                "phone",
                "pii_drop",
                "Phone number (dropped at ingestion)",
                aliases=("phone number", "mobile", "telephone", "ເບີໂທ"),
                required=False,
                nullable=True,
            ),
            sex_column(),
            Column(
                "birth_date",
                "date",
                "Date of birth (kept as the first of the month)",
                aliases=("date of birth", "dob", "birth date"),
                nullable=True,
                month_only=True,
            ),
            Column(
                "beneficiary_type",
                "category",
                "Pregnant woman or child under 12 months",
                aliases=("type", "category", "beneficiary category"),
                allowed=("pregnant_woman", "child"),
                value_aliases={
                    "pregnant woman": "pregnant_woman",
                    "pregnant": "pregnant_woman",
                    "pw": "pregnant_woman",
                    "child": "child",
                    "child under 12 months": "child",
                    "infant": "child",
                },
            ),
            province_column(),
            district_column(),
            Column("village", "text", "Village", aliases=("ban", "ບ້ານ"), required=False, nullable=True),
            Column(
                "enrolment_date",
                "date",
                "Date of enrolment",
                aliases=("enrollment date", "date enrolled", "registration date"),
            ),
            Column(
                "status",
                "category",
                "Enrolment status",
                aliases=("enrolment status",),
                allowed=("active", "exited", "suspended"),
                value_aliases={"graduated": "exited", "exit": "exited", "on hold": "suspended"},
            ),
            Column(
                "has_wallet",
                "bool",
                "Has a registered phone for the digital wallet",
                aliases=("has registered phone", "registered phone", "wallet", "has phone"),
            ),
        ),
        key=("beneficiary_key",),
        covers=(),  # a snapshot: each return is the whole table
        checks=(
            Check(
                "enrolled_in_programme_era",
                "enrolment_date < DATE '2020-01-01' OR enrolment_date > current_date",
                "enrolment_date",
                "enrolment date outside 2020 to today",
            ),
            Check(
                "birth_before_enrolment",
                "beneficiary_type = 'child' AND birth_date > enrolment_date",
                "birth_date",
                "a child cannot be enrolled before being born",
            ),
        ),
    ),
)
