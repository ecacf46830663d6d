"""Signed-in sessions: a server-side table of live sessions, and the signed cookie that finds them after a reload.

A sign-in opens a session in ``SessionTable`` (random id, account, account generation, sign-in time, last activity)
and gives the browser a cookie holding that id with the account, role, province and issue time, signed with HMAC-SHA256
under the deployment's session key. A reload or a new tab presents the cookie; the session continues only while

* the signature is right and the id is still in the table (sign-out removes it, so a copied cookie dies with it),
* less than ``ABSOLUTE_TIMEOUT`` has passed since sign-in and less than ``IDLE_TIMEOUT`` since the last activity
  (in any tab: the table is shared), and
* the account still exists with a password and the generation it had at sign-in (a new password, a new role or
  province, or removal ends every session of that account).

The table lives in process memory like the sign-in throttle (deployments run one Streamlit process): restarting the
server signs everyone out, and no session can outlive it. The key is a deployment secret like the hash key:
``SP_SESSION_KEY``, or the file named by ``SP_SESSION_KEY_FILE`` (default ``~/.config/sp-dashboard/session_key``);
without one, a random key is made for the process, which is enough while the table is in memory.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import MutableMapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

import settings
from access.accounts import AccountStore
from access.users import User, user_from_account

ABSOLUTE_TIMEOUT = timedelta(hours=8)
IDLE_TIMEOUT = timedelta(minutes=60)
SESSION_KEY = "sp_auth_session"
NOTICE_KEY = "sp_auth_notice"
COOKIE_NAME = "sp_session"
SESSION_KEY_ENV = settings.SESSION_KEY.name
SESSION_KEY_FILE_ENV = settings.SESSION_KEY_FILE.name
DEFAULT_SESSION_KEY_FILE = settings.CONFIG_DIR / "session_key"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class SessionRecord:
    username: str
    generation: int
    signed_in_at: datetime
    last_seen: datetime


class SessionTable:
    """The live sessions of this server process, by session id."""

    def __init__(self):
        self._records: dict[str, SessionRecord] = {}
        self._mutex = threading.Lock()

    def open(self, username: str, generation: int, now: datetime) -> str:
        sid = secrets.token_urlsafe(32)
        with self._mutex:
            self._records = {k: r for k, r in self._records.items() if now - r.signed_in_at < ABSOLUTE_TIMEOUT}
            self._records[sid] = SessionRecord(username, generation, now, now)
        return sid

    def get(self, sid: str) -> SessionRecord | None:
        with self._mutex:
            return self._records.get(sid)

    def touch(self, sid: str, now: datetime) -> None:
        with self._mutex:
            if sid in self._records:
                self._records[sid].last_seen = now

    def close(self, sid: str) -> None:
        with self._mutex:
            self._records.pop(sid, None)


DEFAULT_TABLE = SessionTable()


# ------------------------------------------------------------------------------------------------- signing


@lru_cache(maxsize=1)
def _process_key() -> bytes:
    return secrets.token_bytes(32)


def session_key() -> bytes:
    """The cookie signing key: ``SP_SESSION_KEY``, the key file, or a random key for this process."""
    if settings.SESSION_KEY.value():
        return settings.SESSION_KEY.value().encode()
    path = Path(settings.SESSION_KEY_FILE.value() or DEFAULT_SESSION_KEY_FILE).expanduser()
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return _process_key()
    return text.encode() if text else _process_key()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_token(payload: dict, key: bytes) -> str:
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_b64(hmac.new(key, body.encode(), hashlib.sha256).digest())}"


def verify_token(token: str, key: bytes) -> dict | None:
    """The payload of a token signed with ``key``; None for anything forged, altered or malformed."""
    body, _, signature = (token or "").partition(".")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not body or not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    try:
        payload = json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        return None
    return payload if isinstance(payload, dict) else None


# -------------------------------------------------------------------------------------------------- sessions


def start_session(
    state: MutableMapping,
    user: User,
    now: datetime | None = None,
    *,
    generation: int = 0,
    table: SessionTable | None = None,
) -> str:
    """Open a session for ``user`` in ``state`` (a browser session's state); returns the signed cookie value."""
    now = now or _utcnow()
    table = table or DEFAULT_TABLE
    sid = table.open(user.username, generation, now)
    state[SESSION_KEY] = {"sid": sid, "user": asdict(user), "generation": generation}
    state.pop(NOTICE_KEY, None)
    return session_token(state, now)


def session_token(state: MutableMapping, now: datetime | None = None, key: bytes | None = None) -> str | None:
    """The signed cookie value of the session in ``state`` (None when nobody is signed in)."""
    session = state.get(SESSION_KEY)
    if not session:
        return None
    user = session["user"]
    return sign_token(
        {
            "sid": session["sid"],
            "account": user["username"],
            "role": user["role"],
            "province": user["province"],
            "generation": session["generation"],
            "issued": int((now or _utcnow()).timestamp()),
        },
        key or session_key(),
    )


def end_session(state: MutableMapping, table: SessionTable | None = None) -> None:
    session = state.pop(SESSION_KEY, None)
    if session:
        (table or DEFAULT_TABLE).close(session["sid"])


def resume_session(
    state: MutableMapping, token: str | None, *, table: SessionTable | None = None, key: bytes | None = None
) -> bool:
    """Put the session a cookie names back into ``state`` (a reload, a new tab); False when the cookie is no good.

    Only the signature and the table are checked here; ``session_user`` then applies the time limits and the
    account checks, exactly as for a session that never left the tab.
    """
    payload = verify_token(token or "", key or session_key())
    if payload is None:
        return False
    table = table or DEFAULT_TABLE
    record = table.get(str(payload.get("sid")))
    if record is None or record.username != payload.get("account"):
        return False
    user = User(record.username, str(payload.get("role")), payload.get("province"), record.username)
    state[SESSION_KEY] = {"sid": payload["sid"], "user": asdict(user), "generation": record.generation}
    return True


def session_user(
    state: MutableMapping,
    now: datetime | None = None,
    *,
    absolute_timeout: timedelta = ABSOLUTE_TIMEOUT,
    idle_timeout: timedelta = IDLE_TIMEOUT,
    store: AccountStore | None = None,
    table: SessionTable | None = None,
) -> User | None:
    """The user of a live session, or None (no session, signed out, timed out, or the account changed).

    Each call counts as activity. With ``store``, the account is read again: a removed account, or one whose
    password, role or province changed since sign-in (a new generation), ends the session at once.
    """
    session = state.get(SESSION_KEY)
    if not session:
        return None
    now = now or _utcnow()
    table = table or DEFAULT_TABLE
    record = table.get(session["sid"])
    if record is None:
        return _expire(state, table, "You have been signed out: please sign in again.")
    if now - record.signed_in_at >= absolute_timeout:
        return _expire(state, table, f"Your session ended after {_hours(absolute_timeout)}: please sign in again.")
    if now - record.last_seen >= idle_timeout:
        return _expire(
            state, table, f"Your session ended after {_minutes(idle_timeout)} without activity: please sign in again."
        )
    user = User(**session["user"])
    if store is not None:
        account = store.get(user.username)
        if account is None or not account.password_hash or account.generation != record.generation:
            return _expire(state, table, "Your account has been changed: please sign in again.")
        user = user_from_account(account)
        session["user"] = asdict(user)
    table.touch(session["sid"], now)
    return user


def _expire(state: MutableMapping, table: SessionTable, notice: str) -> None:
    end_session(state, table)
    state[NOTICE_KEY] = notice
    return None


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def _minutes(span: timedelta) -> str:
    minutes = span.total_seconds() / 60
    return f"{minutes:g} minute{'s' if minutes != 1 else ''}"
