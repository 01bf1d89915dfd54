"""DatePoll's authentication: a short-lived JWT as Lumen-jwt issues it (HS256, ``iss``
``lumen-jwt``, ``sub`` the user id, ``exp = iat + 3600``) signed with a key derived from the
service's secret (never the secret itself), a renewable session token (``domain/handlers/
sessions.py``), and the caller read from the ``token`` parameter: the query string (the LAST one
when repeated: the web client retries with ``?token=OLD&token=NEW``) or a body field. The personal
API token is accepted as ``token`` too. Any failure is one of the three 401 bodies."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from flask import request

from api.datepoll import texts
from domain.accounts import Account

ISSUER = "lumen-jwt"
LIFETIME = 3600
ALGORITHM = "HS256"


class TokenRejected(Exception):
    """A 401 with one of DatePoll's three bodies."""

    def __init__(self, body: dict[str, str]) -> None:
        super().__init__(body["error_code"])
        self.body = body


@dataclass(frozen=True)
class Signer:
    key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> Signer:
        return cls(hmac.new(secret.encode(), b"campaignevents:datepoll-jwt", hashlib.sha256).digest())

    def issue(self, user_id: int, now: datetime) -> str:
        iat = int(now.timestamp())
        claims = {"iss": ISSUER, "sub": user_id, "iat": iat, "exp": iat + LIFETIME}
        return jwt.encode(claims, self.key, algorithm=ALGORITHM)

    def user_id(self, token: str, now: datetime) -> int:
        """The ``sub`` of a valid token; ``TokenRejected`` (expired / incorrect) otherwise."""
        return self.subject(token, now)[0]

    def subject(self, token: str, now: datetime) -> tuple[int, datetime]:
        """The ``sub`` of a valid token and when it was issued (``iat``, whole seconds)."""
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss"], "verify_exp": False, "verify_sub": False},
            )
        except jwt.PyJWTError:
            raise TokenRejected(texts.TOKEN_INCORRECT) from None
        sub, exp, iat = claims.get("sub"), claims.get("exp"), claims.get("iat")
        if isinstance(sub, bool) or not isinstance(sub, int) or not isinstance(exp, int | float):
            raise TokenRejected(texts.TOKEN_INCORRECT)
        if isinstance(iat, bool) or not isinstance(iat, int | float):
            raise TokenRejected(texts.TOKEN_INCORRECT)
        if exp <= now.timestamp():  # the service's clock decides, as for everything else
            raise TokenRejected(texts.TOKEN_EXPIRED)
        try:
            return sub, datetime.fromtimestamp(iat, UTC)
        except (OverflowError, OSError, ValueError):
            raise TokenRejected(texts.TOKEN_INCORRECT) from None


def given_token() -> str | None:
    """The ``token`` parameter: the last in the query string, else the JSON or form body's."""
    values = request.args.getlist("token")
    if values:
        return values[-1]
    body: Any = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict) and "token" in body:
        value = body["token"]
        return value if isinstance(value, str) else ""
    if request.form.get("token") is not None:
        return request.form["token"]
    return None


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def authenticate(signer: Signer, now: datetime, account: Any, account_by_token: Any) -> Account:
    """The caller's account, or ``TokenRejected``. ``account(id)`` and ``account_by_token(t)``
    are the application's lookups."""
    token = given_token()
    if token is None or token == "":
        raise TokenRejected(texts.TOKEN_NOT_PROVIDED)
    issued: datetime | None = None
    if looks_like_jwt(token):
        user_id, issued = signer.subject(token, now)
        found: Account | None = account(user_id)
    else:
        found = account_by_token(token)
    if found is None or found.blocked:
        raise TokenRejected(texts.TOKEN_INCORRECT)
    if issued is not None and not found.honours_login_of(issued + timedelta(seconds=1)):
        raise TokenRejected(texts.TOKEN_INCORRECT)  # iat is whole seconds: its second counts as after
    return found
