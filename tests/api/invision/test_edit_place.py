"""An edit through Invision that sets or clears the location moves v0's participation options as
creation sets them (domain/participation.py): in person at the place's address, else online."""

from __future__ import annotations

from typing import Any

from tests.api.invision.conftest import event_form

V0 = "/campaignevents/v0/event_registration/"
PLACE = {
    "location[addressLines][]": "Main St 1",
    "location[city]": "Berlin",
    "location[country]": "de",
}


def _options(api: Any, event_id: int) -> tuple[bool, bool, str | None]:
    shown = api().client.get(f"{V0}{event_id}").get_json()
    return shown["online_meeting"], shown["inperson_meeting"], shown["meeting_address"]


def test_setting_and_clearing_the_location_on_edit(ic: Any, api: Any) -> None:
    org = ic("Placer", "event-organizer")
    made = org.post("/events", event_form())
    assert made.status_code == 201, made.get_json()
    event_id = made.get_json()["id"]
    assert _options(api, event_id) == (True, False, None)

    edited = org.post(f"/events/{event_id}", PLACE)
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["location"]["city"] == "Berlin"
    assert _options(api, event_id) == (False, True, "Main St 1, Berlin, DE")

    moved = org.post(
        f"/events/{event_id}", {"location[addressLines][]": "Elm Rd 2", "location[city]": "Bonn"}
    )
    assert moved.status_code == 200, moved.get_json()
    assert _options(api, event_id) == (False, True, "Elm Rd 2, Bonn")

    cleared = org.post(f"/events/{event_id}", {"location": ""})
    assert cleared.status_code == 200, cleared.get_json()
    assert cleared.get_json()["location"] is None
    assert _options(api, event_id) == (True, False, None)


def test_creation_and_edit_agree(ic: Any, api: Any) -> None:
    org = ic("Agree", "event-organizer")
    created = org.post("/events", event_form(**PLACE)).get_json()["id"]
    later = org.post("/events", event_form()).get_json()["id"]
    assert org.post(f"/events/{later}", PLACE).status_code == 200
    assert _options(api, created) == _options(api, later) == (False, True, "Main St 1, Berlin, DE")


def test_an_edit_without_the_location_leaves_the_options(ic: Any, api: Any) -> None:
    org = ic("Keeper", "event-organizer")
    event_id = org.post("/events", event_form(**PLACE)).get_json()["id"]
    assert org.post(f"/events/{event_id}", {"title": "Renamed meetup"}).status_code == 200
    assert _options(api, event_id) == (False, True, "Main St 1, Berlin, DE")


def test_a_bad_location_on_edit_changes_nothing(ic: Any, api: Any) -> None:
    org = ic("Badloc", "event-organizer")
    event_id = org.post("/events", event_form()).get_json()["id"]
    bad = org.post(f"/events/{event_id}", {"location[lat]": "95", "location[long]": "1"})
    assert bad.status_code == 400 and bad.get_json()["errorCode"] == "1L296/P"
    assert _options(api, event_id) == (True, False, None)
