"""The Account aggregate: one per user, with groups, a sitewide block, a token hash and a password hash.

Every change after creation (block, token, password, groups) is a fact recording who and when."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import errors
from domain.credentials import hash_password
from domain.indexes import ROOT
from domain.validation import normalise_username

RIGHT_ENABLE = "campaignevents-enable-registration"
RIGHT_DELETE = "campaignevents-delete-registration"
RIGHT_ORGANIZE = "campaignevents-organize-events"
RIGHT_EMAIL = "campaignevents-email-participants"
RIGHT_VIEW_PRIVATE = "campaignevents-view-private-participants"
RIGHT_INVITATION_LISTS = "campaignevents-generate-invitation-lists"

GROUP_RIGHTS: dict[str, frozenset[str]] = {
    "event-organizer": frozenset({RIGHT_ENABLE, RIGHT_ORGANIZE, RIGHT_EMAIL}),
    "sysop": frozenset(
        {
            RIGHT_ENABLE,
            RIGHT_DELETE,
            RIGHT_ORGANIZE,
            RIGHT_EMAIL,
            RIGHT_VIEW_PRIVATE,
            RIGHT_INVITATION_LISTS,
        }
    ),
}


EMAIL_LIMIT = 5
EMAIL_WINDOW = timedelta(hours=24)


def is_valid_recipient(email: str | None, blocked: bool) -> bool:
    return bool(email) and not blocked


def account_id(user_id: int) -> UUID:
    return uuid5(ROOT, f"account:{user_id}")


class Account(Aggregate):
    user_id: int
    user_name: str
    email: str | None
    groups: list[str]
    blocked: bool
    token_hash: str
    password_hash: str | None
    emails_sent: list[datetime]
    credentials_changed_at: datetime | None = None  # the last new password or personal token

    def __init__(self) -> None:
        """State is set by the events' ``apply``; nothing is passed in."""

    class Created(Aggregate.Created):
        user_id: int
        user_name: str
        email: str | None
        groups: list[str]
        token_hash: str
        password_hash: str | None
        performed_by: int | None

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.user_id = self.user_id
            aggregate.user_name = self.user_name
            aggregate.email = self.email
            aggregate.groups = list(self.groups)
            aggregate.token_hash = self.token_hash
            aggregate.password_hash = self.password_hash
            aggregate.blocked = False
            aggregate.emails_sent = []

    class Blocked(Aggregate.Event):
        performed_by: int | None

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.blocked = True

    class Unblocked(Aggregate.Event):
        performed_by: int | None

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.blocked = False

    class TokenReissued(Aggregate.Event):
        """A new personal API token replaced the old one (which stops working at once)."""

        token_hash: str
        performed_by: int | None

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.token_hash = self.token_hash
            aggregate.credentials_changed_at = self.timestamp

    class PasswordSet(Aggregate.Event):
        password_hash: str
        performed_by: int | None

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.password_hash = self.password_hash
            aggregate.credentials_changed_at = self.timestamp

    class GroupsChanged(Aggregate.Event):
        added: list[str]
        removed: list[str]
        performed_by: int | None

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.groups = sorted((set(aggregate.groups) | set(self.added)) - set(self.removed))

    class EmailQuotaUsed(Aggregate.Event):
        """One use of the participants e-mail rate limit (5 per 24 hours)."""

        def apply(self, aggregate: Account) -> None:  # type: ignore[override]
            aggregate.emails_sent = [*aggregate.emails_sent[-(EMAIL_LIMIT - 1) :], self.timestamp]

    @classmethod
    def create(
        cls,
        *,
        user_id: int,
        requested_name: str,
        email: str | None,
        groups: list[str],
        token_hash: str,
        password_hash: str | None,
        name_taken: Callable[[str], bool],
        performed_by: int | None,
        at: datetime,
    ) -> Account:
        """A new account: a valid user name (normalised) that nobody holds (``name_taken``), and
        known groups."""
        name = check_new_account(requested_name, groups)
        if name_taken(name):
            raise errors.UsernameTaken(name)
        return cls._create(
            cls.Created,
            id=account_id(user_id),
            user_id=user_id,
            user_name=name,
            email=email,
            groups=sorted(set(groups)),
            token_hash=token_hash,
            password_hash=password_hash,
            performed_by=performed_by,
            timestamp=at,
        )

    def block(self, performed_by: int | None, at: datetime) -> bool:
        """Block sitewide; False when already blocked (nothing recorded)."""
        if self.blocked:
            return False
        self.trigger_event(self.Blocked, performed_by=performed_by, timestamp=at)
        return True

    def unblock(self, performed_by: int | None, at: datetime) -> bool:
        if not self.blocked:
            return False
        self.trigger_event(self.Unblocked, performed_by=performed_by, timestamp=at)
        return True

    def reissue_token(self, new_token_hash: str, performed_by: int | None, at: datetime) -> str:
        """Replace the personal API token's hash; returns the old hash (whose index the caller
        releases in the same save)."""
        old = self.token_hash
        self.trigger_event(
            self.TokenReissued, token_hash=new_token_hash, performed_by=performed_by, timestamp=at
        )
        return old

    def honours_login_of(self, issued_at: datetime) -> bool:
        """Whether a session or token issued at ``issued_at`` still stands: a new password or a
        reissued personal token ends every login made before it, in every dialect."""
        return self.credentials_changed_at is None or issued_at >= self.credentials_changed_at

    def set_password(self, password: str, performed_by: int | None, at: datetime) -> None:
        """Set a new password (stored as an argon2id hash); an empty one is refused."""
        if not password:
            raise errors.EmptyPassword()
        self.trigger_event(
            self.PasswordSet, password_hash=hash_password(password), performed_by=performed_by, timestamp=at
        )

    def change_groups(
        self, add: Iterable[str], remove: Iterable[str], performed_by: int | None, at: datetime
    ) -> bool:
        """Add and remove groups; False (nothing recorded) when the account already is as asked.
        Unknown groups, and a group both added and removed, are refused."""
        add, remove = set(add), set(remove)
        unknown = sorted((add | remove) - GROUP_RIGHTS.keys())
        if unknown:
            raise errors.UnknownGroup(", ".join(unknown))
        if add & remove:
            raise errors.GroupAddedAndRemoved(", ".join(sorted(add & remove)))
        added, removed = sorted(add - set(self.groups)), sorted(remove & set(self.groups))
        if not added and not removed:
            return False
        self.trigger_event(
            self.GroupsChanged, added=added, removed=removed, performed_by=performed_by, timestamp=at
        )
        return True

    def use_email_quota(self, at: datetime) -> None:
        """Count one e-mail send against the limit (``EMAIL_LIMIT`` per ``EMAIL_WINDOW``);
        ``EmailThrottled`` when it is used up."""
        recent = [t for t in self.emails_sent if at - t < EMAIL_WINDOW]
        if len(recent) >= EMAIL_LIMIT:
            raise errors.EmailThrottled()
        self.trigger_event(self.EmailQuotaUsed, timestamp=at)

    @property
    def is_valid_recipient(self) -> bool:
        """Whether e-mail from organizers reaches this user (the same rule lists show)."""
        return is_valid_recipient(self.email, self.blocked)

    @property
    def rights(self) -> frozenset[str]:
        return frozenset().union(*(GROUP_RIGHTS.get(g, frozenset()) for g in self.groups))

    def has_right(self, right: str) -> bool:
        """Holds ``right`` and is not blocked (every rule of the reference reads it this way)."""
        return not self.blocked and right in self.rights


def check_new_account(requested_name: str, groups: list[str]) -> str:
    """The normalised user name of a new account; ``InvalidUsername`` or ``UnknownGroup``."""
    name = normalise_username(requested_name)
    if name is None:
        raise errors.InvalidUsername(requested_name)
    unknown = [g for g in groups if g not in GROUP_RIGHTS]
    if unknown:
        raise errors.UnknownGroup(", ".join(unknown))
    return name
