"""Geography harmonisation: every way a ministry writes a province or district maps to one code, or to none."""

import duckdb
import pytest

from data_pipeline import reference


@pytest.mark.parametrize(
    "written, iso",
    [
        ("Attapeu", "LA-AT"),
        ("ATTAPEU PROVINCE", "LA-AT"),
        ("Attapu", "LA-AT"),
        ("LA-AT", "LA-AT"),
        ("17", "LA-AT"),
        ("ອັດຕະປື", "LA-AT"),
        ("ແຂວງອັດຕະປື", "LA-AT"),
        ("1", "LA-VT"),
        ("01", "LA-VT"),
        ("Vientiane Capital", "LA-VT"),
        ("Vientiane Prefecture", "LA-VT"),
        ("Viangchan", "LA-VT"),
        ("vientiane-capital", "LA-VT"),
        ("ນະຄອນຫຼວງວຽງຈັນ", "LA-VT"),
        ("Vientiane", "LA-VI"),
        ("Vientiane Province", "LA-VI"),
        ("Viangchan Province", "LA-VI"),
        ("ວຽງຈັນ", "LA-VI"),
        ("Luang-Prabang", "LA-LP"),
        ("Louangphabang", "LA-LP"),
        ("ຫລວງພະບາງ", "LA-LP"),  # ຫຼ written as two letters
        ("Phôngsali", "LA-PH"),
        ("Savannakhét", "LA-SV"),
        ("Bolikhamxai", "LA-BL"),
        ("Xekong", "LA-XE"),
    ],
)
def test_province_spellings(written, iso):
    assert reference.province_code(written) == iso


@pytest.mark.parametrize("written", ["", None, "Total", "Vientiane North", "99", "LA", "Sanamxay"])
def test_unknown_provinces_are_none(written):
    assert reference.province_code(written) is None


@pytest.mark.parametrize(
    "province, written, code",
    [
        ("LA-AT", "Sanamxay", "1703"),
        ("LA-AT", "Sanamxai", "1703"),
        ("LA-AT", "Xanamxay", "1703"),
        ("LA-AT", "Sanamxay District", "1703"),
        ("LA-AT", "Muang Sanamxay", "1703"),
        ("LA-AT", "1703", "1703"),
        ("LA-AT", "Phouvong", "1705"),
        ("LA-AT", "Phuvong", "1705"),
        ("LA-SV", "Nong", "1306"),
        ("LA-VT", "Sisattanak", "0104"),
        ("LA-VT", "104", "0104"),
        ("LA-VT", "0104", "0104"),
    ],
)
def test_district_spellings_within_their_province(province, written, code):
    assert reference.district_code(province, written) == code


def test_same_district_name_in_two_provinces_is_told_apart_by_the_province():
    assert reference.district_code("LA-VT", "Xaysetha") == "0103"
    assert reference.district_code("LA-AT", "Xaysetha") == "1701"
    assert reference.district_code("LA-LP", "Phonthong") == "0612"
    assert reference.district_code("LA-CH", "Phonthong") == "1606"


def test_district_of_another_province_is_not_matched_and_is_named_for_the_error():
    assert reference.district_match("LA-VT", "Sanamxay") == (None, "other_province")
    assert reference.district_match("LA-SV", "0101") == (None, "other_province")
    assert reference.district_elsewhere("Sanamxay") == ["1703 Sanamxay (LA-AT)"]


def test_romanisation_guess_is_only_taken_when_unique_in_the_province():
    assert reference.district_match("LA-VT", "Sisatanak") == ("0104", "phonetic")
    assert reference.district_match("LA-AT", "Nowhere") == (None, "unknown")


def test_every_reference_spelling_maps_back_to_its_own_code():
    for province in reference.provinces().values():
        assert reference.province_code(province.name_en) == province.iso_code
        assert reference.province_code(province.name_lo) == province.iso_code
    for district in reference.districts().values():
        assert reference.district_code(district.province_iso, district.name_en) == district.lsb_code
    assert len(reference.districts()) == 148


def test_reference_tables_registered_in_duckdb():
    con = duckdb.connect()
    reference.register_reference_tables(con)
    assert con.execute("SELECT count(*) FROM provinces").fetchall() == [(18,)]
    assert con.execute("SELECT count(*) FROM districts").fetchall() == [(148,)]
    key = reference.place_key("Vientiane Capital")
    assert con.execute("SELECT iso_code FROM province_aliases WHERE alias_key = ?", [key]).fetchall() == [("LA-VT",)]
    assert con.execute(
        "SELECT lsb_code FROM district_aliases WHERE province_iso = 'LA-AT' AND alias_key = 'xanamxay'"
    ).fetchall() == [("1703",)]


@pytest.mark.parametrize(
    "written, iso",
    [
        ("Oudomsai", "LA-OU"),
        ("Udomxai", "LA-OU"),  # x/s, ou/u
        ("Sayabouri", "LA-XA"),  # x/s, r/l
        ("Borikhamsai", "LA-BL"),  # r/l, x/s
        ("Savanakhet", "LA-SV"),
        ("Savannaket", "LA-SV"),  # doubled letters, kh/k
        ("Atapeu", "LA-AT"),
        ("Khammuan", "LA-KH"),
        ("Kammouan", "LA-KH"),
        ("Saravanh", "LA-SL"),
        ("Saravan Province", "LA-SL"),  # final nh, final e
        ("Phongsaly", "LA-PH"),
        ("Bokeo", "LA-BK"),
        ("ຜົງສາລີ", "LA-PH"),
        ("ອຸດົມໄຊ່", "LA-OU"),  # Lao script: a tone mark missing / added
    ],
)
def test_province_romanisation_variants_are_absorbed_when_unique(written, iso):
    assert reference.province_match(written) == (iso, "phonetic") or reference.province_match(written) == (iso, "exact")
    assert reference.province_code(written) == iso


def test_a_variant_that_could_be_two_provinces_is_refused_naming_both():
    # "Viengchan" folds to both the capital (Viangchan) and the province (Viangchan Province).
    assert reference.province_match("Viengchan") == (None, "ambiguous")
    assert reference.closest_provinces("Viengchan") == ["Vientiane Province (LA-VI)", "Vientiane Capital (LA-VT)"]


def test_an_unknown_province_gets_the_closest_ones_as_a_suggestion():
    assert reference.province_match("Bokeow") == (None, "unknown")
    assert reference.closest_provinces("Bokeow") == ["Bokeo (LA-BK)"]
    assert reference.closest_provinces("Vientiane North")[:2] == [
        "Vientiane Capital (LA-VT)",
        "Vientiane Province (LA-VI)",
    ]
    assert reference.closest_provinces("Qwertyuiop") == []
