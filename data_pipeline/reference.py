"""Geography harmonisation: any way a ministry writes a province or district -> ISO 3166-2:LA / LSB 4-digit code.

No romanisation of Lao is standard and Lao script itself varies, so matching goes in steps, most certain first:
exact spellings from the reference lists (English, ISO name, other spellings, Lao script, codes), then the alias CSVs in
``data_pipeline/reference/``, then a phonetic fold of common romanisation variants (x/s, ou/u, ay/ai, b/v, doubled
letters, final e...; in Lao script tone marks and ຣ/ລ) accepted only when it points to a single province, or a single
district of the row's province. District names repeat across provinces (two Xaysetha, two Viengkham, two Phonthong), so
a district is always matched *within* its province.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import settings

REFERENCE_DIR = settings.REFERENCE_DIR
# Typed columns of the reference tables; every other column is text ("01", "0101": leading zeros belong to LSB codes).
_TYPED_COLUMNS = {"provinces": {"districts": "BIGINT", "population_2015": "BIGINT"}}

_LAO_LETTERS = re.compile("[\u0e80-\u0eff]")
# Lao spellings that vary in practice: the ligatures ໜ ໝ and the subscript lo are also written as two letters.
_LAO_VARIANTS = (("\u0edc", "\u0eab\u0e99"), ("\u0edd", "\u0eab\u0ea1"), ("\u0ebc", "\u0ea5"))
_PROVINCE_WORDS = {"province", "prov", "khoueng", "khouaeng", "of", "the"}
_LAO_PROVINCE_WORD = "\u0ec1\u0e82\u0ea7\u0e87"  # ແຂວງ
_DISTRICT_WORDS = {"district", "dist", "muang", "meuang", "mueang", "of", "the"}
_LAO_DISTRICT_WORD = "\u0ec0\u0ea1\u0eb7\u0ead\u0e87"  # ເມືອງ


def _fold(text: object) -> str:
    """Lower case; accents removed from Latin text (Lao vowel and tone marks are kept: they are letters there)."""
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    if _LAO_LETTERS.search(folded):
        for variant, standard in _LAO_VARIANTS:
            folded = folded.replace(variant, standard)
        return folded
    return "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))


def _compact(text: str) -> str:
    """Letters, marks and digits only: 'Luang-Namtha', 'Luang Namtha' and 'LuangNamtha' compare equal."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LMN")


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z\u0e80-\u0eff]+", text) if w]


def place_key(text: object) -> str:
    """The exact comparison key of a place name or code (case, accents, spaces and hyphens ignored)."""
    return _compact(_fold(text))


def _key_without(text: object, words: set[str], lao_word: str) -> str:
    """The key with generic words ('Province', 'District', 'Muang', ແຂວງ, ເມືອງ) removed."""
    folded = _fold(text)
    if _LAO_LETTERS.search(folded):
        return _compact(folded).replace(lao_word, "")
    kept = [w for w in _words(folded) if w not in words]
    key = _compact("".join(kept))
    for word in ("district",):  # the LSB list glues it on: "Sisattanakdistrict"
        if key.endswith(word) and len(key) > len(word):
            key = key[: -len(word)]
    return key


_LAO_TONE_MARKS = re.compile("[\u0ec8-\u0ecb]")


def _phonetic_fold(key: str) -> str:
    """Fold the usual alternations of Lao romanisation in a place key (Lao script: tone marks and ຣ/ລ)."""
    if _LAO_LETTERS.search(key):
        return _LAO_TONE_MARKS.sub("", key).replace("\u0ea3", "\u0ea5")
    for old, new in (
        ("x", "s"),
        ("ou", "u"),
        ("oo", "u"),
        ("ee", "i"),
        ("ie", "i"),
        ("ay", "ai"),
        ("ey", "ei"),
        ("oy", "oi"),
        ("uy", "ui"),
        ("ia", "i"),
        ("w", "v"),
        ("b", "v"),
        ("r", "l"),
        ("ck", "k"),
        ("q", "k"),
        ("kh", "k"),
    ):
        key = key.replace(old, new)
    key = re.sub(r"(.)\1+", r"\1", key)  # doubled letters: Sisattanak / Sisatanak
    key = key[:-1] + "i" if key.endswith("y") and len(key) > 3 else key  # Phongsaly / Phongsali
    key = key[:-1] if key.endswith("nh") else key  # Saravanh / Saravan
    return key[:-1] if key.endswith("e") and len(key) > 3 else key  # Saravane / Saravan


def phonetic_key(text: object) -> str:
    """A looser key for romanised district names: folds the usual alternations of Lao romanisation."""
    return _phonetic_fold(_key_without(text, _DISTRICT_WORDS, _LAO_DISTRICT_WORD))


def province_phonetic_key(text: object) -> str:
    """The same looser key for province names ('Province', 'Khoueng', ແຂວງ left out)."""
    return _phonetic_fold(_key_without(text, _PROVINCE_WORDS, _LAO_PROVINCE_WORD))


@dataclass(frozen=True)
class Province:
    iso_code: str
    lsb_code: str
    name_en: str
    name_lo: str


@dataclass(frozen=True)
class District:
    lsb_code: str
    province_iso: str
    name_en: str


def reference_rows(table: str) -> list[dict[str, str]]:
    """The rows of a reference table ("provinces", "districts", "province_aliases", "district_aliases"), as text."""
    with (REFERENCE_DIR / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def reference_select(table: str) -> str:
    """The one typed reading of a reference table, as a DuckDB SELECT (codes text, counts integers)."""
    typed = _TYPED_COLUMNS.get(table, {})
    with (REFERENCE_DIR / f"{table}.csv").open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    columns = ", ".join(f'CAST("{c}" AS {typed[c]}) AS "{c}"' if c in typed else f'"{c}"' for c in header)
    path = str(REFERENCE_DIR / f"{table}.csv").replace("'", "''")
    return f"SELECT {columns} FROM read_csv('{path}', all_varchar = true, header = true)"


def reference_table(table: str):
    """A reference table with its types, as a pyarrow Table (for callers without a DuckDB connection)."""
    import duckdb

    with duckdb.connect() as con:
        return con.sql(reference_select(table)).to_arrow_table()


def load_reference_tables(con) -> None:
    """Create (or replace) the typed ``provinces`` and ``districts`` tables in a DuckDB connection."""
    for table in ("provinces", "districts"):
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {reference_select(table)}")


@cache
def provinces() -> dict[str, Province]:
    """ISO code -> province, in LSB order."""
    return {
        r["iso_code"]: Province(r["iso_code"], r["lsb_code"], r["name_en"], r["name_lo"])
        for r in reference_rows("provinces")
    }


@cache
def districts() -> dict[str, District]:
    """LSB 4-digit code -> district."""
    return {
        r["lsb_code"]: District(r["lsb_code"], r["province_iso"], r["name_en"]) for r in reference_rows("districts")
    }


def _add(index: dict[str, str], key: str, code: str, what: str) -> None:
    if not key:
        return
    if index.get(key, code) != code:
        raise ValueError(f"reference data: {what} spelling key {key!r} means both {index[key]} and {code}")
    index[key] = code


@cache
def _province_index() -> tuple[dict[str, str], dict[str, str]]:
    """(exact key -> ISO code, key without 'province' words -> ISO code). Exact keys win: 'Viangchan' is the capital
    but 'Viangchan Province' is the province."""
    exact: dict[str, str] = {}
    for row in reference_rows("provinces"):
        iso = row["iso_code"]
        spellings = [
            iso,
            row["lsb_code"],
            row["name_en"],
            row["name_lo"],
            row["iso_name"],
            *row["other_spellings"].split(";"),
        ]
        for spelling in spellings:
            _add(exact, place_key(spelling), iso, "province")
    for row in reference_rows("province_aliases"):
        _add(exact, place_key(row["alias"]), row["iso_code"], "province")
    loose: dict[str, str] = {}
    ambiguous: set[str] = set()
    for row in reference_rows("provinces"):
        for spelling in [row["name_en"], row["name_lo"], row["iso_name"], *row["other_spellings"].split(";")]:
            key = _key_without(spelling, _PROVINCE_WORDS, _LAO_PROVINCE_WORD)
            if key in exact and exact[key] != row["iso_code"]:
                continue  # stripping 'Province' would collide with an exact spelling of another province
            if loose.get(key, row["iso_code"]) != row["iso_code"]:
                ambiguous.add(key)
            loose[key] = row["iso_code"]
    for key in ambiguous:
        del loose[key]
    return exact, loose


@cache
def _province_phonetic_index() -> dict[str, set[str]]:
    """Phonetic key -> every province one of whose spellings folds to it (more than one: ambiguous)."""
    index: dict[str, set[str]] = {}
    spellings = [
        (r["iso_code"], s)
        for r in reference_rows("provinces")
        for s in [r["name_en"], r["name_lo"], r["iso_name"], *r["other_spellings"].split(";")]
    ]
    spellings += [(r["iso_code"], r["alias"]) for r in reference_rows("province_aliases")]
    for iso, spelling in spellings:
        key = province_phonetic_key(spelling)
        if key:
            index.setdefault(key, set()).add(iso)
    return index


def province_match(name: object) -> tuple[str | None, str]:
    """(ISO code or None, how it matched: 'exact', 'phonetic', 'ambiguous' or 'unknown')."""
    if name is None or str(name).strip() == "":
        return None, "unknown"
    text = str(name).strip()
    if re.fullmatch(r"\d{1,2}", text):  # LSB code with or without its leading zero
        text = f"{int(text):02d}"
    exact, loose = _province_index()
    key = place_key(text)
    if key in exact:
        return exact[key], "exact"
    stripped = _key_without(text, _PROVINCE_WORDS, _LAO_PROVINCE_WORD)
    if code := exact.get(stripped) or loose.get(stripped):
        return code, "exact"
    candidates = _province_phonetic_index().get(province_phonetic_key(text), set())
    if len(candidates) == 1:
        return next(iter(candidates)), "phonetic"
    return None, "ambiguous" if candidates else "unknown"


def province_code(name: object) -> str | None:
    """ISO 3166-2:LA code of a province written any accepted way, or None when it is not recognised (or could be
    more than one province)."""
    return province_match(name)[0]


def closest_provinces(name: object, n: int = 3) -> list[str]:
    """The provinces a name not recognised most likely means, as "Name (ISO)", closest first (for "did you mean")."""
    text = str(name).strip()
    ambiguous = sorted(_province_phonetic_index().get(province_phonetic_key(text), set()))
    if ambiguous:
        found = ambiguous
    else:
        keys = _province_phonetic_index()
        close = difflib.get_close_matches(province_phonetic_key(text), list(keys), n=n * 2, cutoff=0.6)
        found = list(dict.fromkeys(iso for k in close for iso in sorted(keys[k])))[:n]
    return [f"{provinces()[iso].name_en} ({iso})" for iso in found]


@cache
def _district_index() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """Per province: (exact key -> LSB code, phonetic key -> LSB code, only where the phonetic key is unique)."""
    exact: dict[str, dict[str, str]] = {iso: {} for iso in provinces()}
    phonetic_all: dict[str, dict[str, set[str]]] = {iso: {} for iso in provinces()}
    spellings: list[tuple[str, str, str]] = []
    for row in reference_rows("districts"):
        spellings += [
            (row["province_iso"], row["lsb_code"], row["name_en"]),
            (row["province_iso"], row["lsb_code"], row["name_in_lsb_dsd"]),
        ]
    for row in reference_rows("district_aliases"):
        spellings.append((districts()[row["lsb_code"]].province_iso, row["lsb_code"], row["alias"]))
    for iso, code, spelling in spellings:
        _add(exact[iso], _key_without(spelling, _DISTRICT_WORDS, _LAO_DISTRICT_WORD), code, f"{iso} district")
        phonetic_all[iso].setdefault(phonetic_key(spelling), set()).add(code)
    phonetic = {
        iso: {k: next(iter(codes)) for k, codes in keys.items() if len(codes) == 1}
        for iso, keys in phonetic_all.items()
    }
    return exact, phonetic


def _district_code_from_digits(text: str) -> str | None:
    if re.fullmatch(r"\d{3,4}", text):
        code = f"{int(text):04d}"
        return code if code in districts() else None
    return None


def district_match(province_iso: str | None, name: object) -> tuple[str | None, str]:
    """(LSB code or None, how it matched: 'code', 'exact', 'phonetic', 'other_province' or 'unknown')."""
    if name is None or str(name).strip() == "" or province_iso not in provinces():
        return None, "unknown"
    text = str(name).strip()
    code = _district_code_from_digits(text)
    if code is not None:
        return (code, "code") if districts()[code].province_iso == province_iso else (None, "other_province")
    exact, phonetic = _district_index()
    key = _key_without(text, _DISTRICT_WORDS, _LAO_DISTRICT_WORD)
    if key in exact[province_iso]:
        return exact[province_iso][key], "exact"
    loose = phonetic_key(text)
    if loose in phonetic[province_iso]:
        return phonetic[province_iso][loose], "phonetic"
    if district_elsewhere(text):
        return None, "other_province"
    return None, "unknown"


def district_code(province_iso: str | None, name: object) -> str | None:
    """LSB 4-digit code of a district of ``province_iso`` written any accepted way; None when not found there."""
    return district_match(province_iso, name)[0]


def district_elsewhere(name: object) -> list[str]:
    """Every "LSB code name (province ISO)" the name could mean in any province: for error messages."""
    text = str(name).strip()
    code = _district_code_from_digits(text)
    if code is not None:
        found = [code]
    else:
        exact, _ = _district_index()
        key = _key_without(text, _DISTRICT_WORDS, _LAO_DISTRICT_WORD)
        found = sorted({keys[key] for keys in exact.values() if key in keys})
    return [f"{c} {districts()[c].name_en} ({districts()[c].province_iso})" for c in found]


def register_reference_tables(con) -> None:
    """Create (or replace) ``provinces``, ``districts``, ``province_aliases`` and ``district_aliases`` in a DuckDB
    connection. The alias tables hold every accepted spelling's key (see ``place_key``) and the code it means."""
    import pyarrow as pa

    load_reference_tables(con)
    exact, loose = _province_index()
    aliases = {**loose, **exact}
    con.register("_pa", pa.table({"alias_key": list(aliases), "iso_code": list(aliases.values())}))
    con.execute("CREATE OR REPLACE TABLE province_aliases AS SELECT * FROM _pa ORDER BY iso_code, alias_key")
    con.unregister("_pa")
    district_exact, _ = _district_index()
    rows = [(iso, key, code) for iso, keys in district_exact.items() for key, code in keys.items()]
    con.register(
        "_da",
        pa.table(
            {"province_iso": [r[0] for r in rows], "alias_key": [r[1] for r in rows], "lsb_code": [r[2] for r in rows]}
        ),
    )
    con.execute("CREATE OR REPLACE TABLE district_aliases AS SELECT * FROM _da ORDER BY lsb_code, alias_key")
    con.unregister("_da")
