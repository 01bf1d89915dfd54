"""Login sessions of the dialects that keep one beside a short-lived token (DatePoll's
``session_token``): a random token whose SHA-256 is claimed by a ``UniqueIndex`` of kind
``session`` owned by the account (a fact with who and when, like the personal API token's); ending
the session releases it, so it stops renewing at once in every process. No new fact types."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain import errors
from domain.accounts import Account
from domain.credentials import new_token, token_hash
from domain.handlers import retrying
from domain.indexes import UniqueIndex, index_id

if TYPE_CHECKING:
    from domain.queries import Queries

KIND = "session"


def start_session(app: Queries, user_id: int) -> str:
    """A new session token for ``user_id`` (a live, unblocked account)."""
    account = app.account(user_id)
    if account is None or account.blocked:
        raise errors.UserNotFound(str(user_id))
    token = new_token()

    def attempt() -> str:
        app.save(UniqueIndex.claim(KIND, token_hash(token), user_id, app.clock.now()))
        return token

    return retrying(attempt)


def session_account(app: Queries, token: str) -> Account | None:
    """The live, unblocked account whose session this is; None for an unknown or ended one."""
    if not token:
        return None
    index = app.find(UniqueIndex, index_id(KIND, token_hash(token)))
    account = app.account(index.owner) if index is not None and index.owner else None
    if account is None or account.blocked or index is None:
        return None
    return account if account.honours_login_of(index.modified_on) else None  # when it was claimed


def end_session(app: Queries, token: str, user_id: int) -> bool:
    """End ``user_id``'s session ``token``; False when it is not a live session of theirs."""

    def attempt() -> bool:
        index = app.find(UniqueIndex, index_id(KIND, token_hash(token))) if token else None
        if index is None or index.owner != user_id:
            return False
        index.release(app.clock.now())
        app.save(index)
        return True

    return retrying(attempt)
