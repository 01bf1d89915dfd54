"""Aggregates built directly, without an application, a store, Flask or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.accounts import Account
from domain.details import DetailsInput, Policy
from domain.registration import EventRegistration
from domain.validation import parse_title

NOW = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
POLICY = Policy(allowed_namespaces=("Event",), known_wikis=("local", "enwiki"))
_ids = iter(range(1, 1_000_000))


def account(name: str = "Olga", *groups: str, blocked: bool = False, email: str | None = None) -> Account:
    made = Account.create(
        user_id=next(_ids),
        requested_name=name,
        email=email,
        groups=list(groups),
        token_hash="0" * 64,
        password_hash=None,
        name_taken=lambda _name: False,
        performed_by=None,
        at=NOW,
    )
    if blocked:
        made.block(None, NOW)
    return made


def organizer(name: str = "Olga") -> Account:
    return account(name, "event-organizer")


def details(page: str = "Event:Meetup", **kw: Any) -> DetailsInput:
    title = parse_title(page)
    assert title is not None
    fields: dict[str, Any] = {
        "page": title,
        "timezone": "UTC",
        "start": "20300101100000",
        "end": "20300101180000",
        "wikis": [],
        "online": True,
    }
    fields.update(kw)
    return DetailsInput(**fields)


def registration(
    creator: Account | None = None,
    *,
    page_holder: EventRegistration | None = None,
    given: DetailsInput | None = None,
    now: datetime = NOW,
    event_id: int | None = None,
) -> EventRegistration:
    return EventRegistration.enable(
        event_id=event_id if event_id is not None else next(_ids),
        wiki="local",
        given=given or details(),
        policy=POLICY,
        now=now,
        creator=creator or organizer(),
        page_holder=page_holder,
        questions=[1, 2, 3, 4, 5],
        creator_organizer_id=next(_ids),
    )


def edit(
    reg: EventRegistration,
    editor: Account,
    given: DetailsInput | None = None,
    *,
    status: str = "open",
    now: datetime = NOW,
    page_holder: EventRegistration | None = None,
    accounts: dict[int, Account] | None = None,
    answers_stored: bool = False,
) -> None:
    known = {editor.user_id: editor, **(accounts or {})}
    reg.edit(
        given or details(),
        status,
        policy=POLICY,
        now=now,
        editor=editor,
        page_holder=page_holder,
        account_of=lambda user_id: known[user_id],
        answers_stored=lambda: answers_stored,
    )


def ended_registration(creator: Account) -> tuple[EventRegistration, datetime]:
    """A registration whose event has ended, and a moment after its end."""
    reg = registration(creator)
    return reg, reg.details.end_utc_dt + timedelta(days=1)
