"""The gate (data_pipeline.gate): every check is exercised with a real hostile file that the test builds itself."""

from __future__ import annotations

import io
import struct
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from data_pipeline.gate import Limits, inspect_bytes
from data_pipeline.gate.formulas import FormulaCell, formulas_in_sheet
from data_pipeline.gate.workbook import _sheet_parts
from tests.hostile_files import rezip


def check_upload(name: str, data: bytes, **limits) -> list[str]:
    """The gate's refusals of one file (the limits given in MB or parts, the rest the defaults)."""
    return inspect_bytes(name, data, Limits(**limits)).errors


def check_formulas(name: str, data: bytes):
    return inspect_bytes(name, data, Limits())


def formula_cells(xlsx: bytes) -> list[FormulaCell]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return [cell for sheet, part in _sheet_parts("x", archive) for cell in formulas_in_sheet(archive, sheet, part)]


# ------------------------------------------------------------------------------------------- files under test


def workbook_openpyxl(rows, sheet="data") -> bytes:
    """openpyxl stores formulas without a saved value (it never calculates)."""
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_with_cached_formula() -> bytes:
    """XlsxWriter stores a formula together with the value Excel would have saved."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Beneficiaries")
    sheet.write_row("A1", ["province", "women"])
    sheet.write_row("A2", ["LA-AT", 5])
    sheet.write_row("A3", ["LA-VT", 7])
    sheet.write_formula("B4", "=SUM(B2:B3)", None, 12)
    book.close()
    return buffer.getvalue()


def zip_bomb(uncompressed_bytes: int) -> bytes:
    """A workbook whose sheet is a long run of zeros: tiny on disk, huge once expanded."""
    valid = workbook_openpyxl([["a"]])
    return rezip(valid, replace={"xl/worksheets/sheet1.xml": bytes(uncompressed_bytes)})


def with_declared_size(xlsx: bytes, member: str, declared: int) -> bytes:
    """Forge the size the ZIP central directory declares for ``member`` (the bytes themselves are unchanged)."""
    data = bytearray(xlsx)
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        name = bytes(data[position + 46 : position + 46 + name_length]).decode()
        if name == member:
            struct.pack_into("<I", data, position + 24, declared)
            return bytes(data)
        position += 4
    raise AssertionError(f"{member} not found")


def png_image() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def elf_program() -> bytes:
    return Path(sys.executable).resolve().read_bytes()[:8192]


def parquet_file() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"province": ["LA-AT"], "women": [5]}), buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ check_upload


def test_ordinary_files_of_each_accepted_kind_pass():
    assert check_upload("returns.xlsx", workbook_openpyxl([["province", "women"], ["LA-AT", 5]])) == []
    assert check_upload("returns.csv", "province,women\nLA-AT,-2\nLA-VT,+3.5\n".encode("utf-8-sig")) == []
    assert check_upload("returns.parquet", parquet_file()) == []


def test_size_limit_names_the_file_and_both_sizes():
    problems = check_upload("big.csv", b"a,b\n" * 300_000, max_file_mb=1)
    assert problems == ["big.csv: 1.1 MB is more than the 1.0 MB allowed for one file."]


def test_empty_file_is_refused():
    assert check_upload("empty.csv", b"") == ["empty.csv: the file is empty."]


@pytest.mark.parametrize(
    "name, advice",
    [
        ("tool.exe", "not accepted"),
        ("macros.xlsm", "Macro-enabled"),
        ("old.xls", "Save it as .xlsx"),
        ("README", "'no extension' files"),
    ],
)
def test_only_xlsx_csv_parquet_extensions(name, advice):
    problems = check_upload(name, b"anything")
    assert len(problems) == 1 and problems[0].startswith(name + ":") and advice in problems[0]


@pytest.mark.parametrize("name", ["returns.xlsx", "returns.csv", "returns.parquet"])
def test_a_png_renamed_is_refused_and_named(name):
    problems = check_upload(name, png_image())
    assert len(problems) == 1 and "PNG image" in problems[0]


@pytest.mark.parametrize("name", ["returns.xlsx", "returns.csv", "returns.parquet"])
def test_a_program_renamed_is_refused_and_named(name):
    problems = check_upload(name, elf_program())
    assert len(problems) == 1 and "Linux program" in problems[0]


def test_a_windows_program_renamed_is_refused_but_a_csv_starting_with_mz_is_not():
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(50) + b"This program cannot be run"
    assert "Windows program" in check_upload("returns.csv", program)[0]
    assert "Windows program" in check_upload("returns.xlsx", program)[0]
    assert check_upload("returns.csv", b"MZ_code,women\nA1,5\n") == []


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "hello")
    assert check_upload("returns.xlsx", buffer.getvalue()) == [
        "returns.xlsx: this ZIP file is not an Excel workbook (no xl/workbook.xml)."
    ]


def test_zip_bomb_is_refused_from_its_directory(tmp_path):
    bomb = zip_bomb(12 * 1024 * 1024)
    assert len(bomb) < 100_000  # tiny on disk
    problems = check_upload("bomb.xlsx", bomb, max_uncompressed_mb=10)
    assert problems == [
        "bomb.xlsx: the workbook would expand to 12.0 MB, more than the 10.0 MB allowed (a 'ZIP bomb', "
        "or far too large a workbook)."
    ]


def test_zip_bomb_ratio_alone_is_enough():
    problems = check_upload("bomb.xlsx", zip_bomb(4 * 1024 * 1024))  # under the size limit, ratio ~1000:1
    assert len(problems) == 1 and "ZIP bomb" in problems[0]


def test_declared_size_above_the_limit_is_refused_without_expanding():
    forged = with_declared_size(workbook_openpyxl([["a"]]), "xl/worksheets/sheet1.xml", 300 * 1024 * 1024)
    problems = check_upload("forged.xlsx", forged, max_uncompressed_mb=200)
    assert len(problems) == 1 and "would expand to 300.0 MB" in problems[0] and "200.0 MB" in problems[0]


def test_a_directory_that_understates_the_size_is_caught_when_streaming():
    bomb = zip_bomb(3 * 1024 * 1024)
    lying = with_declared_size(bomb, "xl/worksheets/sheet1.xml", 1000)  # claims 1 kB, holds 3 MB of zeros
    problems = check_upload("lying.xlsx", lying)
    assert len(problems) == 1 and "damaged" in problems[0]


def test_too_many_parts_is_refused():
    crowded = rezip(workbook_openpyxl([["a"]]), add={f"xl/extra/{i}.xml": b"<a/>" for i in range(30)})
    problems = check_upload("crowded.xlsx", crowded, max_parts=20)
    assert len(problems) == 1 and "more than the 20 allowed" in problems[0]


def test_workbook_with_macros_is_refused():
    with_macros = rezip(workbook_openpyxl([["a"]]), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake macro"})
    problems = check_upload("returns.xlsx", with_macros)
    assert len(problems) == 1 and "contains macros (vbaProject.bin" in problems[0]


def test_csv_must_be_utf8_text():
    assert check_upload("utf16.csv", "province,women\n".encode("utf-16")) == [
        "utf16.csv: the file contains NUL bytes (binary data, or UTF-16 text); save it as 'CSV UTF-8'."
    ]
    latin = "province,name\nLA-AT,Sékong\n".encode("latin-1")
    problems = check_upload("latin.csv", latin)
    assert len(problems) == 1 and "line 2 is not UTF-8" in problems[0]


@pytest.mark.parametrize("second_byte, ok", [(b"\xa9", True), (b"A", False)])
def test_a_character_cut_by_the_gates_read_chunk_is_checked_whole(second_byte, ok):
    # The gate reads 1 MiB at a time and skips decoding ASCII chunks: a chunk that ends inside a character must
    # still have the next one (ASCII or not) decoded, so that character is checked.
    head = b"province,name\n" + b"a" * (2**20 - 15) + b"\xc3"  # 1 MiB, ending with the first byte of 'é'
    problems = check_upload("cut.csv", head + second_byte + b"bc\nLA-AT,x\n")
    assert problems == ([] if ok else [problems[0]]) and (ok or "line 2 is not UTF-8" in problems[0])


def test_parquet_must_be_whole():
    whole = parquet_file()
    problems = check_upload("cut.parquet", whole[:-20] + b"PAR1")
    assert len(problems) == 1 and "damaged" in problems[0]
    assert check_upload("noend.parquet", whole[:-4]) == [
        "noend.parquet: the Parquet file is cut short or damaged (it does not end with PAR1)."
    ]


# ----------------------------------------------------------------------------------------------------- formulas


def test_formula_with_saved_value_is_read_as_that_value_with_a_warning():
    book = workbook_with_cached_formula()
    assert formula_cells(book) == [FormulaCell("Beneficiaries", "B4", "SUM(B2:B3)", "12")]
    report = check_formulas("returns.xlsx", book)
    assert report.errors == []
    assert report.warnings == [
        "returns.xlsx, sheet 'Beneficiaries', cell B4: formula =SUM(B2:B3); its saved "
        "value is used (formulas are never recalculated here)."
    ]
    assert check_upload("returns.xlsx", book) == []


def test_formula_without_saved_value_is_refused_naming_sheet_and_cell():
    book = workbook_openpyxl([["province", "women"], ["LA-AT", 5], ["total", "=B2*2"]], sheet="Women")
    assert formula_cells(book) == [FormulaCell("Women", "B3", "B2*2", None)]
    problems = check_upload("returns.xlsx", book)
    assert len(problems) == 1
    assert problems[0].startswith("returns.xlsx, sheet 'Women', cell B3: the formula =B2*2 has no saved value")


def test_text_that_looks_like_a_formula_is_not_a_formula_cell():
    book = workbook_openpyxl([["remark"], ["'=cmd|' /C calc'!A0"]])
    assert formula_cells(book) == []


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.mark.parametrize(
    "sheet_xml, expected",
    [
        (  # a shared formula: written once, referenced by id in the next cell
            f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="2"><c r="B2"><f t="shared" ref="B2:B3" si="0">A2*2</f>'
            '<v>4</v></c></row><row r="3"><c r="B3"><f t="shared" si="0"/><v>6</v></c></row></sheetData></worksheet>',
            [FormulaCell("data", "B2", "A2*2", "4"), FormulaCell("data", "B3", "A2*2 (shared)", "6")],
        ),
        (  # a prefixed namespace, as some non-Excel writers produce
            f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData><x:row r="1"><x:c r="A1" t="str"><x:f>"a"&amp;"b"</x:f>'
            "</x:c></x:row></x:sheetData></x:worksheet>",
            [FormulaCell("data", "A1", '"a"&"b"', None)],
        ),
        (  # a start tag too far from its formula to cut out: the whole sheet is parsed instead
            f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="C1" note="{"x" * 5000}"><f>1/0</f>'
            '<v>#DIV/0!</v></c><c r="D1"><v>5</v></c></row></sheetData></worksheet>',
            [FormulaCell("data", "C1", "1/0", "#DIV/0!")],
        ),
    ],
)
def test_formula_cells_in_hand_written_sheets(sheet_xml, expected):
    book = rezip(workbook_openpyxl([["a"]]), replace={"xl/worksheets/sheet1.xml": sheet_xml.encode()})
    assert formula_cells(book) == expected


def test_sheet_with_an_entity_declaration_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        b'<c r="A1"><f>1+1</f><v>&lol2;</v></c></row></sheetData></worksheet>'
    )
    book = rezip(workbook_openpyxl([["a"]]), replace={"xl/worksheets/sheet1.xml": laughs})
    report = check_formulas("laughs.xlsx", book)
    assert len(report.errors) == 1 and "DTD" in report.errors[0]


def test_a_dtd_in_a_sheet_part_without_the_xml_extension_is_refused_too():
    """The workbook's relationships, not the part's name, make it a sheet: every sheet's prolog is parsed."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    )
    book = workbook_openpyxl([["a"]])
    renamed = rezip(
        book,
        replace={
            "xl/_rels/workbook.xml.rels": zipfile.ZipFile(io.BytesIO(book))
            .read("xl/_rels/workbook.xml.rels")
            .replace(b"worksheets/sheet1.xml", b"worksheets/sheet1.data")
        },
        add={"xl/worksheets/sheet1.data": laughs},
    )
    problems = check_upload("renamed_part.xlsx", renamed)
    assert problems == [
        "renamed_part.xlsx: part xl/worksheets/sheet1.data declares a DTD or entities (DTDForbidden); "
        "workbooks saved by Excel never do. Save it again from Excel."
    ]
