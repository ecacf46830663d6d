"""MoLSW: the MECG payment ledger (one row per payment due to a beneficiary)."""

from .base import Check, Column, Contract

CONTRACTS = (
    Contract(
        name="mecg_payments",
        title="MECG payment ledger",
        sender="MoLSW — Department of Social Welfare",
        grain="person",
        sheet="payments",
        description="Every payment due to an enrolled beneficiary, paid or not. LAK 150,000 a month, paid every two "
        "months. Large: arrives as CSV and is stored partitioned by period (quarter of the due date).",
        columns=(
            Column("payment_key", "pii_id", "Payment id (hashed on receipt)", aliases=("payment id", "transaction id")),
            Column(
                "beneficiary_key",
                "pii_id",
                "Record id of the beneficiary in the register (hashed)",
                aliases=("record id", "record_id", "beneficiary id", "mecg id"),
            ),
            Column(
                "cycle",
                "count",
                "Payment cycle number (1 = first two-monthly payment)",
                aliases=("payment cycle", "cycle no", "round"),
                minimum=1,
            ),
            Column("due_date", "date", "Date the payment was due", aliases=("date due", "scheduled date")),
            Column(
                "paid_date",
                "date",
                "Date paid; blank when not paid",
                aliases=("date paid", "payment date"),
                nullable=True,
            ),
            Column("amount_due", "amount", "Amount due (LAK)", aliases=("amount due (lak)", "due amount"), minimum=0),
            Column(
                "amount_paid",
                "amount",
                "Amount paid (LAK); blank or 0 when not paid",
                aliases=("amount paid (lak)", "paid amount"),
                nullable=True,
                minimum=0,
            ),
            Column(
                "channel",
                "category",
                "Digital wallet or cash",
                aliases=("payment channel", "method", "modality"),
                allowed=("wallet", "cash"),
                value_aliases={
                    "digital wallet": "wallet",
                    "e-wallet": "wallet",
                    "mobile money": "wallet",
                    "m-money": "wallet",
                    "cash in hand": "cash",
                    "cash payment": "cash",
                },
            ),
            Column(
                "status",
                "category",
                "Payment status",
                aliases=("payment status",),
                allowed=("paid", "pending", "failed", "cancelled"),
                value_aliases={
                    "completed": "paid",
                    "success": "paid",
                    "unpaid": "pending",
                    "delayed": "pending",
                    "not paid": "pending",
                },
            ),
        ),
        key=("payment_key",),
        # The ledger is as of the last payment it records (what is still unpaid is judged on that day).
        as_of=("paid_date",),
        period_from_date="due_date",
        covers=("period",),
        partition_by="period",
        checks=(
            Check(
                "paid_has_date",
                "status = 'paid' AND paid_date IS NULL",
                "paid_date",
                "status is 'paid' but the paid date is blank",
            ),
            Check(
                "unpaid_has_no_date",
                "status <> 'paid' AND paid_date IS NOT NULL",
                "status",
                "a paid date is given but status is not 'paid'",
            ),
            Check("paid_not_over_due", "amount_paid > amount_due", "amount_paid", "amount paid exceeds amount due"),
            Check("paid_after_programme_start", "paid_date < DATE '2020-01-01'", "paid_date", "paid date before 2020"),
        ),
    ),
)
