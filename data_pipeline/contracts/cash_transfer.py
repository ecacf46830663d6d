"""MAF (World Bank supported) cash transfer for mothers and children: beneficiaries and payments (quarterly)."""

from .base import Check, Column, Contract, district_column, period_column, province_column, sex_column

CONTRACTS = (
    Contract(
        name="cash_transfer",
        title="MAF cash transfer",
        sender="MAF",
        grain="aggregate",
        sheet="cash_transfer",
        description="Means-tested conditional cash transfer; aggregate counts by district.",
        columns=(
            period_column(),
            province_column(),
            district_column(),
            sex_column(),
            Column(
                "beneficiaries",
                "count",
                "Beneficiaries receiving the transfer in the quarter",
                aliases=("recipients", "number of beneficiaries"),
            ),
            Column("payments_due", "count", "Payments due in the quarter", aliases=("due payments",)),
            Column("payments_on_time", "count", "Payments made on time", aliases=("on time payments", "paid on time")),
        ),
        key=("period", "province", "district", "sex"),
        period_column="period",
        covers=("period", "province", "district"),
        checks=(
            Check(
                "on_time_within_due",
                "payments_on_time > payments_due",
                "payments_on_time",
                "more payments on time than payments due",
            ),
        ),
    ),
)
