"""Files and accounts the role tests share: the sample's broken return, fixed as the ministry would fix it."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import PROJECT

BROKEN_RETURN = PROJECT / "sample_data" / "broken" / "MoES_school_meals_2022Q2_broken.xlsx"
FIXED_NAME = "MoES_school_meals_2022Q2.xlsx"
PASSWORD = "a long test password"


def fixed_return(folder: Path) -> Path:
    """The broken school-meals return with its three faults corrected (cells named in sample_data/README.md)."""
    import openpyxl
    workbook = openpyxl.load_workbook(BROKEN_RETURN)
    sheet = workbook["school_meals"]
    sheet["E3"] = 2017              # was 2016.5: a count has no decimals
    sheet["B5"] = "Phongsaly"       # was Vientiane North: no such province
    sheet["A6"] = "2022-Q2"         # was 2022-Q5: no such quarter
    path = Path(folder) / FIXED_NAME
    workbook.save(path)
    return path


def add_account(accounts_file: Path, username: str, role: str, province: str | None = None) -> None:
    from dashboard.accounts import AccountStore
    AccountStore(accounts_file).add(username, role=role, password=PASSWORD, province=province,
                                    display_name=username.capitalize())
