"""What a source contract *says*: the declaration types.

A contract describes one kind of table a ministry sends (one sheet of a return): which columns it has and how their
headers may be spelled, what each cell must hold, the table's key and grain, and the checks that apply. The ingestion
code (``data_pipeline.ingest``) checks returns against contracts; the template writer turns them into blank workbooks;
the warehouse table of the same name has exactly the contract's ``warehouse_columns``.

Column kinds (``Column.kind``) and what ingestion does with a cell:

==============  ==========================================================================================
kind            cell handling
==============  ==========================================================================================
``text``        trimmed text
``category``    text matched (case/space-insensitive) against ``allowed`` or ``value_aliases`` -> allowed code
``count``       whole number >= 0; thousands separators ("1,234", "1 234") absorbed; decimals are an error
``amount``      number (LAK); thousands separators absorbed
``rate``        number between 0 and 1 ("12%" is read as 0.12)
``year``        four-digit year
``period``      quarter ``YYYY-Qn`` ("2022 Q2", "Q2/2022", "2022q2" absorbed)
``date``        ISO date, Excel serial number, or day/month/year text
``bool``        yes/no, true/false, 1/0, Lao ແມ່ນ/ບໍ່
``sex``         ``F`` / ``M`` (female, woman, ຍິງ / male, man, ຊາຍ absorbed)
``province``    ISO 3166-2:LA code through the alias table (English spellings, Lao script, LSB codes)
``district``    LSB 4-digit district code, matched *within* the row's province
``pii_id``      identifier: replaced by a keyed hash (HMAC-SHA256); the clear value never leaves ingestion
``pii_drop``    personal data (names, phone numbers): recognised so it is not reported as unknown, then dropped
==============  ==========================================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal[
    "text",
    "category",
    "count",
    "amount",
    "rate",
    "year",
    "period",
    "date",
    "bool",
    "sex",
    "province",
    "district",
    "pii_id",
    "pii_drop",
]
Grain = Literal["aggregate", "person", "event", "list"]
Severity = Literal["error", "warning"]

# Five-year population groups, with 65+ open-ended (children 0-14 = first three; pensionable age 60 = last two).
AGE_GROUPS_5Y = (
    "0-4",
    "5-9",
    "10-14",
    "15-19",
    "20-24",
    "25-29",
    "30-34",
    "35-39",
    "40-44",
    "45-49",
    "50-54",
    "55-59",
    "60-64",
    "65+",
)


def normalise_header(text: object) -> str:
    """Header spelling -> comparison key: lower case, accents kept, every run of non-letters/digits one space."""
    return re.sub(r"[^\w]+", " ", str(text or "").strip().lower()).strip().replace("_", " ")


# Warehouse (DuckDB) type of each column kind that reaches the warehouse (pii_drop columns never do).
WAREHOUSE_TYPES = {
    "text": "VARCHAR",
    "category": "VARCHAR",
    "sex": "VARCHAR",
    "province": "VARCHAR",
    "district": "VARCHAR",
    "period": "VARCHAR",
    "count": "BIGINT",
    "year": "BIGINT",
    "amount": "DOUBLE",
    "rate": "DOUBLE",
    "date": "DATE",
    "bool": "BOOLEAN",
    "pii_id": "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    description: str
    aliases: tuple[str, ...] = ()
    required: bool = True  # the header must be present in the return
    nullable: bool = False  # blank cells allowed
    allowed: tuple[str, ...] = ()  # category codes
    value_aliases: dict[str, str] = field(default_factory=dict)  # spelling -> allowed code (category kind)
    minimum: float | None = None
    maximum: float | None = None
    # Dates that identify a person (a date of birth) are kept only to the month in the warehouse; checks still see
    # the full date during ingestion.
    month_only: bool = False

    @property
    def header_keys(self) -> set[str]:
        """Every accepted spelling of the header, normalised."""
        return {normalise_header(self.name)} | {normalise_header(a) for a in self.aliases}

    @property
    def sql_type(self) -> str:
        """The warehouse (DuckDB) type of this column (DESIGN.md §3)."""
        return WAREHOUSE_TYPES[self.kind]

    @property
    def in_warehouse(self) -> bool:
        return self.kind != "pii_drop"


@dataclass(frozen=True)
class Check:
    """A rule over the typed staging table.

    ``where`` is a DuckDB boolean expression over the contract's warehouse columns that is TRUE for an offending row.
    ``column`` names the column an error is reported against.
    """

    name: str
    where: str
    column: str
    message: str
    severity: Severity = "error"


@dataclass(frozen=True)
class Contract:
    name: str  # warehouse table name, also the source's id
    title: str
    sender: str  # who sends it
    grain: Grain
    sheet: str  # sheet name in the template (a renamed sheet is found by its headers)
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique together (after ingestion)
    # How a return's period is read: a column of kind "period" or "year", a date column the quarter is derived from,
    # or None for snapshots (the whole table is replaced by each return).
    period_column: str | None = None
    period_from_date: str | None = None
    partition_by: str | None = None  # large tables are written partitioned by this column
    # The grain at which a return speaks for the data: the columns whose value combinations ("cells") a refresh
    # replaces. Published rows in a cell the return holds are replaced; every other published row is kept.
    # Starts with the period column for period-based sources; () for snapshots (the return is the whole table).
    covers: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    template_rows: int = 500  # rows with drop-downs in the template
    # The source's own "as of" date, against which what is due, late or still pending in it is judged (never
    # against another source's date): "period_end" = the end of the latest period the return covers (quarter or
    # year; none for a snapshot), or the date columns whose latest value is the date (the last date it holds),
    # falling back to the period end when they are all blank.
    as_of: str | tuple[str, ...] = "period_end"

    @property
    def warehouse_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.in_warehouse)

    @property
    def replaces_by_period(self) -> bool:
        """True when a refresh replaces only the periods a return covers; False when the return is a full snapshot."""
        return self.period_column is not None or self.period_from_date is not None

    def as_of_sql(self) -> str | None:
        """A DuckDB expression over the warehouse table giving its as-of date (None: a snapshot without dates)."""
        if self.period_from_date:
            period_end = f"last_day(date_trunc('quarter', max({self.period_from_date})) + INTERVAL 2 MONTH)"
        elif self.period_column and self.column(self.period_column).kind == "year":
            period_end = f"make_date(CAST(max({self.period_column}) AS INTEGER), 12, 31)"
        elif self.period_column:
            period_end = (
                f"last_day(make_date(CAST(left(max({self.period_column}), 4) AS INTEGER), "
                f"CAST(right(max({self.period_column}), 1) AS INTEGER) * 3, 1))"
            )
        else:
            period_end = "CAST(NULL AS DATE)"
        if self.as_of == "period_end":
            return None if period_end.startswith("CAST(NULL") else f"CAST({period_end} AS DATE)"
        latest = ", ".join(f"max({c})" for c in self.as_of)
        return f"CAST(coalesce(greatest({latest}), {period_end}) AS DATE)"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


# Shared column declarations: the same idea is spelled the same way in every contract.
def province_column(**kw) -> Column:
    return Column(
        "province",
        "province",
        "Province (name in English or Lao, ISO 3166-2:LA or LSB code)",
        aliases=("province name", "provinces", "prov", "khoueng", "ແຂວງ", "province code"),
        **kw,
    )


def district_column(**kw) -> Column:
    return Column(
        "district",
        "district",
        "District, matched within its province (name or LSB 4-digit code)",
        aliases=("district name", "districts", "dist", "muang", "ເມືອງ", "district code"),
        **kw,
    )


def sex_column(**kw) -> Column:
    return Column("sex", "sex", "Sex: F or M", aliases=("gender", "sex (f/m)", "ເພດ"), **kw)


def period_column(**kw) -> Column:
    return Column(
        "period",
        "period",
        "Reporting quarter, YYYY-Qn",
        aliases=("quarter", "reporting period", "period (quarter)", "ໄຕມາດ"),
        **kw,
    )


def year_column(aliases: tuple[str, ...] = (), **kw) -> Column:
    return Column("year", "year", "Calendar year", aliases=("yr", "reference year", "ປີ") + aliases, **kw)
