"""Validate one recognised table: map columns, drop total rows, normalise and type every cell in DuckDB, hash
identifiers, and report every cell that cannot be read, every blank required cell, value out of range, failing contract
check and row outside the period the return states.

Tables in DuckDB, in order: the grid (raw cells, personal data included) -> ``stg`` (the contract's columns as trimmed
text; ``pii_drop`` columns never copied) -> ``typed`` (typed values plus each column's raw text for messages, except
identifiers, which exist there only hashed). The grid is dropped as soon as ``stg`` exists, ``stg`` as soon as
``typed`` does, the raw text of ``typed`` as soon as the checks are done.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass

import pyarrow as pa

from data_pipeline import reference
from data_pipeline.contracts import Column, Contract
from data_pipeline.gate.formula_text import FORMULA_TEXT_SQL, neutralised_sql

from . import normalise
from .header import HeaderMatch, accepted_spellings, column_letter, stated_periods
from .issues import MAX_ROWS_PER_PROBLEM, IssueLog
from .pseudonymise import create_pseudonym_table, hmac_sql
from .readers import RawTable
from .stages import stage

_ids = itertools.count()
_MAX_DISTINCT_FAILURES = 1000
_ROWS_NAMED = 3  # rows named in an error reported once per distinct value; the rest are counted
# A total row's label: English, Lao (ລວມ = total), as the first word of the cell.
_TOTAL_LABEL = "(grand\\s*total|sub-?\\s*total|total|sum|ລວມ.*)([^a-z].*)?"


@dataclass
class StagedPart:
    """One validated table of one file, waiting in DuckDB for the checks across files."""

    file: str
    sheet: str | None
    contract: Contract
    table: str  # DuckDB table: src_row + typed warehouse columns (+ period when derived)
    rows: int
    periods: list[str]
    headers: dict[str, str]  # contract column name -> header as written


def _span(span: tuple[str, str]) -> str:
    return span[0] if span[0] == span[1] else f"{span[0]} to {span[1]}"


def _edge_space(cell: str) -> str:
    """SQL: the cell begins or ends with a space, a tab or a no-break space (what staging trims)."""
    return " OR ".join(f"{end}({cell}, '{space}')" for end in ("prefix", "suffix") for space in (" ", "\t", "\u00a0"))


_MAX_CASE_SPELLINGS = 64  # accepted spellings of a category column written as a CASE rather than joined
_ORDER_KEEPING_OPERATORS = {"PROJECTION", "FILTER", "SEQ_SCAN"}


def _keeps_row_order(con, select: str) -> bool:
    """Whether DuckDB's plan for ``select`` only scans, filters and projects (so it keeps the rows' order)."""
    plan = json.loads(con.execute(f"EXPLAIN (FORMAT json) {select}").fetchall()[0][1])
    pending, names = list(plan), set()
    while pending:
        node = pending.pop()
        names.add(node.get("name"))
        pending.extend(node.get("children", []))
    return names <= _ORDER_KEEPING_OPERATORS


def _in_row_order(con, table: str) -> bool:
    """Whether ``table``'s rows are stored by ascending src_row (a window with an empty OVER reads them in order)."""
    return not con.execute(
        f"SELECT count(*) FROM (SELECT src_row <= lag(src_row) OVER () AS back FROM {table}) WHERE back"
    ).fetchall()[0][0]


def _limit(number: float) -> str:
    """A range's limit as a reader writes numbers: 1,000,000,000,000,000 rather than 1e+15; 0.5 as 0.5."""
    return f"{number:,.0f}" if float(number).is_integer() else f"{number:g}"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class TableValidation:
    def __init__(self, con, raw: RawTable, match: HeaderMatch, log: IssueLog, hash_key: bytes):
        self.con, self.raw, self.match, self.log, self.hash_key = con, raw, match, log, hash_key
        self.contract = match.contract
        self.file, self.sheet = raw.file, raw.sheet
        n = next(_ids)
        self.stg, self.typed = f"stg_{n}", f"typed_{n}"
        self.present = [c for c in self.contract.columns if c.name in match.columns and c.in_warehouse]
        self.headers = {name: header for name, (_, header) in match.columns.items()}
        self.personal = any(c.kind in ("pii_id", "pii_drop") for c in self.contract.columns)
        # Provinces and districts are always joined from mapping tables; then an identifier column is joined too
        # (its distinct values hashed once) rather than hashed on every row.
        self._joins_anyway = any(c.kind in ("province", "district") for c in self.present)

    # -- helpers --------------------------------------------------------------------------------------------------
    def header(self, name: str) -> str:
        return self.headers.get(name, name)

    def _cells(self, severity: str, column: str | None, code: str, where: str, message) -> None:
        """Report rows of ``typed`` matching ``where``: ``message(row_values)`` for the first ones, then a count."""
        raw_col = f"{q(column + '__raw')}" if column and self._has_raw(column) else "NULL"
        rows = self.con.execute(f"""SELECT src_row, {raw_col}, count(*) OVER () FROM {self.typed} WHERE {where}
                                    ORDER BY src_row LIMIT {MAX_ROWS_PER_PROBLEM}""").fetchall()
        if rows:
            located = [(r[0], self._without_value(message(r[1]), r[1], column)) for r in rows]
            self.log.rows(
                severity, self.file, self.sheet, self.header(column) if column else None, code, located, rows[0][2]
            )

    def _without_value(self, message: str, value: str | None, column: str | None) -> str:
        """In a return that holds personal data, a message names the row and column, never the cell's value: in a
        misaligned row a name, phone number or id sits in any column, and messages reach the refresh log."""
        if not self.personal or value is None:
            return message
        hidden = message.replace(f"'{value}'", "the value (not shown: this return holds personal data)")
        if value not in hidden and not any(digits in hidden for digits in re.findall(r"\d{3,}", value)):
            return hidden
        expected = next((normalise.expected(c) for c in self.contract.columns if c.name == column), "another value")
        return f"the value cannot be read here (not shown: this return holds personal data); expected {expected}"

    def _has_raw(self, name: str) -> bool:
        column = next((c for c in self.contract.columns if c.name == name), None)
        return column is not None and column in self.present and column.kind != "pii_id"

    # -- steps ----------------------------------------------------------------------------------------------------
    def run(self, stated_from_name: set[str]) -> StagedPart | None:
        with stage(self.file, "header checks"):
            if not self._check_header():
                self._drop_grid()
                return None
        with stage(self.file, "staging (trim, blank rows)"):
            self._stage()
        with stage(self.file, "total rows"):
            total_row = self._total_rows()
        with stage(self.file, "typing"):
            self._type(total_row)
        with stage(self.file, "formula text"):
            self._neutralise_formula_text()
        with stage(self.file, "column checks"):
            for column in self.present:
                self._check_column(column)
        with stage(self.file, "period and contract checks"):
            self._check_stated_period(stated_from_name)
            self._check_contract_rules()
            rows = self.con.execute(f"SELECT count(*) FROM {self.typed}").fetchall()[0][0]
            periods = self._periods()
        self._drop_raw_text()
        return StagedPart(self.file, self.sheet, self.contract, self.typed, rows, periods, self.headers)

    def _drop_raw_text(self) -> None:
        """Each column's text as written serves only this table's messages: dropped once they are made, so the
        validated tables waiting for the publish hold a third less (at 4x they outgrow the memory budget and spill,
        and every pass of the publish's merge plan reads them back; issue 13). Dropping a column copies nothing."""
        for column in self.present:
            if self._has_raw(column.name):
                self.con.execute(f"ALTER TABLE {self.typed} DROP COLUMN {q(column.name + '__raw')}")

    def _check_header(self) -> bool:
        """Report header problems; False when the table cannot be typed at all (a column named twice)."""
        match, contract = self.match, self.contract
        where = dict(file=self.file, sheet=self.sheet, row=match.header_row)
        if self.sheet is not None and self.sheet != contract.sheet:
            self.log.warning(
                self.file,
                f"sheet '{self.sheet}' was recognised by its headers as the {contract.title} "
                f"return (the template names this sheet '{contract.sheet}')",
                code="sheet_renamed",
                sheet=self.sheet,
            )
        for name, cells in match.duplicates:
            named = " and ".join(f"{column_letter(j)} '{h}'" for j, h in cells)
            self.log.error(
                self.file,
                f"columns {named} both give '{name}'; keep only one of them",
                code="duplicate_column",
                column=cells[1][1],
                **{k: v for k, v in where.items() if k != "file"},
            )
        for j, header in match.unknown:
            self.log.warning(
                self.file,
                f"column {column_letter(j)} '{header}' is not part of the {contract.title} return: ignored",
                code="unknown_column",
                sheet=self.sheet,
                row=match.header_row,
                column=header,
            )
        for column in contract.columns:
            if column.required and column.name not in match.columns:
                self.log.error(
                    self.file,
                    f"required column '{column.name}' is missing from the {contract.title} "
                    f"return; accepted headers: {accepted_spellings(column)}",
                    code="missing_column",
                    sheet=self.sheet,
                    row=match.header_row,
                    column=column.name,
                )
        for j in match.blank:
            if j < self.raw.width:
                filled = self.con.execute(
                    f"SELECT count(*) FROM {self.raw.table} WHERE src_row > {match.header_row} "
                    f"AND NULLIF(trim(c{j}), '') IS NOT NULL"
                ).fetchall()[0][0]
                if filled:
                    self.log.warning(
                        self.file,
                        f"column {column_letter(j)} has {filled} value(s) but no header: ignored",
                        code="unnamed_column",
                        sheet=self.sheet,
                        row=match.header_row,
                        column=column_letter(j),
                    )
        return not match.duplicates

    def _stage(self) -> None:
        """``stg``: the contract's columns as trimmed text (blank = NULL), blank rows left out, in one pass over the
        grid, which is dropped at once (a national ledger is not held twice). A table, not a view: the total-row
        test, the lookups and the typing query each read it, and a view would trim every cell again each time."""
        # trim() is slow on long columns; most cells need none, so only those with an edge space pay for it. The
        # byte tests (prefix, suffix) are cheaper than left()/right(), which count characters.
        cells = [
            f"CASE WHEN {cell} = '' THEN NULL WHEN {_edge_space(cell)} "
            f"THEN NULLIF(trim({cell}, ' \t\u00a0'), '') ELSE {cell} END AS {q(c.name)}"
            for c in self.present
            for cell in [f"c{self.match.columns[c.name][0]}"]
        ]
        any_cell = " OR ".join(f"{q(c.name)} IS NOT NULL" for c in self.present) or "FALSE"
        self.con.execute(f"""CREATE TEMP TABLE {self.stg} AS
            SELECT * FROM (SELECT src_row, {", ".join(cells) or "NULL AS _none"} FROM {self.raw.table}
                           WHERE src_row > {self.match.header_row})
            WHERE {any_cell}""")
        self._drop_grid()  # names and phone numbers (never copied into stg) go with it

    def _drop_grid(self) -> None:
        for statement in self.raw.drop_sql:
            self.con.execute(statement)
        self.raw.drop_sql = []

    def _total_rows(self) -> str:
        """SQL condition of a Total row, reported here as warnings: dropped, never summed. A row is a total when some
        label says total and every key cell (the period aside) is blank or says total too. A 'Total' anywhere else
        stays, and fails as an unknown value."""
        contract = self.contract
        # Identifier columns count as labels too ('Total' in the payment id column); only a cell that says total
        # is ever shown, so no identifier reaches the warning.
        text_like = [c for c in self.present if c.kind not in ("count", "amount", "rate", "year", "date")]
        if not text_like:
            return "FALSE"

        def is_total(name: str) -> str:
            # Only a cell whose first character is g, s, t (either case) or ລ can say total (no other character
            # lower-cases to g, s or t): the cheap test spares every id and code the lower() and the expression.
            # ord() reads the first character's code point where left() would copy it out (a third of the CPU).
            first = f"ord({q(name)}) IN ({', '.join(str(ord(c)) for c in 'gGsStTລ')})"
            return f"({first} AND regexp_full_match(lower({q(name)}), '{_TOTAL_LABEL}'))"

        present = {c.name for c in self.present}
        condition = "(" + " OR ".join(is_total(c.name) for c in text_like) + ")"
        for name in contract.key:
            if name in present and name != contract.period_column:
                condition += f" AND ({q(name)} IS NULL OR {is_total(name)})"
        labels = ", ".join(q(c.name) for c in text_like)
        rows = self.con.execute(f"""SELECT src_row, coalesce({labels}) FROM {self.stg} WHERE {condition}
                                    ORDER BY src_row""").fetchall()
        self.log.rows(
            "warning",
            self.file,
            self.sheet,
            None,
            "total_row",
            [
                (r, f"a total row ('{label}') was dropped: totals are computed, never read from returns")
                for r, label in rows
            ],
            len(rows),
        )
        return condition if rows else "FALSE"

    def _type(self, total_row: str) -> None:
        """Build ``typed`` in one query over ``stg``: provinces, districts and many-spelling categories joined from
        mapping tables of distinct values, the usual few category spellings as a CASE, identifiers hashed in place
        or joined (``_lookup_table``); everything else is SQL. Numbers are parsed once per cell in an inner query.
        ``stg`` (clear identifiers) is dropped."""
        rows = f"(SELECT * FROM {self.stg} WHERE ({total_row}) IS NOT TRUE)" if total_row != "FALSE" else self.stg
        joins, inner, selects, temp = [], ["s.*"], ["src_row"], []
        for column in self.contract.warehouse_columns:
            sql_type = column.sql_type
            if column not in self.present:
                selects.append(f"CAST(NULL AS {sql_type}) AS {q(column.name)}")
                continue
            rule = normalise.rule_for(column)
            raw, value = q(column.name), q(column.name + "__value")
            if column.kind in normalise.LOOKUP_KINDS:
                with stage(self.file, "hashing ids" if column.kind == "pii_id" else f"lookup ({column.kind})"):
                    table, on, mapped = self._lookup_table(column, f"s.{raw}")
                if table is not None:
                    temp.append(table)
                    joins.append(f"LEFT JOIN {table} ON {on}")
                inner.append(f"{mapped} AS {value}")
            elif rule.number_of:
                inner.append(f"{normalise.number_sql(rule.number_of.replace('{v}', f's.{raw}'))} AS {value}")
            typed = rule.typed.replace("{v}", raw).replace("{n}", value).replace("{m}", value)
            selects.append(f"CAST({typed} AS {sql_type}) AS {q(column.name)}")
            if column.kind != "pii_id":
                selects.append(f"{raw} AS {q(column.name + '__raw')}")
        derived = ""
        if self.contract.period_from_date:
            derived = f", {normalise.period_of_date(q(self.contract.period_from_date))} AS period"
        select = f"""SELECT *{derived} FROM (
            SELECT {", ".join(selects)} FROM (SELECT {", ".join(inner)} FROM {rows} s {" ".join(joins)}))"""
        # Rows stay in the order of the return (the warehouse keeps it). A query of scans, filters and projections
        # keeps stg's order (DuckDB's documented insertion-order guarantee) and needs no sort, the costliest step
        # of a national ledger; any other plan (a join, or an IN list DuckDB turns into one) is sorted.
        keeps_order = _keeps_row_order(self.con, select)
        self.con.execute(f"CREATE TEMP TABLE {self.typed} AS {select}{'' if keeps_order else ' ORDER BY src_row'}")
        with stage(self.file, "row order check"):
            in_order = not keeps_order or _in_row_order(self.con, self.typed)
        if not in_order:  # e.g. a grid whose view joins: sort after all
            self.con.execute(f"CREATE TEMP TABLE {self.typed}_sorted AS SELECT * FROM {self.typed} ORDER BY src_row")
            self.con.execute(f"DROP TABLE {self.typed}")
            self.con.execute(f"ALTER TABLE {self.typed}_sorted RENAME TO {self.typed}")
        self.con.execute(f"DROP TABLE {self.stg}")  # clear identifiers: gone from here on
        for table in temp:
            self.con.execute(f"DROP TABLE {table}")

    def _neutralise_formula_text(self) -> None:
        """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is stored with a leading apostrophe
        (``data_pipeline.gate.formula_text``), so no download or export of it can run; a warning names the rows."""
        for column in self.present:
            if column.kind != "text":
                continue
            col = q(column.name)
            formula_like = FORMULA_TEXT_SQL.replace("{v}", col)
            self._cells(
                "warning",
                column.name,
                "formula_text",
                formula_like,
                lambda _: (
                    "the text begins with =, +, -, @, a tab or a line break, which a spreadsheet would "
                    "run as a formula; it is stored with a leading apostrophe"
                ),
            )
            self.con.execute(f"UPDATE {self.typed} SET {col} = {neutralised_sql(col)} WHERE {formula_like}")

    def _lookup_table(self, column: Column, raw: str) -> tuple[str | None, str | None, str]:
        """(mapping table, join condition, looked-up value SQL) for a category, province, district or id column; no
        table (None, None) when the value is computed in place."""
        name = f"map_{next(_ids)}"
        if column.kind == "category":
            # Each distinct spelling is normalised once, not each cell: the join is on the text as written.
            values = normalise.category_values(column)
            accepted = pa.table({"key": list(values), "code": list(values.values())})
            self.con.register(name + "_accepted", accepted)
            self.con.execute(f"""CREATE TEMP TABLE {name} AS
                SELECT d.raw, a.code FROM (SELECT DISTINCT {q(column.name)} AS raw FROM {self.stg}
                                           WHERE {q(column.name)} IS NOT NULL) d
                LEFT JOIN {name}_accepted a ON a.key = {normalise.lookup_key_sql("d.raw")}""")
            self.con.unregister(name + "_accepted")
            accepted_spellings = self.con.execute(f"SELECT raw, code FROM {name} WHERE code IS NOT NULL").fetchall()
            if len(accepted_spellings) > _MAX_CASE_SPELLINGS:
                return name, f"{name}.raw = {raw}", f"{name}.code"
            # The usual few spellings: a CASE in the typing query, which then needs no join (and no sort).
            self.con.execute(f"DROP TABLE {name}")
            branches = " ".join(f"WHEN {_sql_text(r)} THEN {_sql_text(c)}" for r, c in accepted_spellings)
            return None, None, f"(CASE {raw} {branches} END)" if branches else "CAST(NULL AS VARCHAR)"
        elif column.kind == "province":
            distinct = [
                r[0]
                for r in self.con.execute(
                    f"SELECT DISTINCT {q(column.name)} FROM {self.stg} WHERE {q(column.name)} IS NOT NULL"
                ).fetchall()
            ]
            matches = [reference.province_match(v) for v in distinct]
            table = pa.table(
                {"raw": pa.array(distinct, pa.string()), "code": pa.array([m[0] for m in matches], pa.string())}
            )
            self.province_matches = {v: m for v, m in zip(distinct, matches)}
            on = f"{name}.raw = {raw}"
        elif column.kind == "district":
            province = next((c.name for c in self.present if c.kind == "province"), None)
            province_raw = f"{q(province)}" if province else "NULL"
            pairs = self.con.execute(
                f"SELECT DISTINCT {province_raw}, {q(column.name)} FROM {self.stg} WHERE {q(column.name)} IS NOT NULL"
            ).fetchall()
            matches = [reference.district_match(reference.province_code(p) if p else None, d) for p, d in pairs]
            table = pa.table(
                {
                    "province_raw": pa.array([p for p, _ in pairs], pa.string()),
                    "raw": pa.array([d for _, d in pairs], pa.string()),
                    "code": pa.array([m[0] for m in matches], pa.string()),
                    "how": pa.array([m[1] for m in matches], pa.string()),
                }
            )
            self.district_matches = table
            province_ref = f"s.{q(province)}" if province else "NULL"
            on = f"{name}.raw = {raw} AND {name}.province_raw IS NOT DISTINCT FROM {province_ref}"
        else:  # pii_id
            source = f"SELECT {q(column.name)} FROM {self.stg}"
            if self.contract.key != (column.name,) and self._joins_anyway:
                create_pseudonym_table(self.con, name, source, self.hash_key)
                return name, f"{name}.clear = {raw}", f"{name}.hashed"
            # The table's key (every value distinct), or a table whose typing query can do without joins (and so
            # without a sort): each row is hashed in place; only text DuckDB cannot hash (non-ASCII, rare) comes
            # from a table hashed in Python. (Hashing a repeated id once per distinct value and writing the hashes
            # over the typed rows by UPDATE saved ~1 CPU s at 1x, but an UPDATE's memory cannot spill: out of memory
            # on the 4x ledger.)
            in_place = f"CASE WHEN strlen({raw}) = length({raw}) THEN {hmac_sql(raw, self.hash_key)}"
            if create_pseudonym_table(self.con, name, source, self.hash_key, non_ascii_only=True):
                return name, f"{name}.clear = {raw}", f"{in_place} ELSE {name}.hashed END"
            self.con.execute(f"DROP TABLE {name}")
            return None, None, f"{in_place} END"
        self.con.register(name + "_arrow", table)
        self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
        self.con.unregister(name + "_arrow")
        return name, on, f"{name}.code"

    def _check_column(self, column: Column) -> None:
        name, col, raw = column.name, q(column.name), q(column.name + "__raw")
        if column.kind == "pii_id":
            if not column.nullable:
                self._cells(
                    "error", name, "blank_required", f"{col} IS NULL", lambda _: "blank; an identifier is required"
                )
            return
        if not column.nullable:
            self._cells(
                "error",
                name,
                "blank_required",
                f"{raw} IS NULL",
                lambda _: f"blank; a value is required ({normalise.expected(column)})",
            )
        failed = f"{raw} IS NOT NULL AND {col} IS NULL"
        if column.kind == "district":
            self._district_failures(column, failed)
        elif column.kind == "province":
            self._province_failures(column, failed)
        elif column.kind != "text":
            # One problem kind per distinct failure code, so a column with two kinds of mistakes lists both.
            rows = self.con.execute(
                f"SELECT DISTINCT {raw} FROM {self.typed} WHERE {failed} LIMIT {_MAX_DISTINCT_FAILURES + 1}"
            ).fetchall()
            by_code: dict[str, list[str]] = {}
            for (value,) in rows:
                by_code.setdefault(normalise.describe_failure(column, value)[0], []).append(value)
            if len(rows) > _MAX_DISTINCT_FAILURES:  # hopeless column: one list, one count
                by_code = {normalise.describe_failure(column, rows[0][0])[0]: []}
            for code, values in by_code.items():
                only = f" AND {raw} IN ({', '.join(_sql_text(v) for v in values)})" if values else ""
                self._cells("error", name, code, failed + only, lambda v: normalise.describe_failure(column, v)[1])
        self._check_range(column)
        for quirk in normalise.rule_for(column).quirks:
            # One query per quirk, not one scan with a FILTER each: a WHERE evaluates its cheap byte searches first
            # and skips the regular expressions on every row they rule out, a FILTER runs all of it on every row.
            condition = quirk.condition.replace("{v}", raw)
            n, example = self.con.execute(
                f"SELECT count(*), min({raw}) FROM {self.typed} "
                f"WHERE {raw} IS NOT NULL AND {col} IS NOT NULL AND {condition}"
            ).fetchall()[0]
            if n:
                example = "(not shown: personal data)" if self.personal else example
                self.log.warning(
                    self.file,
                    quirk.message.format(n=n, example=example),
                    code=quirk.code,
                    sheet=self.sheet,
                    column=self.header(name),
                )

    def _district_failures(self, column: Column, failed: str) -> None:
        province = next((c for c in self.present if c.kind == "province"), None)
        known_province = f" AND {q(province.name)} IS NOT NULL" if province else ""

        def message(raw: str) -> str:
            elsewhere = reference.district_elsewhere(raw)
            if elsewhere:
                return (
                    f"district '{raw}' is not in the row's province; it is {' or '.join(elsewhere)}; "
                    f"expected {normalise.expected(column)}"
                )
            return f"'{raw}' is not a known district; expected {normalise.expected(column)}"

        self._once_per_value(column, "unknown_district", failed + known_province, message)
        # Romanisation guesses are accepted (unique in the province) but shown, so a wrong guess can be caught.
        guessed = [
            (raw, code)
            for raw, code, how in zip(
                self.district_matches.column("raw").to_pylist(),
                self.district_matches.column("code").to_pylist(),
                self.district_matches.column("how").to_pylist(),
            )
            if how == "phonetic"
        ]
        if guessed:
            listed = ", ".join(
                f"'{raw}' as {code} {reference.districts()[code].name_en}" for raw, code in sorted(set(guessed))[:10]
            )
            self.log.warning(
                self.file,
                f"district spellings matched by their romanisation: {listed}",
                code="district_spelling",
                sheet=self.sheet,
                column=self.header(column.name),
            )

    def _once_per_value(self, column: Column, code: str, failed: str, message) -> None:
        """One error per distinct cell text matching ``failed``, at its first row, naming the next rows and counting
        the rest: a value repeated on 40 rows is one line, not 40."""
        raw = q(column.name + "__raw")
        values = self.con.execute(
            f"SELECT {raw}, list_slice(list(src_row ORDER BY src_row), 1, {_ROWS_NAMED}), count(*) FROM {self.typed} "
            f"WHERE {failed} GROUP BY 1 ORDER BY min(src_row) LIMIT {_MAX_DISTINCT_FAILURES}"
        ).fetchall()
        for value, rows, count in values:
            self.log.error(
                self.file,
                f"{message(value)} — {rows_named(rows, count)}",
                code=code,
                sheet=self.sheet,
                row=rows[0],
                column=self.header(column.name),
            )

    def _province_failures(self, column: Column, failed: str) -> None:
        """One error per distinct unknown province, with the rows it is on and the closest provinces; spellings
        matched by their romanisation are accepted (unique) and shown in one warning."""

        def message(value: str) -> str:
            closest = reference.closest_provinces(value)
            if self.province_matches.get(value, (None, ""))[1] == "ambiguous":
                return f"'{value}' could be more than one province: did you mean {' or '.join(closest)}?"
            if closest:
                return f"'{value}' is not a known province: did you mean {' or '.join(closest)}?"
            return f"'{value}' is not a known province; expected {normalise.expected(column)}"

        self._once_per_value(column, "unknown_province", failed, message)
        guessed = sorted((v, m[0]) for v, m in self.province_matches.items() if m[1] == "phonetic")
        if guessed:
            listed = ", ".join(f"'{v}' as {code} {reference.provinces()[code].name_en}" for v, code in guessed[:10])
            self.log.warning(
                self.file,
                f"province spellings matched by their romanisation: {listed}",
                code="province_spelling",
                sheet=self.sheet,
                column=self.header(column.name),
            )

    def _check_range(self, column: Column) -> None:
        col = q(column.name)
        minimum = column.minimum if column.minimum is not None else (0 if column.kind == "count" else None)
        maximum = column.maximum
        if maximum is None and column.kind == "amount":
            maximum = normalise.AMOUNT_MAXIMUM
        if column.kind == "rate":
            minimum, maximum = max(minimum or 0, 0), min(maximum if maximum is not None else 1, 1)
        if minimum is not None:
            self._cells(
                "error",
                column.name,
                "below_minimum",
                f"{col} < {minimum}",
                lambda v: f"'{v}' is below the minimum {_limit(minimum)}",
            )
        if maximum is not None:
            self._cells(
                "error",
                column.name,
                "above_maximum",
                f"{col} > {maximum}",
                lambda v: f"'{v}' is above the maximum {_limit(maximum)}",
            )

    def _check_stated_period(self, stated_from_name: set[str]) -> None:
        """A quarter stated in the file name or a title row is what the return is for: every row must fall in it.
        Two quarters ('..._2020Q1-2022Q2') state a range. A file name and title that disagree are an error."""
        contract = self.contract
        is_quarterly = contract.period_from_date is not None or (
            contract.period_column and contract.column(contract.period_column).kind == "period"
        )
        if not is_quarterly:
            return
        from_title = set().union(set(), *(stated_periods(t) for t in self.match.title_texts))
        spans = {
            source: (min(found), max(found))
            for source, found in (("file name", stated_from_name), ("title", from_title))
            if found
        }
        if len(set(spans.values())) > 1:
            self.log.error(
                self.file,
                f"the file name states {_span(spans['file name'])} but the title states "
                f"{_span(spans['title'])}: which quarter is this return for?",
                code="period_stated_conflict",
                sheet=self.sheet,
            )
            return
        if not spans:
            return
        source, (first, last) = next(iter(spans.items()))
        column = contract.period_from_date or contract.period_column
        self._cells(
            "error",
            column,
            "period_mismatch",
            f"period IS NOT NULL AND (period < '{first}' OR period > '{last}')",
            lambda v: f"'{v}' is outside {_span((first, last))}, the period this return's {source} states",
        )

    def _check_contract_rules(self) -> None:
        for check in self.contract.checks:
            self._cells(
                check.severity,
                check.column,
                f"check_{check.name}",
                f"({check.where}) IS TRUE",
                lambda v, c=check: f"{c.message} (found '{v}')" if v is not None else c.message,
            )

    def _periods(self) -> list[str]:
        contract = self.contract
        if contract.period_from_date:
            expr = "period"
        elif contract.period_column:
            expr = f"CAST({q(contract.period_column)} AS VARCHAR)"
        else:
            return []
        return [
            r[0]
            for r in self.con.execute(
                f"SELECT DISTINCT {expr} FROM {self.typed} WHERE {expr} IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]


def rows_named(rows: list[int], count: int) -> str:
    """'row 15', 'rows 15, 17 and 19', or 'rows 15, 17, 19 and 37 more'."""
    if count == 1:
        return f"row {rows[0]}"
    if count <= len(rows):
        return f"rows {', '.join(map(str, rows[:-1]))} and {rows[-1]}"
    return f"rows {', '.join(map(str, rows))} and {count - len(rows)} more"
