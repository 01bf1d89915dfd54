"""Event registrations: enable, edit, delete. A page is held by one registration through a
``UniqueIndex`` saved with it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from domain import commands, scheduling
from domain.answers import ALL_QUESTION_IDS
from domain.handlers import retrying
from domain.indexes import UniqueIndex, index_id
from domain.registration import EventRegistration
from domain.results import Written

if TYPE_CHECKING:
    from domain.application import CampaignEvents


def enable_registration(app: CampaignEvents, cmd: commands.EnableRegistration) -> Written:
    creator = app.performer_account(cmd.performer, cmd.caller)  # read once (not changed here)

    def attempt() -> Written:
        now = app.clock.now()
        page = cmd.details.page.prefixed
        index = page_index(app, page)
        sequence, organizer_ids = app.sequence("registrations"), app.sequence("organizers")
        registration = EventRegistration.enable(
            event_id=sequence.allocate(now),
            wiki=app.wiki_id,
            given=cmd.details,
            policy=app.policy,
            now=now,
            creator=creator,
            page_holder=page_holder(app, index),
            questions=ALL_QUESTION_IDS,
            creator_organizer_id=organizer_ids.allocate(now),
        )
        claimed = claim_page(app, index, page, registration.event_id, now)
        return Written(app.save_all(sequence, organizer_ids, registration, claimed), registration.event_id)

    return retrying(attempt)


def edit_registration(app: CampaignEvents, cmd: commands.EditRegistration) -> Written:
    def attempt() -> Written:
        registration = app.registration(cmd.event_id)
        old_page, new_page = registration.details.page, cmd.details.page.prefixed
        new_index = page_index(app, new_page) if new_page != old_page else None
        now = app.clock.now()
        before, editor = registration.details, app.account(cmd.performer)
        registration.edit(
            cmd.details,
            cmd.status,
            policy=app.policy,
            now=now,
            editor=editor,
            page_holder=page_holder(app, new_index),
            account_of=app.existing_account,
            answers_stored=lambda: app.participant_directory().has_answers(cmd.event_id),
        )
        assert editor is not None  # edit() refuses anyone else
        scheduling.after_edit(registration, editor.user_id, before, now)  # a new period ends a schedule
        touched: list[Aggregate] = [registration]
        if new_page != old_page:
            touched.append(claim_page(app, new_index, new_page, registration.event_id, now))
            if (old_index := page_index(app, old_page)) is not None:
                old_index.release(now)
                touched.append(old_index)
        return Written(app.save_all(*touched), registration.event_id)

    return retrying(attempt)


def delete_registration(app: CampaignEvents, cmd: commands.DeleteRegistration) -> Written:
    def attempt() -> Written:
        registration = app.registration(cmd.event_id)
        registration.delete(app.account(cmd.performer), app.clock.now())
        return Written(app.save_all(registration), registration.event_id)

    return retrying(attempt)


def page_index(app: CampaignEvents, page: str) -> UniqueIndex | None:
    return app.find(UniqueIndex, index_id("page", page_key(app, page)))


def page_key(app: CampaignEvents, page: str) -> str:
    return f"{app.wiki_id}|{page}"


def page_holder(app: CampaignEvents, index: UniqueIndex | None) -> EventRegistration | None:
    """The registration holding the page of ``index`` (None: the page is free)."""
    return app.registration(index.owner) if index is not None and index.owner is not None else None


def claim_page(
    app: CampaignEvents, index: UniqueIndex | None, page: str, event_id: int, now: datetime
) -> UniqueIndex:
    if index is None:
        return UniqueIndex.claim("page", page_key(app, page), event_id, now)
    index.reclaim(event_id, now)
    return index
