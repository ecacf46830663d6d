"""Roles and the signed-in user: what the rest of the dashboard needs to know about who is looking."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from access.accounts import Account, AccountStore

SECRETARIAT = "secretariat"
COMMISSION = "commission"
PUBLIC = "public"
ROLES = (SECRETARIAT, COMMISSION, PUBLIC)
ROLE_LABELS = {SECRETARIAT: "Technical Secretariat", COMMISSION: "Commission member", PUBLIC: "Public"}


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


def user_for_identity(claims: Mapping, store: AccountStore) -> User:
    """Map an identity provider's claims to a role: a known, verified e-mail gets its account's role."""
    email = claims.get("email")
    if not email or claims.get("email_verified") is False:
        return ANONYMOUS
    account = store.find_by_email(str(email))
    return user_from_account(account) if account is not None else ANONYMOUS


def allowed(user: User, roles: Iterable[str]) -> bool:
    return user.role in set(roles)
