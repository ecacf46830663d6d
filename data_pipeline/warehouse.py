"""The versioned Parquet warehouse: atomic publish, readers, roll-back, refresh log (docs/DESIGN.md §3).

A version is immutable once renamed into ``versions/``; ``CURRENT`` names the published one and is only ever replaced
with ``os.replace``. A reader therefore sees the old or the new version, never a mix, whatever moment a publish is
killed at. Untouched tables (and untouched partitions) are hard links to the previous version's files: versions share
bytes, not copies.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

import settings
from data_pipeline import reference
from data_pipeline.contracts import Contract, all_contracts
from data_pipeline.duckdb_memory import limit_memory, remove_spill
from data_pipeline.report import Issue, ReturnInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MANIFEST_FORMAT = 1
LOG_NAME = "refresh_log.jsonl"
DERIVED_FOLDER = "derived"  # in a version: tables computed from its data at publish (``publish(derive=...)``)
MAX_LOGGED_ISSUES = 200  # per kind (errors, warnings) in a manifest or log line; counts are always complete
LOCK_TIMEOUT_S = 10.0
# How tables are written. zstd level 1 rather than DuckDB's default (3): measured on the national ledger, a third less
# CPU and a file no larger (the hashed ids, 64 hex characters each, are most of its bytes and barely compress).
PARQUET_CODEC, PARQUET_LEVEL = "zstd", 1  # DuckDB's COPY and the one-pass pyarrow writer alike
PARQUET_OPTIONS = f"FORMAT parquet, COMPRESSION {PARQUET_CODEC}, COMPRESSION_LEVEL {PARQUET_LEVEL}"
# A partitioned table of at least this many rows is written in one pass over its rows (``_write_partitions_in_one_pass``)
# rather than one COPY per partition, each of which reads every row: past the memory budget (a national ledger) those
# reads come back from the spill folder once per partition, and the 4x ledger's write took 7.6x the 1x one.
ONE_PASS_PARTITION_ROWS = 1_000_000
# Rows per row group (and at most buffered per partition) in the one-pass write: 10 quarters' buffers of a national
# ledger stay near 100 MB (the refresh's peak: issue 13, at most 1.5 GB).
ONE_PASS_ROW_GROUP_ROWS = 32_768
_VERSION_RE = re.compile(r"^v(\d{4,})$")


class WarehouseError(RuntimeError):
    """Something about the warehouse itself is wrong (missing version, corrupt pointer, bad staged table)."""


class WarehouseBusy(WarehouseError):
    """Another refresh or roll-back holds the warehouse lock."""


class MergeConflict(WarehouseError):
    """The new returns cannot be merged with the current version without changing figures silently."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("; ".join(i.message for i in issues))


# ---------------------------------------------------------------------------------------------------------- schema
def table_schema(contract: Contract) -> list[tuple[str, str]]:
    """(column, DuckDB type) of the warehouse table: contract columns, then ``period`` (derived), then ``source_file``."""
    schema = [(c.name, c.sql_type) for c in contract.warehouse_columns]
    if contract.period_from_date:
        schema.append(("period", "VARCHAR"))
    schema.append(("source_file", "VARCHAR"))
    return schema


def period_key(contract: Contract) -> str | None:
    """The column whose values a refresh replaces (``None`` for snapshot tables)."""
    if contract.period_column:
        return contract.period_column
    if contract.period_from_date:
        return "period"
    return None


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------------------- layout
def warehouse_root() -> Path:
    return settings.warehouse_root()


def _root(root: Path | str | None) -> Path:
    return Path(root) if root is not None else warehouse_root()


def _version_dir(root: Path, version: str) -> Path:
    if not _VERSION_RE.match(version or ""):
        raise WarehouseError(f"{version!r} is not a version id (expected something like v0003)")
    return root / "versions" / version


def version_folder(version: str, root: Path | str | None = None) -> Path:
    """The folder of a published version (immutable: read only)."""
    return _version_dir(_root(root), version)


def current_version(root: Path | str | None = None) -> str | None:
    """The published version, or None when nothing has been published yet."""
    root = _root(root)
    try:
        version = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not (_version_dir(root, version) / "manifest.json").is_file():
        raise WarehouseError(f"{root / 'CURRENT'} names {version}, which has no complete version folder")
    return version


def read_manifest(version: str, root: Path | str | None = None) -> dict:
    path = _version_dir(_root(root), version) / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WarehouseError(f"version {version} does not exist in {_root(root)}") from None


@dataclass(frozen=True)
class VersionInfo:
    version: str
    created_at: str
    operator: str
    parent: str | None
    table_rows: dict[str, int]
    current: bool
    demo_key: bool
    # "completed": the audit trail records its publish; "pending": the publish was interrupted after its pending
    # line (a crash between writing the version and logging it); "missing": no line at all.
    audit: str = "completed"

    @property
    def audited(self) -> bool:
        return self.audit == "completed"

    def as_dict(self) -> dict:
        return asdict(self)


def audit_status(root: Path | str | None = None) -> dict[str, str]:
    """Version -> "completed" or "pending", from the refresh log's publish lines (a version absent: no line)."""
    status: dict[str, str] = {}
    for entry in read_refresh_log(root):
        if entry.get("action") == "refresh" and entry.get("version"):
            if entry.get("outcome") == "published":
                status[entry["version"]] = "completed"
            elif entry.get("outcome") == "pending":
                status.setdefault(entry["version"], "pending")
    return status


def list_versions(root: Path | str | None = None) -> list[VersionInfo]:
    """Every complete version, newest first, with what the audit trail says of its publish."""
    root = _root(root)
    current = current_version(root)
    audit = audit_status(root)
    found = []
    for path in (root / "versions").glob("v*"):
        if _VERSION_RE.match(path.name) and (path / "manifest.json").is_file():
            m = read_manifest(path.name, root)
            found.append(
                VersionInfo(
                    m["version"],
                    m["created_at"],
                    m["operator"],
                    m.get("parent"),
                    m["table_rows"],
                    m["version"] == current,
                    bool(m.get("demo_key")),
                    audit.get(m["version"], "missing"),
                )
            )
    return sorted(found, key=lambda v: int(v.version[1:]), reverse=True)


def _table_files(version_dir: Path, entry: dict) -> list[Path]:
    path = version_dir / entry["path"]
    if entry.get("partitioned"):
        return sorted(path.rglob("*.parquet")) if path.is_dir() else []
    return [path] if path.is_file() else []


# ---------------------------------------------------------------------------------------------------------- readers
def _empty_select(schema: list[tuple[str, str]]) -> str:
    return "SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {_ident(c)}" for c, t in schema) + " WHERE false"


def _parquet_select(files: list[Path], schema: list[tuple[str, str]], partitioned: bool) -> str:
    file_list = "[" + ", ".join(_literal(f) for f in files) + "]"
    options = ", hive_partitioning = true, hive_types_autocast = false" if partitioned else ""
    columns = ", ".join(f"CAST({_ident(c)} AS {t}) AS {_ident(c)}" for c, t in schema)
    return f"SELECT {columns} FROM read_parquet({file_list}{options})"


def _load_reference(con: duckdb.DuckDBPyConnection) -> None:
    reference.load_reference_tables(con)


def open_version(version: str | None = None, root: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per contract (empty, typed, when the version has no rows for it),
    plus the ``provinces`` and ``districts`` reference tables. ``version=None`` is the published version; when nothing
    is published yet every view is empty."""
    root = _root(root)
    version = version or current_version(root)
    if version is None:
        return _open_tables(None, {})
    return _open_tables(_version_dir(root, version), read_manifest(version, root)["tables"])


def _open_tables(version_dir: Path | None, tables: dict) -> duckdb.DuckDBPyConnection:
    """``open_version`` on a folder's ``tables`` (manifest entries): a published version, or one being written."""
    con = duckdb.connect(":memory:")
    _load_reference(con)
    _create_table_views(con, version_dir, tables)
    return con


def _create_table_views(
    con: duckdb.DuckDBPyConnection, version_dir: Path | None, tables: dict, prefix: str = "", temp: bool = False
) -> list[str]:
    """One view per contract, named ``prefix`` + its name, on a folder's ``tables``; returns the views' names."""
    views = []
    for name, contract in all_contracts().items():
        schema = table_schema(contract)
        entry = tables.get(name)
        files = _table_files(version_dir, entry) if entry else []
        select = _parquet_select(files, schema, bool(entry.get("partitioned"))) if files else _empty_select(schema)
        views.append(prefix + name)
        con.execute(f"CREATE {'TEMP ' if temp else ''}VIEW {_ident(prefix + name)} AS {select}")
    return views


def read_refresh_log(root: Path | str | None = None) -> list[dict]:
    """Every logged refresh attempt and roll-back, oldest first. A line torn by a crash is skipped."""
    path = _root(root) / LOG_NAME
    entries = []
    with contextlib.suppress(FileNotFoundError), path.open(encoding="utf-8") as f:
        for line in f:
            with contextlib.suppress(json.JSONDecodeError):
                entries.append(json.loads(line))
    return entries


def audit_entries(root: Path | str | None = None) -> list[dict]:
    """The refresh log as an audit trail, oldest first: a publish's "pending" line is dropped once its "published"
    line follows; a pending line never completed stays, with outcome "pending (not completed)"."""
    entries = read_refresh_log(root)
    completed = {e.get("version") for e in entries if e.get("action") == "refresh" and e.get("outcome") == "published"}
    return [
        {**e, "outcome": "pending (not completed)"} if e.get("outcome") == "pending" else e
        for e in entries
        if not (e.get("outcome") == "pending" and e.get("version") in completed)
    ]


# ---------------------------------------------------------------------------------------------------------- durability
def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(top: Path) -> None:
    for dirpath, _dirs, files in os.walk(top, topdown=False):
        for name in files:
            _fsync_path(Path(dirpath) / name)
        _fsync_path(Path(dirpath))


def _write_durably(path: Path, text: str) -> None:
    """Write via a temporary file and os.replace, with fsyncs: the file holds the old or the new text, never half."""
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex}")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    _crash_point(f"{path.name.lower()}_tmp_written")
    os.replace(tmp, path)
    _fsync_path(path.parent)


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)  # versions are immutable, so sharing the inode is safe and costs nothing
    except OSError:
        shutil.copy2(src, dst)


def _crash_point(name: str) -> None:
    """Test hook: ``SP_TEST_CRASH_AT=<name>`` kills the process here, as a power cut would (no cleanup runs)."""
    if settings.TEST_CRASH_AT.value() == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextlib.contextmanager
def _exclusive_lock(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    raise WarehouseBusy(
                        "another refresh or roll-back is running on this warehouse; try again when it has finished"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _remove_leftover_staging(root: Path) -> None:
    for leftover in root.glob(".staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in root.glob(".CURRENT.tmp-*"):
        leftover.unlink(missing_ok=True)


def next_version(root: Path | str | None = None) -> str:
    """The id the next publish into ``root`` takes (unless another publish or a crashed one's folder comes first):
    what a preview stamps the indicators it computes ahead of the publish with (``indicators.preview``)."""
    return _next_version(_root(root))


def _next_version(root: Path) -> str:
    numbers = [int(m.group(1)) for p in (root / "versions").glob("v*") if (m := _VERSION_RE.match(p.name))]
    return f"v{max(numbers, default=0) + 1:04d}"


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------------------- merge plan
@dataclass
class AreaChange:
    """What a refresh does to the published rows of one period and province of a table (period or province None
    where the table has none): rows published in the cells the returns cover, rows the returns bring, and published
    rows whose key the returns no longer hold (they would disappear)."""

    period: str | None
    province: str | None
    rows_before: int
    rows_after: int
    rows_removed: int


@dataclass
class TableChange:
    """What a refresh does to one table."""

    table: str
    action: str  # "replaced" (snapshot), "merged" (by covered cells), "new", "carried" (untouched)
    rows_before: int
    rows_after: int
    periods_replaced: list[str] = field(default_factory=list)  # periods present before and now (partly) replaced
    periods_added: list[str] = field(default_factory=list)  # periods new to the table
    covers: list[str] = field(default_factory=list)  # the columns whose cells the returns replace ([] = whole table)
    rows_replaced: int = 0  # published rows in the cells the returns cover
    rows_removed: int = 0  # of those, rows whose key the returns do not hold
    areas: list[AreaChange] = field(default_factory=list)  # the replaced cells by period and province

    @property
    def rows_kept(self) -> int:
        return self.rows_before - self.rows_replaced


@dataclass(frozen=True)
class Removal:
    """Published rows of one table, period and province that a refresh would remove."""

    table: str
    period: str | None
    province: str | None
    rows: int

    def describe(self) -> str:
        where = " ".join(p for p in (self.period, self.province) if p)
        return f"{self.table} {where}: {self.rows:,} row(s)" if where else f"{self.table}: {self.rows:,} row(s)"


def removals(changes: list[TableChange]) -> list[Removal]:
    """Every period and province of every table where published rows would disappear."""
    return [Removal(c.table, a.period, a.province, a.rows_removed) for c in changes for a in c.areas if a.rows_removed]


class RemovalNotConfirmed(WarehouseError):
    """The refresh would remove published rows and the operator has not confirmed it: nothing is written."""

    def __init__(self, removed: list[Removal]):
        self.removals = removed
        total = sum(r.rows for r in removed)
        listed = "; ".join(r.describe() for r in removed[:10]) + (
            f"; and {len(removed) - 10} more" if len(removed) > 10 else ""
        )
        super().__init__(
            f"this refresh would remove {total:,} published row(s) that the returns do not hold "
            f"({listed}); nothing was published. Confirm the removal to publish it "
            f"(--confirm-removals on the command line, the confirmation box on the refresh page)"
        )


class _MergePlan:
    """Staged tables registered in DuckDB next to the current version's views; builds the merged SELECT per table.

    With ``con`` (validation's own connection, handed over by ``validate_returns(hand_off=...)``) a staged table may
    be the name of a relation in it: the publish reads the validated rows where they are, with no Parquet written
    and read back in between. The plan then adds only temporary views to ``con``, drops them on ``close`` and calls
    ``release`` (which frees the validated tables), but leaves ``con`` open for its owner."""

    def __init__(
        self,
        staged: dict[str, pa.Table | Path | str],
        root: Path,
        parent: str | None,
        replace_whole_periods: bool = False,
        con: duckdb.DuckDBPyConnection | None = None,
        release=None,
    ):
        contracts = all_contracts()
        self.replace_whole_periods = replace_whole_periods
        unknown = sorted(set(staged) - set(contracts))
        if unknown:
            raise WarehouseError(f"staged tables without a contract: {', '.join(unknown)}")
        self.root, self.parent = root, parent
        self.parent_tables = read_manifest(parent, root)["tables"] if parent else {}
        self.shared, self.release, self.closed = con is not None, release, False
        self.con = con if con is not None else duckdb.connect(":memory:")
        self.spill = None if self.shared else limit_memory(self.con)
        self.staged, self.views, self.registered = {}, [], []
        self.cell_tables: dict[str, str] = {}  # table -> temp table of its new rows' distinct cells
        self.periods: dict[str, list[str]] = {}  # table -> its new rows' periods
        try:
            # parent None: nothing published, every view empty
            self.views += _create_table_views(
                self.con, _version_dir(root, parent) if parent else None, self.parent_tables, "published__", True
            )
            self._register(staged, contracts)
        except BaseException:
            self.close()  # a refused staged table leaves no connection or spill folder behind
            raise

    def published(self, name: str) -> str:
        """The view of ``name`` in the current version (empty when it has none)."""
        return _ident("published__" + name)

    def _register(self, staged: dict[str, pa.Table | Path | str], contracts: dict[str, Contract]) -> None:
        for name, table in staged.items():
            schema = table_schema(contracts[name])
            if isinstance(table, pa.Table):
                self.con.register(f"staged__{name}", table)
                self.registered.append(f"staged__{name}")
            elif isinstance(table, str):
                if not self.shared:
                    raise WarehouseError(f"staged table {name} names a relation ({table}) but no connection holds it")
                self.con.execute(f"CREATE TEMP VIEW staged__{name} AS SELECT * FROM {_ident(table)}")
                self.views.append(f"staged__{name}")
            else:  # a Parquet file ingestion wrote (``validate_returns(stage_dir=...)``): DuckDB streams it
                self.con.execute(f"CREATE TEMP VIEW staged__{name} AS SELECT * FROM read_parquet({_literal(table)})")
                self.views.append(f"staged__{name}")
            given = [r[0] for r in self.con.execute(f"DESCRIBE staged__{name}").fetchall()]
            wanted = [c for c, _ in schema]
            missing = [c for c in wanted if c not in given]
            extra = [c for c in given if c not in wanted]
            if missing or extra:
                raise WarehouseError(
                    f"staged table {name} does not match the warehouse schema "
                    f"(missing: {missing or 'none'}; not allowed: {extra or 'none'})"
                )
            if isinstance(table, pa.Table):
                cols = ", ".join(f"CAST({_ident(c)} AS {t}) AS {_ident(c)}" for c, t in schema)
            else:
                # From Parquet (or a DuckDB table) DuckDB knows which columns hold no NULL and would write them
                # REQUIRED; published files keep every column OPTIONAL whatever the data, as always (one schema
                # across versions and partitions).
                cols = ", ".join(
                    f"CAST(CASE WHEN {_ident(c)} IS NULL THEN NULL ELSE {_ident(c)} END AS {t}) AS {_ident(c)}"
                    for c, t in schema
                )
            self.con.execute(f"CREATE TEMP VIEW {_ident('new__' + name)} AS SELECT {cols} FROM staged__{name}")
            self.views.append("new__" + name)
            self.staged[name] = contracts[name]

    def new_periods(self, name: str) -> list[str]:
        """The periods of the new rows, sorted; read once per table (the changes and the write each ask)."""
        if name not in self.periods:
            key = period_key(self.staged[name])
            rows = self.con.execute(
                f"SELECT DISTINCT CAST({_ident(key)} AS VARCHAR) FROM {_ident('new__' + name)} "
                f"WHERE {_ident(key)} IS NOT NULL ORDER BY 1"
            ).fetchall()
            self.periods[name] = [r[0] for r in rows]
        return self.periods[name]

    def new_cells(self, name: str) -> str:
        """A temporary table of the distinct cells (``cover_columns``) of the new rows, made on first use: the kept
        and replaced rows are chosen against it, not against a DISTINCT over every new row each time (at 4x those
        rows wait in the spill folder, and each pass reads them back; issue 13)."""
        if name not in self.cell_tables:
            table = _ident("cells__" + name)
            cells = ", ".join(_ident(c) for c in self.cover_columns(name))
            self.con.execute(f"CREATE TEMP TABLE {table} AS SELECT DISTINCT {cells} FROM {_ident('new__' + name)}")
            self.cell_tables[name] = table
        return self.cell_tables[name]

    def cover_columns(self, name: str) -> tuple[str, ...] | None:
        """The columns whose cells the staged return replaces; None when it replaces the whole table (a snapshot)."""
        contract = self.staged[name]
        key = period_key(contract)
        if key is None:
            return None
        if self.replace_whole_periods or not contract.covers:
            return (key,)
        return contract.covers

    def _covered(self, name: str, covered: bool) -> str | None:
        """Published rows inside (``covered``) or outside the cells the staged return holds; None when nothing of
        the table is published or the return replaces it whole."""
        columns = self.cover_columns(name)
        if columns is None or name not in self.parent_tables:
            return None
        same = " AND ".join(f"o.{_ident(c)} IS NOT DISTINCT FROM n.{_ident(c)}" for c in columns)
        exists = "EXISTS" if covered else "NOT EXISTS"
        return f"SELECT o.* FROM {self.published(name)} o WHERE {exists} (SELECT 1 FROM {self.new_cells(name)} n WHERE {same})"

    def kept_select(self, name: str) -> str | None:
        """Rows of the current version a merge keeps: every published row outside the cells the return covers
        (None for snapshots and tables new to the warehouse)."""
        return self._covered(name, covered=False)

    def replaced_select(self, name: str) -> str | None:
        """Published rows the staged return replaces (None when nothing of the table is published)."""
        if name not in self.parent_tables:
            return None
        return self._covered(name, covered=True) or f"SELECT * FROM {self.published(name)}"

    def areas(self, name: str) -> list[AreaChange]:
        """Replaced, new and disappearing rows by period and province (in DuckDB, one pass per table)."""
        contract = self.staged[name]
        key = period_key(contract)
        period = f"CAST({_ident(key)} AS VARCHAR)" if key else "CAST(NULL AS VARCHAR)"
        province = (
            "CAST(province AS VARCHAR)"
            if any(c.name == "province" for c in contract.warehouse_columns)
            else "CAST(NULL AS VARCHAR)"
        )
        new = _ident("new__" + name)
        parts = [f"SELECT 'new' AS side, {period} AS period, {province} AS province FROM {new}"]
        replaced = self.replaced_select(name)
        gone: dict[tuple, int] = {}
        if replaced:
            parts.append(f"SELECT 'old', {period}, {province} FROM ({replaced})")
            gone = (
                self._gone_by_key_groups(contract, replaced, new, period, province)
                if self._any_gone(name, contract, replaced, new)
                else {}
            )
            if gone is None:
                same_key = " AND ".join(f"r.{_ident(k)} IS NOT DISTINCT FROM n.{_ident(k)}" for k in contract.key)
                parts.append(
                    f"SELECT 'gone', {period}, {province} FROM ({replaced}) r "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {new} n WHERE {same_key})"
                )
                gone = {}
        rows = self.con.execute(
            f"SELECT period, province, count(*) FILTER (WHERE side = 'old'), count(*) FILTER (WHERE side = 'new'), "
            f"count(*) FILTER (WHERE side = 'gone') FROM ({' UNION ALL '.join(parts)}) "
            f"GROUP BY ALL ORDER BY period NULLS FIRST, province NULLS FIRST"
        ).fetchall()
        return [
            AreaChange(p, pr, before, after, removed + gone.get((p, pr), 0)) for p, pr, before, after, removed in rows
        ]

    def _any_gone(self, name: str, contract: Contract, replaced: str, new: str) -> bool:
        """Whether any replaced row's key is missing from the new rows. First the cheap test that settles the usual
        case (``_same_keys_in_every_cell``); otherwise one hash anti-join (the new side's keys built, the replaced
        rows probed), which stops at the first such row. Grouping both sides by their 64-character ids to find none
        cost 2.5x the CPU at 1x and spilled at 4x (issue 13)."""
        if self._same_keys_in_every_cell(name, contract, replaced, new):
            return False
        same_key = " AND ".join(f"r.{_ident(k)} IS NOT DISTINCT FROM n.{_ident(k)}" for k in contract.key)
        keys = ", ".join(_ident(k) for k in contract.key)
        return self.con.execute(
            f"SELECT EXISTS (SELECT 1 FROM ({replaced}) r ANTI JOIN (SELECT {keys} FROM {new}) n ON {same_key})"
        ).fetchone()[0]

    def _same_keys_in_every_cell(self, name: str, contract: Contract, replaced: str, new: str) -> bool:
        """True when every replaced cell gets back exactly the keys it holds (a repeat refresh, or a ledger whose
        earlier quarters are sent again unchanged): compared per cell by row count and two sums of 64-bit hashes of
        the key, one streaming aggregate per side of a few rows a cell. The anti-join's table of 10 M 64-character
        ids outgrew the memory budget at 4x (5.4 CPU s against 0.6 at 1x, issue 13). Different key sets pass only
        if their hashes sum equal both ways (about 2^-64 for a swapped key); any difference (a key added,
        dropped or moved to another cell) leaves the answer to the exact anti-join."""
        cells = [_ident(c) for c in self.cover_columns(name) or ()]
        keys = ", ".join(_ident(k) for k in contract.key)
        by = f" GROUP BY {', '.join(cells)}" if cells else ""
        summary = ", ".join(cells + [f"count(*) AS n, sum(hash({keys})) AS f, sum(hash({keys}, '~')) AS g"])
        same_cell = " AND ".join(f"o.{c} IS NOT DISTINCT FROM n.{c}" for c in cells) or "TRUE"
        return not self.con.execute(
            f"SELECT EXISTS (SELECT 1 FROM (SELECT {summary} FROM ({replaced}){by}) o "
            f"LEFT JOIN (SELECT {summary} FROM {new}{by}) n ON {same_cell} "
            f"WHERE n.n IS DISTINCT FROM o.n OR n.f IS DISTINCT FROM o.f OR n.g IS DISTINCT FROM o.g)"
        ).fetchone()[0]

    def _gone_by_key_groups(self, contract: Contract, replaced: str, new: str, period: str, province: str):
        """(period, province) -> replaced rows whose key the new rows do not hold, from one hash aggregate over both
        sides grouped by key (GROUP BY matches NULLs as IS NOT DISTINCT FROM does). A correlated NOT EXISTS costs
        DuckDB a materialised copy, a DISTINCT and two joins of the 64-character ids (twice the CPU on the national
        ledger, and its plain anti-join does not fit the memory budget). None when a key is published twice with no
        new row (never, as published keys are unique): the caller then asks row by row."""
        keys = ", ".join(_ident(k) for k in contract.key)
        found = self.con.execute(f"""
            SELECT period, province, sum(n)::BIGINT, max(n) FROM (
                SELECT any_value(period) AS period, any_value(province) AS province, count(*) AS n
                FROM (SELECT {keys}, {period} AS period, {province} AS province, TRUE AS old FROM ({replaced})
                      UNION ALL SELECT {keys}, NULL, NULL, FALSE FROM {new})
                GROUP BY {keys} HAVING bool_and(old))
            GROUP BY ALL""").fetchall()
        if any(most > 1 for *_, most in found):
            return None
        return {(p, pr): n for p, pr, n, _ in found}

    def merged_select(self, name: str) -> str:
        kept = self.kept_select(name)
        new = f"SELECT * FROM {_ident('new__' + name)}"
        return f"{kept} UNION ALL {new}" if kept else new

    def rows(self, select: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM ({select})").fetchone()[0]

    def changes(self) -> list[TableChange]:
        changes = []
        for name, contract in all_contracts().items():
            before = self.rows(f"SELECT * FROM {self.published(name)}")
            if name not in self.staged:
                if name in self.parent_tables:
                    changes.append(TableChange(name, "carried", before, before))
                continue
            areas = self.areas(name)
            # The merge keeps the published rows outside the covered cells and adds the new ones: counted from the
            # areas' pass (replaced and new rows), not by one more pass over both (a spilled 4x ledger; issue 13).
            after = before - sum(a.rows_before for a in areas) + sum(a.rows_after for a in areas)
            detail = dict(
                covers=list(self.cover_columns(name) or []),
                areas=areas,
                rows_replaced=sum(a.rows_before for a in areas),
                rows_removed=sum(a.rows_removed for a in areas),
            )
            if name not in self.parent_tables:
                changes.append(
                    TableChange(
                        name,
                        "new",
                        0,
                        after,
                        periods_added=(self.new_periods(name) if period_key(contract) else []),
                        **detail,
                    )
                )
            elif period_key(contract) is None:
                changes.append(TableChange(name, "replaced", before, after, **detail))
            else:
                key = _ident(period_key(contract))
                old = {
                    r[0]
                    for r in self.con.execute(
                        f"SELECT DISTINCT CAST({key} AS VARCHAR) FROM {self.published(name)}"
                    ).fetchall()
                }
                new = self.new_periods(name)
                changes.append(
                    TableChange(
                        name,
                        "merged",
                        before,
                        after,
                        periods_replaced=[p for p in new if p in old],
                        periods_added=[p for p in new if p not in old],
                        **detail,
                    )
                )
        return changes

    def conflicts(self, hash_key_fingerprint: str) -> list[Issue]:
        """What would change figures silently: keys a merge would hold twice (a row kept from an earlier period and
        the same key in the new return, e.g. a grievance re-sent with another received date), and person-level rows
        hashed with another key than the new returns (ids would no longer link across registers)."""
        issues = []
        parent_fingerprint = read_manifest(self.parent, self.root).get("hash_key_fingerprint") if self.parent else None
        if parent_fingerprint and parent_fingerprint != hash_key_fingerprint:
            contracts = all_contracts()
            stale = []
            for name in self.parent_tables:
                if not any(c.kind == "pii_id" for c in contracts[name].columns):
                    continue
                old_rows = (
                    f"SELECT * FROM {self.published(name)}" if name not in self.staged else self.kept_select(name)
                )
                if old_rows and self.rows(old_rows):
                    stale.append(name)
            if stale:
                issues.append(
                    Issue(
                        file="(warehouse)",
                        severity="error",
                        code="hash_key_changed",
                        message=f"these returns were pseudonymised with another key (fingerprint {hash_key_fingerprint}) "
                        f"than the published {', '.join(stale)} (fingerprint {parent_fingerprint}); ids would no "
                        f"longer link. Use the same key, or send those returns again in full",
                    )
                )
        for name, contract in self.staged.items():
            kept = self.kept_select(name)
            if kept is None or not self.con.execute(f"SELECT EXISTS ({kept})").fetchone()[0]:
                continue  # every published period is replaced: no key can be held twice
            keys = ", ".join(_ident(k) for k in contract.key)
            dup = self.con.execute(
                f"SELECT count(*), any_value(concat_ws(' / ', {keys})) FROM (SELECT {keys} FROM ({kept}) "
                f"INTERSECT SELECT {keys} FROM {_ident('new__' + name)})"
            ).fetchone()
            if dup[0]:
                issues.append(
                    Issue(
                        file="(warehouse)",
                        severity="error",
                        code="key_in_other_period",
                        message=f"{dup[0]} row(s) of {name} have a key ({', '.join(contract.key)}) already published for "
                        f"a period (or {' × '.join(self.cover_columns(name))} cell) this refresh does not replace, "
                        f"e.g. {dup[1]}; send the earlier period again or correct the key",
                    )
                )
        return issues

    def close(self) -> None:
        """Idempotent: the publish closes the plan as soon as the tables are written, and again on any error."""
        if self.closed:
            return
        self.closed = True
        if not self.shared:
            self.con.close()
            remove_spill(self.spill)
            return
        try:
            for table in self.cell_tables.values():
                self.con.execute(f"DROP TABLE IF EXISTS {table}")
            for view in reversed(self.views):  # dependants first
                self.con.execute(f"DROP VIEW IF EXISTS {_ident(view)}")
            for name in self.registered:
                self.con.unregister(name)
        finally:
            if self.release is not None:
                self.release()


def preview_changes(
    staged: dict[str, pa.Table], root: Path | str | None = None, *, replace_whole_periods: bool = False
) -> list[TableChange]:
    """Per table: rows before and after, the periods a publish of ``staged`` would replace or add, and the replaced
    cells by period and province (with the rows that would disappear)."""
    root = _root(root)
    plan = _MergePlan(staged, root, current_version(root), replace_whole_periods)
    try:
        return plan.changes()
    finally:
        plan.close()


# ---------------------------------------------------------------------------------------------------------- publish
def _issue_records(issues: list[Issue]) -> list[dict]:
    return [asdict(i) for i in issues[:MAX_LOGGED_ISSUES]]


def publish(
    staged: dict[str, pa.Table | Path | str],
    *,
    root: Path | str | None = None,
    operator: str,
    files: list[ReturnInfo],
    warnings: list[Issue] = (),
    hash_key_fingerprint: str,
    demo_key: bool = False,
    progress=None,
    replace_whole_periods: bool = False,
    confirm_removals: bool = False,
    started: float | None = None,
    derive=None,
    connection: duckdb.DuckDBPyConnection | None = None,
    release_staged=None,
) -> str:
    """Merge ``staged`` with the current version, write it as a new version and make it current. Returns its id.
    A staged table is an Arrow table or the path of a Parquet file holding it (read by DuckDB, never whole in Python),
    or, with ``connection`` (validation's, handed over by ``validate_returns(hand_off=...)``), the name of a relation
    in that connection: read where it is, nothing staged in between. ``release_staged()`` is called once the tables
    are written (or the publish gave up), to free them before the indicators are computed.

    Each staged table replaces the published rows of the cells it covers (its contract's ``covers``; the whole of
    its periods with ``replace_whole_periods``). Raises MergeConflict (nothing written) when the merge would
    double-count keys, RemovalNotConfirmed (nothing written) when published rows would disappear and
    ``confirm_removals`` is not set, WarehouseBusy when another publish holds the lock.

    The audit trail gets a "pending" line before the version appears and "published" once CURRENT names it, so a
    crash in between leaves a trace (``list_versions`` reports such a version). ``started``: when the refresh
    began (time.monotonic), for the logged duration.

    ``derive(open_tables, folder, version) -> dict``, when given, writes tables computed from the new version's data
    (the indicator layer's results) into ``folder`` inside the version before its manifest is written, so no version
    is ever published without them; ``open_tables()`` returns a connection like ``open_version``'s on the tables
    being published. What it returns is recorded as the manifest's ``derived`` entry. An exception in it publishes
    nothing.
    """
    root = _root(root)
    started = time.monotonic() if started is None else started
    progress = progress or (lambda fraction, message: None)
    with _exclusive_lock(root):
        _remove_leftover_staging(root)
        (root / "versions").mkdir(parents=True, exist_ok=True)
        parent = current_version(root)
        version = _next_version(root)
        plan = _MergePlan(staged, root, parent, replace_whole_periods, connection, release_staged)
        staging = root / f".staging-{uuid.uuid4().hex}"
        try:
            conflicts = plan.conflicts(hash_key_fingerprint)
            if conflicts:
                raise MergeConflict(conflicts)
            changes = {c.table: c for c in plan.changes()}
            removed = removals(list(changes.values()))
            if removed and not confirm_removals:
                raise RemovalNotConfirmed(removed)
            (staging / "tables").mkdir(parents=True)
            tables = {}
            for i, (name, contract) in enumerate(all_contracts().items()):
                if name in plan.staged:
                    progress(i / len(all_contracts()), f"writing {name}")
                    tables[name] = _write_table(plan, name, contract, staging)
                elif name in plan.parent_tables:
                    tables[name] = _carry_over(root / "versions" / parent, plan.parent_tables[name], staging)
            plan.close()  # the staged rows are written: free them (and the plan's memory) before the indicators
            derived = {}
            if derive is not None:
                progress(0.9, "computing the indicators")
                derived = derive(lambda: _open_tables(staging, tables), staging / DERIVED_FOLDER, version)
                _crash_point("derived_written")
            _fsync_tree(staging)
            _crash_point("parquet_written")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # a killed process leaves it to the next publish instead
            raise
        finally:
            plan.close()
        manifest = {
            "format": MANIFEST_FORMAT,
            "version": version,
            "created_at": _utc_now(),
            "operator": operator,
            "parent": parent,
            "files": [asdict(f) for f in files],
            "table_rows": {name: entry["rows"] for name, entry in tables.items()},
            "tables": tables,
            "changes": [asdict(c) for c in changes.values()],
            "warnings": _issue_records(list(warnings)),
            "warning_count": len(warnings),
            "hash_key_fingerprint": hash_key_fingerprint,
            "demo_key": demo_key,
        }
        if derived:
            manifest["derived"] = derived
        _write_durably(staging / "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
        _crash_point("manifest_written")
        logged = dict(
            action="refresh",
            operator=operator,
            version=version,
            parent=parent,
            files=files,
            table_rows=manifest["table_rows"],
            warnings=list(warnings),
        )
        append_log(root, outcome="pending", duration_s=time.monotonic() - started, **logged)
        _crash_point("audit_pending")
        os.rename(staging, root / "versions" / version)
        _fsync_path(root / "versions")
        _crash_point("version_renamed")
        _write_durably(root / "CURRENT", version + "\n")
        _crash_point("current_switched")
        append_log(root, outcome="published", duration_s=time.monotonic() - started, **logged)
        return version


def _write_table(plan: _MergePlan, name: str, contract: Contract, staging: Path) -> dict:
    key = period_key(contract)
    if contract.partition_by:
        target = staging / "tables" / name
        entry = {"path": f"tables/{name}", "partitioned": True}
        if contract.partition_by == key and name in plan.parent_tables and plan.cover_columns(name) == (key,):
            # Merge by partition: write only the new periods, hard-link the partitions of the periods kept.
            select = f"SELECT * FROM {_ident('new__' + name)}"
            _copy_partitioned(plan.con, select, target, contract.partition_by, plain_scan=True)
            replaced = set(plan.new_periods(name))
            parent_dir = plan.root / "versions" / plan.parent / plan.parent_tables[name]["path"]
            for partition in sorted(parent_dir.glob(f"{contract.partition_by}=*")):
                if partition.name.split("=", 1)[1] not in replaced:
                    for f in partition.rglob("*.parquet"):
                        _link_or_copy(f, target / f.relative_to(parent_dir))
            files = sorted(target.rglob("*.parquet"))
            stats_from = _parquet_select(files, table_schema(contract), True) if files else None
        else:
            select = plan.merged_select(name)
            plain = plan.kept_select(name) is None
            partitions = _copy_partitioned(plan.con, select, target, contract.partition_by, plain_scan=plain)
            stats_from = select
            if partitions is not None and contract.partition_by == key:  # counted while choosing the partitions
                return _table_entry(
                    entry,
                    contract,
                    sum(rows for _, rows, _ in partitions),
                    sorted({f for _, _, files in partitions for f in files if f}),
                    [value for value, _, _ in partitions],
                )
    else:
        target = staging / "tables" / f"{name}.parquet"
        entry = {"path": f"tables/{name}.parquet", "partitioned": False}
        select = plan.merged_select(name)
        plan.con.execute(f"COPY ({select}) TO {_literal(target)} ({PARQUET_OPTIONS})")
        stats_from = select
    period_list = f"list_sort(list(DISTINCT CAST({_ident(key)} AS VARCHAR)))" if key else "[]"
    rows, source_files, periods = (
        (0, [], [])
        if stats_from is None
        else plan.con.execute(
            f"SELECT count(*), list_sort(list(DISTINCT source_file)), {period_list} FROM ({stats_from})"
        ).fetchone()
    )
    return _table_entry(entry, contract, rows, source_files, periods)


def _table_entry(entry: dict, contract: Contract, rows: int, source_files: list | None, periods: list | None) -> dict:
    return {
        **entry,
        "rows": rows,
        "columns": [c for c, _ in table_schema(contract)],
        "periods": [p for p in periods or [] if p is not None],
        "source_files": [f for f in source_files or [] if f],
    }


# A partition value written as a folder name as it is (DuckDB's PARTITION_BY would escape anything else).
_PLAIN_PARTITION_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
MAX_PARTITION_WRITES = 64  # partitions written one COPY each; more (or odd values) go through PARTITION_BY


def _partitions(con: duckdb.DuckDBPyConnection, select: str, column: str) -> list[tuple[str, int, list]] | None:
    """(value, rows, source files) of each partition of ``select`` by ``column``, in value order, when each can be
    written as its own file (a few plain text values, none NULL); None otherwise."""
    found = con.execute(
        f"SELECT {_ident(column)}, typeof({_ident(column)}), count(*), list(DISTINCT source_file) FROM ({select}) "
        f"GROUP BY ALL LIMIT {MAX_PARTITION_WRITES + 1}"
    ).fetchall()
    if len(found) > MAX_PARTITION_WRITES:
        return None
    if any(
        kind != "VARCHAR" or value is None or not _PLAIN_PARTITION_VALUE.fullmatch(value) for value, kind, *_ in found
    ):
        return None
    return sorted((value, rows, files) for value, _, rows, files in found)


def _copy_partitioned(
    con: duckdb.DuckDBPyConnection, select: str, target: Path, column: str, *, plain_scan: bool = False
) -> list[tuple[str, int, list]] | None:
    """Hive layout (``column=value/part-0.parquet``). When ``select`` is a plain scan (no merge to recompute per
    partition), a few plain partitions are written one COPY each, filtering it: DuckDB's PARTITION_BY costs nearly
    twice the CPU on the national ledger (it buffers and shuffles every row; at 4x it spills) for the same rows in the
    same files. Returns what ``_partitions`` found when it wrote them so (None when PARTITION_BY did)."""
    partitions = _partitions(con, select, column) if plain_scan else None
    if partitions is None:
        con.execute(
            f"COPY ({select}) TO {_literal(target)} ({PARQUET_OPTIONS}, "
            f"PARTITION_BY ({_ident(column)}), FILENAME_PATTERN 'part-{{i}}')"
        )
    elif sum(rows for _, rows, _ in partitions) >= ONE_PASS_PARTITION_ROWS:
        _write_partitions_in_one_pass(con, select, target, column, [value for value, _, _ in partitions])
    else:
        for value, _, _ in partitions:
            folder = target / f"{column}={value}"
            folder.mkdir(parents=True)
            con.execute(
                f"COPY (SELECT * EXCLUDE ({_ident(column)}) FROM ({select}) WHERE {_ident(column)} = {_literal(value)}) "
                f"TO {_literal(folder / 'part-0.parquet')} ({PARQUET_OPTIONS})"
            )
    target.mkdir(parents=True, exist_ok=True)  # an empty table writes no partition
    return partitions


def _write_partitions_in_one_pass(
    con: duckdb.DuckDBPyConnection, select: str, target: Path, column: str, values: list[str]
) -> None:
    """The files ``_copy_partitioned`` writes one COPY per partition (``column=value/part-0.parquet``, the partition
    column left out, rows in ``select``'s order, zstd level 1), from one ordered stream of ``select``'s rows split
    by ``column`` as it goes: each row is read once, whatever the number of partitions. Row groups hold
    ``ONE_PASS_ROW_GROUP_ROWS`` rows (the last of a file fewer); no more than about that many rows per partition wait
    in memory."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    writers: dict[str, pq.ParquetWriter] = {}
    waiting: dict[str, list[pa.Table]] = {value: [] for value in values}
    waiting_rows = dict.fromkeys(values, 0)

    def flush(value: str, whole_groups_only: bool) -> None:
        rows = pa.concat_tables(waiting[value])
        kept = rows.num_rows % ONE_PASS_ROW_GROUP_ROWS if whole_groups_only else 0
        waiting[value] = [rows.slice(rows.num_rows - kept)] if kept else []
        waiting_rows[value] = kept
        rows = rows.slice(0, rows.num_rows - kept)
        if value not in writers:
            folder = target / f"{column}={value}"
            folder.mkdir(parents=True)
            writers[value] = pq.ParquetWriter(
                folder / "part-0.parquet", rows.schema, compression=PARQUET_CODEC, compression_level=PARQUET_LEVEL
            )
        writers[value].write_table(rows, row_group_size=ONE_PASS_ROW_GROUP_ROWS)

    try:
        # con.sql(...).to_arrow_reader streams (DB-API execute() would copy every row first), in select's order.
        for batch in con.sql(select).to_arrow_reader(ONE_PASS_ROW_GROUP_ROWS):
            rows = pa.Table.from_batches([batch])
            keys = rows.column(column)
            rows = rows.drop_columns([column])
            for value in pc.unique(keys).to_pylist():
                if value not in waiting:  # the rows changed since the partitions were counted: never expected
                    raise WarehouseError(f"partition {column}={value!r} was not counted before writing")
                part = rows.filter(pc.equal(keys, value))
                waiting[value].append(part)
                waiting_rows[value] += part.num_rows
                if waiting_rows[value] >= ONE_PASS_ROW_GROUP_ROWS:
                    flush(value, whole_groups_only=True)
        for value in values:
            if waiting_rows[value]:
                flush(value, whole_groups_only=False)
    finally:
        for writer in writers.values():
            writer.close()
        waiting.clear()
        pa.default_memory_pool().release_unused()  # the buffers go back before the indicators are computed


def _carry_over(parent_dir: Path, entry: dict, staging: Path) -> dict:
    src = parent_dir / entry["path"]
    dst = staging / entry["path"]
    if entry.get("partitioned"):
        dst.mkdir(parents=True, exist_ok=True)
        for f in src.rglob("*"):
            if f.is_file():
                _link_or_copy(f, dst / f.relative_to(src))
    else:
        _link_or_copy(src, dst)
    return dict(entry)


# ---------------------------------------------------------------------------------------------------------- roll-back
def rollback(version: str, *, root: Path | str | None = None, operator: str) -> str:
    """Make an earlier version current again (atomic); logs the roll-back. Returns the version it replaced."""
    root = _root(root)
    started = time.monotonic()
    with _exclusive_lock(root):
        manifest = read_manifest(version, root)
        previous = current_version(root)
        if previous == version:
            raise WarehouseError(f"{version} is already the current version")
        _write_durably(root / "CURRENT", version + "\n")
        append_log(
            root,
            action="rollback",
            operator=operator,
            outcome="rolled_back",
            version=version,
            parent=previous,
            table_rows=manifest["table_rows"],
            duration_s=time.monotonic() - started,
        )
    return previous


# ---------------------------------------------------------------------------------------------------------- log
def append_log(
    root: Path | str | None,
    *,
    action: str,
    operator: str,
    outcome: str,
    version: str | None,
    parent: str | None,
    files: list[ReturnInfo] = (),
    table_rows: dict[str, int] | None = None,
    warnings: list[Issue] = (),
    errors: list[Issue] = (),
    duration_s: float = 0.0,
) -> dict:
    """Append one line to ``refresh_log.jsonl`` (outside versions/ and CURRENT: the only write a rejection makes)."""
    root = _root(root)
    entry = {
        "timestamp": _utc_now(),
        "action": action,
        "operator": operator,
        "outcome": outcome,
        "version": version,
        "parent": parent,
        "files": [asdict(f) for f in files],
        "table_rows": table_rows or {},
        "warning_count": len(warnings),
        "error_count": len(errors),
        "warnings": _issue_records(list(warnings)),
        "errors": _issue_records(list(errors)),
        "duration_s": round(duration_s, 3),
    }
    root.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(root / LOG_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)  # one write with O_APPEND: concurrent appenders do not interleave lines
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry
