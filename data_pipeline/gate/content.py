"""What a return's bytes really are, before any reader touches them: size, type (from the first bytes, not the
extension), text encoding, a Parquet footer. Workbooks are judged in ``workbook``.
"""

from __future__ import annotations

import codecs
from pathlib import PurePosixPath
from typing import BinaryIO

from . import workbook
from .limits import Limits, megabytes

ACCEPTED_EXTENSIONS = (".xlsx", ".csv", ".parquet")
_ADVICE = {
    ".xlsm": " Macro-enabled workbooks are not accepted: save it as .xlsx (Excel Workbook) without macros.",
    ".xls": " Save it as .xlsx (Excel Workbook) and send it again.",
    ".xlsb": " Save it as .xlsx (Excel Workbook) and send it again.",
    ".ods": " Save it as .xlsx (Excel Workbook) and send it again.",
}

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


def content_problems(shown: str, stream: BinaryIO, size: int, limits: Limits) -> tuple[list[str], list[str]]:
    """(errors, warnings) about the file ``shown`` whose bytes ``stream`` gives (``size`` of them)."""
    extension = PurePosixPath(shown).suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        return [
            f"{shown}: '{extension or 'no extension'}' files are not accepted; send "
            f"{', '.join(ACCEPTED_EXTENSIONS)}.{_ADVICE.get(extension, '')}"
        ], []
    if size == 0:
        return [f"{shown}: the file is empty."], []
    if size > limits.max_file_bytes:
        return [
            f"{shown}: {megabytes(size)} is more than the {megabytes(limits.max_file_bytes)} allowed for one file."
        ], []
    head = stream.read(4096)
    stream.seek(0)
    if extension == ".xlsx":
        if not head.startswith(b"PK\x03\x04"):
            return [f"{shown}: this is not an Excel workbook (.xlsx){_looks_like(head)}."], []
        return workbook.workbook_problems(shown, stream, limits)
    if extension == ".csv":
        return _csv_problems(shown, stream, head), []
    return _parquet_problems(shown, stream, head, size, limits), []


def _csv_problems(shown: str, stream: BinaryIO, head: bytes) -> list[str]:
    if (kind := sniff(head)) is not None:
        return [f"{shown}: this is {kind}, not a CSV text file."]
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    while chunk := stream.read(1 << 20):
        if b"\x00" in chunk:
            return [f"{shown}: the file contains NUL bytes (binary data, or UTF-16 text); save it as 'CSV UTF-8'."]
        try:
            # ASCII (nearly every CSV) is UTF-8 as it is: decoding it would only copy it (half of this pass). A chunk
            # after one that ended inside a character is decoded, so that character's end is checked.
            if not chunk.isascii() or decoder.getstate()[0]:
                decoder.decode(chunk)
        except UnicodeDecodeError as error:
            line += chunk[: max(error.start, 0)].count(b"\n")
            return [
                f"{shown}: line {line} is not UTF-8 text; in Excel choose 'Save as' → 'CSV UTF-8 (comma delimited)'."
            ]
        line += chunk.count(b"\n")
        offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return [f"{shown}: the file ends inside a character (line {line}); save it as 'CSV UTF-8'."]
    return []


def _parquet_problems(shown: str, stream: BinaryIO, head: bytes, size: int, limits: Limits) -> list[str]:
    if not head.startswith(b"PAR1"):
        return [f"{shown}: this is not a Parquet file{_looks_like(head)}."]
    stream.seek(max(size - 4, 0))
    if size < 12 or stream.read(4) != b"PAR1":
        return [f"{shown}: the Parquet file is cut short or damaged (it does not end with PAR1)."]
    stream.seek(0)
    import pyarrow.parquet as pq  # only here: the other checks need no pyarrow

    try:
        metadata = pq.ParquetFile(stream).metadata
    except Exception as error:  # pyarrow raises several types for damaged footers
        return [f"{shown}: the Parquet file is damaged ({error})."]
    expanded = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if expanded > limits.max_uncompressed_bytes:
        return [
            f"{shown}: the Parquet file would expand to {megabytes(expanded)}, more than the "
            f"{megabytes(limits.max_uncompressed_bytes)} allowed."
        ]
    return []


def sniff(head: bytes) -> str | None:
    if head.startswith(b"MZ") and b"\x00" in head[:64]:  # a DOS/PE header; "MZ" alone could start a CSV header
        return "a Windows program (.exe/.dll)"
    return next((kind for magic, kind in _SIGNATURES if head.startswith(magic)), None)


def _looks_like(head: bytes) -> str:
    kind = sniff(head)
    return f": it is {kind} with a changed extension" if kind else ""
