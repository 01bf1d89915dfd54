"""Account's rules: valid names, known groups, unique names, blocking, the e-mail quota."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import errors
from domain.accounts import EMAIL_LIMIT, EMAIL_WINDOW, RIGHT_ENABLE, Account
from tests.unit.domain.factories import NOW, account


def create(name: str, *groups: str, taken: bool = False) -> Account:
    return Account.create(
        user_id=7,
        requested_name=name,
        email=None,
        groups=list(groups),
        token_hash="0" * 64,
        password_hash=None,
        name_taken=lambda _name: taken,
        performed_by=None,
        at=NOW,
    )


def test_the_name_is_normalised() -> None:
    assert create("bob the_builder").user_name == "Bob the builder"


def test_an_invalid_name_is_refused_first() -> None:
    with pytest.raises(errors.InvalidUsername):
        create("a|b", "no-such-group", taken=True)


def test_an_unknown_group_is_refused() -> None:
    with pytest.raises(errors.UnknownGroup) as raised:
        create("Bob", "sysop", "wizards", "elves")
    assert raised.value.params == ("wizards, elves",)


def test_a_taken_name_is_refused() -> None:
    with pytest.raises(errors.UsernameTaken) as raised:
        create("bob", taken=True)
    assert raised.value.params == ("Bob",)


def test_blocking_takes_every_right_and_is_reported_once() -> None:
    olga = account("Olga", "event-organizer")
    assert olga.has_right(RIGHT_ENABLE)
    assert olga.block(None, NOW) is True
    assert olga.block(None, NOW) is False
    assert not olga.has_right(RIGHT_ENABLE)
    assert olga.unblock(None, NOW) is True
    assert olga.unblock(None, NOW) is False
    assert olga.has_right(RIGHT_ENABLE)


def test_the_email_quota() -> None:
    olga = account("Olga", "event-organizer")
    for n in range(EMAIL_LIMIT):
        olga.use_email_quota(NOW + timedelta(minutes=n))
    with pytest.raises(errors.EmailThrottled):
        olga.use_email_quota(NOW + timedelta(hours=1))
    olga.use_email_quota(NOW + EMAIL_WINDOW)  # the first use has left the window


def test_a_valid_recipient_has_an_address_and_is_not_blocked() -> None:
    assert not account("Nomail").is_valid_recipient
    bob = account("Bob", email="bob@example.org")
    assert bob.is_valid_recipient
    bob.block(None, NOW)
    assert not bob.is_valid_recipient
