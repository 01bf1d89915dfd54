"""Accounts: create, block, unblock, reissue the token, set the password, change the groups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from domain import commands
from domain.accounts import Account, check_new_account
from domain.credentials import hash_password, new_token, token_hash
from domain.handlers import retrying
from domain.indexes import UniqueIndex, index_id
from domain.results import NewUser

if TYPE_CHECKING:
    from domain.application import CampaignEvents

T = TypeVar("T")


def create_user(app: CampaignEvents, cmd: commands.CreateUser) -> NewUser:
    """A user name and a token are each claimed by an index saved with the account, so a
    duplicate fails at ``save``."""
    check_new_account(cmd.name, list(cmd.groups))  # before hashing the password
    token = new_token()
    password_hash = hash_password(cmd.password) if cmd.password else None

    def attempt() -> NewUser:
        now = app.clock.now()
        sequence = app.sequence("users")
        account = Account.create(
            user_id=sequence.allocate(now),
            requested_name=cmd.name,
            email=cmd.email,
            groups=list(cmd.groups),
            token_hash=token_hash(token),
            password_hash=password_hash,
            name_taken=lambda name: app.find(UniqueIndex, index_id("username", name)) is not None,
            performed_by=None,
            at=now,
        )
        name_index = UniqueIndex.claim("username", account.user_name, account.user_id, now)
        token_index = UniqueIndex.claim("token", token_hash(token), account.user_id, now)
        app.save(sequence, account, name_index, token_index)
        return NewUser(account.user_id, account.user_name, token)

    return retrying(attempt)


def reissue_token(app: CampaignEvents, cmd: commands.ReissueToken) -> str:
    """A new personal API token; the old one's index is released in the same save, so it stops
    authenticating at once in every process."""
    token = new_token()

    def attempt() -> str:
        account, now = app.named_account(cmd.name), app.clock.now()
        old_hash = account.reissue_token(token_hash(token), None, now)
        old = app.find(UniqueIndex, index_id("token", old_hash))
        if old is not None:
            old.release(now)
        new = UniqueIndex.claim("token", token_hash(token), account.user_id, now)
        app.save(account, new, *([old] if old is not None else []))
        return token

    return retrying(attempt)


def set_password(app: CampaignEvents, cmd: commands.SetPassword) -> None:
    retrying(lambda: _change(app, cmd.name, lambda a, by, at: a.set_password(cmd.password, by, at)))


def change_groups(app: CampaignEvents, cmd: commands.ChangeGroups) -> bool:
    def change(account: Account, by: int | None, at: datetime) -> bool:
        return account.change_groups(cmd.add, cmd.remove, by, at)

    return retrying(lambda: _change(app, cmd.name, change))


def block_user(app: CampaignEvents, cmd: commands.BlockUser) -> bool:
    return retrying(lambda: _change(app, cmd.name, Account.block))


def unblock_user(app: CampaignEvents, cmd: commands.UnblockUser) -> bool:
    return retrying(lambda: _change(app, cmd.name, Account.unblock))


def _change(app: CampaignEvents, name: str, change: Callable[[Account, int | None, datetime], T]) -> T:
    account = app.named_account(name)
    changed = change(account, None, app.clock.now())
    app.save(account)
    return changed
