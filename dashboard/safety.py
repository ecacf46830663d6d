"""Safety at the edges of the upload page: what an uploaded file may be, where it is written, how its name is shown.

* ``check_upload(name, data)`` — problems that reject a file before any reader touches it: size, extension, content
  that is not what the extension says (a renamed program or image), a ZIP bomb disguised as a workbook (judged from
  the ZIP directory, then confirmed by streaming decompression with a budget — nothing is written out), macros,
  formulas without a saved value, and formula/DDE text in a CSV.
* ``formula_cells(xlsx)`` / ``check_formulas(name, xlsx)`` — formulas are never evaluated: a formula with a saved
  (cached) value is read as that value, with a warning naming the cell; one without a saved value is an error.
* ``safe_upload_path(directory, name)`` — an uploaded file's name never decides where it is written.
* ``plain_text(s)`` — user-supplied text (file, sheet names, messages) shown literally inside Markdown.
"""
from __future__ import annotations

import csv
import io
import os
import re
import secrets
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from xml.etree import ElementTree
from xml.parsers import expat

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1024 * 1024  # tiny members may compress extremely well without being a threat
MAX_ZIP_MEMBERS = 2000
ALLOWED_EXTENSIONS = (".xlsx", ".csv", ".parquet")

# What a file really is, from its first bytes; used to name a renamed file in the message.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-format (.xls) or password-protected Office file"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"PAR1", "a Parquet file"),
)
_SPREADSHEET_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                   "http://purl.oclc.org/ooxml/spreadsheetml/main")
_REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "http://purl.oclc.org/ooxml/officeDocument/relationships")


@dataclass(frozen=True)
class FormulaCell:
    sheet: str
    cell: str
    formula: str
    cached_value: str | None  # None: the workbook was saved without calculating this cell


@dataclass(frozen=True)
class FormulaReport:
    warnings: list[str]
    errors: list[str]


# ----------------------------------------------------------------------------------------------- check_upload

def check_upload(name: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_uncompressed: int = MAX_UNCOMPRESSED_BYTES, max_ratio: float = MAX_COMPRESSION_RATIO,
                 max_members: int = MAX_ZIP_MEMBERS) -> list[str]:
    """Why this upload must be refused (an empty list: it may be read). Each message names the file."""
    shown = upload_display_name(name)
    extension = PurePosixPath(shown).suffix.lower()
    if not data:
        return [f"{shown}: the file is empty."]
    if len(data) > max_bytes:
        return [f"{shown}: {_megabytes(len(data))} is more than the {_megabytes(max_bytes)} allowed for one file."]
    if extension not in ALLOWED_EXTENSIONS:
        hint = {".xlsm": " Macro-enabled workbooks are not accepted: save as .xlsx (Excel Workbook).",
                ".xls": " Save it as .xlsx (Excel Workbook) and upload again."}.get(extension, "")
        return [f"{shown}: '{extension or 'no extension'}' files are not accepted; send "
                f"{', '.join(ALLOWED_EXTENSIONS)}.{hint}"]
    if extension == ".xlsx":
        problems = _check_xlsx(shown, data, max_uncompressed, max_ratio, max_members)
        return problems or check_formulas(shown, data).errors
    if extension == ".csv":
        return _check_csv(shown, data)
    return _check_parquet(shown, data, max_uncompressed)


def _check_xlsx(shown: str, data: bytes, max_uncompressed: int, max_ratio: float, max_members: int) -> list[str]:
    if not data.startswith(b"PK\x03\x04"):
        return [f"{shown}: this is not an Excel workbook (.xlsx){_looks_like(data)}."]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return [f"{shown}: the workbook is damaged (its ZIP structure cannot be read); save it again from Excel."]
    if len(members) > max_members:
        return [f"{shown}: the workbook holds {len(members)} parts, more than the {max_members} allowed."]
    names = {m.filename for m in members}
    problems = []
    if any(PurePosixPath(n).name.lower() == "vbaproject.bin" for n in names):
        problems.append(f"{shown}: the workbook contains macros (vbaProject.bin); macros are not accepted. "
                        "Save it as .xlsx (Excel Workbook) without macros.")
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        problems.append(f"{shown}: this ZIP file is not an Excel workbook (no xl/workbook.xml).")
    if any(m.flag_bits & 0x1 for m in members):
        problems.append(f"{shown}: the workbook has encrypted parts; remove the password and save again.")
    total = sum(m.file_size for m in members)
    if total > max_uncompressed:
        problems.append(f"{shown}: the workbook would expand to {_megabytes(total)}, more than the "
                        f"{_megabytes(max_uncompressed)} allowed (a 'ZIP bomb', or far too large a workbook).")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECK_FROM_BYTES and ratio > max_ratio:
            problems.append(f"{shown}: part {member.filename} expands {ratio:,.0f} times "
                            f"(more than {max_ratio:g} times is refused as a 'ZIP bomb').")
            break
    if problems:
        return problems
    return _confirm_sizes(shown, archive, max_uncompressed)


def _confirm_sizes(shown: str, archive: zipfile.ZipFile, budget: int) -> list[str]:
    """Decompress every part in memory, chunk by chunk, to prove the directory's sizes are true.

    zipfile stops at the declared size and checks the CRC, so a part that expands beyond what it declares (a
    forged directory) fails here instead of inside the spreadsheet reader.
    """
    spent = 0
    try:
        for member in archive.infolist():
            with archive.open(member) as part:
                while chunk := part.read(1 << 20):
                    spent += len(chunk)
                    if spent > budget:
                        return [f"{shown}: the workbook expands beyond {_megabytes(budget)}; refused."]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
        return [f"{shown}: the workbook is damaged ({error}); save it again from Excel."]
    return []


def _check_csv(shown: str, data: bytes) -> list[str]:
    if (kind := _sniff(data)) is not None:
        return [f"{shown}: this is {kind}, not a CSV text file."]
    if b"\x00" in data:
        return [f"{shown}: the file contains NUL bytes (binary data, or UTF-16 text); save it as 'CSV UTF-8'."]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        return [f"{shown}: line {line} is not UTF-8 text; in Excel choose 'Save as' → 'CSV UTF-8 (comma delimited)'."]
    return [f"{shown}: row {row}, column {column}: {_quote(cell)} looks like a spreadsheet formula; returns must "
            "hold values, not formulas." for row, column, cell in csv_formula_cells(text)[:20]]


_NUMBER = re.compile(r"^[+-]?\s*(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?$")


def csv_formula_cells(text: str) -> list[tuple[int, int, str]]:
    """(row, column, text) of CSV cells a spreadsheet would run as a formula or DDE command (1-based).

    "=…" and "@…" always; "+…"/"-…" only when they are not a plain number and hold a call or link (``(``, ``|``,
    ``!``), so "-2", "+856" and "- none" stay ordinary text.
    """
    found = []
    for row_number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        for column_number, cell in enumerate(row, start=1):
            stripped = cell.lstrip(" \t\r")
            if not stripped:
                continue
            if stripped[0] in "=@" and len(stripped) > 1:
                found.append((row_number, column_number, cell))
            elif (stripped[0] in "+-" and not _NUMBER.match(stripped)
                  and any(mark in stripped for mark in "(|!")):
                found.append((row_number, column_number, cell))
    return found


def _check_parquet(shown: str, data: bytes, max_uncompressed: int) -> list[str]:
    if not data.startswith(b"PAR1"):
        return [f"{shown}: this is not a Parquet file{_looks_like(data)}."]
    if len(data) < 12 or not data.endswith(b"PAR1"):
        return [f"{shown}: the Parquet file is cut short or damaged (it does not end with PAR1)."]
    import pyarrow.parquet as pq  # only here: the other checks must not need pyarrow

    try:
        metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception as error:  # pyarrow raises several types for damaged footers
        return [f"{shown}: the Parquet file is damaged ({error})."]
    expanded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if expanded > max_uncompressed:
        return [f"{shown}: the Parquet file would expand to {_megabytes(expanded)}, more than the "
                f"{_megabytes(max_uncompressed)} allowed."]
    return []


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"MZ") and b"\x00" in data[:64]:  # a DOS/PE header; "MZ" alone could start a CSV header
        return "a Windows program (.exe/.dll)"
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)


def _looks_like(data: bytes) -> str:
    kind = _sniff(data)
    return f": it is {kind} with a changed extension" if kind else ""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def _quote(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


# ----------------------------------------------------------------------------------------------------- formulas

def formula_cells(xlsx: bytes) -> list[FormulaCell]:
    """Every formula cell of a workbook, with its saved value, read from the sheet XML (never evaluated).

    Call after ``check_upload`` has accepted the file (it bounds what decompression may cost).
    """
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        found: list[FormulaCell] = []
        for sheet_name, part in _sheet_parts(archive):
            found.extend(_formulas_in_sheet(archive, sheet_name, part))
        return found


def check_formulas(name: str, xlsx: bytes) -> FormulaReport:
    """The formula policy: saved value → warning naming the cell; no saved value → error naming the cell."""
    shown = upload_display_name(name)
    warnings, errors = [], []
    try:
        cells = formula_cells(xlsx)
    except (zipfile.BadZipFile, KeyError, ValueError, ElementTree.ParseError, expat.ExpatError) as error:
        return FormulaReport([], [f"{shown}: the workbook's sheets cannot be read ({error})."])
    for cell in cells:
        where = f"{shown}, sheet {cell.sheet!r}, cell {cell.cell}"
        if cell.cached_value is None:
            errors.append(f"{where}: the formula ={cell.formula} has no saved value. Open the file in Excel, let it "
                          "calculate, save and upload again (or replace the formula by its value).")
        else:
            warnings.append(f"{where}: formula ={cell.formula}; its saved value {cell.cached_value!r} is used "
                            "(formulas are never recalculated here).")
    return FormulaReport(warnings, errors)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _small_xml(archive: zipfile.ZipFile, part: str) -> ElementTree.Element:
    data = archive.read(part)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # workbooks never declare a DTD; entities are an attack
        raise ValueError(f"{part} declares a DTD")
    return ElementTree.fromstring(data)


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order, following xl/_rels/workbook.xml.rels."""
    workbook = _small_xml(archive, "xl/workbook.xml")
    targets = {}
    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        for rel in _small_xml(archive, "xl/_rels/workbook.xml.rels"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id")] = os.path.normpath(path).replace(os.sep, "/")
    sheets = []
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rel_id = next((element.get(f"{{{ns}}}id") for ns in _REL_NS if element.get(f"{{{ns}}}id")), None)
        part = targets.get(rel_id)
        if part and part in archive.namelist():
            sheets.append((element.get("name", "?"), part))
    return sheets


_FORMULA_TAG = re.compile(rb"<(\w+:)?f[\s>/]")
_CELL_START = re.compile(rb"<(\w+:)?c[\s>]")
_CELL_END = re.compile(rb"</(\w+:)?c\s*>")


def _has_formula_tag(stream) -> bool:
    tail = b""
    while chunk := stream.read(1 << 20):
        if _FORMULA_TAG.search(tail + chunk):
            return True
        tail = chunk[-16:]
    return False


def _formulas_in_sheet(archive: zipfile.ZipFile, sheet: str, part: str) -> list[FormulaCell]:
    """The formula cells of one sheet. DTDs are refused.

    Most returns have no formulas, and parsing every cell of a large sheet with expat takes seconds; so the sheet
    is first scanned as bytes, and only the <c> elements around each <f> tag are cut out and parsed. A sheet whose
    cells cannot be cut out cleanly is parsed whole.
    """
    with archive.open(part) as stream:
        if not _has_formula_tag(stream):
            return []
    xml = archive.read(part)  # within the budget check_upload has confirmed
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise ValueError(f"sheet {sheet!r} declares a DTD")
    snippets = _formula_cell_snippets(xml)
    document = b"<cells>" + b"".join(snippets) + b"</cells>" if snippets is not None else xml
    return _parse_formula_cells(sheet, document)


def _formula_cell_snippets(xml: bytes) -> list[bytes] | None:
    snippets, done_until = [], 0
    for tag in _FORMULA_TAG.finditer(xml):
        if tag.start() < done_until:
            continue
        starts = list(_CELL_START.finditer(xml, max(0, tag.start() - 4096), tag.start()))
        end = _CELL_END.search(xml, tag.end())
        if not starts or end is None:
            return None
        snippets.append(xml[starts[-1].start():end.end()])
        done_until = end.end()
    return snippets


def _parse_formula_cells(sheet: str, document: bytes) -> list[FormulaCell]:
    found: list[FormulaCell] = []
    shared: dict[str, str] = {}
    cell: dict = {}
    reading: list = [None, []]  # [name of the element whose text is being collected, text pieces]

    def refuse_dtd(*_):
        raise ValueError(f"sheet {sheet!r} declares a DTD")

    def start(tag, attrs):
        local = tag.rsplit(":", 1)[-1]
        if local == "c":
            cell.clear()
            cell.update(ref=attrs.get("r", "?"), formula=None, value=None, shared_id=None)
        elif local in ("f", "v") and cell:
            if local == "f" and attrs.get("t") == "shared":
                cell["shared_id"] = attrs.get("si")
            reading[:] = [local, []]

    def characters(text):
        if reading[0]:
            reading[1].append(text)

    def end(tag):
        local = tag.rsplit(":", 1)[-1]
        if local in ("f", "v") and reading[0] == local:
            cell["formula" if local == "f" else "value"] = "".join(reading[1])
            reading[:] = [None, []]
        elif local == "c" and cell:
            if cell["formula"] is not None:
                formula = cell["formula"]
                if cell["shared_id"] is not None:
                    # A shared formula is written once (in its first cell) and referenced by id in the others.
                    if formula:
                        shared[cell["shared_id"]] = formula
                    else:
                        formula = shared.get(cell["shared_id"], "") + " (shared)"
                found.append(FormulaCell(sheet, cell["ref"], formula, cell["value"] or None))
            cell.clear()

    parser = expat.ParserCreate()  # no namespace processing: prefixes are dropped by hand, snippets need no xmlns
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.buffer_text = True
    parser.Parse(document, True)
    return found


# ---------------------------------------------------------------------------------------- paths and display text

def upload_display_name(original_name: str, limit: int = 120) -> str:
    """The uploaded name as display text only: no folders, no control characters, bounded length."""
    base = PureWindowsPath(PurePosixPath(original_name or "").name).name  # strips both / and \\ folders
    cleaned = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in base)
    cleaned = " ".join(cleaned.split()) or "unnamed file"
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def safe_upload_path(directory: Path, original_name: str) -> Path:
    """A fresh, random, not-yet-existing path inside ``directory`` for an uploaded file.

    Only the extension of ``original_name`` survives, and only if it is an accepted one; the name itself is for
    display (``upload_display_name``).
    """
    directory = Path(directory).resolve()
    extension = PurePosixPath(upload_display_name(original_name)).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        extension = ".upload"
    while True:
        path = directory / f"{secrets.token_hex(16)}{extension}"
        if not path.exists():
            return path


def save_upload(directory: Path, original_name: str, data: bytes) -> Path:
    """Write an upload to a fresh path from ``safe_upload_path`` (created exclusively, mode 0600)."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    while True:
        path = safe_upload_path(directory, original_name)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return path


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&\"'])")


def plain_text(text: object) -> str:
    """``text`` escaped so that Streamlit Markdown shows it literally (no links, emphasis, HTML, maths, colours).

    Every ASCII punctuation mark that Markdown or Streamlit's extensions give a meaning to is backslash-escaped;
    line breaks and other control characters become spaces. Never pass user text with ``unsafe_allow_html``.
    """
    flat = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
