"""A small corpus of hostile returns, made on demand (nothing hostile is committed): each entry is a file name, its
bytes, and a phrase the refusal must contain (None: the policy lets it through, read safely).

    python tests/hostile_files.py OUT_DIR     # writes the corpus, e.g. for bench/benchmark_gate.py
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from data_pipeline.contracts import all_contracts
from tests.ingest_fixtures import minimal_return

# Refused once the gate's file limit is set this low (tests set SP_GATE_MAX_FILE_MB; the file is 0.2 MB).
SMALL_FILE_LIMIT_MB = "0.1"
FORMULA_TEXT = "=cmd|' /C calc'!A0"
FORMULA_NAME = "=HYPERLINK(x)_roadmap.csv"
LONG_NAME = "r" * 230 + ".csv"  # a name a file system can hold, longer than the 200 characters accepted


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    refusal: str | None  # a phrase of the refusal; None when the file is read (safely)
    by_reader: bool = False  # refused by the reader (past the gate), not by the gate itself


def workbook(rows: list[list], sheet: str = "data", far_cell: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    if far_cell:
        book.active[far_cell] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(xlsx: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def roadmap_rows(description: str = "Publish the quarterly dashboard") -> list[list]:
    rows = minimal_return(all_contracts()["roadmap_actions"])
    column = rows[0].index("description")
    rows[1][column] = description
    return rows


def csv_text(rows: list[list]) -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def corpus() -> list[Hostile]:
    plain = workbook(roadmap_rows(), sheet="roadmap")
    content_types = zipfile.ZipFile(io.BytesIO(plain)).read("[Content_Types].xml")
    macro_types = content_types.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    big_csv = csv_text(roadmap_rows()) + b"# padding\n" * 20_000
    return [
        Hostile("far_cell.xlsx", workbook(roadmap_rows(), far_cell="XFD1048576"), "1,048,576 rows × 16,384 columns"),
        Hostile(
            "zip_bomb.xlsx", rezip(plain, replace={"xl/worksheets/sheet1.xml": bytes(60 * 1024 * 1024)}), "ZIP bomb"
        ),
        Hostile(
            "macros_renamed.xlsx",
            rezip(
                plain,
                replace={"[Content_Types].xml": macro_types},
                add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"},
            ),
            "macros",
        ),
        Hostile("macro_enabled.xlsm", plain, "'.xlsm' files are not accepted"),
        Hostile(
            "external_links.xlsx",
            rezip(plain, add={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}),
            "external links",
        ),
        Hostile("entities.xlsx", rezip(plain, replace={"xl/worksheets/sheet1.xml": laughs}), "declares a DTD"),
        Hostile("huge.csv", big_csv, "allowed for one file"),
        Hostile("unsaved_formula.xlsx", workbook(roadmap_rows() + [["=1+1"]], sheet="roadmap"), "has no saved value"),
        Hostile("program.csv", Path(sys.executable).resolve().read_bytes()[:8192], "Linux program"),
        Hostile(LONG_NAME, csv_text(roadmap_rows()), "characters long"),
        Hostile(
            "one_wide_line.csv", b"action_id" + b"," * 60_000 + b"\n", "more than the 1,000 columns", by_reader=True
        ),
        Hostile(FORMULA_NAME, csv_text(roadmap_rows(FORMULA_TEXT)), None),
    ]


# Names only an upload can carry (no file system stores them).
UPLOAD_ONLY = [
    Hostile("roadmap\x00.csv", b"action_id\nA1\n", "control characters"),
    Hostile("q" * 300 + ".xlsx", b"PK", "characters long"),
]


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for hostile in corpus():
        (out / hostile.name).write_bytes(hostile.data)
    print(f"{len(corpus())} hostile files written to {out}")
