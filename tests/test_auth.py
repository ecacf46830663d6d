"""Sign-in, roles and sessions: salted hashes, throttling with injected time, expiry, identity-provider mapping."""
from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import bcrypt
import pytest

from dashboard import accounts as accounts_module
from dashboard.accounts import DEFAULT_ACCOUNTS_FILE, PROJECT_ROOT, AccountError, AccountStore, accounts_path
from dashboard.auth import (ANONYMOUS, NOTICE_KEY, SignInLocked, SignInThrottle, User, authenticate, session_user,
                            start_session, user_for_identity)

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
    assert DEFAULT_ACCOUNTS_FILE.resolve() != PROJECT_ROOT and PROJECT_ROOT not in DEFAULT_ACCOUNTS_FILE.resolve().parents


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
    assert authenticate("somsak", PASSWORD, store=store, throttle=SignInThrottle(), now=T0) == \
        User("somsak", "secretariat", None, "Somsak P.")
    assert authenticate("NOY", "another long one", store=store, throttle=SignInThrottle(), now=T0) == \
        User("noy", "commission", "LA-AT", "noy")


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


def test_throttling_engages_after_five_failures_and_releases_after_the_lockout(store):
    throttle = SignInThrottle()
    for minute in range(4):
        assert authenticate("somsak", "guess", store=store, throttle=throttle, now=T0 + timedelta(minutes=minute)) \
            is None
    with pytest.raises(SignInLocked) as locked:
        authenticate("somsak", "guess", store=store, throttle=throttle, now=T0 + timedelta(minutes=4))
    assert locked.value.retry_at == T0 + timedelta(minutes=19)
    assert "try again in 15 minutes (after 09:19 UTC)" in str(locked.value)

    # Even the right password is refused during the lock-out, and the message counts down.
    with pytest.raises(SignInLocked, match="try again in 9 minutes"):
        authenticate("somsak", PASSWORD, store=store, throttle=throttle, now=T0 + timedelta(minutes=10))
    assert authenticate("somsak", PASSWORD, store=store, throttle=throttle,
                        now=T0 + timedelta(minutes=19)).role == "secretariat"


def test_failures_spread_beyond_the_window_do_not_lock(store):
    throttle = SignInThrottle()
    for minute in [0, 1, 2, 3, 20, 21, 22, 23]:
        assert authenticate("somsak", "guess", store=store, throttle=throttle,
                            now=T0 + timedelta(minutes=minute)) is None
    assert authenticate("somsak", PASSWORD, store=store, throttle=throttle, now=T0 + timedelta(minutes=24))


def test_success_clears_the_count_for_that_name(store):
    throttle = SignInThrottle()
    for minute in range(4):
        authenticate("somsak", "guess", store=store, throttle=throttle, now=T0 + timedelta(minutes=minute))
    assert authenticate("somsak", PASSWORD, store=store, throttle=throttle, now=T0 + timedelta(minutes=5))
    for minute in range(6, 10):
        assert authenticate("somsak", "guess", store=store, throttle=throttle,
                            now=T0 + timedelta(minutes=minute)) is None


def test_unknown_names_are_throttled_like_real_ones(store):
    throttle = SignInThrottle()
    for _ in range(4):
        authenticate("ghost", "guess", store=store, throttle=throttle, now=T0)
    with pytest.raises(SignInLocked):
        authenticate("ghost", "guess", store=store, throttle=throttle, now=T0)


def test_one_client_guessing_many_names_is_locked_but_others_are_not(store):
    throttle = SignInThrottle(max_client_failures=20)
    for attempt in range(19):
        authenticate(f"name{attempt}", "guess", client="203.0.113.9", store=store, throttle=throttle, now=T0)
    with pytest.raises(SignInLocked):
        authenticate("name19", "guess", client="203.0.113.9", store=store, throttle=throttle, now=T0)
    with pytest.raises(SignInLocked):
        authenticate("somsak", PASSWORD, client="203.0.113.9", store=store, throttle=throttle, now=T0)
    assert authenticate("somsak", PASSWORD, client="198.51.100.4", store=store, throttle=throttle, now=T0)


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


def test_session_follows_changes_to_the_account(store):
    state: dict = {}
    start_session(state, authenticate("noy", "another long one", store=store, throttle=SignInThrottle(), now=T0),
                  now=T0)
    store.set_role("noy", "commission", None)
    assert session_user(state, now=T0 + timedelta(minutes=1), store=store) == User("noy", "commission", None, "noy")
    store.remove("noy")
    assert session_user(state, now=T0 + timedelta(minutes=2), store=store) is None


# ---------------------------------------------------------------------------------------- identity provider

def test_identity_provider_e_mail_maps_to_the_account_role(store):
    store.add("vanh", role="commission", password=None, email="Vanh@Molsw.gov.la", province="LA-VT")
    assert user_for_identity({"email": "vanh@molsw.gov.la", "email_verified": True, "is_logged_in": True},
                             store) == User("vanh", "commission", "LA-VT", "vanh")
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
    assert [e.value for e in app.error] == ["This page is for the Technical Secretariat. "
                                            "You are signed in as Commission member."]

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
