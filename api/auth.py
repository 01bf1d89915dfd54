"""Who is calling: bearer tokens (CSRF-safe), cookie sessions with CSRF tokens, or nobody.

Bearer tokens are checked before anything else; a bad one is a 401 and never falls back to
anonymous. Cookie-authenticated writes must carry the session's CSRF token in the JSON body, checked
after body validation and before permissions, as MediaWiki does.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g, session

from api.errors import ApiError
from domain.accounts import Account
from domain.credentials import token_hash

ANONYMOUS_TOKEN = "+\\"
BEARER = "bearer"
SESSION = "session"
ANONYMOUS = "anonymous"
TOKEN_OWNERS = 10_000  # bearer tokens whose owner a web process remembers (TokenOwners)


@dataclass(frozen=True)
class Caller:
    account: Account | None
    via: str
    csrf: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.account.user_id if self.account is not None else None


class TokenOwners:
    """Whose personal API token a token hash was, remembered by one web process (bounded, least
    recently used out, thread-safe), so that a repeated bearer token costs the account's load, not
    the token index's as well. Only a hint: the account, loaded up to date on every request, must
    still hold that hash. A token is reissued by one save of the account's new hash and the old
    index's release, so a remembered owner whose account holds another hash means the token no
    longer works, and the index decides as before (``identify``)."""

    def __init__(self, size: int = TOKEN_OWNERS) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.owners: OrderedDict[str, int] = OrderedDict()

    def get(self, hashed: str) -> int | None:
        with self.lock:
            owner = self.owners.get(hashed)
            if owner is not None:
                self.owners.move_to_end(hashed)
            return owner

    def put(self, hashed: str, user_id: int) -> None:
        with self.lock:
            self.owners[hashed] = user_id
            self.owners.move_to_end(hashed)
            while len(self.owners) > self.size:
                self.owners.popitem(last=False)

    def forget(self, hashed: str) -> None:
        with self.lock:
            self.owners.pop(hashed, None)


def token_owners() -> TokenOwners:
    """The running app's ``TokenOwners`` (made on first use)."""
    found: TokenOwners | None = current_app.extensions.get("campaignevents.token_owners")
    if found is None:
        found = current_app.extensions.setdefault("campaignevents.token_owners", TokenOwners())
    return found


def bearer_account(token: str, lookup_token: Any, lookup_user: Any) -> Account | None:
    """The account whose personal API token ``token`` is (None: no such token, or not any more):
    the remembered owner's up-to-date account when it still holds the token's hash, else the token
    index (``lookup_token``)."""
    hashed = token_hash(token)
    owners = token_owners()
    owner = owners.get(hashed)
    if owner is not None:
        account: Account | None = lookup_user(owner)
        if account is not None and hmac.compare_digest(account.token_hash, hashed):
            return account
        owners.forget(hashed)
    account = lookup_token(token)
    if account is not None:
        owners.put(hashed, account.user_id)
    return account


def identify(authorization: str | None, lookup_token: object, lookup_user: object) -> Caller:
    """Resolve the caller from the Authorization header or the session cookie."""
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        bearer = scheme.lower() == "bearer" and token
        account = bearer_account(token, lookup_token, lookup_user) if bearer else None
        if account is None:
            raise ApiError(
                401,
                "campaignevents-rest-invalid-token",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return Caller(account, BEARER)
    user_id, since = session.get("uid"), session.get("at")
    account = lookup_user(user_id) if isinstance(user_id, int) else None  # type: ignore[operator]
    if account is None or not account.honours_login_of(_started(since)):
        return Caller(None, ANONYMOUS)
    return Caller(account, SESSION, session.get("csrf"))


def caller() -> Caller:
    found: Caller = g.caller
    return found


def require_csrf(token: str | None) -> None:
    """The write-request token check, with the reference's errors and order."""
    who = caller()
    if who.via == BEARER:
        if token:
            raise ApiError(400, "rest-extraneous-csrf-token")
        return
    if not token:
        raise ApiError(403, "rest-badtoken-missing", error_key="rest-badtoken")
    if who.via == ANONYMOUS:
        raise ApiError(403, "rest-badtoken-nosession", error_key="rest-badtoken")
    if who.csrf is None or not hmac.compare_digest(token.encode(), who.csrf.encode()):
        raise ApiError(403, "rest-badtoken", error_key="rest-badtoken")


def _started(since: object) -> datetime:
    """When a cookie session began (a cookie from before this was recorded: long ago)."""
    seconds = since if isinstance(since, int | float) and not isinstance(since, bool) else 0
    return datetime.fromtimestamp(seconds, UTC)


def start_session(account: Account, now: datetime) -> None:
    session.clear()
    session["uid"] = account.user_id
    session["at"] = now.timestamp()
    session["csrf"] = secrets.token_hex(20) + ANONYMOUS_TOKEN
    session.permanent = True


def end_session() -> None:
    session.clear()


def csrf_token() -> str:
    who = caller()
    return who.csrf if who.via == SESSION and who.csrf else ANONYMOUS_TOKEN
