"""Bearer access tokens and their refresh tokens (Wild Apricot's OAuth token endpoint, usable by any
dialect): each token is an aggregate keyed by the SHA-256 of its value (the value itself is never
stored), issued to an account with an expiry, revocable. The rules live here: a token answers for
its account only while it is neither expired nor revoked; a refresh token is spent by its use (it is
revoked together with the access token issued beside it, and a new pair is issued).

Facts: ``AccessToken.Issued`` (kind ``access`` or ``refresh``, the account, the expiry, the id of
the pair's other token) and ``AccessToken.Revoked``."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import errors
from domain.credentials import new_token, token_hash

ACCESS = "access"
REFRESH = "refresh"
ACCESS_LIFETIME = timedelta(seconds=1800)
REFRESH_LIFETIME = timedelta(days=30)
_ROOT = UUID("6f1d4a52-5a0e-4c59-9a53-0c7c51f1a7b3")


class TokenRejected(errors.DomainError):
    """Unknown, expired or revoked."""

    key = "campaignevents-access-token-rejected"


def token_id(token: str) -> UUID:
    """The aggregate id of a token: derived from its hash only."""
    return uuid5(_ROOT, "access-token:" + token_hash(token))


class AccessToken(Aggregate):
    kind: str
    user_id: int
    expires_at: datetime
    partner: UUID | None
    revoked: bool

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class Issued(Aggregate.Created):
        kind: str
        user_id: int
        token_hash: str
        expires_at: datetime
        partner: UUID | None

        def apply(self, aggregate: AccessToken) -> None:  # type: ignore[override]
            aggregate.kind = self.kind
            aggregate.user_id = self.user_id
            aggregate.expires_at = self.expires_at
            aggregate.partner = self.partner
            aggregate.revoked = False

    class Revoked(Aggregate.Event):
        def apply(self, aggregate: AccessToken) -> None:  # type: ignore[override]
            aggregate.revoked = True

    @classmethod
    def issue(
        cls, kind: str, token: str, user_id: int, at: datetime, partner: UUID | None = None
    ) -> AccessToken:
        lifetime = ACCESS_LIFETIME if kind == ACCESS else REFRESH_LIFETIME
        return cls._create(
            cls.Issued,
            id=token_id(token),
            kind=kind,
            user_id=user_id,
            token_hash=token_hash(token),
            expires_at=at + lifetime,
            partner=partner,
            timestamp=at,
        )

    def is_valid(self, kind: str, now: datetime) -> bool:
        return self.kind == kind and not self.revoked and now < self.expires_at

    def check_valid(self, kind: str, now: datetime) -> None:
        if not self.is_valid(kind, now):
            raise TokenRejected()

    def revoke(self, at: datetime) -> bool:
        """False when already revoked (nothing recorded)."""
        if self.revoked:
            return False
        self.trigger_event(self.Revoked, timestamp=at)
        return True


def issue_pair(user_id: int, at: datetime) -> tuple[str, str, list[AccessToken]]:
    """A new access token and its refresh token (the values, once, and the aggregates to save)."""
    access, refresh = new_token(), new_token()
    access_agg = AccessToken.issue(ACCESS, access, user_id, at, partner=token_id(refresh))
    refresh_agg = AccessToken.issue(REFRESH, refresh, user_id, at, partner=token_id(access))
    return access, refresh, [access_agg, refresh_agg]
