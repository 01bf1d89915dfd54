"""Mailing's rules: a sender e-mail reaches, and each delivery recorded once."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain import errors
from domain.accounts import Account
from domain.mailings import Mailing
from tests.unit.domain.factories import NOW, account


def request(sender: Account) -> Mailing:
    return Mailing.request(
        uuid4(),
        event_id=1,
        sender=sender,
        subject="Hello",
        message="Hi all",
        user_ids=None,
        invert=False,
        copy_to_sender=True,
        expected=2,
        at=NOW,
    )


def test_the_sender_must_be_reachable_by_email() -> None:
    with pytest.raises(errors.SenderCannotEmail):
        request(account("Nomail", "event-organizer"))
    blocked = account("Blocked", "event-organizer", email="b@example.org", blocked=True)
    with pytest.raises(errors.SenderCannotEmail):
        request(blocked)


def test_recipients_are_fixed_once_and_each_delivery_recorded_once() -> None:
    mailing = request(account("Olga", "event-organizer", email="olga@example.org"))
    mailing.resolve([2, 3], NOW)
    mailing.resolve([9], NOW)
    assert mailing.pending() == [2, 3]
    assert mailing.record_delivery(2, NOW) is True
    assert mailing.record_delivery(2, NOW) is False
    assert mailing.record_delivery(0, NOW) is True  # the sender's copy
    assert mailing.record_delivery(0, NOW) is False
    assert mailing.pending() == [3]
