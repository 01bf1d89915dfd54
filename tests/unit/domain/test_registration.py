"""EventRegistration's rules, one by one, on aggregates built directly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import errors
from domain.accounts import Account
from domain.registration import MAX_ORGANIZERS, ROLE_CREATOR, ROLE_ORGANIZER, AnswerCount, EventRegistration
from tests.unit.domain.factories import (
    NOW,
    POLICY,
    account,
    details,
    edit,
    ended_registration,
    organizer,
    registration,
)


def set_organizers(reg: EventRegistration, editor: Account, *names: str, known: dict[str, Account]) -> None:
    counter = iter(range(1000, 2000))
    reg.set_organizers(
        list(names),
        editor=editor,
        find_account=known.get,
        account_of=lambda uid: next(a for a in known.values() if a.user_id == uid),
        new_id=lambda: next(counter),
        at=NOW,
    )


# --- enable ------------------------------------------------------------------------------------
def test_enable_records_an_open_registration_with_its_creator() -> None:
    olga = organizer()
    reg = registration(olga)
    assert reg.status == "open" and not reg.is_closed and not reg.is_deleted
    assert reg.creator.user_id == olga.user_id and reg.creator.role == ROLE_CREATOR
    assert reg.is_organizer(olga.user_id)
    assert reg.details.page == "Event:Meetup"


@pytest.mark.parametrize(
    "creator", [None, account("Plain"), account("Blocked", "event-organizer", blocked=True)]
)
def test_enable_needs_the_enable_right(creator: Account | None) -> None:
    with pytest.raises(errors.EnableRegistrationDenied):
        EventRegistration.enable(
            event_id=1,
            wiki="local",
            given=details(start="20200101100000"),  # invalid too: the right is checked first
            policy=POLICY,
            now=NOW,
            creator=creator,
            page_holder=None,
            questions=[],
            creator_organizer_id=1,
        )


def test_enable_refuses_a_start_in_the_past() -> None:
    with pytest.raises(errors.StartPast):
        registration(given=details(start="20200101100000", end="20200101180000"))


def test_enable_refuses_a_page_another_registration_holds() -> None:
    holder = registration()
    with pytest.raises(errors.PageAlreadyRegistered):
        registration(page_holder=holder)
    holder.delete(account("Admin", "sysop"), NOW)
    with pytest.raises(errors.PageAlreadyRegisteredDeleted):
        registration(page_holder=holder)


# --- edit --------------------------------------------------------------------------------------
def test_edit_by_an_organizer_changes_details_and_status() -> None:
    olga = organizer()
    reg = registration(olga)
    edit(reg, olga, details(chat_url="https://chat.example.org"), status="closed")
    assert reg.details.chat_url == "https://chat.example.org"
    assert reg.is_closed


def test_edit_checks_the_details_before_the_editor() -> None:
    reg = registration()
    with pytest.raises(errors.NoParticipationOptions):
        edit(reg, organizer("Stranger"), details(online=False))


def test_edit_by_someone_who_is_not_an_organizer_is_denied() -> None:
    reg = registration()
    with pytest.raises(errors.EditDenied):
        edit(reg, organizer("Stranger"))


def test_edit_by_a_blocked_organizer_is_denied() -> None:
    olga = organizer()
    reg = registration(olga)
    olga.block(None, NOW)
    with pytest.raises(errors.EditDenied):
        edit(reg, olga)


def test_edit_of_a_deleted_registration_is_refused() -> None:
    olga = organizer()
    reg = registration(olga)
    reg.delete(olga, NOW)  # olga is still an organizer: the deletion is what refuses
    with pytest.raises(errors.EditRegistrationDeleted):
        edit(reg, olga)


def test_edit_moving_to_a_page_another_registration_holds_is_refused() -> None:
    olga = organizer()
    reg = registration(olga)
    other = registration(given=details("Event:Other"))
    with pytest.raises(errors.PageAlreadyRegistered):
        edit(reg, olga, details("Event:Other"), page_holder=other)
    edit(reg, olga, details("Event:Free"))
    assert reg.details.page == "Event:Free"


def test_edit_needs_every_organizer_to_still_organize() -> None:
    olga, bob = organizer(), organizer("Bob")
    reg = registration(olga)
    set_organizers(reg, olga, "Olga", "Bob", known={"Olga": olga, "Bob": bob})
    bob.block(None, NOW)
    with pytest.raises(errors.OrganizersNotAllowed) as raised:
        edit(reg, olga, accounts={bob.user_id: bob})
    assert raised.value.params == (1, ("Bob",))


def test_dates_cannot_move_into_the_future_after_answers_were_aggregated() -> None:
    olga = organizer()
    reg, later = ended_registration(olga)
    reg.count_answers([AnswerCount(question_id=4, option=1, count=3)], later)
    with pytest.raises(errors.EventDatesCannotBeChanged):
        edit(reg, olga, details(end="20400101180000"), now=later)


def test_dates_cannot_move_into_the_future_while_answers_are_stored() -> None:
    olga = organizer()
    reg, later = ended_registration(olga)
    with pytest.raises(errors.EventDatesCannotBeChanged):
        edit(reg, olga, details(end="20400101180000"), now=later, answers_stored=True)


def test_dates_of_an_ended_event_without_answers_may_move() -> None:
    olga = organizer()
    reg, later = ended_registration(olga)
    edit(reg, olga, details(end="20400101180000"), now=later)
    assert not reg.has_ended(later)


def test_an_ended_event_with_answers_may_keep_its_end_in_the_past() -> None:
    olga = organizer()
    reg, later = ended_registration(olga)
    reg.count_answers([AnswerCount(question_id=4, option=1, count=3)], later)
    edit(reg, olga, details(chat_url="https://chat.example.org"), now=later)
    assert reg.details.chat_url == "https://chat.example.org"


# --- organizers --------------------------------------------------------------------------------
def test_set_organizers_needs_at_least_one_name() -> None:
    olga = organizer()
    reg = registration(olga)
    with pytest.raises(errors.SetOrganizersEmptyList):
        set_organizers(reg, olga, known={})


def test_set_organizers_by_someone_who_is_not_an_organizer_is_denied() -> None:
    reg = registration()
    stranger = organizer("Stranger")
    with pytest.raises(errors.EditDenied):
        set_organizers(reg, stranger, "Stranger", known={"Stranger": stranger})


def test_set_organizers_of_a_deleted_registration_is_refused() -> None:
    olga = organizer()
    reg = registration(olga)
    reg.delete(olga, NOW)
    with pytest.raises(errors.EditRegistrationDeleted):
        set_organizers(reg, olga, "Olga", known={"Olga": olga})


def test_at_most_ten_organizers() -> None:
    olga = organizer()
    reg = registration(olga)
    names = [f"User {n}" for n in range(MAX_ORGANIZERS + 1)]
    with pytest.raises(errors.TooManyOrganizers):
        set_organizers(reg, olga, *names, known={})
    known = {n: organizer(n) for n in names[:MAX_ORGANIZERS]}
    set_organizers(reg, olga, *names[:MAX_ORGANIZERS], known=known)
    assert len(reg.active_organizers()) == MAX_ORGANIZERS


def test_organizers_must_exist_and_may_organize() -> None:
    olga, plain = organizer(), account("Plain")
    reg = registration(olga)
    with pytest.raises(errors.OrganizersNotAllowed) as raised:
        set_organizers(reg, olga, "Olga", "Plain", "Nobody", known={"Olga": olga, "Plain": plain})
    assert raised.value.params == (2, ("Plain", "Nobody"))


def test_the_creator_cannot_be_removed_by_another_organizer() -> None:
    olga, bob = organizer(), organizer("Bob")
    reg = registration(olga)
    known = {"Olga": olga, "Bob": bob}
    set_organizers(reg, olga, "Olga", "Bob", known=known)
    with pytest.raises(errors.RemovedCreator) as raised:
        set_organizers(reg, bob, "Bob", known=known)
    assert raised.value.params == ("Olga",)


def test_the_creator_may_step_down_and_keeps_the_role_on_return() -> None:
    olga, bob = organizer(), organizer("Bob")
    reg = registration(olga)
    known = {"Olga": olga, "Bob": bob}
    first_id = reg.creator.organizer_id
    set_organizers(reg, olga, "Bob", known=known)
    assert not reg.is_organizer(olga.user_id) and reg.is_organizer(bob.user_id)
    set_organizers(reg, bob, "Bob", known=known)  # the creator is gone: no protection left
    set_organizers(reg, bob, "Bob", "Olga", known=known)
    assert reg.organizers[olga.user_id].organizer_id == first_id
    assert reg.organizers[olga.user_id].role == ROLE_CREATOR
    assert reg.organizers[bob.user_id].role == ROLE_ORGANIZER


# --- delete ------------------------------------------------------------------------------------
def test_delete_by_an_organizer_then_never_again() -> None:
    olga = organizer()
    reg = registration(olga)
    reg.delete(olga, NOW)
    assert reg.is_deleted
    with pytest.raises(errors.AlreadyDeleted):
        reg.delete(olga, NOW)


def test_delete_by_a_stranger_is_denied_but_a_sysop_may() -> None:
    reg = registration()
    with pytest.raises(errors.DeleteDenied):
        reg.delete(organizer("Stranger"), NOW)
    with pytest.raises(errors.DeleteDenied):
        reg.delete(None, NOW)
    reg.delete(account("Admin", "sysop"), NOW)
    assert reg.is_deleted


# --- what the satellites ask -------------------------------------------------------------------
def test_removing_participants_and_emailing_are_for_organizers() -> None:
    olga, plain = organizer(), account("Plain")
    reg = registration(olga)
    assert reg.check_may_remove_participants(olga) is olga
    assert reg.check_may_email(olga) is olga
    with pytest.raises(errors.RemoveParticipantsDenied):
        reg.check_may_remove_participants(plain)
    with pytest.raises(errors.EmailDenied):
        reg.check_may_email(plain)
    reg.delete(olga, NOW)
    with pytest.raises(errors.RemoveParticipantsDeleted):
        reg.check_may_remove_participants(olga)


def test_has_ended_reads_the_utc_end() -> None:
    reg = registration()
    assert not reg.has_ended(reg.details.end_utc_dt)
    assert reg.has_ended(reg.details.end_utc_dt + timedelta(seconds=1))
