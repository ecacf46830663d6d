"""MoF: social protection spending, allocated and executed, by ministry and Chart-of-Accounts line (yearly)."""

from .base import Check, Column, Contract, year_column

CONTRACTS = (
    Contract(
        name="sp_spending",
        title="Social protection spending",
        sender="MoF",
        grain="aggregate",
        sheet="spending",
        description="Budget allocated and executed on social protection Chart-of-Accounts lines, by fiscal year.",
        columns=(
            year_column(aliases=("fiscal year", "fy", "budget year")),
            Column(
                "ministry",
                "category",
                "Ministry responsible",
                aliases=("budget holder", "agency"),
                allowed=("MoLSW", "MoH", "MoES", "MAF", "MoF", "MPI", "MoIC", "MoHA"),
                value_aliases={
                    "molsw": "MoLSW",
                    "ministry of labour and social welfare": "MoLSW",
                    "moh": "MoH",
                    "ministry of health": "MoH",
                    "moes": "MoES",
                    "ministry of education and sports": "MoES",
                    "maf": "MAF",
                    "ministry of agriculture and forestry": "MAF",
                    "mof": "MoF",
                    "mpi": "MPI",
                    "moic": "MoIC",
                    "moha": "MoHA",
                },
            ),
            Column("coa_code", "text", "Chart-of-Accounts code", aliases=("coa", "account code", "coa code")),
            Column("coa_label", "text", "Chart-of-Accounts label", aliases=("account", "account label", "line item")),
            Column("programme", "text", "Programme", aliases=("program", "programme name"), nullable=True),
            Column(
                "allocated_lak",
                "amount",
                "Allocated (LAK)",
                aliases=("allocated", "budget", "allocation (lak)"),
                minimum=0,
            ),
            Column(
                "executed_lak",
                "amount",
                "Executed (LAK)",
                aliases=("executed", "spent", "expenditure (lak)"),
                minimum=0,
            ),
            Column(
                "reported_to",
                "date",
                "Execution reported up to this date; blank = the whole fiscal year",
                aliases=("executed to", "expenditure to", "reported to", "as of", "as at"),
                required=False,
                nullable=True,
            ),
        ),
        key=("year", "ministry", "coa_code"),
        # As of the date spending is reported to; without one, the end of the fiscal year.
        as_of=("reported_to",),
        period_column="year",
        covers=("year", "ministry"),
        checks=(
            Check(
                "execution_plausible",
                "executed_lak > 1.5 * allocated_lak",
                "executed_lak",
                "executed more than 150% of the allocation",
                severity="warning",
            ),
        ),
    ),
)
