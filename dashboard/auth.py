"""Who is looking at the dashboard, in Streamlit: sign-in form, session cookie, sign-out, ``require_role``.

Three roles: ``secretariat`` (MoLSW, refreshes data), ``commission`` (browses everything at aggregate level; a
provincial commission's account carries its province) and ``public`` (nobody signed in). Pages call
``current_user()`` and ``require_role(...)``. What is not Streamlit (accounts, password checks, throttling, session
signing) lives in the ``access`` package.

Two ways to sign in:

* OpenID Connect, when ``.streamlit/secrets.toml`` has an ``[auth]`` section (needs ``Authlib``, e.g.
  ``pip install streamlit[auth]``): ``st.login()`` / ``st.user``; the e-mail the provider vouches for is mapped to an
  account of the accounts file (``python -m access.accounts add NAME --role ... --email E --no-password``);
  unknown e-mails are ``public``. The provider's cookie governs how long that sign-in lasts.
* Otherwise the embedded form: user name and password checked against the accounts file (bcrypt), throttled per
  account and client (``access.throttle``), and a session (``access.sessions``) that a signed cookie carries across
  reloads and tabs until sign-out, ``ABSOLUTE_TIMEOUT`` or ``IDLE_TIMEOUT``.

The cookie is read with ``st.context.cookies`` and written by a small script (``st.html`` with JavaScript: Streamlit
has no API to set a cookie), ``SameSite=Strict`` and ``Secure`` on https. Being written by a script it cannot be
HttpOnly; it is useless without the server's session table, which sign-out empties.
"""

from __future__ import annotations

import functools
import json
import os

import settings
from access.accounts import AccountStore
from access.sessions import (
    ABSOLUTE_TIMEOUT,
    COOKIE_NAME,
    IDLE_TIMEOUT,  # noqa: F401 (re-exported: pages and tests ask auth.IDLE_TIMEOUT)
    NOTICE_KEY,
    SESSION_KEY,  # noqa: F401 (re-exported)
    end_session,
    resume_session,
    session_user,
    start_session,
)
from access import signin
from access.signin import authenticate
from access.throttle import SignInLocked
from access.users import (
    ANONYMOUS,
    COMMISSION,  # noqa: F401 (re-exported: pages and tests ask auth.COMMISSION)
    PUBLIC,  # noqa: F401 (re-exported: pages and tests ask auth.PUBLIC)
    ROLE_LABELS,
    ROLES,
    SECRETARIAT,  # noqa: F401 (re-exported: pages and tests ask auth.SECRETARIAT)
    User,  # noqa: F401 (re-exported)
    allowed,
    user_for_identity,
)
from dashboard import script_run
from dashboard.text import plain_text

TRUSTED_PROXY_HEADER_ENV = settings.TRUSTED_PROXY_HEADER.name
_COOKIE_TO_WRITE = "sp_auth_cookie_to_write"  # session_state: a token to store in the browser, or "" to delete it
_COOKIE_TRIED = "sp_auth_cookie_tried"  # session_state: the cookie this browser session already tried


def oidc_configured() -> bool:
    """True when secrets.toml has an [auth] section, i.e. st.login() is set up."""
    import streamlit as st

    if not script_run.remember("secrets_present", lambda: _secrets_file_exists(_secrets_places())):
        # Streamlit keeps the secrets once read, but without any secrets file it looks for them again (and raises) on
        # every question, many times a run: no file is the answer, without asking. Looked for once per script run
        # (a file created or removed is seen by the next run): each look was two file-system calls, 18 times a view.
        return False
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # also Streamlit's missing or unreadable secrets.toml (a subclass)
        return False


@functools.cache
def _secrets_places() -> tuple[str, ...]:
    """Where Streamlit reads secrets from (its ``secrets.files`` option, fixed when the server starts): asked once per
    process, as working it out again took longer than the rest of a user lookup."""
    import streamlit as st

    return tuple(st.get_option("secrets.files"))


def _secrets_file_exists(paths: tuple[str, ...]) -> bool:
    """False only when every place Streamlit reads secrets from is a .toml file that does not exist (exactly when
    ``st.secrets`` finds none); a secrets folder or another path is left to Streamlit."""
    return not all(isinstance(p, str) and p.endswith(".toml") and not os.path.exists(p) for p in paths)


def _browser_cookie() -> str | None:
    """The session cookie the browser sent, once per script run: the request behind a run does not change during it,
    and asking Streamlit for it was half of a user lookup (the user itself is still looked up on every call)."""
    return script_run.remember("browser_cookie", _browser_cookie_now)


def _browser_cookie_now() -> str | None:
    import streamlit as st

    try:
        cookie = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser request behind this run (bare mode)
        return None
    return cookie if isinstance(cookie, str) else None  # AppTest has no real request: no cookie


def current_user() -> User:
    """The user of this browser session; ``ANONYMOUS`` (role public) when nobody is signed in. Looked up on every
    call, not once per script run: with the run's memo, two fresh-clone CI runs in a row showed a reader the pages of
    another role (a member's page "not found", the public's "not found" missing) and the cause is not yet known."""
    return _user_of_this_run()


def _user_of_this_run() -> User:
    import streamlit as st

    if oidc_configured():
        return user_for_identity(st.user.to_dict(), AccountStore()) if st.user.is_logged_in else ANONYMOUS
    state = st.session_state
    if SESSION_KEY not in state:
        cookie = _browser_cookie()
        if cookie and state.get(_COOKIE_TRIED) != cookie:
            state[_COOKIE_TRIED] = cookie
            if not resume_session(state, cookie):
                state[_COOKIE_TO_WRITE] = ""  # a stale or forged cookie: delete it
    had_session = SESSION_KEY in state
    # Without a session nobody is signed in: the accounts file is not even located (resolving its path is not free).
    user = session_user(state, store=AccountStore()) if had_session else None
    if user is None and had_session:
        state[_COOKIE_TO_WRITE] = ""  # timed out, or the account changed
    return user or ANONYMOUS


def write_session_cookie() -> None:
    """Store (or delete) the session cookie in the browser when a sign-in or sign-out asked for it. A sign-in or
    sign-out asks and reruns; app.py calls this on every run, before the sidebar says who is signed in."""
    import streamlit as st

    token = st.session_state.pop(_COOKIE_TO_WRITE, None)
    if token is None:
        return
    max_age = int(ABSOLUTE_TIMEOUT.total_seconds()) if token else 0
    st.html(
        "<script>document.cookie = "
        + json.dumps(f"{COOKIE_NAME}={token}; Path=/; Max-Age={max_age}; SameSite=Strict")
        + " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def client_address() -> str | None:
    """The browser's address (``access.signin.client_address``): from the header named by
    ``SP_TRUSTED_PROXY_HEADER`` when the dashboard sits behind a reverse proxy, else the socket peer."""
    import streamlit as st

    try:
        return signin.client_address(
            dict(st.context.headers), st.context.ip_address, settings.TRUSTED_PROXY_HEADER.value()
        )
    except Exception:  # no request context (AppTest): throttle by account name alone
        return None


def render_sign_in_form() -> User | None:
    """Sign-in: the provider's button when OIDC is configured, else a user name/password form."""
    import streamlit as st

    from dashboard.i18n import phrases_text, t

    if notice := st.session_state.pop(NOTICE_KEY, None):
        st.info(phrases_text(notice, separator="\n"))
    if oidc_configured():
        if st.button(t("Sign in with your organisation account"), type="primary"):
            st.login()
        return None
    with st.form("sp_sign_in", clear_on_submit=True):
        username = st.text_input(t("User name"), autocomplete="username")
        password = st.text_input(t("Password"), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(t("Sign in"), type="primary")
    if not submitted:
        return None
    store = AccountStore()
    try:
        user = authenticate(username, password, client=client_address(), store=store)
    except SignInLocked as locked:
        st.error(phrases_text(str(locked), separator="\n"))
        return None
    if user is None:
        st.error(t("Wrong user name or password."))
        return None
    account = store.get(user.username)
    st.session_state[_COOKIE_TO_WRITE] = start_session(
        st.session_state, user, generation=account.generation if account else 0
    )
    st.rerun()


def render_sign_out() -> None:
    """A sign-out button for a signed-in user (nothing for the public)."""
    import streamlit as st

    from dashboard.i18n import t

    user = current_user()
    if not user.signed_in:
        return
    st.caption(
        t("Signed in as {name} — {role}", name=plain_text(user.display_name), role=t(ROLE_LABELS[user.role]))
        + (f" ({user.province})" if user.province else "")
    )
    if st.button(t("Sign out")):
        if oidc_configured():
            st.logout()
        else:
            end_session(st.session_state)
            st.session_state[_COOKIE_TO_WRITE] = ""
            st.rerun()


def require_role(*roles: str) -> User:
    """Stop the page (with a message) unless the current user has one of ``roles``; return that user."""
    import streamlit as st

    from dashboard.i18n import t

    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; roles are {ROLES}")
    user = current_user()
    if allowed(user, roles):
        return user
    wanted = t(" or ").join(t(ROLE_LABELS[r]) for r in roles)
    if user.signed_in:
        st.error(
            t(
                "This page is for the {wanted}. You are signed in as {role}.",
                wanted=wanted,
                role=t(ROLE_LABELS[user.role]),
            )
        )
        render_sign_out()  # to switch to another account
    else:
        st.error(t("This page is for the {wanted}. Please sign in.", wanted=wanted))
        render_sign_in_form()
    st.stop()
