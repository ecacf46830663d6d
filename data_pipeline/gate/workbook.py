"""An .xlsx judged from its ZIP directory and its XML, before the spreadsheet reader opens it.

In order: the ZIP directory (parts, encryption, declared sizes, compression ratio: a 'ZIP bomb'), macros
(vbaProject.bin, Excel 4 macro sheets, a macro-enabled content type: an .xlsm renamed), external links, then one
streaming pass over every part that proves its real size (nothing is written out) and, for each worksheet, finds the
area the reader would allocate (the <dimension> and the row numbers: one cell at XFD1048576 means 17 billion cells).
A stray cell beyond a lying <dimension> still cannot take the machine down: the reader runs with a memory budget
(``sandbox``), and its failure is an error on the file. Every XML part's prolog goes through defusedxml, so a DTD or an entity declaration is refused by a real XML
parser. Formulas are never evaluated (``formulas``): a saved value is used, with a warning; none is an error.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

import defusedxml
from defusedxml import ElementTree as SafeTree

from . import formulas
from .limits import Limits, megabytes

_MACRO_CONTENT_TYPE = b"macroEnabled"
# A literal prefix keeps this scan at memory speed; `row r=` is how every writer starts a row element.
_ROW_NUMBER = re.compile(rb'row r="([0-9]{1,9})"')
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s[^>]*?\bref=\"([^\"]*)\"")
_REF = re.compile(r"\$?([A-Z]{1,4})\$?([0-9]{1,9})")
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)


class Refused(Exception):
    """The workbook cannot be read safely: the message says why (it starts with the file's shown name)."""


@dataclass
class SheetArea:
    rows: int = 0
    columns: int = 0

    def take(self, column_letters: bytes | str, row: bytes | str) -> None:
        self.rows = max(self.rows, int(row))
        self.columns = max(self.columns, column_number(column_letters))


def column_number(letters: bytes | str) -> int:
    letters = letters.decode() if isinstance(letters, bytes) else letters
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def workbook_problems(shown: str, stream: BinaryIO, limits: Limits) -> tuple[list[str], list[str]]:
    """(errors, warnings) about the workbook ``shown``."""
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return [f"{shown}: the workbook is damaged (its ZIP structure cannot be read); save it again from Excel."], []
    try:
        _check_directory(shown, archive, members, limits)
        sheets = _sheet_parts(shown, archive)
        areas = _stream_parts(shown, archive, members, {part for _, part in sheets}, limits)
        for sheet, part in sheets:
            area = areas.get(part, SheetArea())
            if area.rows * area.columns > limits.max_cells:
                raise Refused(
                    f"{shown}: sheet {sheet!r} spans {area.rows:,} rows × {area.columns:,} columns "
                    f"(from A1), more than the {limits.max_cells:,} cells a return may hold; delete the "
                    "empty rows and columns beyond the data (or a stray cell far away) and save again."
                )
        return formulas.formula_policy(shown, archive, sheets)
    except Refused as refusal:
        return [str(refusal)], []


def _check_directory(shown: str, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(members) > limits.max_parts:
        raise Refused(f"{shown}: the workbook holds {len(members)} parts, more than the {limits.max_parts} allowed.")
    names = {m.filename for m in members}
    lowered = {n.lower() for n in names}
    if any(m.flag_bits & 0x1 for m in members):
        raise Refused(f"{shown}: the workbook has encrypted parts; remove the password and save again.")
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise Refused(
            f"{shown}: the workbook would expand to {megabytes(total)}, more than the "
            f"{megabytes(limits.max_uncompressed_bytes)} allowed (a 'ZIP bomb', or far too large a "
            "workbook)."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= limits.ratio_from_bytes and ratio > limits.max_ratio:
            raise Refused(
                f"{shown}: part {member.filename} expands {ratio:,.0f} times (more than "
                f"{limits.max_ratio:g} times is refused as a 'ZIP bomb')."
            )
    if any(PurePosixPath(n).name == "vbaproject.bin" for n in lowered) or any(
        n.startswith("xl/macrosheets/") for n in lowered
    ):
        raise Refused(
            f"{shown}: the workbook contains macros (vbaProject.bin or macro sheets); macros are not "
            "accepted. Save it as .xlsx (Excel Workbook) without macros."
        )
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise Refused(f"{shown}: this ZIP file is not an Excel workbook (no xl/workbook.xml).")
    if _MACRO_CONTENT_TYPE in archive.read("[Content_Types].xml")[: 1 << 20]:
        raise Refused(
            f"{shown}: this is a macro-enabled workbook (.xlsm) with a changed extension; macros are not "
            "accepted. Save it as .xlsx (Excel Workbook) without macros."
        )
    if any(n.startswith("xl/externallinks/") for n in lowered):
        raise Refused(
            f"{shown}: the workbook links to other workbooks (external links); values copied from "
            "elsewhere cannot be checked. In Excel: Data → Edit Links → Break Link, save, send again."
        )


def _stream_parts(
    shown: str, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], sheet_parts: set[str], limits: Limits
) -> dict[str, SheetArea]:
    """Decompress every part in memory, chunk by chunk, to prove the directory's sizes are true (zipfile stops at
    the declared size and checks the CRC, so a part that expands beyond what it declares fails here), check each
    XML prolog, and measure each worksheet's area."""
    spent, areas = 0, {}
    try:
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels", ".vml")) or member.filename in sheet_parts:
                _check_prolog(shown, archive, member.filename)
            area = areas.setdefault(member.filename, SheetArea()) if member.filename in sheet_parts else None
            tail = b""
            with archive.open(member) as part:
                while chunk := part.read(1 << 20):
                    spent += len(chunk)
                    if spent > limits.max_uncompressed_bytes:
                        raise Refused(
                            f"{shown}: the workbook expands beyond {megabytes(limits.max_uncompressed_bytes)}; refused."
                        )
                    if area is not None:
                        window = tail + chunk
                        if rows := _ROW_NUMBER.findall(window):
                            area.rows = max(area.rows, max(map(int, rows)))
                        for ref in _DIMENSION.findall(window):
                            for letters, row in _REF.findall(ref.decode("ascii", "replace")):
                                area.take(letters, row)
                        tail = window[-256:]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError) as error:
        raise Refused(f"{shown}: the workbook is damaged ({error}); save it again from Excel.") from None
    return areas


def _check_prolog(shown: str, archive: zipfile.ZipFile, part: str) -> None:
    """Parse the part up to its first element with defusedxml: a DTD or entity can only come before it."""
    try:
        with archive.open(part) as stream:
            for _ in SafeTree.iterparse(
                stream, events=("start",), forbid_dtd=True, forbid_entities=True, forbid_external=True
            ):
                break
    except defusedxml.DefusedXmlException as error:
        raise Refused(
            f"{shown}: part {part} declares a DTD or entities ({type(error).__name__}); workbooks saved "
            "by Excel never do. Save it again from Excel."
        ) from None
    except ParseError as error:
        raise Refused(f"{shown}: part {part} is not well-formed XML ({error}); save it again from Excel.") from None


def _small_xml(shown: str, archive: zipfile.ZipFile, part: str):
    try:
        return SafeTree.fromstring(archive.read(part), forbid_dtd=True)
    except (defusedxml.DefusedXmlException, ParseError) as error:
        raise Refused(f"{shown}: part {part} cannot be read safely ({error}); save it again from Excel.") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(shown: str, archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order, following xl/_rels/workbook.xml.rels."""
    workbook = _small_xml(shown, archive, "xl/workbook.xml")
    names = set(archive.namelist())
    targets = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in _small_xml(shown, archive, "xl/_rels/workbook.xml.rels"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id")] = posixpath.normpath(path)
    sheets = []
    for element in workbook.iter():
        if _local(element.tag) == "externalReference":
            raise Refused(
                f"{shown}: the workbook links to other workbooks (external references); in Excel: Data → "
                "Edit Links → Break Link, save, send again."
            )
        if _local(element.tag) != "sheet":
            continue
        rel_id = next((element.get(f"{{{ns}}}id") for ns in _REL_NS if element.get(f"{{{ns}}}id")), None)
        part = targets.get(rel_id)
        if part and part in names:
            sheets.append((element.get("name", "?"), part))
    return sheets
