"""Loading aggregates (``domain/snapshots.Loading``): a kind the application never snapshots is
rebuilt from its facts in one read, without asking the snapshot store first; a snapshotted kind
still starts from its newest snapshot; the cached registration is a hint, not brought up to date."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate

from api.bootstrap import Services
from domain import commands
from domain.accounts import Account, account_id
from domain.application import CampaignEvents
from domain.indexes import Sequence, UniqueIndex
from domain.participants import Participant, participant_id
from domain.ports import FakeClock
from domain.registration import EventRegistration, registration_id
from domain.snapshots import from_events, from_snapshot, projector_for
from tests.unit.test_application import details


def snapshot_reads(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The ids the snapshot store is asked about from now on (the store still answers)."""
    asked: list[Any] = []
    store = services.app.snapshots
    assert store is not None
    real = store.get

    def counted(originator_id: Any, **kwargs: Any) -> Any:
        asked.append(originator_id)
        return real(originator_id, **kwargs)

    monkeypatch.setattr(store, "get", counted)
    return asked


def test_which_kinds_skip_the_snapshot_read() -> None:
    snapshotted = tuple(CampaignEvents.snapshotting_intervals)
    assert set(snapshotted) == {Sequence, EventRegistration}
    assert projector_for(Account, snapshotted) is from_events
    assert projector_for(UniqueIndex, snapshotted) is from_events
    assert projector_for(Participant, snapshotted) is from_events
    assert projector_for(EventRegistration, snapshotted) is from_snapshot
    assert projector_for(Sequence, snapshotted) is from_snapshot
    assert projector_for(Aggregate, snapshotted) is from_snapshot  # might be a registration


def test_a_kind_never_snapshotted_loads_from_its_facts_alone(
    services: Services, other: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = services.app
    made = app.create_user(commands.CreateUser("Olga", None, ("event-organizer",)))
    clock.advance(minutes=1)
    app.change_groups(commands.ChangeGroups("Olga", ("sysop",), ()))
    app.block_user(commands.BlockUser("Olga"))
    new_token = app.reissue_token(commands.ReissueToken("Olga"))
    app.unblock_user(commands.UnblockUser("Olga"))
    event_id = app.enable_registration(commands.EnableRegistration(made.user_id, details())).event_id
    app.register_participant(commands.RegisterParticipant(made.user_id, event_id, True, None))
    app.cancel_registration(commands.CancelRegistration(made.user_id, event_id))
    aid, pid = account_id(made.user_id), participant_id(event_id, made.user_id)

    asked = snapshot_reads(other, monkeypatch)
    account = other.app.account(made.user_id)
    participant = other.app.participant(event_id, made.user_id)
    assert other.app.account_by_token(new_token) == account
    assert other.app.account_by_token(made.token) is None  # the old token's index, released
    assert other.app.account(987654) is None
    assert asked == []  # accounts, token indexes, participants: never snapshotted, never asked

    assert account is not None and participant is not None
    assert vars(account) == vars(project_aggregate(None, list(app.events.get(aid))))
    assert vars(participant) == vars(project_aggregate(None, list(app.events.get(pid))))
    assert account.version == 5 and not account.blocked and "sysop" in account.groups
    assert participant.version == 2 and not participant.active
    first: Participant = other.app.repository.get(pid, version=1, projector_func=from_events)
    assert first.active and first.version == 1

    registration = other.app.registration(event_id)  # a snapshotted kind: its snapshot is looked for
    assert asked == [registration_id(event_id)]
    assert registration.event_id == event_id


def test_the_cached_registration_is_a_hint_not_brought_up_to_date(
    services: Services, other: Services
) -> None:
    app = services.app
    olga = app.create_user(commands.CreateUser("Olga", None, ("event-organizer",))).user_id
    event_id = app.enable_registration(commands.EnableRegistration(olga, details())).event_id
    assert other.app.registration_as_cached(event_id) is None  # not loaded there yet
    assert other.app.registration(event_id).details.chat_url is None
    seen = other.app.registration_as_cached(event_id)
    assert seen is not None and seen.version == 1

    given = details(chat_url="https://chat.example.org/1")
    app.edit_registration(commands.EditRegistration(olga, event_id, given, "open"))  # "another process"
    assert other.app.registration_as_cached(event_id) is seen
    assert seen.version == 1 and seen.details.chat_url is None
    assert other.app.registration(event_id).details.chat_url == "https://chat.example.org/1"
    assert other.app.registration_as_cached(999) is None
