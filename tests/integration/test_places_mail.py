"""Places and the registration e-mail, end to end (RQ worker processes, the real SMTP sink): on an
event whose organizers set places each registrant gets exactly one e-mail that tells the truth —
the confirmation when confirmed, a waitlist notice with the position, an "awaits approval" notice —
and later exactly one more for a promotion or an approval, never the confirmation besides."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import registration_body
from tests.integration.smtp_sink import Sink
from tests.integration.test_email_delivery import World
from tests.integration.test_email_delivery import world as world  # the fixture

pytestmark = pytest.mark.integration
BASE = "/campaignevents/v0/event_registration"
REGISTERED = "You are registered for PeerTest One"
WAITLIST = "You are on the waitlist for PeerTest One"


def drain(w: World) -> None:
    """Until nothing new: decision jobs record facts whose notices are jobs again."""
    for _ in range(3):
        w.drain()


def mails(sink: Sink) -> Counter[tuple[str, str]]:
    with sink.lock:
        return Counter((str(m["To"]).split(" ")[0], str(m["Subject"])) for m in sink.messages)


def body_to(sink: Sink, name: str, subject: str) -> str:
    (message,) = [m for m in sink.with_subject(subject) if str(m["To"]).startswith(name + " ")]
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def test_one_true_mail_per_registration_then_one_per_promotion(world: tuple[World, Sink]) -> None:
    w, sink = world
    organizer = w.user("Admin", "event-organizer")
    assert organizer.post(BASE, registration_body()).status_code == 201
    places = {"participant_limit": 1, "waitlist": True, "requires_approval": False}
    assert organizer.put(f"{BASE}/1/places", places).status_code == 200
    people = [w.user(f"Person{n}") for n in range(3)]
    for person in people:
        assert person.put(f"{BASE}/1/participants/self", {"is_private": False}).status_code == 200
    drain(w)
    assert mails(sink) == Counter(
        {("Person0", REGISTERED): 1, ("Person1", WAITLIST): 1, ("Person2", WAITLIST): 1}
    )
    assert "at position 1." in body_to(sink, "Person1", WAITLIST)
    assert "at position 2." in body_to(sink, "Person2", WAITLIST)
    assert people[0].delete(f"{BASE}/1/participants/self").status_code == 200
    drain(w)
    drain(w)  # run again: nothing is sent twice
    assert mails(sink) == Counter(
        {
            ("Person0", REGISTERED): 1,
            ("Person1", WAITLIST): 1,
            ("Person2", WAITLIST): 1,
            ("Person1", "A place is yours: PeerTest One"): 1,
        }
    )


def test_approval_required_awaits_then_approved_once(world: tuple[World, Sink]) -> None:
    w, sink = world
    organizer = w.user("Admin", "event-organizer")
    assert organizer.post(BASE, registration_body()).status_code == 201
    places = {"participant_limit": None, "waitlist": True, "requires_approval": True}
    assert organizer.put(f"{BASE}/1/places", places).status_code == 200
    person = w.user("Person0")
    assert person.put(f"{BASE}/1/participants/self", {"is_private": False}).status_code == 200
    drain(w)
    assert mails(sink) == Counter({("Person0", "Your registration for PeerTest One awaits approval"): 1})
    resp = organizer.post(
        f"{BASE}/1/participants/{person.user.user_id if person.user else 0}/approval", {"approve": True}
    )
    assert resp.get_json()["status"] == "confirmed"
    drain(w)
    drain(w)
    assert mails(sink) == Counter(
        {
            ("Person0", "Your registration for PeerTest One awaits approval"): 1,
            ("Person0", "Your registration for PeerTest One was approved"): 1,
        }
    )


def test_without_places_the_confirmation_as_before(world: tuple[World, Sink]) -> None:
    w, sink = world
    organizer = w.user("Admin", "event-organizer")
    assert organizer.post(BASE, registration_body()).status_code == 201
    for person in [w.user(f"Person{n}") for n in range(2)]:
        assert person.put(f"{BASE}/1/participants/self", {"is_private": False}).status_code == 200
    drain(w)
    assert mails(sink) == Counter({("Person0", REGISTERED): 1, ("Person1", REGISTERED): 1})
