"""Who reaches which page: the public never reaches data status or the refresh (not by navigation, not by a
crafted URL, not by running the page itself); a provincial commission sees its own province. Signing in through
the sidebar form is driven in a real browser (test_browser_roles.py)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth
from tests.conftest import PROJECT, shown_text
from tests.roles_fixtures import accounts, run_as, session_for  # noqa: F401  (fixture)


def reached_refresh(at) -> bool:
    return (
        bool(at.get("file_uploader"))
        or any(t.value == "Data refresh" for t in at.title)
        or any("Publish" in b.label or "Roll back" in b.label for b in at.button)
    )


def cannot_open(at, page: str) -> bool:
    """True when the app's navigation has no such page for this reader (a URL to it cannot open it)."""
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)
    return True


@pytest.mark.parametrize("page", ["pages/refresh.py", "pages/data_status.py"])
def test_restricted_pages_are_not_registered_for_the_public(dashboard_warehouse, accounts, page):
    at = run_as("pages/overview.py", None)
    assert not at.exception
    assert cannot_open(at, page)
    assert not reached_refresh(at)


@pytest.mark.parametrize("page", ["pages/refresh.py", "pages/data_status.py"])
def test_a_restricted_page_run_on_its_own_stops_the_public_at_its_first_line(dashboard_warehouse, accounts, page):
    at = AppTest.from_file(str(PROJECT / page), default_timeout=60).run()
    assert not at.exception
    assert "Please sign in" in at.error[0].value
    assert not reached_refresh(at) and not at.dataframe and not at.metric
    assert any(b.label == "Sign in" for b in at.button)  # the sign-in form, nothing else


def test_a_commission_member_reaches_data_status_but_not_the_refresh(dashboard_warehouse, accounts):
    status = run_as("pages/data_status.py", "member", role="commission")
    assert not status.exception
    assert any(m.label == "Version shown" for m in status.metric)
    assert "Audit trail" not in [s.value for s in status.subheader]  # names people: Secretariat only
    assert cannot_open(status, "pages/refresh.py")
    alone = AppTest.from_file(str(PROJECT / "pages/refresh.py"), default_timeout=60)
    alone.session_state[auth.SESSION_KEY] = session_for("member", "commission")
    alone.run()
    assert "This page is for the Technical Secretariat" in alone.error[0].value
    assert not reached_refresh(alone)


def test_the_secretariat_reaches_the_refresh_and_the_audit_trail(dashboard_warehouse, accounts):
    refresh = run_as("pages/refresh.py", "officer")
    assert not refresh.exception
    assert any(t.value == "Data refresh" for t in refresh.title)
    status = run_as("pages/data_status.py", "officer")
    assert "Audit trail" in [s.value for s in status.subheader]
    trail = next(d.value for d in status.dataframe if "operator" in d.value.columns and "files" in d.value.columns)
    assert trail.iloc[-1]["operator"] == "sample-data" and trail.iloc[-1]["outcome"] == "published"


def test_a_provincial_commission_sees_its_province_and_cannot_choose_another(dashboard_warehouse, accounts):
    at = run_as("pages/overview.py", "attapeu", {"province": "LA-VT"}, role="commission", province="LA-AT")
    assert not at.exception
    province = at.sidebar.selectbox(key="_sp_widget_province")
    assert province.value == "LA-AT" and province.options == ["Attapeu"] and province.disabled
    assert "Your account is limited to Attapeu (LA-AT)" in "\n".join(w.value for w in at.warning)
    assert "**Attapeu** ·" in shown_text(at)
    at.switch_page("pages/province.py").run()  # the profile puts the province beside the national figure
    assert "**Attapeu** ·" in shown_text(at)
    assert any("national" in d.value.columns for d in at.dataframe)


def test_a_commission_member_without_a_province_chooses_any(dashboard_warehouse, accounts):
    at = run_as("pages/overview.py", "member", {"province": "LA-VT"}, role="commission")
    province = at.sidebar.selectbox(key="_sp_widget_province")
    assert province.value == "LA-VT" and len(province.options) == 19 and not province.disabled


def test_sign_in_pauses_are_on_the_data_status_page_for_the_secretariat_only(
    dashboard_warehouse, accounts, tmp_path, monkeypatch
):
    import contextlib

    from access.signin import authenticate
    from access.throttle import SignInLocked, SignInThrottle

    monkeypatch.setenv("SP_AUTH_LOG", str(tmp_path / "auth_log.jsonl"))
    throttle = SignInThrottle()
    for _ in range(4):
        with contextlib.suppress(SignInLocked):
            authenticate("member", "not the password", client="203.0.113.9", throttle=throttle)
    status = run_as("pages/data_status.py", "officer")
    pauses = next(d.value for d in status.dataframe if "paused_seconds" in d.value.columns)
    assert pauses[["account", "client", "failures", "paused_seconds"]].values.tolist() == [
        ["member", "203.0.113.9", 4, 30]
    ]
    member = run_as("pages/data_status.py", "member", role="commission")
    assert "Sign-in pauses" not in [s.value for s in member.subheader]
