"""Files and accounts the role tests share: the sample's broken return, fixed as the ministry would fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PROJECT, run_page

BROKEN_RETURN = PROJECT / "sample_data" / "broken" / "MoES_school_meals_2022Q2_broken.xlsx"
FIXED_NAME = "MoES_school_meals_2022Q2.xlsx"
PASSWORD = "a long test password"


def fixed_return(folder: Path) -> Path:
    """The broken school-meals return with its three faults corrected (cells named in sample_data/README.md)."""
    import openpyxl

    workbook = openpyxl.load_workbook(BROKEN_RETURN)
    sheet = workbook["school_meals"]
    sheet["E3"] = 2017  # was 2016.5: a count has no decimals
    sheet["B5"] = "Phongsaly"  # was Vientiane North: no such province
    sheet["A6"] = "2022-Q2"  # was 2022-Q5: no such quarter
    path = Path(folder) / FIXED_NAME
    workbook.save(path)
    return path


def add_account(accounts_file: Path, username: str, role: str, province: str | None = None) -> None:
    from access.accounts import AccountStore

    AccountStore(accounts_file).add(
        username, role=role, password=PASSWORD, province=province, display_name=username.capitalize()
    )


def session_for(username: str, role: str, province: str | None = None) -> dict:
    """What a successful sign-in leaves in session state (dashboard.auth.start_session)."""
    from dashboard import auth

    state: dict = {}
    auth.start_session(state, auth.User(username, role, province, username.capitalize()))
    return state[auth.SESSION_KEY]


def run_as(
    page: str,
    username: str | None,
    params: dict[str, str] | None = None,
    *,
    role: str = "secretariat",
    province: str | None = None,
    timeout: float = 120,
):
    """Like tests.conftest.run_page, signed in as ``username`` (an account of SP_ACCOUNTS_FILE); None = public."""
    from dashboard import auth

    session = {auth.SESSION_KEY: session_for(username, role, province)} if username is not None else None
    return run_page(page, params, timeout, session=session)


@pytest.fixture
def accounts(tmp_path, monkeypatch) -> Path:
    """A fresh accounts file (outside the project) with one account per role; cheap bcrypt for tests."""
    path = tmp_path / "accounts" / "accounts.json"
    monkeypatch.setenv("SP_ACCOUNTS_FILE", str(path))
    monkeypatch.setenv("SP_BCRYPT_ROUNDS", "4")
    add_account(path, "officer", "secretariat")
    add_account(path, "member", "commission")
    add_account(path, "attapeu", "commission", province="LA-AT")
    return path
