"""Who is calling: bearer tokens (CSRF-safe), cookie sessions with CSRF tokens, or nobody.

Bearer tokens are checked before anything else; a bad one is a 401 and never falls back to
anonymous. Cookie-authenticated writes must carry the session's CSRF token in the JSON body, checked
after body validation and before permissions, as MediaWiki does.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import g, session

from api.errors import ApiError
from domain.accounts import Account

ANONYMOUS_TOKEN = "+\\"
BEARER = "bearer"
SESSION = "session"
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Caller:
    account: Account | None
    via: str
    csrf: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.account.user_id if self.account is not None else None


def identify(authorization: str | None, lookup_token: object, lookup_user: object) -> Caller:
    """Resolve the caller from the Authorization header or the session cookie."""
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        account = lookup_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None  # type: ignore[operator]
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
