"""Keyed hashing of identifier columns in bulk, identical to ``data_pipeline.secrets.pseudonymise`` value for value.

HMAC-SHA256 is H((K ^ opad) || H((K ^ ipad) || m)). Only distinct values are hashed (a ledger repeats each
beneficiary's id on every payment), except in a key column, where every value is distinct and each row is hashed in
place (no DISTINCT, no join). ASCII identifiers (all of them in practice) are hashed by DuckDB's sha256, in
parallel, without leaving the database; any other text in Python, where str.split and str.upper define the
normalisation for every Unicode character (the keyed prefix states computed once and copied per value).
"""

from __future__ import annotations

import hashlib

import pyarrow as pa

_BLOCK = 64  # SHA-256 block size in bytes


def _keyed_states(key: bytes):
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    return inner, outer


def pseudonymise_many(values: list[str], key: bytes) -> list[str]:
    """Hex HMAC-SHA256 of each identifier after the same normalisation as ``secrets.pseudonymise``."""
    inner, outer = _keyed_states(key)
    hashes = []
    for value in values:
        normalised = "".join(value.split()).upper().encode()
        h_inner = inner.copy()
        h_inner.update(normalised)
        h_outer = outer.copy()
        h_outer.update(h_inner.digest())
        hashes.append(h_outer.hexdigest())
    return hashes


# What str.split() treats as whitespace among ASCII characters (RE2 syntax): removed before hashing.
_ASCII_WHITESPACE = r"[ \t\n\r\x0b\x0c\x1c-\x1f]"


def hmac_sql(value: str, key: bytes) -> str:
    """SQL giving the hex HMAC-SHA256 of the ASCII text ``value``, normalised as ``secrets.pseudonymise`` does."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner_key, outer_key = bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex()
    message = f"encode(upper(regexp_replace({value}, '{_ASCII_WHITESPACE}', '', 'g')))"
    return f"sha256(unhex('{outer_key}') || unhex(sha256(unhex('{inner_key}') || {message})))"


def create_pseudonym_table(con, name: str, source_sql: str, key: bytes, *, non_ascii_only: bool = False) -> int:
    """Temp table ``name`` (clear, hashed): the distinct non-blank values of a one-column query, for a join; with
    ``non_ascii_only`` only the values ``hmac_sql`` cannot hash (the caller hashes the others in place). Returns its
    number of rows."""
    ascii_hashed = "CAST(NULL AS VARCHAR)" if non_ascii_only else hmac_sql("clear", key)
    only = " AND strlen(v) <> length(v)" if non_ascii_only else ""
    con.execute(f"""CREATE TEMP TABLE {name} AS
        SELECT clear, CASE WHEN strlen(clear) = length(clear) THEN {ascii_hashed} END AS hashed
        FROM (SELECT DISTINCT v AS clear FROM ({source_sql}) t(v) WHERE v IS NOT NULL{only})""")
    others = [r[0] for r in con.execute(f"SELECT clear FROM {name} WHERE hashed IS NULL").fetchall()]
    if others:
        hashed = pa.table(
            {"clear": pa.array(others, pa.string()), "hashed": pa.array(pseudonymise_many(others, key), pa.string())}
        )
        con.register(f"{name}_others", hashed)
        con.execute(f"UPDATE {name} SET hashed = o.hashed FROM {name}_others o WHERE {name}.clear = o.clear")
        con.unregister(f"{name}_others")
    return con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
