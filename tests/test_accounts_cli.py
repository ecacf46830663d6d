"""`python -m access.accounts`: the Secretariat's way to manage accounts, with exit codes 0 / 1 / 2."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from access import accounts
from access.accounts import AccountStore, main
from access.signin import authenticate
from access.throttle import SignInThrottle
from access.users import User

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def accounts_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "sp" / "accounts.json"
    monkeypatch.setenv("SP_ACCOUNTS_FILE", str(path))
    monkeypatch.setenv("SP_BCRYPT_ROUNDS", "4")
    return path


def run(args: list[str], password_lines: str | None = None, monkeypatch=None) -> int:
    if password_lines is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(password_lines))
    return main(args)


def sign_in(name: str, password: str) -> User | None:
    return authenticate(name, password, store=AccountStore(), throttle=SignInThrottle())


def test_round_trip_through_the_real_command(accounts_file):
    env = {**os.environ, "SP_ACCOUNTS_FILE": str(accounts_file), "SP_BCRYPT_ROUNDS": "4"}

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "access.accounts", *args],
            input=stdin,
            env=env,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    added = cli("add", "Somsak", "--role", "secretariat", "--password-stdin", stdin="first password 1\n")
    assert (added.returncode, added.stdout.strip()) == (0, "Added somsak: secretariat")
    assert stat.S_IMODE(os.stat(accounts_file).st_mode) == 0o600
    assert sign_in("somsak", "first password 1") == User("somsak", "secretariat", None, "somsak")

    changed = cli("passwd", "somsak", "--password-stdin", stdin="second password 2\n")
    assert changed.returncode == 0
    assert sign_in("somsak", "first password 1") is None
    assert sign_in("somsak", "second password 2").role == "secretariat"

    moved = cli("role", "somsak", "commission", "--province", "la-at")
    assert (moved.returncode, moved.stdout.strip()) == (0, "Changed somsak: commission (LA-AT)")
    assert sign_in("somsak", "second password 2") == User("somsak", "commission", "LA-AT", "somsak")

    listing = cli("list")
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[1].split()[:5] == ["somsak", "commission", "LA-AT", "-", "password"]
    assert "$2b$" not in listing.stdout

    removed = cli("remove", "somsak")
    assert (removed.returncode, removed.stdout.strip()) == (0, "Removed somsak")
    assert sign_in("somsak", "second password 2") is None
    assert cli("list").stdout.strip() == f"No accounts in {accounts_file.resolve()}"


def test_passwords_are_asked_twice_and_must_match(accounts_file, monkeypatch, capsys):
    answers = iter(["typed once carefully", "typed twice differently"])
    monkeypatch.setattr(accounts.getpass, "getpass", lambda prompt: next(answers))
    assert main(["add", "noy", "--role", "commission"]) == 1
    assert "The two passwords differ; nothing was changed." in capsys.readouterr().err
    assert not accounts_file.exists()

    answers = iter(["the same words twice", "the same words twice"])
    assert main(["add", "noy", "--role", "commission"]) == 0
    assert sign_in("noy", "the same words twice").role == "commission"


def test_identity_provider_account_has_no_password(accounts_file, capsys):
    assert main(["add", "vanh", "--role", "commission", "--email", "Vanh@Molsw.gov.la", "--no-password"]) == 0
    entry = json.loads(accounts_file.read_text())["accounts"][0]
    assert (entry["email"], entry["password_hash"]) == ("vanh@molsw.gov.la", None)
    assert main(["list"]) == 0
    assert "identity provider" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["add", "x", "--role", "commission", "--password-stdin"], "long enough pw\n", "User name 'x' is not accepted"),
        (["add", "noy", "--role", "commission", "--password-stdin"], "short\n", "too short"),
        (["add", "noy", "--role", "commission", "--password-stdin"], "x" * 80 + "\n", "too long"),
        (
            ["add", "noy", "--role", "secretariat", "--province", "LA-AT", "--password-stdin"],
            "long enough pw\n",
            "Only a commission account can be limited to a province",
        ),
        (
            ["add", "noy", "--role", "commission", "--province", "LA-ZZ", "--password-stdin"],
            "long enough pw\n",
            "is not an ISO 3166-2:LA code",
        ),
        (["add", "noy", "--role", "commission", "--no-password"], None, "--no-password needs --email"),
        (
            ["add", "noy", "--role", "commission", "--email", "not-an-address", "--no-password"],
            None,
            "is not an e-mail address",
        ),
        (["passwd", "ghost", "--password-stdin"], "long enough pw\n", "There is no account named 'ghost'"),
        (["role", "ghost", "commission"], None, "There is no account named 'ghost'"),
        (["remove", "ghost"], None, "There is no account named 'ghost'"),
    ],
)
def test_refusals_exit_1_with_a_readable_message(accounts_file, monkeypatch, capsys, args, stdin, message):
    assert run(args, stdin, monkeypatch) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err


def test_duplicate_account_is_refused_and_the_first_kept(accounts_file, monkeypatch, capsys):
    assert run(["add", "noy", "--role", "commission", "--password-stdin"], "first long pw\n", monkeypatch) == 0
    assert run(["add", "NOY", "--role", "secretariat", "--password-stdin"], "second long pw\n", monkeypatch) == 1
    assert "already exists" in capsys.readouterr().err
    assert sign_in("noy", "first long pw").role == "commission"


@pytest.mark.parametrize(
    "args", [[], ["add", "noy"], ["add", "noy", "--role", "admin"], ["role", "noy", "public"], ["frobnicate"]]
)
def test_wrong_command_lines_exit_2(accounts_file, capsys, args):
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_accounts_file_inside_the_repository_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("SP_ACCOUNTS_FILE", str(PROJECT / "accounts.json"))
    assert main(["list"]) == 1
    assert "inside the project folder" in capsys.readouterr().err
    assert not (PROJECT / "accounts.json").exists()


def test_a_damaged_file_is_reported_not_overwritten(accounts_file, monkeypatch, capsys):
    accounts_file.parent.mkdir(parents=True)
    accounts_file.write_text("{ not json")
    assert run(["add", "noy", "--role", "commission", "--password-stdin"], "long enough pw\n", monkeypatch) == 1
    assert "cannot be read" in capsys.readouterr().err
    assert accounts_file.read_text() == "{ not json"
