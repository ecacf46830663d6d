"""Macros and helper views every catalogue entry may use, created once per connection before computing.

They hold the few definitions several indicators share, so they are written once:
- exact sums: ``exact_sum(expr)`` (and its parts ``exact_units`` / ``from_exact_units``), the one way a sum of
  figures that may be fractional is written, so that a figure never depends on the order DuckDB adds rows in.
- quarters: ``quarter_of(date)`` -> 'YYYY-Qn'; ``quarter_end(period)`` -> last day of that quarter.
- yearly denominators repeated for each quarter of their year (a quarterly value uses its own year's population).
- the MECG grant: the quarters the register and ledger cover (stocks are given at each quarter's end), each enrolment
  record with its first payment, and persons de-duplicated on the keyed national id (the record id when there is none).
  The ledger is joined to the register (64-character keys) once, into payment cells at the finest grain any figure
  reads (``ind_mecg_payment_cells``); the quarters each record was paid in ride along the first payment's pass over
  the ledger as a bit set, from which the persons paid per quarter (``ind_mecg_paid_persons``) and the recipients
  (``ind_mecg_recipients_q``) are unfolded without reading the ledger again. Entries read those.
"""

from __future__ import annotations

import contextlib

import duckdb

from . import survival

# Exact sums. DuckDB adds DOUBLEs in whatever order its threads meet the rows, and floating-point addition is not
# associative: two computes of the same data gave national figures differing in their last bits (a population x a
# rate, summed over provinces). A sum of figures that may be fractional is therefore taken in fixed point: each value
# as a whole number of 2**-64ths (a HUGEINT, 128 bits), added exactly - integers, in any order, on any thread - and the
# total made a DOUBLE once, rounded to nearest (DuckDB's HUGEINT -> DOUBLE cast is correctly rounded;
# tests/test_exact_sums.py checks it). The figure is then the exact sum rounded once, whatever the row order or the
# threads. Why 64 bits: a double of magnitude at least 2**-12 has no bit below 2**-64 (53 significant bits), so every
# figure here - counts, populations x rates (>= hundreds), LAK amounts - is held exactly; and 128 bits leave room for
# totals up to 2**63 (9.2e18: persons are ~7.5 M nationally, LAK totals ~1e13). A value or total beyond that stops
# the computation with DuckDB's overflow error instead of giving a wrong figure; a value below 2**-12 is rounded to a
# multiple of 2**-64 (no figure is that small). Sums of whole-number columns (BIGINT) are exact in DuckDB already.
EXACT_SUM_FRACTION_BITS = 64
_UNIT = f"CAST('{2**EXACT_SUM_FRACTION_BITS}' AS DOUBLE)"  # a power of two: scaling by it is exact


def exact_units(expr: str) -> str:
    """``expr`` as a whole number of 2**-64ths (HUGEINT): what ``exact_sum`` adds. For sums carried through several
    groupings (cells, then levels), add the units with a plain ``sum`` and make the total a figure once
    (``from_exact_units``)."""
    return f"CAST(CAST({expr} AS DOUBLE) * {_UNIT} AS HUGEINT)"


def from_exact_units(total: str) -> str:
    """A total of ``exact_units`` (an aggregate or window sum of them) as a DOUBLE: rounded once, to nearest."""
    return f"(CAST({total} AS DOUBLE) / {_UNIT})"


def exact_sum(expr: str, *, where: str | None = None) -> str:
    """SQL for the sum of ``expr`` (``FILTER (WHERE where)`` when given) as the exact sum rounded once to a DOUBLE:
    the same figure whatever the order of the rows and DuckDB's threads (see ``EXACT_SUM_FRACTION_BITS``). NULLs
    are skipped and no value gives NULL, as ``sum`` does. Use it for every sum of figures that may be fractional."""
    filtered = f" FILTER (WHERE {where})" if where else ""
    return from_exact_units(f"sum({exact_units(expr)}){filtered}")


MACROS = {
    "quarter_of": "CAST(year(d) AS VARCHAR) || '-Q' || CAST(quarter(d) AS VARCHAR)",
    "quarter_end": "CAST(make_date(CAST(left(p, 4) AS INTEGER), CAST(right(p, 1) AS INTEGER) * 3, 1)"
    " + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE)",
    "broad_age": "CASE WHEN a IN ('0-4', '5-9', '10-14') THEN '0-14' WHEN a IN ('60-64', '65+') THEN '60+' "
    "ELSE '15-59' END",
    # The last day of the quarter of date d: d <= a quarter's end exactly when quarter_end_of(d) <= it, so records
    # can be counted per quarter_end_of(their date) before they are matched with the quarters that follow.
    "quarter_end_of": "CAST(date_trunc('quarter', d) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE)",
    # Quarters numbered in order (year * 4 + quarter - 1), and back to quarter_of's label.
    "quarter_number": "year(d) * 4 + quarter(d) - 1",
    "quarter_label": "CAST(n // 4 AS VARCHAR) || '-Q' || CAST(n % 4 + 1 AS VARCHAR)",
}
MACRO_ARGS = {
    "quarter_of": "d",
    "quarter_end": "p",
    "broad_age": "a",
    "quarter_end_of": "d",
    "quarter_number": "d",
    "quarter_label": "n",
}

# The quarters a record was paid in, as bits of a BIGINT counted from the ledger's first paid quarter: a ledger
# spanning more quarters than this reads its paid persons from the ledger itself (VIEWS_WIDE_LEDGER).
QUARTERS_PER_BIT_SET = 63

_QUARTERS = "(SELECT unnest([1, 2, 3, 4]) AS q)"

# Computed once per connection rather than in every query that reads them: each needs a pass over the whole ledger
# and is small (one row per quarter, record or person). The paid persons (a row per person and quarter, one reader)
# stay a view: held as a table they would take memory the budget needs at 4x the data (spilling).
MATERIALIZED = {
    "ind_mecg_quarters",
    "ind_mecg_payment_quarters",
    "ind_mecg_beneficiary",
    "ind_mecg_person",
    "ind_mecg_payment_cells",
    "ind_mecg_recipients_q",
}

# Joined in the order written, the register (the right side) held in the join's table and the ledger streamed past
# it: DuckDB estimates the ledger's rows far too low (tens of thousands for millions) and would hold the whole ledger
# instead (1x: 2.1 -> 1.25 CPU s; at 4x with two threads that ran out of the memory budget).
JOINED_AS_WRITTEN = {"ind_mecg_payment_cells"}

# A person: records sharing a keyed national id are one person (the record id when there is none).
PERSON_KEY = "CASE WHEN national_id_key IS NOT NULL THEN 'nid:' || national_id_key ELSE 'rec:' || beneficiary_key END"
# A person's number stands in for the 68-character person key in the helper tables (8 bytes a person, memory): a hash
# of the key. Should two persons ever share a hash (checked on the records so numbered), they are numbered in order
# of their keys instead.
PERSON_NUMBER = "hash(person_key)"
PERSON_NUMBER_IN_ORDER = "dense_rank() OVER (ORDER BY person_key)"

# name -> SQL, created in this order (later views read earlier ones).
VIEWS: dict[str, str] = {
    "ind_population_q": f"""
        SELECT CAST(year AS VARCHAR) || '-Q' || q AS period, province, sex, age_group, population
        FROM population CROSS JOIN {_QUARTERS}""",
    "ind_labour_q": f"""
        SELECT CAST(year AS VARCHAR) || '-Q' || q AS period, province, sex, employed, unemployed
        FROM labour_force CROSS JOIN {_QUARTERS}""",
    "ind_births_q": f"""
        SELECT CAST(year AS VARCHAR) || '-Q' || q AS period, province, district, sex, births
        FROM births CROSS JOIN {_QUARTERS}""",
    # Quarters from the first enrolment to the last event seen (enrolment or payment): the data's "as of" date.
    "ind_mecg_quarters": """
        WITH bounds AS (
            SELECT (SELECT min(enrolment_date) FROM mecg_register) AS first_day,
                   greatest((SELECT max(enrolment_date) FROM mecg_register),
                            (SELECT max(paid_date) FROM mecg_payments WHERE status = 'paid')) AS last_day)
        SELECT quarter_of(CAST(d AS DATE)) AS period, quarter_end(quarter_of(CAST(d AS DATE))) AS quarter_end
        FROM bounds, generate_series(date_trunc('quarter', first_day), date_trunc('quarter', last_day),
                                     INTERVAL 3 MONTH) AS s(d)
        WHERE first_day IS NOT NULL""",
    # The grant's quarters from the one its first payment fell due in: before it, "never paid" and "arrears" have
    # no meaning (no payment was due), so no value - and no baseline - is taken from them.
    "ind_mecg_payment_quarters": """
        SELECT * FROM ind_mecg_quarters
        WHERE quarter_end >= (SELECT min(due_date) FROM mecg_payments WHERE status <> 'cancelled')""",
    # Payments not cancelled added up at the finest grain any figure reads them (quarter, district, sex, channel,
    # cycle, due date, paid date): ``payments`` of them, their amounts due and paid. paid_date as in ind_mecg_payment.
    # Made first, while no other helper table holds memory: the largest join and grouping (at 4x it spilled less).
    # Grouped on a number per place and sex (the register's distinct ones), its texts put back on the cells only:
    # hashing texts for every payment cost more (national 1x, one thread: 1.01-1.13 -> 0.84-0.90 CPU s).
    "ind_mecg_payment_cells": f"""
        WITH places AS (SELECT province, district, sex, CAST(row_number() OVER () AS INTEGER) AS place
                        FROM (SELECT DISTINCT province, district, sex FROM mecg_register)),
             records AS (SELECT r.beneficiary_key, p.place FROM mecg_register r JOIN places p
                         ON r.province IS NOT DISTINCT FROM p.province AND r.district IS NOT DISTINCT FROM p.district
                            AND r.sex IS NOT DISTINCT FROM p.sex),
             cells AS (
                SELECT p.period, b.place, p.channel, p.cycle, p.due_date,
                       CASE WHEN p.status = 'paid' THEN p.paid_date END AS paid_date, count(*) AS payments,
                       {exact_sum("p.amount_due")} AS amount_due,
                       {exact_sum("coalesce(p.amount_paid, 0)")} AS amount_paid
                FROM mecg_payments p JOIN records b USING (beneficiary_key)
                WHERE p.status <> 'cancelled'
                GROUP BY ALL)
        SELECT c.period, l.province, l.district, l.sex, c.channel, CAST(c.cycle AS VARCHAR) AS cycle, c.due_date,
               c.paid_date, c.payments, c.amount_due, c.amount_paid
        FROM cells c JOIN places l USING (place)""",
    # One row per enrolment record; channel follows the register (cash where there is no registered phone). No
    # 64-character record key (memory: the ledger is joined to the register itself, in ind_mecg_payment_cells).
    "ind_mecg_beneficiary": """
        WITH first_paid AS (
            SELECT beneficiary_key, min(paid_date) AS first_paid_date, {paid_quarters} AS paid_quarters
            FROM mecg_payments WHERE status = 'paid' AND paid_date IS NOT NULL GROUP BY beneficiary_key)
        SELECT * EXCLUDE (person_key), {person_number} AS person_number FROM (
            SELECT {person_key} AS person_key, r.national_id_key, r.province, r.district, r.sex,
                   r.beneficiary_type, r.enrolment_date, r.birth_date, CASE WHEN r.has_wallet THEN 'wallet' ELSE 'cash' END AS channel,
                   f.first_paid_date, f.paid_quarters
            FROM mecg_register r LEFT JOIN first_paid f USING (beneficiary_key))""",
    # One row per person: records sharing a keyed national id are one person, placed where last enrolled. The
    # latest record is found by its row number and read back (no texts carried through the grouping: at 4x the
    # data that cost 2.2 CPU s against 0.9); its national id is the person's (records share one or are alone).
    "ind_mecg_person": """
        WITH latest AS (
            SELECT person_number, arg_max(rowid, enrolment_date) AS latest, min(first_paid_date) AS first_paid_date,
                   bit_or(paid_quarters) AS paid_quarters
            FROM ind_mecg_beneficiary GROUP BY person_number)
        SELECT p.person_number, b.province, b.district, b.sex, b.beneficiary_type, b.national_id_key,
               p.first_paid_date, p.paid_quarters
        FROM latest p LEFT JOIN ind_mecg_beneficiary b ON b.rowid = p.latest""",
    # Each payment with the beneficiary's place and sex (the register's, as in ind_mecg_beneficiary); paid_date only
    # counts when the status says paid. A view for reading single payments; the catalogue reads the cells below.
    "ind_mecg_payment": """
        SELECT p.period, b.province, b.district, b.sex, p.channel, CAST(p.cycle AS VARCHAR) AS cycle, p.due_date,
               CASE WHEN p.status = 'paid' THEN p.paid_date END AS paid_date,
               p.amount_due, coalesce(p.amount_paid, 0) AS amount_paid, p.status, {person_key} AS person_key,
               b.beneficiary_type
        FROM mecg_payments p JOIN mecg_register b USING (beneficiary_key)""",
    # Who was paid in each quarter (by the quarter of the paid date): person number, and the place and type of the
    # record paid. Unfolded from the records' paid quarters (one row per set bit).
    "ind_mecg_paid_persons": """
        WITH paid AS (
            SELECT person_number, province, beneficiary_type, bit_or(paid_quarters) AS paid_quarters
            FROM ind_mecg_beneficiary WHERE paid_quarters IS NOT NULL GROUP BY ALL)
        SELECT quarter_label(getvariable('mecg_first_paid_quarter') + k) AS period, person_number, province,
               beneficiary_type
        FROM paid, {paid_quarter_bits} WHERE (paid_quarters >> k) & 1 = 1""",
    # Grant recipients in each quarter: persons paid in it (SDG 1.3.1 counts persons *receiving* a benefit), so a
    # child who has left the grant at age one, or a person whose payments stopped, is no longer counted.
    "ind_mecg_recipients_q": """
        SELECT quarter_label(getvariable('mecg_first_paid_quarter') + k) AS period, p.province, p.district, p.sex,
               p.beneficiary_type, count(*) AS recipients
        FROM ind_mecg_person p, {paid_quarter_bits} WHERE (p.paid_quarters >> k) & 1 = 1
        GROUP BY ALL""",
    # Social assistance recipients (grant recipients + MAF cash transfer beneficiaries) by quarter, province, sex.
    "ind_social_assistance_q": """
        WITH mecg AS (SELECT period, province, sex, sum(recipients) AS mecg FROM ind_mecg_recipients_q GROUP BY ALL),
             ct AS (SELECT period, province, sex, sum(beneficiaries) AS ct FROM cash_transfer GROUP BY ALL)
        SELECT period, province, sex, mecg, ct FROM mecg FULL JOIN ct USING (period, province, sex)""",
    # Vulnerable persons: all children + working-age persons not actively contributing + persons 60+ without an
    # old-age pension (each part floored at 0 within its province and sex). Needs the social security return.
    "ind_vulnerable_q": """
        WITH pop AS (
            SELECT period, province, sex,
                   sum(population) FILTER (WHERE broad_age(age_group) = '0-14') AS children,
                   sum(population) FILTER (WHERE broad_age(age_group) = '15-59') AS working_age,
                   sum(population) FILTER (WHERE broad_age(age_group) = '60+') AS older
            FROM ind_population_q GROUP BY ALL),
        ss AS (SELECT period, province, sex, sum(active_contributors) AS contributors,
                      sum(old_age_pensioners) AS pensioners FROM social_security GROUP BY ALL)
        SELECT period, province, sex,
               coalesce(children, 0) + greatest(0, coalesce(working_age, 0) - contributors)
               + greatest(0, coalesce(older, 0) - pensioners) AS vulnerable
        FROM pop JOIN ss USING (period, province, sex)""",
    "ind_poor_q": """
        SELECT p.period, p.province, p.sex, sum(p.population) * any_value(r.poverty_rate) AS poor
        FROM ind_population_q p JOIN param_poverty_rate r USING (province) GROUP BY ALL""",
}


# A ledger whose paid quarters do not fit in one bit set: the persons paid read from the ledger (joined to the
# register a second time), and the recipients from them.
VIEWS_WIDE_LEDGER: dict[str, str] = {
    "ind_mecg_paid_persons": """
        SELECT DISTINCT quarter_of(p.paid_date) AS period, b.person_number, b.province, b.beneficiary_type
        FROM mecg_payments p
             JOIN (SELECT beneficiary_key, province, beneficiary_type, {person_number} AS person_number
                   FROM (SELECT *, {person_key} AS person_key FROM mecg_register)) b USING (beneficiary_key)
        WHERE p.status = 'paid' AND p.paid_date IS NOT NULL""",
    "ind_mecg_recipients_q": """
        SELECT pay.period, p.province, p.district, p.sex, p.beneficiary_type, count(*) AS recipients
        FROM (SELECT DISTINCT period, person_number FROM ind_mecg_paid_persons) pay
             JOIN ind_mecg_person p USING (person_number)
        GROUP BY ALL""",
}
PAID_QUARTERS = "bit_or(CAST(1 AS BIGINT) << (quarter_number(paid_date) - getvariable('mecg_first_paid_quarter')))"


def install_as_of(con: duckdb.DuckDBPyConnection) -> None:
    """Each source's own as-of date (its contract's ``as_of`` rule), as variables ``as_of_<source>`` and the table
    ``ind_source_as_of(source, as_of_date)``. What is due, late or still pending in a source is judged against its
    own date only, so a late returns log cannot make the payment ledger's unpaid payments look late. Capped at
    today (a mistyped future date cannot move it); a version gives the same figures whenever it is computed."""
    from data_pipeline.contracts import all_contracts

    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    rows = []
    for name, contract in all_contracts().items():
        expression = contract.as_of_sql()
        as_of = None
        if expression and name in tables:
            as_of = con.execute(f"SELECT least(current_date, {expression}) FROM {name}").fetchone()[0]
        con.execute(f"SET VARIABLE as_of_{name} = CAST(? AS DATE)", [as_of])
        rows.append((name, as_of))
    con.execute("CREATE OR REPLACE TEMP TABLE ind_source_as_of (source VARCHAR, as_of_date DATE)")
    con.executemany("INSERT INTO ind_source_as_of VALUES (?, ?)", rows)


def survival_quantile(observations: list[dict] | None, q: float) -> float | None:
    """The q-quantile of days late by the Kaplan-Meier estimate, from ``{'t': days, 'paid': bool}`` observations
    (``indicators.survival``; the catalogue estimates every level at once there)."""
    return survival.quantile_of(observations, q)[0]


def install(con: duckdb.DuckDBPyConnection, params: dict, step=None) -> None:
    """Create the parameter variables, macros and helper views on a connection that has the warehouse views.

    ``step(label, run)``, when given, runs each helper table's creation (the benchmark's per-table profile)."""
    step = step or (lambda label, run: run())
    step("sources' as-of dates", lambda: install_as_of(con))
    general = params["general"]
    for name in (
        "payment_grace_days",
        "grievance_standard_days",
        "referral_standard_days",
        "severe_disability_prevalence",
        "mecg_pregnant_women_per_birth",
    ):
        con.execute(f"SET VARIABLE {name} = ?", [general[name]])
    con.execute("CREATE OR REPLACE TEMP TABLE param_poverty_rate (province VARCHAR, poverty_rate DOUBLE)")
    con.executemany("INSERT INTO param_poverty_rate VALUES (?, ?)", list(params["poverty_rate"].items()))
    for name, body in MACROS.items():
        con.execute(f"CREATE OR REPLACE TEMP MACRO {name}({MACRO_ARGS[name]}) AS {body}")
    first, span = con.execute("""
        SELECT quarter_number(min(paid_date)), coalesce(quarter_number(max(paid_date)) - quarter_number(min(paid_date)) + 1, 0)
        FROM mecg_payments WHERE status = 'paid'""").fetchone()
    con.execute("SET VARIABLE mecg_first_paid_quarter = ?", [first])
    fits = span <= QUARTERS_PER_BIT_SET
    texts = {
        "{person_key}": PERSON_KEY,
        "{person_number}": PERSON_NUMBER,
        "{paid_quarters}": PAID_QUARTERS if fits else "CAST(NULL AS BIGINT)",
        "{paid_quarter_bits}": f"(SELECT unnest(range({span})) AS k)",
    }

    def render(name: str) -> str:
        sql = VIEWS[name] if fits else VIEWS_WIDE_LEDGER.get(name, VIEWS[name])
        for placeholder, text in texts.items():
            sql = sql.replace(placeholder, text)
        return sql

    for name in VIEWS:
        if name in MATERIALIZED:
            step(name, lambda name=name: _create(con, name, render(name)))
        else:
            _create(con, name, render(name))
        if name == "ind_mecg_beneficiary" and not step("person numbers checked", lambda: _persons_numbered_apart(con)):
            texts["{person_number}"] = PERSON_NUMBER_IN_ORDER  # for the records again and every later reader
            _create(con, name, render(name))


def _create(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    kind = "TABLE" if name in MATERIALIZED else "VIEW"
    if name not in JOINED_AS_WRITTEN:
        con.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}")
        return
    with joined_as_written(con, "join_order", "build_side_probe_side"):
        con.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}")


@contextlib.contextmanager
def joined_as_written(con: duckdb.DuckDBPyConnection, *optimizers: str):
    """DuckDB's ``optimizers`` (join_order: the order of joins; build_side_probe_side: which side of a join is held
    in its hash table) switched off on ``con`` while inside: its joins run as the SQL writes them."""
    disabled = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
    con.execute("SET disabled_optimizers = ?", [",".join(filter(None, [disabled, *optimizers]))])
    try:
        yield con
    finally:
        con.execute("SET disabled_optimizers = ?", [disabled])


def _persons_numbered_apart(con: duckdb.DuckDBPyConnection) -> bool:
    """True when no two persons share a number in ``ind_mecg_beneficiary``, read from its records without their
    68-character keys (at 4x the data, counting the distinct keys cost a second): records sharing a number are one
    person only when they all carry one same national id, and a record without one is a person of its own (a record
    key given twice would at worst have the persons numbered in order for nothing)."""
    return con.execute("""
        SELECT count(*) = 0 FROM (
            SELECT person_number FROM ind_mecg_beneficiary GROUP BY person_number
            HAVING min(national_id_key) <> max(national_id_key)
                OR count(national_id_key) NOT IN (0, count(*))
                OR (count(national_id_key) = 0 AND count(*) > 1))""").fetchone()[0]
