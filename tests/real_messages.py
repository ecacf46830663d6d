"""The validation messages real inputs produce (for the Lao message test): the sample returns, the broken return,
the hostile corpus, a refused removal of a partial return, unknown provinces (with and without a suggestion)."""

from __future__ import annotations

from pathlib import Path

from data_pipeline import refresh, warehouse
from tests.hostile_files import SMALL_FILE_LIMIT_MB, corpus
from tests.ingest_fixtures import KEY, hi_rows, write_xlsx
from tests.staging_tables import cash_transfer_rows, staged_table

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def returns_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".csv", ".parquet"))


def sample_messages() -> list[str]:
    report, _ = refresh.validate(returns_in(SAMPLE), hash_key=KEY)
    return [i.message for i in report.issues] + [report.summary()]


def broken_messages() -> list[str]:
    report, _ = refresh.validate(returns_in(SAMPLE / "broken"), hash_key=KEY)
    return [i.message for i in report.issues] + [report.summary()]


def hostile_messages(tmp_path: Path, monkeypatch) -> list[str]:
    monkeypatch.setenv("SP_GATE_MAX_FILE_MB", SMALL_FILE_LIMIT_MB)
    messages = []
    for i, hostile in enumerate(corpus()):
        path = tmp_path / f"hostile{i}" / hostile.name
        path.parent.mkdir(parents=True)
        path.write_bytes(hostile.data)
        report, _ = refresh.validate([path], hash_key=KEY)
        messages += [issue.message for issue in report.issues]
    return messages


def removal_refusal(tmp_path: Path) -> str:
    def publish(staged, **options):
        return warehouse.publish(
            staged, root=tmp_path, operator="t", files=[], warnings=[], hash_key_fingerprint="k", **options
        )

    rows = cash_transfer_rows("2022-Q1", 10) + cash_transfer_rows("2022-Q2", 20)
    publish({"cash_transfer": staged_table("cash_transfer", rows, "q1q2.xlsx")})
    resent = {"cash_transfer": staged_table("cash_transfer", cash_transfer_rows("2022-Q2", 25, ("0101",)), "q2.xlsx")}
    try:
        publish(resent, replace_whole_periods=True)
    except warehouse.RemovalNotConfirmed as refused:
        return str(refused)
    raise AssertionError("the removal was not refused")


def province_messages(tmp_path: Path) -> list[str]:
    rows = [["2022-Q2", "Bokeow" if i % 2 == 0 else "Attapeu", "FM"[i % 2], "0-14", "hef", i] for i in range(40)]
    rows += [["2022-Q3", "Viengchan", "F", "0-14", "hef", 1], ["2022-Q3", "Zzyzx", "F", "0-14", "hef", 1]]
    report, _ = refresh.validate([write_xlsx(tmp_path / "hi.xlsx", hi_rows(*rows))], hash_key=KEY)
    return [i.message for i in report.issues]
