"""Who is looking at the dashboard, and what role they have.

Three roles: ``secretariat`` (MoLSW, refreshes data), ``commission`` (browses everything at aggregate level; a
provincial commission's account carries its province) and ``public`` (nobody signed in: donors and partners opening
a shared link). Pages call ``current_user()`` and ``require_role(...)``; the rest is plain functions, testable
without Streamlit.

Two ways to sign in:

* OpenID Connect, when ``.streamlit/secrets.toml`` has an ``[auth]`` section (needs ``Authlib``, e.g.
  ``pip install streamlit[auth]``): ``st.login()`` / ``st.user``; the e-mail the provider vouches for is mapped to an
  account of the accounts file (``python -m dashboard.accounts add NAME --role ... --email E --no-password``);
  unknown e-mails are ``public``. The provider's cookie governs how long that sign-in lasts.
* Otherwise the embedded form: user name and password checked against the accounts file (bcrypt), with failed
  attempts throttled, and a session that ends after ``ABSOLUTE_TIMEOUT`` or ``IDLE_TIMEOUT`` without activity.

Throttling state is kept in process memory (one Streamlit server is one process). Trade-off: a restart forgets
failed attempts, and several server processes would each count separately; in exchange nothing is written per
attempt and there is no file to lock or to fill up. Deployments run one process.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import bcrypt

from dashboard.accounts import Account, AccountStore, bcrypt_rounds, password_matches

SECRETARIAT = "secretariat"
COMMISSION = "commission"
PUBLIC = "public"
ROLES = (SECRETARIAT, COMMISSION, PUBLIC)
ROLE_LABELS = {SECRETARIAT: "Technical Secretariat", COMMISSION: "Commission member", PUBLIC: "Public"}

ABSOLUTE_TIMEOUT = timedelta(hours=8)
IDLE_TIMEOUT = timedelta(minutes=60)
SESSION_KEY = "sp_auth_session"
NOTICE_KEY = "sp_auth_notice"


@dataclass(frozen=True)
class User:
    username: str
    role: str
    province: str | None = None  # a provincial commission's ISO code; None = not limited to one province
    display_name: str = ""

    @property
    def signed_in(self) -> bool:
        return self.role != PUBLIC


ANONYMOUS = User(username="", role=PUBLIC, province=None, display_name="Public")


def user_from_account(account: Account) -> User:
    return User(account.username, account.role, account.province, account.display_name or account.username)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


# ------------------------------------------------------------------------------------------------ throttling

class SignInLocked(Exception):
    """Too many failed sign-ins: refused until ``retry_at`` (the message says when, in minutes)."""

    def __init__(self, retry_at: datetime, now: datetime):
        self.retry_at = retry_at
        minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
        super().__init__(
            f"Too many failed sign-ins. Sign-in is paused for this account and this computer: try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''} (after {retry_at:%H:%M} UTC).")


class SignInThrottle:
    """Counts failed sign-ins per user name and per client address inside a sliding window.

    ``max_failures`` failures for one user name within ``window`` lock that name for ``lockout``; a client address
    gets a larger allowance (``max_client_failures``) because a ministry's computers may share one address.
    Unknown user names are counted like real ones, so the lock-out does not reveal which names exist.
    """

    def __init__(self, *, max_failures: int = 5, max_client_failures: int = 20,
                 window: timedelta = timedelta(minutes=15), lockout: timedelta = timedelta(minutes=15)):
        self.limits = {"user": max_failures, "client": max_client_failures}
        self.window = window
        self.lockout = lockout
        self._failures: dict[tuple[str, str], list[datetime]] = {}
        self._locked_until: dict[tuple[str, str], datetime] = {}
        self._mutex = threading.Lock()  # Streamlit runs each browser session in its own thread

    @staticmethod
    def _keys(username: str, client: str | None) -> list[tuple[str, str]]:
        keys = [("user", username.strip().lower())]
        if client:
            keys.append(("client", client))
        return keys

    def locked_until(self, username: str, client: str | None, now: datetime) -> datetime | None:
        with self._mutex:
            until = [self._locked_until[k] for k in self._keys(username, client)
                     if k in self._locked_until and self._locked_until[k] > now]
            return max(until) if until else None

    def record_failure(self, username: str, client: str | None, now: datetime) -> None:
        with self._mutex:
            self._forget_old(now)
            for key in self._keys(username, client):
                recent = [t for t in self._failures.get(key, []) if now - t < self.window] + [now]
                if len(recent) >= self.limits[key[0]]:
                    self._locked_until[key] = now + self.lockout
                    self._failures.pop(key, None)
                else:
                    self._failures[key] = recent

    def record_success(self, username: str) -> None:
        # Only the name's count is cleared: signing in to one's own account must not reset a client's count.
        with self._mutex:
            self._failures.pop(("user", username.strip().lower()), None)

    def _forget_old(self, now: datetime) -> None:
        # Keeps memory bounded when someone tries many different names.
        self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] < self.window}
        self._locked_until = {k: v for k, v in self._locked_until.items() if v > now}


DEFAULT_THROTTLE = SignInThrottle()


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(b"no such account", bcrypt.gensalt(rounds))


def authenticate(username: str, password: str, *, client: str | None = None, store: AccountStore | None = None,
                 throttle: SignInThrottle | None = None, now: datetime | None = None) -> User | None:
    """The signed-in user, or None for a wrong name or password; raises SignInLocked while throttled.

    An unknown name, or an account without a password, costs the same bcrypt work as a real check, so response
    time does not tell which names exist.
    """
    now = now or _utcnow()
    store = store or AccountStore()
    throttle = throttle or DEFAULT_THROTTLE
    if (until := throttle.locked_until(username, client, now)) is not None:
        raise SignInLocked(until, now)
    account = store.get(username)
    if account is not None and account.password_hash:
        accepted = password_matches(password, account.password_hash)
    else:
        bcrypt.checkpw(b"no such account", _dummy_hash(bcrypt_rounds()))
        accepted = False
    if not accepted:
        throttle.record_failure(username, client, now)
        if (until := throttle.locked_until(username, client, now)) is not None:
            raise SignInLocked(until, now)
        return None
    throttle.record_success(username)
    return user_from_account(account)


# -------------------------------------------------------------------------------------------------- sessions

def start_session(state: MutableMapping, user: User, now: datetime | None = None) -> None:
    now = now or _utcnow()
    state[SESSION_KEY] = {"user": asdict(user), "signed_in_at": now.isoformat(), "last_seen": now.isoformat()}
    state.pop(NOTICE_KEY, None)


def end_session(state: MutableMapping) -> None:
    state.pop(SESSION_KEY, None)


def session_user(state: MutableMapping, now: datetime | None = None, *,
                 absolute_timeout: timedelta = ABSOLUTE_TIMEOUT, idle_timeout: timedelta = IDLE_TIMEOUT,
                 store: AccountStore | None = None) -> User | None:
    """The user of a live session, or None (no session, timed out, or account removed since).

    Each call counts as activity. With ``store``, the account is read again, so a changed role or a removed
    account takes effect at once rather than at the next sign-in.
    """
    session = state.get(SESSION_KEY)
    if not session:
        return None
    now = now or _utcnow()
    signed_in_at = datetime.fromisoformat(session["signed_in_at"])
    last_seen = datetime.fromisoformat(session["last_seen"])
    if now - signed_in_at >= absolute_timeout:
        return _expire(state, f"Your session ended after {_hours(absolute_timeout)}: please sign in again.")
    if now - last_seen >= idle_timeout:
        return _expire(state, f"Your session ended after {_minutes(idle_timeout)} without activity: "
                              "please sign in again.")
    user = User(**session["user"])
    if store is not None:
        account = store.get(user.username)
        if account is None or not account.password_hash:
            return _expire(state, "Your account has been changed: please sign in again.")
        user = user_from_account(account)
        session["user"] = asdict(user)
    session["last_seen"] = now.isoformat()
    return user


def _expire(state: MutableMapping, notice: str) -> None:
    end_session(state)
    state[NOTICE_KEY] = notice
    return None


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def _minutes(span: timedelta) -> str:
    minutes = span.total_seconds() / 60
    return f"{minutes:g} minute{'s' if minutes != 1 else ''}"


def user_for_identity(claims: Mapping, store: AccountStore) -> User:
    """Map an identity provider's claims to a role: a known, verified e-mail gets its account's role."""
    email = claims.get("email")
    if not email or claims.get("email_verified") is False:
        return ANONYMOUS
    account = store.find_by_email(str(email))
    return user_from_account(account) if account is not None else ANONYMOUS


def allowed(user: User, roles: Iterable[str]) -> bool:
    return user.role in set(roles)


# ------------------------------------------------------------------------------------------ Streamlit part

def oidc_configured() -> bool:
    """True when secrets.toml has an [auth] section, i.e. st.login() is set up."""
    import streamlit as st

    try:
        return "auth" in st.secrets
    except FileNotFoundError:      # also Streamlit's missing or unreadable secrets.toml (a subclass)
        return False


def current_user() -> User:
    """The user of this browser session; ``ANONYMOUS`` (role public) when nobody is signed in."""
    import streamlit as st

    store = AccountStore()
    if oidc_configured():
        return user_for_identity(st.user.to_dict(), store) if st.user.is_logged_in else ANONYMOUS
    return session_user(st.session_state, store=store) or ANONYMOUS


def _client_address() -> str | None:
    import streamlit as st

    try:
        return st.context.ip_address
    except Exception:  # older servers or no request context: throttle by user name only
        return None


def render_sign_in_form() -> User | None:
    """Sign-in: the provider's button when OIDC is configured, else a user name/password form."""
    import streamlit as st

    if notice := st.session_state.pop(NOTICE_KEY, None):
        st.info(notice)
    if oidc_configured():
        if st.button("Sign in with your organisation account", type="primary"):
            st.login()
        return None
    with st.form("sp_sign_in", clear_on_submit=True):
        username = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return None
    try:
        user = authenticate(username, password, client=_client_address())
    except SignInLocked as locked:
        st.error(str(locked))
        return None
    if user is None:
        st.error("Wrong user name or password.")
        return None
    start_session(st.session_state, user)
    st.rerun()


def render_sign_out() -> None:
    """A sign-out button for a signed-in user (nothing for the public)."""
    import streamlit as st

    user = current_user()
    if not user.signed_in:
        return
    st.caption(f"Signed in as {user.display_name} — {ROLE_LABELS[user.role]}"
               + (f" ({user.province})" if user.province else ""))
    if st.button("Sign out"):
        if oidc_configured():
            st.logout()
        else:
            end_session(st.session_state)
            st.rerun()


def require_role(*roles: str) -> User:
    """Stop the page (with a message) unless the current user has one of ``roles``; return that user."""
    import streamlit as st

    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}; roles are {ROLES}")
    user = current_user()
    if allowed(user, roles):
        return user
    wanted = " or ".join(ROLE_LABELS[r] for r in roles)
    if user.signed_in:
        st.error(f"This page is for the {wanted}. You are signed in as {ROLE_LABELS[user.role]}.")
        render_sign_out()  # to switch to another account
    else:
        st.error(f"This page is for the {wanted}. Please sign in.")
        render_sign_in_form()
    st.stop()
