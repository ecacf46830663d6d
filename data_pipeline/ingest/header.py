"""Find the header row of a grid, recognise which contract it is, and map its columns.

The header is the first of the top rows whose cells name enough of a contract's required columns (any accepted
spelling, any case); title rows above it are kept, because they may state the return's period. A renamed sheet is
still recognised: matching uses the headers, the sheet name only breaks ties.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from data_pipeline.contracts import Column, Contract, normalise_header

from .readers import RawTable


@dataclass
class HeaderMatch:
    contract: Contract
    header_row: int  # src_row of the header
    columns: dict[str, tuple[int, str]]  # contract column name -> (grid index, header as written)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # headers no column accepts
    duplicates: list[tuple[str, list[tuple[int, str]]]] = field(default_factory=list)  # column -> cells naming it
    blank: list[int] = field(default_factory=list)  # grid indexes with a blank header
    title_texts: list[str] = field(default_factory=list)  # cells of the rows above the header


def header_index(contract: Contract) -> dict[str, str]:
    """Normalised header spelling -> contract column name."""
    index: dict[str, str] = {}
    for column in contract.columns:
        for key in column.header_keys:
            index.setdefault(key, column.name)
    return index


def _min_required(contract: Contract) -> int:
    required = sum(1 for c in contract.columns if c.required)
    return max(2, math.ceil(0.5 * required)) if required >= 2 else required


def _match_row(cells: list[str | None], contract: Contract) -> set[str]:
    index = header_index(contract)
    return {index[k] for k in (normalise_header(c) for c in cells if c) if k in index}


def detect_header(raw: RawTable, contracts: dict[str, Contract]) -> HeaderMatch | None:
    """The header row and contract of a grid, or None when no top row looks like any contract's header."""
    for row_number, cells in raw.top_rows:
        candidates = []
        for contract in contracts.values():
            matched = _match_row(cells, contract)
            required = {c.name for c in contract.columns if c.required}
            if len(matched & required) >= _min_required(contract):
                candidates.append(
                    ((len(matched), raw.sheet == contract.sheet, len(matched) / len(contract.columns)), contract)
                )
        if candidates:
            contract = max(candidates, key=lambda c: c[0])[1]
            return _map_columns(raw, contract, row_number, cells)
    return None


def _map_columns(raw: RawTable, contract: Contract, row_number: int, cells: list[str | None]) -> HeaderMatch:
    index = header_index(contract)
    naming: dict[str, list[tuple[int, str]]] = {}
    match = HeaderMatch(contract, row_number, {})
    for j, cell in enumerate(cells):
        if cell is None or not cell.strip():
            match.blank.append(j)
            continue
        name = index.get(normalise_header(cell))
        if name is None:
            match.unknown.append((j, cell))
        else:
            naming.setdefault(name, []).append((j, cell))
    for name, cells_naming in naming.items():
        match.columns[name] = cells_naming[0]
        if len(cells_naming) > 1:
            match.duplicates.append((name, cells_naming))
    match.title_texts = [c for r, row in raw.top_rows if r < row_number for c in row if c]
    return match


_YQ = re.compile(r"(?<![0-9])(20[0-9]{2})\s*[-_/ .]?\s*q([1-4])(?![0-9])", re.IGNORECASE)
_QY = re.compile(r"(?<![a-z])q([1-4])\s*[-_/ .]?\s*(20[0-9]{2})(?![0-9])", re.IGNORECASE)


def stated_periods(text: str) -> set[str]:
    """Quarters a file name or title states: 'health_insurance_2022Q2.xlsx', '... 2022-Q2', 'Q2/2022'."""
    found = {f"{y}-Q{q}" for y, q in _YQ.findall(text)}
    return found | {f"{y}-Q{q}" for q, y in _QY.findall(text)}


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based grid index (A, B, ..., Z, AA...)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def accepted_spellings(column: Column) -> str:
    return ", ".join(sorted({column.name, *column.aliases}))
