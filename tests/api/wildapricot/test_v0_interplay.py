"""An event made in Wild Apricot's dialect is read and edited through v0 (PUT details), the edit shows
through Wild Apricot's; and the dialect's index (rm_wa_events) rebuilds from the log to the live rows."""

from __future__ import annotations

from typing import Any

from api.wildapricot.index import NAME
from projections.replay import Rebuild, declared, dump, replay, verify
from tests.api.wildapricot.conftest import BASE, event_body
from tests.api.wildapricot.test_places import settle
from tests.conftest import registration_body

V0 = "/campaignevents/v0/event_registration"


def test_made_in_wild_apricot_read_and_edited_through_v0(wa: Any, api: Any, services: Any) -> None:
    boss = wa("Boss", "event-organizer")
    eid = boss.post(BASE + "/Events", event_body("Club night", Tags=["social"])).get_json()
    v0 = api(boss.user)
    read = v0.get(f"{V0}/{eid}").get_json()
    assert read["event_page"] == "Event:Club night"
    assert (read["start_time"], read["end_time"], read["timezone"]) == (
        "20300705100000",
        "20300711180000",
        "+03:00",
    )
    edit = registration_body(
        "Event:Club night",
        timezone="Europe/Rome",
        start_time="20300801100000",
        end_time="20300801180000",
        status="open",
    )
    resp = v0.put(f"{V0}/{eid}", edit)
    assert resp.status_code == 204, resp.get_json()
    shown = boss.get(BASE + f"/Events/{eid}").get_json()
    assert (shown["StartDate"], shown["EndDate"]) == (
        "2030-08-01T10:00:00+02:00",
        "2030-08-01T18:00:00+02:00",
    )
    assert shown["Details"]["TimeZone"]["UtcOffset"] == 120
    assert shown["Tags"] == ["social"]  # v0's edit leaves the content alone
    found = boss.get(BASE + "/Events", query_string={"$filter": "StartDate eq 2030-08-01", "idsOnly": ""})
    assert found.get_json()["EventIdentifiers"] == [eid]
    gone = boss.get(BASE + "/Events", query_string={"$filter": "StartDate eq 2030-07-05", "idsOnly": ""})
    assert gone.get_json()["EventIdentifiers"] == []
    # a v0 close shows as registration closed
    assert v0.put(f"{V0}/{eid}", {**edit, "status": "closed"}).status_code == 204
    assert boss.get(BASE + f"/Events/{eid}").get_json()["RegistrationEnabled"] is False


def test_the_index_replays_to_the_live_rows(wa: Any, api: Any, services: Any) -> None:
    boss, ann = wa("Boss", "event-organizer"), wa("Ann")
    first = boss.post(BASE + "/Events", event_body("One", Tags=["a", "b"])).get_json()
    second = boss.post(BASE + "/Events", event_body("Two", RegistrationsLimit=1)).get_json()
    boss.put(BASE + f"/Events/{first}", {"Id": first, "Name": "One renamed", "Location": "Elsewhere"})
    ann.post(
        BASE + "/EventRegistrations",
        {"Event": {"Id": second}, "Contact": {"Id": ann.user.user_id}, "RegistrationTypeId": second},
    )
    third = boss.post(BASE + "/Events", event_body("Three")).get_json()
    assert boss.delete(BASE + f"/Events/{third}").status_code == 200
    settle(services)
    models = {p.name: (p, m) for p, m in declared(services.projector)}
    assert NAME in models
    projection, model = models[NAME]

    def rows() -> Any:
        with services.store.engine.connect() as conn:
            return dump(
                conn, Rebuild(projection, model, model.define(""), model.define("")), model.define("")
            )

    before = rows()
    assert before and any(before.values())
    assert verify(services.projector, progress=False) == []
    replay(services.projector, progress=False)
    assert rows() == before
    assert verify(services.projector, progress=False) == []
