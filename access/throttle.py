"""Failed sign-ins slow down one guesser, never everyone: growing pauses per (account, client address).

A pause applies to one account name tried from one client address, so a stranger who types a colleague's name
wrongly, or a whole ministry behind one address, cannot lock that colleague out from their own computer. The first
``free_failures`` failures cost nothing; each one after that pauses the pair for ``first_pause``, doubled every time,
up to ``longest_pause``. A success, or ``forget_after`` without failures, starts the count again. Unknown names are
counted like real ones, so pauses do not reveal which names exist.

Every pause is written to the sign-in audit log (``SP_AUTH_LOG``, default ``auth_log.jsonl`` beside the accounts
file), which the Data status page shows to the Secretariat. The count itself is kept in process memory (one Streamlit
server is one process): a restart forgets it, and nothing is written per failed attempt.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import settings
from access.accounts import accounts_path

AUTH_LOG_ENV = settings.AUTH_LOG.name


class SignInLocked(Exception):
    """Sign-in for this account from this client is paused until ``retry_at`` (the message says when)."""

    def __init__(self, retry_at: datetime, now: datetime):
        self.retry_at = retry_at
        seconds = max(1, math.ceil((retry_at - now).total_seconds()))
        wait = f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
        super().__init__(
            f"Too many failed sign-ins for this account from this computer. Try again in {wait} "
            f"(after {retry_at:%H:%M:%S} UTC)."
        )


@dataclass
class _Count:
    failures: int
    last_failure: datetime
    paused_until: datetime | None = None


def auth_log_path() -> Path:
    configured = settings.AUTH_LOG.value()
    return Path(configured).expanduser() if configured else accounts_path().parent / "auth_log.jsonl"


def write_auth_event(event: dict, path: Path | None = None) -> None:
    """Append one line to the sign-in audit log (created 0600: it names accounts and client addresses)."""
    path = path or auth_log_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event, ensure_ascii=False) + "\n")


def read_auth_log(path: Path | None = None, limit: int = 200) -> list[dict]:
    """The newest ``limit`` lines of the sign-in audit log, newest first (a damaged line is skipped)."""
    try:
        lines = (path or auth_log_path()).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    events = []
    for line in reversed(lines):
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
        if len(events) >= limit:
            break
    return events


class SignInThrottle:
    def __init__(
        self,
        *,
        free_failures: int = 3,
        first_pause: timedelta = timedelta(seconds=30),
        longest_pause: timedelta = timedelta(minutes=15),
        forget_after: timedelta = timedelta(hours=1),
        audit: Callable[[dict], None] | None = write_auth_event,
    ):
        self.free_failures = free_failures
        self.first_pause = first_pause
        self.longest_pause = longest_pause
        self.forget_after = forget_after
        self.audit = audit
        self._counts: dict[tuple[str, str], _Count] = {}
        self._mutex = threading.Lock()  # Streamlit runs each browser session in its own thread

    @staticmethod
    def _key(username: str, client: str | None) -> tuple[str, str]:
        return username.strip().lower(), client or ""

    def pause_after(self, failures: int) -> timedelta | None:
        """How long the pair is paused after its ``failures``-th failure in a row (None: no pause yet)."""
        extra = failures - self.free_failures
        if extra <= 0:
            return None
        return min(self.first_pause * 2 ** min(extra - 1, 30), self.longest_pause)

    def locked_until(self, username: str, client: str | None, now: datetime) -> datetime | None:
        with self._mutex:
            count = self._counts.get(self._key(username, client))
            if count is None or count.paused_until is None or count.paused_until <= now:
                return None
            return count.paused_until

    def record_failure(self, username: str, client: str | None, now: datetime, *, known_account: bool = True) -> None:
        key = self._key(username, client)
        with self._mutex:
            self._forget_old(now)
            count = self._counts.get(key)
            count = _Count(count.failures + 1 if count else 1, now, count.paused_until if count else None)
            pause = self.pause_after(count.failures)
            if pause is not None:
                count.paused_until = now + pause
            self._counts[key] = count
        if pause is not None and self.audit is not None:
            # A name that is no account may be a password typed in the wrong box: it is not written down.
            self._audit(
                {
                    "time": now.astimezone(timezone.utc).isoformat(timespec="seconds"),
                    "event": "sign-in paused",
                    "account": key[0] if known_account else "(unknown name)",
                    "client": key[1] or "(unknown)",
                    "failures": count.failures,
                    "paused_seconds": int(pause.total_seconds()),
                }
            )

    def _audit(self, event: dict) -> None:
        try:
            self.audit(event)
        except OSError as error:  # a full disk must not stop people signing in; the pause itself still holds
            logging.getLogger(__name__).error("sign-in log not written (%s): %s", error, event)

    def record_success(self, username: str, client: str | None) -> None:
        with self._mutex:
            self._counts.pop(self._key(username, client), None)

    def _forget_old(self, now: datetime) -> None:
        # Keeps memory bounded when someone tries many different names.
        self._counts = {
            k: c
            for k, c in self._counts.items()
            if now - c.last_failure < self.forget_after or (c.paused_until and c.paused_until > now)
        }


DEFAULT_THROTTLE = SignInThrottle()
