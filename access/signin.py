"""Checking a user name and password against the accounts file, throttled per (account, client)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from functools import lru_cache

import bcrypt

from access.accounts import AccountStore, bcrypt_rounds, password_matches
from access.throttle import DEFAULT_THROTTLE, SignInLocked, SignInThrottle
from access.users import User, user_from_account


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(b"no such account", bcrypt.gensalt(rounds))


def authenticate(
    username: str,
    password: str,
    *,
    client: str | None = None,
    store: AccountStore | None = None,
    throttle: SignInThrottle | None = None,
    now: datetime | None = None,
) -> User | None:
    """The signed-in user, or None for a wrong name or password; raises SignInLocked while paused.

    An unknown name, or an account without a password, costs the same bcrypt work as a real check, so response
    time does not tell which names exist.
    """
    now = now or datetime.now(timezone.utc)
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
        throttle.record_failure(username, client, now, known_account=account is not None)
        if (until := throttle.locked_until(username, client, now)) is not None:
            raise SignInLocked(until, now)
        return None
    throttle.record_success(username, client)
    return user_from_account(account)


def client_address(headers: Mapping[str, str], peer: str | None, trusted_header: str | None) -> str | None:
    """The address sign-in failures are counted against: the trusted proxy's header when one is configured (its
    last entry, the one the proxy itself wrote: earlier entries come from the browser and can be forged), else
    the socket peer."""
    if trusted_header:
        wanted = trusted_header.strip().lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), "") or ""
        forwarded = value.split(",")[-1].strip()
        if forwarded:
            return forwarded
    return peer
