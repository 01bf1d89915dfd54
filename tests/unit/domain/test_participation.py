"""The participation options that follow an event's place (domain/participation.py)."""

from __future__ import annotations

from domain.content import Content
from domain.participation import Participation, participation_for

LOCATION = {
    "latitude": None, "longitude": None, "address_lines": ["Main St 1"], "city": "Berlin",
    "region": None, "country": "DE", "postal_code": None,
}  # fmt: skip
ONLINE = Participation(True, False, "https://meet.example/x", None, None)
IN_PERSON = Participation(False, True, None, "Germany", "Old St 9")
HYBRID = Participation(True, True, "https://meet.example/x", "Germany", "Old St 9")


def test_a_location_makes_it_in_person_at_its_address() -> None:
    assert participation_for(IN_PERSON, Content(location=LOCATION)) == Participation(
        False, True, None, "Germany", "Main St 1, Berlin, DE"
    )
    online_without_url = Participation(True, False, None, None, None)
    assert participation_for(online_without_url, Content(location=LOCATION)) == Participation(
        False, True, None, None, "Main St 1, Berlin, DE"
    )


def test_online_stays_only_with_a_meeting_url() -> None:
    assert participation_for(ONLINE, Content(location=LOCATION)) == Participation(
        True, True, "https://meet.example/x", None, "Main St 1, Berlin, DE"
    )


def test_a_venue_counts_as_a_place() -> None:
    venue = {"title": "Town hall", "description": "", "address": None}
    assert participation_for(IN_PERSON, Content(venue=venue)).inperson is True
    assert participation_for(IN_PERSON, Content(venue=venue)).meeting_address == "Town hall"


def test_no_place_is_online_only_without_address_or_country() -> None:
    assert participation_for(HYBRID, Content()) == Participation(
        True, False, "https://meet.example/x", None, None
    )
    assert participation_for(IN_PERSON, Content()) == Participation(True, False, None, None, None)


def test_coordinates_only_is_in_person_without_an_address() -> None:
    only = {**LOCATION, "latitude": 1.0, "longitude": 2.0, "address_lines": [], "city": None, "country": None}
    assert participation_for(IN_PERSON, Content(location=only)) == Participation(
        False, True, None, "Germany", None
    )
