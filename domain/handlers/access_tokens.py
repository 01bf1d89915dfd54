"""Access tokens (domain/access_tokens.py): issue a pair to an account, look a bearer token up,
refresh (spend the refresh token and its access token, issue a new pair), revoke."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain import errors
from domain.access_tokens import (
    ACCESS,
    ACCESS_LIFETIME,
    REFRESH,
    AccessToken,
    TokenRejected,
    issue_pair,
    token_id,
)
from domain.accounts import Account
from domain.handlers import retrying

if TYPE_CHECKING:
    from domain.queries import Queries


@dataclass(frozen=True)
class IssuedPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds
    account: Account


def issue(app: Queries, account: Account) -> IssuedPair:
    """A new pair for a live, unblocked account."""
    if account.blocked:
        raise errors.UserNotFound(str(account.user_id))

    def attempt() -> IssuedPair:
        access, refresh, aggregates = issue_pair(account.user_id, app.clock.now())
        app.save(*aggregates)
        return IssuedPair(access, refresh, int(ACCESS_LIFETIME.total_seconds()), account)

    return retrying(attempt)


def bearer_account(app: Queries, token: str) -> Account | None:
    """The live, unblocked account of a valid access token; None otherwise."""
    if not token:
        return None
    found = app.find(AccessToken, token_id(token))
    if found is None or not found.is_valid(ACCESS, app.clock.now()):
        return None
    account = app.account(found.user_id)
    return None if account is None or not _honoured(account, found) else account


def _honoured(account: Account, token: AccessToken) -> bool:
    return not account.blocked and account.honours_login_of(token.created_on)


def refresh(app: Queries, token: str) -> IssuedPair:
    """Spend a refresh token: ``TokenRejected`` when unknown, expired or revoked."""

    def attempt() -> IssuedPair:
        now = app.clock.now()
        found = app.find(AccessToken, token_id(token)) if token else None
        if found is None:
            raise TokenRejected()
        found.check_valid(REFRESH, now)
        account = app.account(found.user_id)
        if account is None or not _honoured(account, found):
            raise TokenRejected()
        spent = [found]
        partner = app.find(AccessToken, found.partner) if found.partner else None
        found.revoke(now)
        if partner is not None and partner.revoke(now):
            spent.append(partner)
        access, new_refresh, aggregates = issue_pair(account.user_id, now)
        app.save(*spent, *aggregates)
        return IssuedPair(access, new_refresh, int(ACCESS_LIFETIME.total_seconds()), account)

    return retrying(attempt)


def revoke(app: Queries, token: str) -> bool:
    """Revoke an access or refresh token (and the other of its pair); False when unknown or revoked."""

    def attempt() -> bool:
        found = app.find(AccessToken, token_id(token)) if token else None
        if found is None:
            return False
        now = app.clock.now()
        changed = [found] if found.revoke(now) else []
        partner = app.find(AccessToken, found.partner) if found.partner else None
        if partner is not None and partner.revoke(now):
            changed.append(partner)
        if changed:
            app.save(*changed)
        return bool(changed)

    return retrying(attempt)
