"""Local accounts of the dashboard: a small JSON file kept outside the repository, and its command line.

The file (``SP_ACCOUNTS_FILE``, default ``~/.config/sp-dashboard/accounts.json``) holds, per account: user name, role,
province (a provincial commission), e-mail, display name, a salted bcrypt hash, created/updated times and a
generation that every change of password or role raises (signed-in sessions of the older generation end). It is
written atomically (temporary file + ``os.replace``) with mode 0600. An account with an e-mail and no password is
for sign-in through the organisation's identity provider (OpenID Connect), mapped by e-mail.

    python -m access.accounts add USERNAME --role secretariat|commission [--province LA-AT] [--email E]
    python -m access.accounts passwd USERNAME
    python -m access.accounts role USERNAME ROLE [--province P]
    python -m access.accounts remove USERNAME
    python -m access.accounts list

Exit codes: 0 done, 1 refused (unknown account, passwords differ, bad value…), 2 wrong command line.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import re
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import bcrypt

import settings
from data_pipeline.reference import reference_rows

ACCOUNTS_FILE_ENV = settings.ACCOUNTS_FILE.name
BCRYPT_ROUNDS_ENV = settings.BCRYPT_ROUNDS.name
DEFAULT_ACCOUNTS_FILE = settings.DEFAULT_ACCOUNTS_FILE
PROJECT_ROOT = settings.PROJECT_ROOT
FILE_FORMAT = "sp-dashboard-accounts/1"

ACCOUNT_ROLES = ("secretariat", "commission")  # "public" is nobody signed in, never an account
PRODUCTION_BCRYPT_ROUNDS = 12
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt reads at most 72 bytes; longer passwords are refused rather than cut silently

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A request the accounts store refuses; the message says why, for a person to read."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    province: str | None = None
    email: str | None = None
    display_name: str = ""
    password_hash: str | None = None  # None: signs in only through the identity provider (by e-mail)
    created_at: str = ""
    updated_at: str = ""
    generation: int = 0  # raised by every change: sessions signed in under an older generation are revoked


def accounts_path() -> Path:
    """Where the accounts live; refuses a place inside the project, where it could be committed or served."""
    path = settings.accounts_path().expanduser().resolve()
    if path == PROJECT_ROOT or PROJECT_ROOT in path.parents:
        raise AccountError(
            f"The accounts file {path} is inside the project folder {PROJECT_ROOT}; keep it outside the repository "
            f"(unset {ACCOUNTS_FILE_ENV} to use {DEFAULT_ACCOUNTS_FILE})."
        )
    return path


def bcrypt_rounds() -> int:
    """bcrypt cost: 12 in production; ``SP_BCRYPT_ROUNDS`` may lower it (tests) but not below bcrypt's minimum 4."""
    raw = settings.BCRYPT_ROUNDS.value()
    if not raw:
        return PRODUCTION_BCRYPT_ROUNDS
    try:
        return min(max(int(raw), 4), 31)
    except ValueError:
        raise AccountError(f"{BCRYPT_ROUNDS_ENV}={raw!r} is not a whole number") from None


def hash_password(password: str, *, rounds: int | None = None) -> str:
    check_password_strength(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds or bcrypt_rounds())).decode("ascii")


def password_matches(password: str, password_hash: str) -> bool:
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES:
        # bcrypt 5 raises on long input; still spend the same time so the length is not observable.
        encoded = encoded[:MAX_PASSWORD_BYTES]
        bcrypt.checkpw(encoded, password_hash.encode("ascii"))
        return False
    return bcrypt.checkpw(encoded, password_hash.encode("ascii"))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AccountError(f"The password is too long: at most {MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest).")


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise AccountError(
            f"User name {username!r} is not accepted: 2 to 32 characters, letters a-z, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return name


def known_provinces() -> set[str]:
    return {row["iso_code"] for row in reference_rows("provinces")}


def check_role(role: str, province: str | None) -> str | None:
    """The province to store for this role (upper-cased), or an AccountError that explains the rule."""
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"Role {role!r} is not one of: {', '.join(ACCOUNT_ROLES)}.")
    if province is None:
        return None
    code = province.strip().upper()
    if role != "commission":
        raise AccountError("Only a commission account can be limited to a province (a provincial commission).")
    if code not in known_provinces():
        raise AccountError(f"Province {province!r} is not an ISO 3166-2:LA code such as LA-AT or LA-VT.")
    return code


def _now_text(now: datetime | None) -> str:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")


class AccountStore:
    """The accounts file. Every change is read-modify-write under a lock, then replaced atomically."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else accounts_path()

    # -- reading
    def accounts(self) -> dict[str, Account]:
        """Every account, by user name (a new dict: the caller may change it). The file is parsed once per change of
        it: the dashboard asks for the signed-in account on every call of ``current_user``, many times a run."""
        try:
            with self.path.open("rb") as handle:
                stamp = _file_stamp(os.fstat(handle.fileno()))  # the stamp of the very file read below
                kept = _PARSED.get(self.path)
                if kept is not None and kept[0] == stamp:
                    return dict(kept[1])
                text = handle.read().decode("utf-8")
        except FileNotFoundError:
            return {}
        try:
            document = json.loads(text)
            if document.get("format") != FILE_FORMAT:
                raise ValueError(f"format is {document.get('format')!r}, expected {FILE_FORMAT!r}")
            accounts = {entry["username"]: Account(**entry) for entry in document["accounts"]}
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise AccountError(f"The accounts file {self.path} cannot be read: {error}") from None
        with _PARSED_LOCK:  # sessions run in threads of their own
            if self.path not in _PARSED and len(_PARSED) >= _PARSED_FILES:  # tests make many files: keep a few
                del _PARSED[next(iter(_PARSED))]
            _PARSED[self.path] = (stamp, accounts)  # Account is frozen: the kept ones are shared, never changed
        return dict(accounts)

    def get(self, username: str) -> Account | None:
        try:
            name = normalise_username(username)
        except AccountError:
            return None
        return self.accounts().get(name)

    def find_by_email(self, email: str) -> Account | None:
        wanted = email.strip().lower()
        return next((a for a in self.accounts().values() if a.email and a.email == wanted), None)

    # -- changes
    def add(
        self,
        username: str,
        *,
        role: str,
        password: str | None,
        province: str | None = None,
        email: str | None = None,
        display_name: str = "",
        now: datetime | None = None,
    ) -> Account:
        name = normalise_username(username)
        province = check_role(role, province)
        email = self._check_email(email)
        if password is None and email is None:
            raise AccountError("An account needs a password, or an e-mail for sign-in through the identity provider.")
        password_hash = hash_password(password) if password is not None else None
        stamp = _now_text(now)
        with self._locked() as accounts:
            if name in accounts:
                raise AccountError(f"An account named {name!r} already exists.")
            if email and any(a.email == email for a in accounts.values()):
                raise AccountError(f"The e-mail {email} already belongs to another account.")
            account = Account(name, role, province, email, display_name.strip() or name, password_hash, stamp, stamp)
            accounts[name] = account
        return account

    def set_password(self, username: str, password: str, *, now: datetime | None = None) -> Account:
        password_hash = hash_password(password)
        return self._change(username, now, password_hash=password_hash)

    def set_role(
        self, username: str, role: str, province: str | None = None, *, now: datetime | None = None
    ) -> Account:
        return self._change(username, now, role=role, province=check_role(role, province))

    def remove(self, username: str) -> None:
        name = normalise_username(username)
        with self._locked() as accounts:
            if accounts.pop(name, None) is None:
                raise AccountError(f"There is no account named {name!r}.")

    # -- internals
    def _check_email(self, email: str | None) -> str | None:
        if email is None:
            return None
        address = email.strip().lower()
        if not _EMAIL.match(address):
            raise AccountError(f"{email!r} is not an e-mail address.")
        return address

    def _change(self, username: str, now: datetime | None, **changes) -> Account:
        name = normalise_username(username)
        with self._locked() as accounts:
            if name not in accounts:
                raise AccountError(f"There is no account named {name!r}.")
            accounts[name] = replace(
                accounts[name], updated_at=_now_text(now), generation=accounts[name].generation + 1, **changes
            )
            return accounts[name]

    @contextlib.contextmanager
    def _locked(self):
        """Yield the accounts for change; write them back (atomically, 0600) if the block succeeds."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        lock_fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            _lock(lock_fd)
            accounts = self.accounts()
            yield accounts
            self._write(accounts)
        finally:
            os.close(lock_fd)  # closing releases the lock

    def _write(self, accounts: dict[str, Account]) -> None:
        document = {"format": FILE_FORMAT, "accounts": [asdict(accounts[name]) for name in sorted(accounts)]}
        fd, temp_name = tempfile.mkstemp(prefix=".accounts-", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=2, ensure_ascii=False)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise


# Parsed accounts files: path -> (stamp of the file parsed, its accounts). Any change of the file changes its stamp:
# a write by this module replaces it (a new inode), an edit in place changes its modification time or size.
_PARSED: dict[Path, tuple[tuple, dict[str, Account]]] = {}
_PARSED_FILES = 8
_PARSED_LOCK = threading.Lock()


def _file_stamp(stat: os.stat_result) -> tuple:
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock; the atomic replace still keeps the file whole
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


# ---------------------------------------------------------------------------------------------- command line


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise AccountError("No password on standard input.")
        return password.rstrip("\r")
    first = getpass.getpass("New password: ")
    check_password_strength(first)
    if getpass.getpass("Repeat the password: ") != first:
        raise AccountError("The two passwords differ; nothing was changed.")
    return first


def _describe(account: Account) -> str:
    scope = f" ({account.province})" if account.province else ""
    return f"{account.username}: {account.role}{scope}"


def _cmd_add(store: AccountStore, args: argparse.Namespace) -> str:
    if args.no_password and not args.email:
        raise AccountError("--no-password needs --email: the account signs in through the identity provider.")
    # Validate everything cheap before asking for a password.
    normalise_username(args.username)
    check_role(args.role, args.province)
    password = None if args.no_password else _read_password(args)
    account = store.add(
        args.username,
        role=args.role,
        password=password,
        province=args.province,
        email=args.email,
        display_name=args.name or "",
    )
    return f"Added {_describe(account)}"


def _cmd_passwd(store: AccountStore, args: argparse.Namespace) -> str:
    if store.get(args.username) is None:
        raise AccountError(f"There is no account named {args.username!r}.")
    account = store.set_password(args.username, _read_password(args))
    return f"Password changed for {account.username}"


def _cmd_role(store: AccountStore, args: argparse.Namespace) -> str:
    account = store.set_role(args.username, args.role, args.province)
    return f"Changed {_describe(account)}"


def _cmd_remove(store: AccountStore, args: argparse.Namespace) -> str:
    store.remove(args.username)
    return f"Removed {normalise_username(args.username)}"


def _cmd_list(store: AccountStore, args: argparse.Namespace) -> str:
    accounts = store.accounts()
    if not accounts:
        return f"No accounts in {store.path}"
    header = ("user", "role", "province", "e-mail", "sign-in", "updated")
    rows = [
        (
            a.username,
            a.role,
            a.province or "-",
            a.email or "-",
            "password" if a.password_hash else "identity provider",
            a.updated_at,
        )
        for a in accounts.values()
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m access.accounts",
        description=f"Manage the dashboard's local accounts (file: ${ACCOUNTS_FILE_ENV} or {DEFAULT_ACCOUNTS_FILE}).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    add = commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ACCOUNT_ROLES)
    add.add_argument("--province", help="ISO code (e.g. LA-AT) for a provincial commission")
    add.add_argument("--email", help="e-mail used by the identity provider (OpenID Connect)")
    add.add_argument("--name", help="name shown in the dashboard")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    secret.add_argument("--no-password", action="store_true", help="identity-provider sign-in only (needs --email)")
    add.set_defaults(run=_cmd_add)

    passwd = commands.add_parser("passwd", help="set a new password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd.set_defaults(run=_cmd_passwd)

    role = commands.add_parser("role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", choices=ACCOUNT_ROLES)
    role.add_argument("--province", help="ISO code (e.g. LA-AT) for a provincial commission")
    role.set_defaults(run=_cmd_role)

    remove = commands.add_parser("remove", help="delete an account")
    remove.add_argument("username")
    remove.set_defaults(run=_cmd_remove)

    listing = commands.add_parser("list", help="show the accounts (never their passwords)")
    listing.set_defaults(run=_cmd_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # exits with 2 on a wrong command line
    try:
        print(args.run(AccountStore(), args))
        return 0
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nerror: cancelled; nothing was changed.", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
