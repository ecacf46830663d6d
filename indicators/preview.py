"""What a refresh would do to the indicators, before it is published.

``preview_indicator_changes`` publishes the staged returns into a throw-away copy of the warehouse (the current
version's files are hard-linked, so the copy costs next to nothing), computes the indicator table there with the
real engine, and compares it with the current version's table, cell by cell, in DuckDB. The real warehouse is
never written to. A merge the real publish would refuse raises the same ``MergeConflict``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from data_pipeline import warehouse
from data_pipeline.report import ReturnInfo

from . import api, engine, published
from .parameters import load_parameters

CELL_KEYS = ("indicator_id", "period", "province", "district", "sex", "breakdown", "breakdown_value")
COMPARED = ("numerator", "denominator", "value")
NATIONAL, TOTAL = "LA", "_T"


def indicator_changes(before: pd.DataFrame, after: pd.DataFrame, tolerance: float = 1e-9) -> pd.DataFrame:
    """Cells of two tidy tables that differ: ``change`` is 'changed', 'added' (only after) or 'removed'.

    Columns: the cell keys, unit, value/numerator/denominator before and after, and ``difference`` (after − before,
    null unless both values exist). A cell counts as changed when value, numerator or denominator moves by more than
    ``tolerance`` (relative to the figure, when it is above 1) or gains or loses a figure: DuckDB sums doubles in
    parallel, so two computations of one figure in LAK may differ in its last bits.
    """
    keys = ", ".join(f"coalesce(a.{k}, b.{k}) AS {k}" for k in CELL_KEYS)
    join = " AND ".join(f"a.{k} IS NOT DISTINCT FROM b.{k}" for k in CELL_KEYS)
    moved = " OR ".join(
        f"(b.{c} IS NULL) <> (a.{c} IS NULL) OR abs(a.{c} - b.{c}) > {tolerance} * greatest(1, abs(b.{c}))"
        for c in COMPARED
    )
    con = duckdb.connect()
    try:
        con.register("before_cells", _cells(before))
        con.register("after_cells", _cells(after))
        return con.execute(f"""
            SELECT {keys}, coalesce(a.unit, b.unit) AS unit,
                   CASE WHEN b.indicator_id IS NULL THEN 'added' WHEN a.indicator_id IS NULL THEN 'removed'
                        ELSE 'changed' END AS change,
                   b.value AS value_before, a.value AS value_after, a.value - b.value AS difference,
                   b.numerator AS numerator_before, a.numerator AS numerator_after,
                   b.denominator AS denominator_before, a.denominator AS denominator_after
            FROM after_cells a FULL OUTER JOIN before_cells b ON {join}
            WHERE b.indicator_id IS NULL OR a.indicator_id IS NULL OR {moved}
            ORDER BY indicator_id, period, province, district NULLS FIRST, sex, breakdown, breakdown_value""").df()
    finally:
        con.close()


def summarise_changes(changes: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator that moves: how many cells change, the largest move, and the national headline.

    The headline is the national, both-sexes, no-breakdown value of the latest period the refresh touches.
    """
    columns = [
        "indicator_id",
        "short_name",
        "unit",
        "cells_changed",
        "cells_added",
        "cells_removed",
        "largest_change",
        "national_period",
        "national_before",
        "national_after",
        "national_change",
    ]
    if changes.empty:
        return pd.DataFrame(columns=columns)
    con = duckdb.connect()
    try:
        con.register("changes", changes)
        names = (
            catalogue[["indicator_id", "short_name"]]
            if catalogue is not None
            else pd.DataFrame({"indicator_id": pd.Series(dtype=str), "short_name": pd.Series(dtype=str)})
        )
        con.register("names", names)
        return con.execute(f"""
            WITH headline AS (
                SELECT indicator_id, arg_max(period, period) AS national_period,
                       arg_max(value_before, period) AS national_before,
                       arg_max(value_after, period) AS national_after
                FROM changes
                WHERE province = '{NATIONAL}' AND district IS NULL AND sex = '{TOTAL}' AND breakdown = '{TOTAL}'
                GROUP BY indicator_id)
            SELECT c.indicator_id, any_value(n.short_name) AS short_name, any_value(c.unit) AS unit,
                   count(*) FILTER (WHERE change = 'changed') AS cells_changed,
                   count(*) FILTER (WHERE change = 'added') AS cells_added,
                   count(*) FILTER (WHERE change = 'removed') AS cells_removed,
                   arg_max(difference, abs(difference)) AS largest_change,
                   any_value(h.national_period) AS national_period,
                   any_value(h.national_before) AS national_before, any_value(h.national_after) AS national_after,
                   any_value(h.national_after) - any_value(h.national_before) AS national_change
            FROM changes c LEFT JOIN headline h USING (indicator_id) LEFT JOIN names n USING (indicator_id)
            GROUP BY c.indicator_id ORDER BY c.indicator_id""").df()[columns]
    finally:
        con.close()


def preview_indicator_changes(
    staged: dict[str, pa.Table],
    *,
    files: list[ReturnInfo],
    hash_key_fingerprint: str,
    demo_key: bool = False,
    root: Path | str | None = None,
    params: dict | None = None,
    replace_whole_periods: bool = False,
    keep_derived: Path | None = None,
) -> pd.DataFrame:
    """``indicator_changes`` between the current version and what publishing ``staged`` would give.

    Raises ``warehouse.MergeConflict`` when the real publish would refuse the merge. Rows the publish would remove
    are removed here too (the preview shows what a confirmed publish does).

    With ``keep_derived`` (a folder, emptied first) the preview computes everything a publish derives
    (``published.derive``: tidy, PCI, supporting and public tables), stamped with the id the real publish will
    give the version, and keeps it there for that publish (``published.derive_reusing``), which then computes
    nothing when it publishes exactly what was previewed. Only staged tables kept as files can be identified.
    """
    root = Path(root) if root is not None else warehouse.warehouse_root()
    keeping = keep_derived is not None and params is None  # a publish derives with the parameters file's
    params = params or load_parameters()
    current = warehouse.current_version(root)
    # The throw-away copy holds the current version only, so its next id can differ from the real one (after a
    # roll-back): the kept tables carry the real one.
    stamp = None
    if keeping:
        stamp = published.reuse_stamp(
            root=root,
            parent=current,
            version=warehouse.next_version(root),
            staged=staged,
            replace_whole_periods=replace_whole_periods,
            hash_key_fingerprint=hash_key_fingerprint,
        )
        shutil.rmtree(keep_derived, ignore_errors=True)
    kept: dict = {}

    def derive_for_publish(open_tables, _folder, _copy_version):
        Path(keep_derived).mkdir(parents=True)
        kept["entry"] = published.derive(open_tables, Path(keep_derived) / published.KEPT_FOLDER, stamp["version"])
        return kept["entry"]

    with tempfile.TemporaryDirectory(prefix="sp-preview-") as scratch:
        copy = Path(scratch) / "warehouse"
        if current is not None:
            _link_version(root, copy, current)
        new = warehouse.publish(
            staged,
            root=copy,
            operator="preview",
            files=files,
            hash_key_fingerprint=hash_key_fingerprint,
            demo_key=demo_key,
            replace_whole_periods=replace_whole_periods,
            confirm_removals=True,
            derive=derive_for_publish if stamp is not None else None,
        )
        if stamp is not None:
            folder = Path(keep_derived) / published.KEPT_FOLDER
            after = pd.read_parquet(folder / published.FILES["indicators"])
            published.keep_for_publish(keep_derived, stamp, kept["entry"])
        else:
            con = warehouse.open_version(new, copy)
            try:
                after = engine.compute_all(con, new, params)
            finally:
                engine.close(con)
    before = api.indicator_values(current, root) if current is not None else after.iloc[0:0]
    return indicator_changes(before, after)


def _cells(tidy: pd.DataFrame) -> pd.DataFrame:
    return tidy[[*CELL_KEYS, "unit", *COMPARED]]


def _link_version(root: Path, copy: Path, version: str) -> None:
    """A copy of ``version`` (and CURRENT) under ``copy`` whose files are hard links where the file system allows."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:  # another file system, or links not allowed: copy instead
            shutil.copy2(src, dst)

    (copy / "versions").mkdir(parents=True)
    shutil.copytree(root / "versions" / version, copy / "versions" / version, copy_function=link)
    (copy / "CURRENT").write_text(version + "\n", encoding="utf-8")
