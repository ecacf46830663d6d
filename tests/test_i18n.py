"""The translation catalogues (locales/*.toml) are complete and consistent, and Lao numbers of the calendar read right."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from dashboard import i18n

PROJECT = Path(__file__).resolve().parent.parent
LAO = re.compile(r"[\u0E80-\u0EFF]")
PLACEHOLDER = re.compile(r"\{(\w*)\}")
# Lao entries that are rightly not in Lao script: names of file formats.
NOT_LAO_SCRIPT = {"CSV", "Excel", "SHA256"}


def _catalogue(language: str) -> dict:
    with (PROJECT / "locales" / f"{language}.toml").open("rb") as handle:
        return tomllib.load(handle)


def wrapped_texts() -> dict[str, str]:
    """Every literal passed to ``t(...)`` in the dashboard's code: text -> file."""
    files = [PROJECT / "app.py", *(PROJECT / "pages").glob("*.py"), *(PROJECT / "dashboard").glob("*.py")]
    found = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, path.name)
    return found


def test_the_scan_finds_the_wrapped_texts():
    texts = wrapped_texts()
    assert len(texts) > 150
    assert texts["Copy link to this view"] == "components.py"


@pytest.mark.parametrize("language", ["lo", "en"])
def test_every_wrapped_text_is_in_each_catalogue(language):
    ui = _catalogue(language)["ui"]
    missing = {text: where for text, where in wrapped_texts().items() if text not in ui}
    assert not missing, f"{language}.toml lacks: {missing}"


@pytest.mark.parametrize("section", ["ui", "columns"])
def test_english_and_lao_catalogues_have_the_same_keys(section):
    lao, english = set(_catalogue("lo")[section]), set(_catalogue("en")[section])
    assert lao - english == set(), f"in lo.toml only: {sorted(lao - english)}"
    assert english - lao == set(), f"in en.toml only: {sorted(english - lao)}"


def test_lao_entries_are_in_lao_script_with_the_same_placeholders():
    lao = _catalogue("lo")
    for section in ("ui", "columns"):
        for key, text in lao[section].items():
            assert text.strip(), f"[{section}] {key!r} is empty"
            assert LAO.search(text) or text in NOT_LAO_SCRIPT or not re.search("[a-z]{3}", text), (
                f"[{section}] {key!r} is not in Lao: {text!r}"
            )
            assert sorted(PLACEHOLDER.findall(key)) == sorted(PLACEHOLDER.findall(text)), (
                f"[{section}] {key!r}: placeholders differ in {text!r}"
            )


def test_lao_column_headers_are_unique():
    """Two columns with one header would make a table (and its download) ambiguous: pandas refuses them."""
    headers = list(_catalogue("lo")["columns"].values())
    assert len(headers) == len(set(headers)), sorted(h for h in headers if headers.count(h) > 1)


def test_every_catalogue_indicator_has_its_lao_content():
    """Name, short name, definition (numerator, denominator) and method note in Lao, for every id of the
    catalogue as it is when the test runs."""
    from indicators.catalogue import all_indicators

    lao = _catalogue("lo").get("indicators", {})
    missing = {}
    for indicator_id, entry in all_indicators().items():
        wanted = ["name", "short_name", "numerator", "method_note"] + (
            ["denominator"] if entry.denominator_label else []
        )
        wanted += ["pending_label"] if getattr(entry, "pending_label", None) else []  # where the entry has one
        lacking = [f for f in wanted if not LAO.search(lao.get(indicator_id, {}).get(f, ""))]
        if lacking:
            missing[indicator_id] = lacking
    assert not missing, f"Lao content missing in locales/lo.toml [indicators.ID]: {missing}"


@pytest.fixture
def lao(monkeypatch):
    monkeypatch.setenv("SP_LANG", "lo")
    monkeypatch.setattr(i18n, "_last_run_language", None)


def test_periods_and_dates_in_lao(lao):
    assert i18n.period_label("2022-Q2") == "ໄຕມາດ 2/2022"
    assert i18n.period_label("2022-05") == "ພຶດສະພາ 2022"
    assert i18n.period_label("2022") == "2022"
    assert i18n.date_time_label("2026-12-01T16:20:05+07:00") == "1 ທັນວາ 2026, 16:20"
    assert i18n.t("No data for {count} province(s): {names}.", count=2, names="A, B") == "ບໍ່ມີຂໍ້ມູນສຳລັບ 2 ແຂວງ: A, B."


def test_numbers_and_statuses_in_lao(lao):
    from dashboard import format as fmt

    assert fmt.value_with_unit(None, "percent") == "ບໍ່ມີຂໍ້ມູນ"
    assert fmt.value_with_unit(12, "days") == "12 ມື້"
    assert fmt.value_with_unit(1500000, "LAK") == "1,500,000 ກີບ"
    assert fmt.value_with_unit(3, "persons", suppressed=True) == "ປິດບັງ"
    assert fmt.status_label("substantial_progress") == "▲ ເປັນໄປຕາມແຜນ"  # Open SDG's Lao status label


def test_english_is_unchanged_outside_a_session(monkeypatch):
    monkeypatch.delenv("SP_LANG", raising=False)
    monkeypatch.setattr(i18n, "_last_run_language", None)
    from dashboard import format as fmt

    assert i18n.period_label("2022-Q2") == "2022-Q2"
    assert fmt.value_with_unit(12, "days") == "12 days"
    assert i18n.column_label("province_name") == "province_name"


def test_an_unknown_sp_lang_falls_back_to_english(monkeypatch):
    monkeypatch.setenv("SP_LANG", "fr")
    assert i18n.default_language() == "en"


def test_the_lao_font_is_shipped_and_served():
    font = PROJECT / "static" / "fonts" / "Phetsarath_OT.ttf"
    assert font.read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
    assert (PROJECT / "static" / "fonts" / "LICENSE-LGPL-2.1.txt").exists()
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    assert config["theme"]["fontFaces"][0]["url"] == "app/static/fonts/Phetsarath_OT.ttf"
    assert "Phetsarath OT" in config["theme"]["font"]
    from dashboard.charts import FONT

    assert "Phetsarath OT" in FONT


def test_coded_cells_and_generated_reasons_in_lao(lao):
    import pandas as pd

    frame = pd.DataFrame(
        {
            "province": ["LA-AT"],
            "unit": ["percent"],
            "channel": ["cash"],
            "value": [1.5],
            "reasons": ["no data for ID linkability; on-time payment 0.50 below the minimum 0.70; something new"],
            "sender": ["Provincial Social Welfare Office, Attapeu"],
        }
    )
    shown = i18n.with_column_labels(i18n.with_cell_labels(frame))
    assert list(shown.columns) == ["ລະຫັດແຂວງ", "ຫົວໜ່ວຍ", "ຊ່ອງທາງ", "ຄ່າ", "ເຫດຜົນ", "ຜູ້ສົ່ງ"]
    row = shown.iloc[0]
    assert (row["ລະຫັດແຂວງ"], row["ຫົວໜ່ວຍ"], row["ຊ່ອງທາງ"], row["ຄ່າ"]) == ("LA-AT", "ສ່ວນຮ້ອຍ", "ເງິນສົດ", 1.5)
    assert row["ເຫດຜົນ"] == (
        "ບໍ່ມີຂໍ້ມູນສຳລັບການເຊື່ອມໂຍງບັດປະຈຳຕົວ; ການຈ່າຍເງິນທັນເວລາ 0.50 ຕ່ຳກວ່າຂັ້ນຕ່ຳ 0.70; something new"
    )  # an unknown phrase is kept, not dropped
    assert row["ຜູ້ສົ່ງ"] == "ຫ້ອງການສະຫວັດດີການສັງຄົມແຂວງ ອັດຕະປື"


@pytest.mark.parametrize("section", ["phrases"])
def test_phrase_templates_exist_in_both_catalogues(section):
    assert set(_catalogue("lo")[section]) == set(_catalogue("en")[section])


def test_sign_in_notices_in_lao(lao):
    from datetime import datetime, timedelta, timezone

    from dashboard.auth import SignInLocked

    now = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    locked = i18n.phrases_text(str(SignInLocked(now + timedelta(minutes=14, seconds=30), now)), separator="\n")
    assert locked == ("ລົງຊື່ເຂົ້າໃຊ້ຜິດຫຼາຍເທື່ອເກີນໄປສຳລັບບັນຊີນີ້ ຈາກຄອມພິວເຕີນີ້. ລອງໃໝ່ໃນອີກ 15 ນາທີ (ຫຼັງເວລາ 09:14:30 UTC).")
    short = i18n.phrases_text(str(SignInLocked(now + timedelta(seconds=30), now)), separator="\n")
    assert "30 ວິນາທີ" in short and "Too many" not in short
    assert (
        i18n.phrases_text("Your session ended after 30 minutes without activity: please sign in again.", separator="\n")
        == "ການເຂົ້າໃຊ້ຂອງທ່ານໄດ້ສິ້ນສຸດລົງ ຫຼັງຈາກບໍ່ມີການເຄື່ອນໄຫວ 30 ນາທີ: ກະລຸນາເຂົ້າສູ່ລະບົບໃໝ່."
    )


def test_message_templates_are_in_both_catalogues_with_the_same_placeholders():
    """[messages]: the pipeline's validation messages as templates (dashboard.i18n.message_text)."""
    lao, english = _catalogue("lo")["messages"], _catalogue("en")["messages"]
    assert set(lao) == set(english)
    assert all(text == key for key, text in english.items())  # English shows the pipeline's own text
    for key, text in lao.items():
        words = re.search("[a-z]{2}", PLACEHOLDER.sub("", key))  # '{name} ({code})' joins parts: no words
        assert LAO.search(text) or not words, f"[messages] {key!r} is not in Lao: {text!r}"
        assert len(set(PLACEHOLDER.findall(key))) == len(PLACEHOLDER.findall(key)), f"{key!r}: a name used twice"
        assert sorted(PLACEHOLDER.findall(key)) == sorted(PLACEHOLDER.findall(text)), (
            f"[messages] {key!r}: placeholders differ in {text!r}"
        )
        # a value quoted from the file in English ('{raw}') is quoted in Lao too: kept as it came
        assert sorted(re.findall(r"'\{\w+\}'", key)) == sorted(re.findall(r"'\{\w+\}'", text)), key
