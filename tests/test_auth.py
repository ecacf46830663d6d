"""Sign-in, roles and sessions: salted hashes, throttling with injected time, expiry, signed session cookies,
identity-provider mapping."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import bcrypt
import pytest

from access import accounts as accounts_module
from access.accounts import DEFAULT_ACCOUNTS_FILE, PROJECT_ROOT, AccountError, AccountStore, accounts_path
from access.sessions import (
    NOTICE_KEY,
    SESSION_KEY,
    SessionTable,
    end_session,
    resume_session,
    session_token,
    session_user,
    sign_token,
    start_session,
    verify_token,
)
from access.signin import authenticate
from access.throttle import SignInLocked, SignInThrottle, read_auth_log
from access.users import ANONYMOUS, User, user_for_identity

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path, monkeypatch) -> AccountStore:
    monkeypatch.setenv("SP_ACCOUNTS_FILE", str(tmp_path / "config" / "accounts.json"))
    monkeypatch.setenv("SP_BCRYPT_ROUNDS", "4")  # production uses 12; 4 keeps the tests fast
    store = AccountStore()
    store.add("somsak", role="secretariat", password=PASSWORD, display_name="Somsak P.")
    store.add("noy", role="commission", password="another long one", province="LA-AT")
    return store


# ------------------------------------------------------------------------------------------- accounts file


def test_default_accounts_file_is_outside_the_repository(monkeypatch):
    monkeypatch.delenv("SP_ACCOUNTS_FILE", raising=False)
    assert accounts_path() == (Path.home() / ".config" / "sp-dashboard" / "accounts.json").resolve()
    assert (
        DEFAULT_ACCOUNTS_FILE.resolve() != PROJECT_ROOT and PROJECT_ROOT not in DEFAULT_ACCOUNTS_FILE.resolve().parents
    )


def test_an_accounts_file_inside_the_repository_is_refused(monkeypatch):
    monkeypatch.setenv("SP_ACCOUNTS_FILE", str(PROJECT_ROOT / "accounts.json"))
    with pytest.raises(AccountError, match="inside the project folder"):
        accounts_path()


def test_file_is_private_and_holds_only_hashes(store):
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.path.parent).st_mode) == 0o700
    text = store.path.read_text()
    assert PASSWORD not in text
    entry = next(a for a in json.loads(text)["accounts"] if a["username"] == "somsak")
    assert entry["password_hash"].startswith("$2b$04$")
    assert entry["created_at"] == entry["updated_at"] and entry["created_at"].endswith("+00:00")
    assert not list(store.path.parent.glob(".accounts-*.tmp"))  # no temporary file left behind


def test_production_cost_is_12_unless_lowered(monkeypatch):
    monkeypatch.delenv("SP_BCRYPT_ROUNDS", raising=False)
    assert accounts_module.bcrypt_rounds() == 12
    monkeypatch.setenv("SP_BCRYPT_ROUNDS", "1")
    assert accounts_module.bcrypt_rounds() == 4  # never below bcrypt's minimum


def test_same_password_gives_different_salted_hashes(store):
    store.add("khamla", role="commission", password=PASSWORD)
    first, second = store.get("somsak").password_hash, store.get("khamla").password_hash
    assert first != second and first[:29] != second[:29]  # different salts
    assert bcrypt.checkpw(PASSWORD.encode(), first.encode()) and bcrypt.checkpw(PASSWORD.encode(), second.encode())


# ---------------------------------------------------------------------------------------------- sign-in


def test_right_password_signs_in_with_role_and_province(store):
    assert authenticate("somsak", PASSWORD, store=store, throttle=SignInThrottle(), now=T0) == User(
        "somsak", "secretariat", None, "Somsak P."
    )
    assert authenticate("NOY", "another long one", store=store, throttle=SignInThrottle(), now=T0) == User(
        "noy", "commission", "LA-AT", "noy"
    )


def test_wrong_password_and_unknown_user_fail_alike(store, monkeypatch):
    checks = []
    real_checkpw = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda p, h: checks.append(h[:7]) or real_checkpw(p, h))
    throttle = SignInThrottle()
    assert authenticate("somsak", "wrong password!", store=store, throttle=throttle, now=T0) is None
    assert authenticate("nobody", "wrong password!", store=store, throttle=throttle, now=T0) is None
    assert authenticate("../../etc", "x", store=store, throttle=throttle, now=T0) is None
    # One bcrypt check at the same cost each time: an unknown name is not answered faster.
    assert checks == [b"$2b$04$"] * 3


def test_identity_provider_account_cannot_sign_in_with_a_password(store):
    store.add("dfat.viewer", role="commission", password=None, email="Viewer@Example.org")
    assert authenticate("dfat.viewer", "", store=store, throttle=SignInThrottle(), now=T0) is None


def quiet_throttle(**limits) -> SignInThrottle:
    """A throttle whose pauses are collected in a list instead of the audit log file."""
    locks: list[dict] = []
    throttle = SignInThrottle(audit=locks.append, **limits)
    throttle.locks = locks
    return throttle


def test_pauses_grow_after_three_failures_and_end_by_themselves(store):
    throttle = quiet_throttle()
    for second in range(3):
        assert (
            authenticate(
                "somsak", "guess", client="10.1.1.1", store=store, throttle=throttle, now=T0 + timedelta(seconds=second)
            )
            is None
        )
    with pytest.raises(SignInLocked) as locked:  # the 4th failure: paused 30 s
        authenticate(
            "somsak", "guess", client="10.1.1.1", store=store, throttle=throttle, now=T0 + timedelta(seconds=3)
        )
    assert locked.value.retry_at == T0 + timedelta(seconds=33)
    assert "Try again in 30 seconds (after 09:00:33 UTC)" in str(locked.value)
    # Even the right password waits out the pause, which counts down.
    with pytest.raises(SignInLocked, match="Try again in 20 seconds"):
        authenticate(
            "somsak", PASSWORD, client="10.1.1.1", store=store, throttle=throttle, now=T0 + timedelta(seconds=13)
        )
    # Each further failure doubles the pause: 60 s, 120 s, …
    with pytest.raises(SignInLocked) as locked:
        authenticate(
            "somsak", "guess", client="10.1.1.1", store=store, throttle=throttle, now=T0 + timedelta(seconds=40)
        )
    assert locked.value.retry_at == T0 + timedelta(seconds=100)
    assert [lock["paused_seconds"] for lock in throttle.locks] == [30, 60]
    assert (
        authenticate(
            "somsak", PASSWORD, client="10.1.1.1", store=store, throttle=throttle, now=T0 + timedelta(seconds=100)
        ).role
        == "secretariat"
    )


def test_pauses_are_capped_at_fifteen_minutes():
    throttle = quiet_throttle()
    assert [throttle.pause_after(n) for n in (1, 3)] == [None, None]
    assert [throttle.pause_after(n).total_seconds() for n in (4, 5, 8, 9, 50)] == [30, 60, 480, 900, 900]


def test_a_stranger_cannot_lock_an_account_out_of_its_owners_computer(store):
    """Issue 16.3: failures from one client pause only that client's attempts at that account."""
    throttle = quiet_throttle()
    for _ in range(10):
        with contextlib.suppress(SignInLocked):
            authenticate("somsak", "guess", client="203.0.113.9", store=store, throttle=throttle, now=T0)
    with pytest.raises(SignInLocked):
        authenticate("somsak", PASSWORD, client="203.0.113.9", store=store, throttle=throttle, now=T0)
    assert authenticate("somsak", PASSWORD, client="198.51.100.4", store=store, throttle=throttle, now=T0)
    # Other accounts from the guessing client are not paused either: nobody is locked out wholesale.
    assert authenticate("noy", "another long one", client="203.0.113.9", store=store, throttle=throttle, now=T0)


def test_failures_long_ago_are_forgotten(store):
    throttle = quiet_throttle()
    for minute in [0, 1, 2, 70, 71, 72]:
        assert (
            authenticate("somsak", "guess", store=store, throttle=throttle, now=T0 + timedelta(minutes=minute)) is None
        )
    assert not throttle.locks


def test_success_clears_the_count_for_that_account_and_client(store):
    throttle = quiet_throttle()
    for second in range(3):
        authenticate("somsak", "guess", client="c", store=store, throttle=throttle, now=T0 + timedelta(seconds=second))
    assert authenticate("somsak", PASSWORD, client="c", store=store, throttle=throttle, now=T0 + timedelta(seconds=5))
    for second in range(6, 9):
        assert (
            authenticate(
                "somsak", "guess", client="c", store=store, throttle=throttle, now=T0 + timedelta(seconds=second)
            )
            is None
        )


def test_unknown_names_are_throttled_like_real_ones_but_not_written_down(store):
    throttle = quiet_throttle()
    for _ in range(3):
        authenticate("my secret pw", "guess", client="c", store=store, throttle=throttle, now=T0)
    with pytest.raises(SignInLocked):
        authenticate("my secret pw", "guess", client="c", store=store, throttle=throttle, now=T0)
    assert throttle.locks[0]["account"] == "(unknown name)" and "secret" not in json.dumps(throttle.locks)


def test_each_pause_is_an_audit_line(store, tmp_path, monkeypatch):
    monkeypatch.setenv("SP_AUTH_LOG", str(tmp_path / "log" / "auth.jsonl"))
    throttle = SignInThrottle()
    for second in range(5):
        with contextlib.suppress(SignInLocked):
            authenticate(
                "somsak",
                "guess",
                client="203.0.113.9",
                store=store,
                throttle=throttle,
                now=T0 + timedelta(minutes=second),
            )
    events = read_auth_log()
    assert [(e["event"], e["account"], e["client"], e["failures"]) for e in events] == [
        ("sign-in paused", "somsak", "203.0.113.9", 5),
        ("sign-in paused", "somsak", "203.0.113.9", 4),
    ]
    assert stat.S_IMODE(os.stat(tmp_path / "log" / "auth.jsonl").st_mode) == 0o600


# ---------------------------------------------------------------------------------------------- sessions


def test_session_lasts_while_active_and_ends_after_an_idle_hour():
    state: dict = {}
    user = User("somsak", "secretariat", None, "Somsak")
    start_session(state, user, now=T0)
    assert session_user(state, now=T0 + timedelta(minutes=59)) == user
    assert session_user(state, now=T0 + timedelta(minutes=59 + 59)) == user  # activity moved the idle clock
    assert session_user(state, now=T0 + timedelta(minutes=59 + 59 + 60)) is None
    assert "60 minutes without activity" in state[NOTICE_KEY]
    assert session_user(state, now=T0 + timedelta(minutes=59 + 59 + 61)) is None  # stays signed out


def test_session_ends_after_eight_hours_even_when_active():
    state: dict = {}
    start_session(state, User("noy", "commission", "LA-AT", "Noy"), now=T0)
    for half_hours in range(1, 16):
        assert session_user(state, now=T0 + timedelta(minutes=30 * half_hours)) is not None
    assert session_user(state, now=T0 + timedelta(hours=8)) is None
    assert "after 8 hours" in state[NOTICE_KEY]


def test_timeouts_are_parameters():
    state: dict = {}
    start_session(state, User("noy", "commission", None, "Noy"), now=T0)
    assert session_user(state, now=T0 + timedelta(minutes=6), idle_timeout=timedelta(minutes=5)) is None


def _signed_in(store, username, password, now=T0, table=None):
    state: dict = {}
    user = authenticate(username, password, store=store, throttle=quiet_throttle(), now=now)
    token = start_session(state, user, now=now, generation=store.get(username).generation, table=table)
    return state, token


@pytest.mark.parametrize(
    "change",
    [
        lambda store: store.set_role("noy", "commission", None),
        lambda store: store.set_role("noy", "commission", "LA-VT"),
        lambda store: store.set_password("noy", "a brand new password"),
        lambda store: store.remove("noy"),
    ],
)
def test_a_change_to_the_account_ends_its_sessions(store, change):
    state, _ = _signed_in(store, "noy", "another long one")
    assert session_user(state, now=T0 + timedelta(minutes=1), store=store) == User("noy", "commission", "LA-AT", "noy")
    change(store)
    assert session_user(state, now=T0 + timedelta(minutes=2), store=store) is None
    assert "account has been changed" in state[NOTICE_KEY]


def _edit_in_place(path: Path, edit) -> None:
    """Another program changes the accounts file where it is (same inode): a hand edit, a restored backup."""
    document = json.loads(path.read_text(encoding="utf-8"))
    accounts = {a["username"]: a for a in document["accounts"]}
    edit(accounts)
    document["accounts"] = list(accounts.values())
    with path.open("r+", encoding="utf-8") as handle:
        handle.write(json.dumps(document, indent=2))
        handle.truncate()


@pytest.mark.parametrize(
    "edit, seen",
    [
        (lambda accounts: accounts["noy"].update(role="secretariat", province=None), User("noy", "secretariat")),
        (lambda accounts: accounts["noy"].update(password_hash=None, email="noy@example.org"), None),  # disabled
        (lambda accounts: accounts.pop("noy"), None),
        (lambda accounts: accounts["noy"].update(generation=accounts["noy"]["generation"] + 1), None),
    ],
)
def test_a_change_made_by_another_program_takes_effect_at_the_very_next_lookup(store, edit, seen):
    state, _ = _signed_in(store, "noy", "another long one")
    assert session_user(state, now=T0, store=store) == User("noy", "commission", "LA-AT", "noy")
    inode = store.path.stat().st_ino
    _edit_in_place(store.path, edit)
    assert store.path.stat().st_ino == inode
    user = session_user(state, now=T0 + timedelta(seconds=1), store=store)
    assert user == (seen and User(seen.username, seen.role, None, "noy"))


def test_a_role_given_by_another_store_is_seen_at_the_next_lookup(store):
    state, _ = _signed_in(store, "somsak", PASSWORD)
    assert session_user(state, now=T0, store=store).display_name == "Somsak P."
    other = AccountStore(store.path)  # e.g. the command line, in another process
    _edit_in_place(other.path, lambda accounts: accounts["somsak"].update(display_name="Somsak Phommavong"))
    assert session_user(state, now=T0, store=store).display_name == "Somsak Phommavong"
    other.set_role("noy", "secretariat")
    assert store.get("noy").role == "secretariat" and store.get("noy").province is None


def test_the_accounts_file_is_parsed_once_while_it_is_unchanged(store, monkeypatch):
    parsed = []
    real_loads = accounts_module.json.loads
    monkeypatch.setattr(accounts_module.json, "loads", lambda text: parsed.append(1) or real_loads(text))
    first = store.accounts()
    for _ in range(5):
        assert store.accounts() == first
    assert len(parsed) == 1
    first.pop("noy")  # the caller's own dict: the kept accounts are not changed by it
    assert "noy" in store.accounts() and "noy" in AccountStore(store.path).accounts()
    store.set_role("noy", "secretariat")
    assert store.get("noy").role == "secretariat"
    assert len(parsed) == 2  # the change starts from the kept accounts; its new file is parsed once


def test_no_secrets_file_means_no_identity_provider_without_asking_streamlit(tmp_path):
    from dashboard.auth import _secrets_file_exists

    missing = [str(tmp_path / "home" / "secrets.toml"), str(tmp_path / "project" / "secrets.toml")]
    assert not _secrets_file_exists(missing)
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "secrets.toml").write_text("[auth]\nredirect_uri = 'x'\n")
    assert _secrets_file_exists(missing)  # a file that appears is read at once, by Streamlit
    assert _secrets_file_exists([str(tmp_path)])  # a secrets folder: left to Streamlit


def test_a_secrets_file_created_or_removed_is_seen_by_the_next_script_run(tmp_path, monkeypatch):
    """Whether a secrets file exists is looked for once per script run (issue 13), never longer: an identity
    provider configured or removed between two runs is the next run's answer."""
    import streamlit as st

    from dashboard import auth, script_run

    secrets = tmp_path / "secrets.toml"
    monkeypatch.setattr(auth, "_secrets_places", lambda: (str(secrets),))
    monkeypatch.setattr(st, "secrets", {"auth": {"redirect_uri": "x"}})  # what Streamlit reads from such a file
    looks = []
    real_exists = auth._secrets_file_exists
    monkeypatch.setattr(auth, "_secrets_file_exists", lambda paths: looks.append(1) or real_exists(paths))
    monkeypatch.setattr(script_run._run, "values", None, raising=False)  # this thread's runs end with the test
    script_run.start()
    assert not auth.oidc_configured() and not auth.oidc_configured()
    assert len(looks) == 1  # once in the run
    secrets.write_text("[auth]\nredirect_uri = 'x'\n")
    script_run.start()  # the next run
    assert auth.oidc_configured()
    secrets.unlink()
    script_run.start()
    assert not auth.oidc_configured()
    assert len(looks) == 3


def test_a_display_name_follows_the_account_without_ending_the_session(store):
    state, _ = _signed_in(store, "somsak", PASSWORD)
    assert session_user(state, now=T0, store=store).display_name == "Somsak P."


# ------------------------------------------------------------------------------------- signed session cookie


def test_a_cookie_resumes_the_session_in_a_new_tab_with_its_province(store):
    table = SessionTable()
    _, token = _signed_in(store, "noy", "another long one", table=table)
    new_tab: dict = {}
    assert resume_session(new_tab, token, table=table)
    assert session_user(new_tab, now=T0 + timedelta(minutes=5), store=store, table=table) == User(
        "noy", "commission", "LA-AT", "noy"
    )


def test_the_cookie_is_signed_and_carries_who_and_when(store, monkeypatch):
    monkeypatch.setenv("SP_SESSION_KEY", "k" * 64)
    _, token = _signed_in(store, "noy", "another long one")
    payload = verify_token(token, b"k" * 64)
    assert {k: payload[k] for k in ("account", "role", "province", "generation", "issued")} == {
        "account": "noy",
        "role": "commission",
        "province": "LA-AT",
        "generation": 0,
        "issued": int(T0.timestamp()),
    }
    assert len(payload["sid"]) >= 40
    assert verify_token(token, b"another key") is None


def test_a_forged_or_altered_cookie_is_refused(store):
    table = SessionTable()
    _, token = _signed_in(store, "noy", "another long one", table=table)
    payload = verify_token(token, __import__("access.sessions").sessions.session_key())
    for forged in [
        sign_token({**payload, "province": None}, b"guessed key"),
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        token.split(".")[0] + ".",
        "",
        "not-a-token",
        "a.b.c",
    ]:
        state: dict = {}
        assert not resume_session(state, forged, table=table)
        assert SESSION_KEY not in state


def test_signing_out_kills_the_cookie_everywhere(store):
    table = SessionTable()
    state, token = _signed_in(store, "noy", "another long one", table=table)
    other_tab: dict = {}
    assert resume_session(other_tab, token, table=table)
    end_session(state, table=table)
    assert session_user(other_tab, now=T0, store=store, table=table) is None
    assert not resume_session({}, token, table=table)  # a copy of the cookie is worth nothing now


def test_a_cookie_keeps_the_time_limits_of_its_session(store):
    table = SessionTable()
    state, token = _signed_in(store, "somsak", PASSWORD, table=table)
    for half_hours in range(1, 16):  # active in the first tab all day
        assert session_user(state, now=T0 + timedelta(minutes=30 * half_hours), store=store, table=table)
    late: dict = {}
    assert resume_session(late, token, table=table)
    assert session_user(late, now=T0 + timedelta(hours=8), store=store, table=table) is None
    assert "after 8 hours" in late[NOTICE_KEY]

    idle_state, idle_token = _signed_in(store, "somsak", PASSWORD, table=table)
    assert resume_session(reloaded := {}, idle_token, table=table)
    assert session_user(reloaded, now=T0 + timedelta(minutes=61), store=store, table=table) is None


def test_a_fresh_token_of_the_same_session_is_issued_on_request(store):
    state, token = _signed_in(store, "noy", "another long one")
    assert session_token(state, now=T0).split(".")[0] == token.split(".")[0]
    assert session_token({}) is None


# ---------------------------------------------------------------------------------------- identity provider


def test_identity_provider_e_mail_maps_to_the_account_role(store):
    store.add("vanh", role="commission", password=None, email="Vanh@Molsw.gov.la", province="LA-VT")
    assert user_for_identity(
        {"email": "vanh@molsw.gov.la", "email_verified": True, "is_logged_in": True}, store
    ) == User("vanh", "commission", "LA-VT", "vanh")
    assert user_for_identity({"email": "stranger@example.org", "is_logged_in": True}, store) == ANONYMOUS
    assert user_for_identity({"email": "vanh@molsw.gov.la", "email_verified": False}, store) == ANONYMOUS
    assert user_for_identity({"is_logged_in": True}, store) == ANONYMOUS
    assert ANONYMOUS.role == "public" and not ANONYMOUS.signed_in


# --------------------------------------------------------------------------------------- Streamlit pages


def _page_needing_the_secretariat():
    import streamlit as st

    from dashboard.auth import require_role, render_sign_out

    user = require_role("secretariat")
    st.write(f"refresh page for {user.username}")
    render_sign_out()


def test_require_role_stops_the_public_and_lets_the_secretariat_in(store):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(_page_needing_the_secretariat).run()
    assert [e.value for e in app.error] == ["This page is for the Technical Secretariat. Please sign in."]
    assert not any("refresh page" in m.value for m in app.markdown)

    app.text_input[0].input("noy")
    app.text_input[1].input("another long one")
    app.button[0].click().run()  # the form's submit button
    assert [e.value for e in app.error] == [
        "This page is for the Technical Secretariat. You are signed in as Commission member."
    ]

    app.button[0].click().run()  # sign out
    app.text_input[0].input("somsak")
    app.text_input[1].input(PASSWORD)
    app.button[0].click().run()
    assert not app.error
    assert any(m.value == "refresh page for somsak" for m in app.markdown)


def test_sign_in_form_reports_a_wrong_password(store):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(_page_needing_the_secretariat).run()
    app.text_input[0].input("somsak")
    app.text_input[1].input("not the password")
    app.button[0].click().run()
    assert "Wrong user name or password." in [e.value for e in app.error]


def test_the_client_address_comes_from_the_trusted_proxy_header_only_when_configured():
    from access.signin import client_address

    headers = {"X-Forwarded-For": "6.6.6.6, 203.0.113.9", "Host": "dashboard"}
    assert client_address(headers, "127.0.0.1", None) == "127.0.0.1"  # no proxy configured
    assert client_address(headers, "127.0.0.1", "x-forwarded-for") == "203.0.113.9"  # the proxy's own entry
    assert client_address({"X-Real-IP": "198.51.100.4"}, "127.0.0.1", "X-Real-IP") == "198.51.100.4"
    assert client_address({}, "127.0.0.1", "X-Real-IP") == "127.0.0.1"  # header missing
