"""The formula policy: formulas are never evaluated. A formula with a saved (cached) value is read as that value,
with a warning naming the sheet and cell; one saved without a value is an error naming them. Messages give the
formula, never the value (a register's cells are personal data).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat


@dataclass(frozen=True)
class FormulaCell:
    sheet: str
    cell: str
    formula: str
    cached_value: str | None  # None: the workbook was saved without calculating this cell


def formula_policy(shown: str, archive: zipfile.ZipFile, sheets: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """(errors, warnings) for the formula cells of the worksheets ``sheets`` ((name, part) pairs)."""
    errors, warnings = [], []
    for sheet, part in sheets:
        try:
            cells = formulas_in_sheet(archive, sheet, part)
        except (ValueError, expat.ExpatError) as error:
            return [f"{shown}: sheet {sheet!r} cannot be read ({error})."], []
        for cell in cells:
            where = f"{shown}, sheet {cell.sheet!r}, cell {cell.cell}"
            formula = cell.formula if len(cell.formula) <= 80 else cell.formula[:79] + "…"
            if cell.cached_value is None:
                errors.append(
                    f"{where}: the formula ={formula} has no saved value. Open the file in Excel, let it "
                    "calculate, save and send again (or replace the formula by its value)."
                )
            else:
                warnings.append(
                    f"{where}: formula ={formula}; its saved value is used (formulas are never recalculated here)."
                )
    return errors, warnings


_FORMULA_TAG = re.compile(rb"<(\w+:)?f[\s>/]")
_CELL_START = re.compile(rb"<(\w+:)?c[\s>]")
_CELL_END = re.compile(rb"</(\w+:)?c\s*>")


# Every formula has a closing </f> (or </x:f>): a shared formula's other cells (<f t="shared" si="0"/>) only exist
# beside the one that holds its text.
_FORMULA_STARTS = (b"</f>", b":f>")


def _has_formula_tag(stream) -> bool:
    """Whether a sheet may hold a formula: plain substring search (memory speed; a false hit only costs a parse)."""
    tail = b""
    while chunk := stream.read(1 << 20):
        window = tail + chunk
        if any(start in window for start in _FORMULA_STARTS):
            return True
        tail = chunk[-16:]
    return False


def formulas_in_sheet(archive: zipfile.ZipFile, sheet: str, part: str) -> list[FormulaCell]:
    """The formula cells of one sheet (call after the gate has bounded the part's size and refused DTDs).

    Most returns have no formulas, and parsing every cell of a large sheet with expat takes seconds; so the sheet
    is first scanned as bytes, and only the <c> elements around each <f> tag are cut out and parsed. A sheet whose
    cells cannot be cut out cleanly is parsed whole.
    """
    with archive.open(part) as stream:
        if not _has_formula_tag(stream):
            return []
    xml = archive.read(part)
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
        snippets.append(xml[starts[-1].start() : end.end()])
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
    parser.StartDoctypeDeclHandler = refuse_dtd  # a second guard: the gate has already refused DTDs
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.buffer_text = True
    parser.Parse(document, True)
    return found
