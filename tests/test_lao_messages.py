"""The refresh report in Lao: every validation message real inputs produce reads in Lao (dashboard.i18n.message_text
over the [messages] templates), on the refresh page and in its downloads; English stays exactly as the pipeline
wrote it."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from dashboard import components, exports, i18n
from dashboard.i18n import message_text
from tests import real_messages
from tests.roles_fixtures import BROKEN_RETURN, accounts, run_as  # noqa: F401  (fixture)
from tests.test_pages_lao import english_words

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Not words: what the message quotes from the file ('…'), file and part names, the contract's column and table
# names (snake_case, key=value), command-line flags, program error names (CamelCase) and operating systems.
_NOT_WORDS = [
    r"'[^']*'",
    r"\S+\.(xlsx|xlsm|csv|parquet|xml|bin)\b",
    r"\S*/\S*",
    r"\b\w+=\S+?(?=[,)]|$)",
    r"\b\w*_\w*\b",
    r"--[a-z-]+",
    r"\b[a-z]+[A-Z]\w*|\b[A-Z][a-z]+[A-Z]\w*|\b[A-Z]{2,}[a-z]+\b",
    r"\b(Linux|Windows)\b",
]


def english_left(lao: str) -> list[str]:
    for pattern in _NOT_WORDS:
        lao = re.sub(pattern, " ", lao)
    return english_words([lao])[0]


@pytest.fixture(autouse=True)
def _forget_the_last_language():
    yield
    i18n._last_run_language = None


@pytest.fixture(scope="module")
def sample_and_broken():
    return real_messages.sample_messages(), real_messages.broken_messages()


def test_the_sample_and_the_broken_return_give_the_messages_this_test_reads(sample_and_broken):
    sample, broken = sample_and_broken
    assert len(sample) > 20 and sample[-1].endswith(": 0 error(s), 27 warning(s)")
    assert len(broken) == 4 and broken[-1] == "1 table(s) read from 1 file(s): 3 error(s), 0 warning(s)"


def test_every_message_of_real_inputs_reads_in_lao(sample_and_broken, tmp_path, monkeypatch):
    messages = [*sample_and_broken[0], *sample_and_broken[1]]
    messages += real_messages.hostile_messages(tmp_path / "hostile", monkeypatch)
    messages += real_messages.province_messages(tmp_path)
    (tmp_path / "warehouse").mkdir()
    messages.append(real_messages.removal_refusal(tmp_path / "warehouse"))
    distinct = list(dict.fromkeys(messages))
    assert len(distinct) > 40
    untranslated = {m: english_left(message_text(m, "lo")) for m in distinct}
    untranslated = {m: left for m, left in untranslated.items() if left}
    assert not untranslated, f"{len(untranslated)} of {len(distinct)} messages keep English: {untranslated}"
    assert all(message_text(m, "en") == m for m in distinct)  # English: the pipeline's text, byte for byte


def test_values_from_the_file_stay_as_written_and_suggested_provinces_are_named_in_lao():
    lao = message_text("'Bokeow' is not a known province: did you mean Bokeo (LA-BK)? — rows 2, 4, 6 and 17 more", "lo")
    assert lao == "'Bokeow' ບໍ່ແມ່ນແຂວງທີ່ຮູ້ຈັກ: ທ່ານໝາຍເຖິງ ບໍ່ແກ້ວ (LA-BK) ບໍ? — ແຖວ 2, 4, 6 ແລະ ອີກ 17 ແຖວ"
    # A quoted cell is the file's text even when it is a word the catalogue knows ('Province' is in [ui]).
    assert message_text("'Province' is below the minimum 0", "lo") == "'Province' ຕ່ຳກວ່າຂັ້ນຕ່ຳ 0"
    hidden = (
        "the value (not shown: this return holds personal data) is not a date; expected a four-digit year such as 2022"
    )
    assert message_text(hidden, "lo") == "ຄ່ານີ້ (ບໍ່ສະແດງ: ແບບລາຍງານນີ້ມີຂໍ້ມູນສ່ວນບຸກຄົນ) ບໍ່ແມ່ນວັນທີ; ຕ້ອງເປັນ ປີ 4 ຕົວເລກ ເຊັ່ນ 2022"


def test_a_message_no_template_knows_stays_english_and_never_breaks():
    for message in ("a message nobody wrote a template for, to or from anyone", "", "{braces} and {more}", None):
        assert message_text(message, "lo") == message


def broken_return_uploaded(monkeypatch, tmp_path, lang: str):
    """The refresh page (demo deployment) after the Secretariat uploaded the broken return, in ``lang``."""
    monkeypatch.delenv("SP_HASH_KEY", raising=False)
    monkeypatch.setenv("SP_HASH_KEY_FILE", str(tmp_path / "no_key"))
    monkeypatch.setenv("SP_ALLOW_DEMO_KEY", "1")
    monkeypatch.setenv("SP_UPLOAD_DIR", str(tmp_path / "uploads"))
    at = run_as("pages/refresh.py", "officer", {"lang": lang})
    at.get("file_uploader")[0].set_value([(BROKEN_RETURN.name, BROKEN_RETURN.read_bytes(), XLSX)]).run()
    return at


def test_the_refresh_page_in_lao_reports_the_broken_return_in_lao(dashboard_warehouse, accounts, monkeypatch, tmp_path):
    csv_downloads: list[bytes] = []
    monkeypatch.setattr(components, "csv_bytes", lambda frame: csv_downloads.append(exports.csv_bytes(frame)) or b"")
    at = broken_return_uploaded(monkeypatch, tmp_path, "lo")
    assert not at.exception, at.exception
    [report] = [d.value for d in at.dataframe if "ຂໍ້ຄວາມ" in d.value.columns]  # 'message'
    messages = list(report["ຂໍ້ຄວາມ"])
    assert len(messages) == 3 and "'Vientiane North' ບໍ່ແມ່ນແຂວງທີ່ຮູ້ຈັກ" in " ".join(messages)
    assert not [english_left(m) for m in messages if english_left(m)], messages
    assert set(report["ລະດັບຄວາມຮ້າຍແຮງ"]) == {"ຂໍ້ຜິດພາດ"}  # severity: error
    [summary] = [e.value for e in at.error]
    assert summary.endswith("ອ່ານໄດ້ 1 ຕາຕະລາງ ຈາກ 1 ໄຟລ໌: ຂໍ້ຜິດພາດ 3, ຄຳເຕືອນ 0.") and not english_left(summary)
    # The downloads send the report back to the ministry as the officer read it: Lao headers, Lao messages.
    [sent] = [pd.read_csv(io.BytesIO(b), encoding="utf-8-sig") for b in csv_downloads if "ຂໍ້ຄວາມ".encode() in b]
    assert list(sent["ຂໍ້ຄວາມ"]) == messages and "ແຖວ" in sent.columns


def test_the_report_in_english_is_unchanged(dashboard_warehouse, accounts, monkeypatch, tmp_path):
    at = broken_return_uploaded(monkeypatch, tmp_path, "en")
    report = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert sorted(report["message"]) == sorted(real_messages.broken_messages()[:-1])


def test_data_status_shows_the_last_refresh_warnings_in_lao(dashboard_warehouse, accounts):
    at = run_as("pages/data_status.py", "officer", {"lang": "lo"})
    assert not at.exception, at.exception
    [warnings] = [d.value for d in at.dataframe if "ຂໍ້ຄວາມ" in d.value.columns and "ໄຟລ໌" in d.value.columns]
    messages = list(warnings["ຂໍ້ຄວາມ"])
    assert len(messages) > 20 and not [m for m in messages if english_left(m)], messages
    assert any("ໄດ້ອ່ານເປັນຕົວເລກແລ້ວ" in m for m in messages)  # 'were read as numbers'
