"""The CSV reader's one-pass way (``readers._read_plain_csv``) gives the grid the general way gives, row numbers
included, and steps aside for every file it cannot read exactly (blank lines, line breaks in quotes, a wider line
after the sample, a lone carriage return)."""

from __future__ import annotations

import duckdb
import pytest

from data_pipeline.ingest import readers

HEADER = "period,province,sex,age_group,scheme,members\n"
ROW = "2022-Q2,LA-VT,F,0-14,HEF,12\n"


def _grid(con, table) -> list[tuple]:
    """The grid's rows with trailing all-blank columns left out (the general way may add some)."""
    rows = con.execute(f"SELECT * FROM {table.table} ORDER BY src_row").fetchall()
    width = max((max((i for i, v in enumerate(r) if v is not None), default=0) for r in rows), default=0)
    return [r[: width + 1] for r in rows]


def _trimmed(top_rows) -> list[tuple]:
    trimmed = []
    for row, cells in top_rows:
        while cells and cells[-1] is None:
            cells = cells[:-1]
        trimmed.append((row, cells))
    return trimmed


def _read_both(path, monkeypatch) -> tuple[list, list, bool]:
    con = duckdb.connect()
    taken = []
    one_pass = readers._read_plain_csv

    def spy(*args):
        result = one_pass(*args)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(readers, "_read_plain_csv", spy)
    (fast,) = readers.read_return_tables(con, path)
    monkeypatch.setattr(readers, "_read_plain_csv", lambda *args: None)
    (general,) = readers.read_return_tables(con, path)
    assert _trimmed(fast.top_rows) == _trimmed(general.top_rows)
    return _grid(con, fast), _grid(con, general), taken[0]


@pytest.mark.parametrize(
    "text, one_pass",
    [
        (HEADER + ROW * 3, True),
        ("Health insurance members, 2022-Q2\n" + HEADER + ROW * 3, True),  # a title row above the header
        ((HEADER + ROW * 3).replace("\n", "\r\n"), True),
        (HEADER + ROW * 2 + ROW.rstrip("\n"), True),  # no line break after the last line
        (HEADER + ROW + '2022-Q2,LA-VT,F,"0,14",HEF,3\n', True),  # a quoted delimiter
        (HEADER + "\n" + ROW + "\n\n" + ROW, False),  # blank lines: row numbers shift
        (HEADER + ROW + '2022-Q2,LA-VT,F,0-14,"HEF\nnew",3\n' + ROW, False),  # a line break inside quotes
        (HEADER + ROW + ROW.rstrip("\n") + ",extra,cells\n", True),  # a wider line, within the sample
        (HEADER + ROW + "2022-Q2,LA-VT\rF,0-14,HEF,3\n", False),  # a lone carriage return
    ],
)
def test_one_pass_reads_the_grid_the_general_way_does(tmp_path, monkeypatch, text, one_pass):
    path = tmp_path / "hi.csv"
    path.write_bytes(text.encode())
    fast, general, taken = _read_both(path, monkeypatch)
    assert taken is one_pass
    assert fast == general


def test_a_line_wider_than_the_sample_after_the_first_64_kb_is_read_the_general_way(tmp_path, monkeypatch):
    rows = ROW * (readers._SAMPLE_BYTES // len(ROW) + 10)
    path = tmp_path / "hi.csv"
    path.write_bytes((HEADER + rows + ROW.rstrip("\n") + ",x\n" + ROW).encode())
    fast, general, taken = _read_both(path, monkeypatch)
    assert not taken
    assert fast == general
    assert general[-2][-1] == "x"


@pytest.mark.parametrize(
    "tail, expected",
    [
        (b"\n", None),  # only line feeds (the 4 MiB block has no carriage return)
        (b"\r\n", None),  # a CRLF split by the block boundary
        (b"\nx\ry\n", "lone"),  # a lone carriage return in the second block only
    ],
)
def test_line_count_sees_carriage_returns_in_any_block(tmp_path, tail, expected):
    block = 1 << 22
    text = b"a,b\n" * (block // 4 - 1) + b"a,b" + tail + b"c,d\n"  # the tail starts at the block's last byte
    assert text[block - 1 : block] == tail[:1]
    path = tmp_path / "lines.csv"
    path.write_bytes(text)
    assert readers._line_count(path) == (None if expected == "lone" else text.count(b"\n"))
