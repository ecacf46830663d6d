"""Secretariat: the log of data returns expected from ministries and provinces, and when each arrived."""

from .base import Column, Contract, period_column, province_column

CONTRACTS = (
    Contract(
        name="returns_log",
        title="Data returns log",
        sender="Technical Secretariat (MoLSW)",
        grain="event",
        sheet="returns",
        description="One row per return expected: which source, from whom, for which quarter, due when, received "
        "when (blank = not received).",
        columns=(
            Column("source", "text", "Source (contract name) the return feeds", aliases=("return", "dataset")),
            Column("sender", "text", "Ministry or provincial office sending", aliases=("from", "reporting unit")),
            Column(
                "sender_type",
                "category",
                "Ministry or province",
                aliases=("sender type", "unit type"),
                allowed=("ministry", "province"),
            ),
            province_column(nullable=True),
            period_column(),
            Column("due_date", "date", "Due date", aliases=("deadline", "date due")),
            Column(
                "received_date", "date", "Date received; blank when missing", aliases=("date received",), nullable=True
            ),
        ),
        key=("source", "sender", "period"),
        # The log is as of the last return it records as received.
        as_of=("received_date",),
        period_column="period",
        covers=("period", "source"),
    ),
)
