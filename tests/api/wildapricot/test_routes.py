"""Wild Apricot's routes: addressing, tokens, events (fields, writes, list parameters, every $filter
operator and precedence, $sort, paging, $count, idsOnly, IDs, XML), registrations and every error status."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from api.wildapricot.query import MAX_QUERY_LENGTH
from tests.api.wildapricot.conftest import BASE, basic, event_body, token_for
from tests.conftest import registration_body

V0 = "/campaignevents/v0/event_registration"


def make(c: Any, name: str, **kw: Any) -> int:
    resp = c.post(BASE + "/Events", event_body(name, **kw))
    assert resp.status_code == 200, resp.get_json()
    event_id: int = resp.get_json()
    return event_id


def ids(c: Any, query: str) -> list[int]:
    resp = c.get(BASE + "/Events", query_string={"$filter": query, "idsOnly": ""})
    assert resp.status_code == 200, resp.get_json()
    found: list[int] = resp.get_json()["EventIdentifiers"]
    return found


def test_token_grants_and_errors(flask_app: Any, make_user: Any) -> None:
    user = make_user("Ann")
    client = flask_app.test_client()
    body = token_for(flask_app, user.token)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 1800
    assert body["Permissions"][0]["AccountId"] == 1 and "AvailableScopes" in body["Permissions"][0]
    pw = client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "Ann", "password": user.password, "scope": "auto"},
        headers=basic("client", "secret"),
    )
    assert pw.status_code == 200 and pw.get_json()["access_token"]
    refreshed = client.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    )
    assert refreshed.status_code == 200
    # the refresh token and its access token are spent
    again = client.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    )
    assert (again.status_code, again.get_json()["error"]) == (400, "invalid_grant")
    old = client.get(BASE + "/Events", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert old.status_code == 401 and old.get_json()["code"] == "Unauthorized"
    new = client.get(
        BASE + "/Events", headers={"Authorization": f"Bearer {refreshed.get_json()['access_token']}"}
    )
    assert new.status_code == 200
    cases = [
        ({"grant_type": "client_credentials"}, basic("APIKEY", "wrong"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, {}, 401, "invalid_client"),
        ({"grant_type": "password", "username": "Ann", "password": "no"}, {}, 400, "invalid_grant"),
        ({"grant_type": "password"}, {}, 400, "invalid_request"),
        ({"grant_type": "magic"}, {}, 400, "unsupported_grant_type"),
        ({}, {}, 400, "invalid_request"),
    ]
    for data, headers, status, error in cases:
        resp = client.post("/auth/token", data=data, headers=headers)
        assert (resp.status_code, resp.get_json()["error"]) == (status, error), data
        assert resp.get_json()["error_description"]


def test_token_expires(flask_app: Any, make_user: Any, clock: Any) -> None:
    user = make_user("Ann")
    token = token_for(flask_app, user.token)["access_token"]
    client = flask_app.test_client()
    assert client.get(BASE + "/Events", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    clock.advance(seconds=1801)
    assert client.get(BASE + "/Events", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_addressing(wa: Any, flask_app: Any) -> None:
    c = wa("Boss", "event-organizer")
    eid = make(c, "Gala")
    for path in (
        f"/v2/Accounts/1/Events/{eid}",
        f"/V2.2/accounts/1/events/{eid}/",
        f"/v2.1/ACCOUNTS/1/EVENTS/{eid}?_=123",
    ):
        assert c.get(path).status_code == 200, path
    assert c.get("/v2/accounts/2/Events").status_code == 403
    assert c.get("/v2/accounts/x/Events").status_code == 404
    assert c.get("/v2/accounts/1/Nothing").status_code == 404
    assert c.get("/v2/accounts/1/Events/999").get_json()["code"] == "NotFound"
    assert c.call("PATCH", f"/v2/accounts/1/Events/{eid}").status_code == 405
    assert flask_app.test_client().get(BASE + "/Events").status_code == 401
    long = c.get(BASE + "/Events?$filter=" + "x" * MAX_QUERY_LENGTH)
    assert long.status_code == 404 and long.get_json()["code"] == "NotFound"
    accounts = c.get("/v2/accounts").get_json()
    assert isinstance(accounts, list) and accounts[0]["Id"] == 1
    contacts_url = next(r["Url"] for r in accounts[0]["Resources"] if r["Name"] == "Contacts")
    assert contacts_url.startswith("http://") and contacts_url.endswith("/")
    assert c.get("/v2/accounts/1").get_json()["Id"] == 1


def test_switched_off(flask_app: Any, services: Any, wa: Any, monkeypatch: Any) -> None:
    c = wa("Boss", "event-organizer")
    from dataclasses import replace

    monkeypatch.setattr(services, "settings", replace(services.settings, dialects=("v0",)))
    assert c.get(BASE + "/Events").status_code == 404
    assert flask_app.test_client().post("/auth/token", data={"grant_type": "password"}).status_code == 404


def test_event_fields_and_writes(wa: Any) -> None:
    c = wa("Boss", "event-organizer")
    eid = make(c, "Annual General Meeting", Sessions=[
        {"StartDate": "2030-07-06T10:00:00+03:00", "EndDate": "2030-07-06T18:00:00+03:00", "Title": "Day 1"},
        {"StartDate": "2030-07-07T10:00:00+03:00", "EndDate": "2030-07-07T18:00:00+03:00"},
    ])  # fmt: skip
    body = c.get(BASE + f"/Events/{eid}").get_json()
    assert body["Name"] == "Annual General Meeting" and body["Location"] == "Boston Hilton"
    assert body["StartDate"] == "2030-07-06T10:00:00+03:00" and body["EndDate"] == "2030-07-07T18:00:00+03:00"
    assert body["Tags"] == ["meeting", "agm"] and body["RegistrationsLimit"] == 100
    assert [s["Title"] for s in body["Sessions"]] == ["Day 1", ""]
    assert body["Details"]["DescriptionHtml"] == "Join us at our <b>annual</b> general meeting"
    assert body["Details"]["TimeZone"]["UtcOffset"] == 180
    assert c.get(BASE + "/Events/Tags").get_json() == ["agm", "meeting"]
    # update: the Id must match; an omitted RegistrationsLimit resets to null
    assert c.put(BASE + f"/Events/{eid}", {"Id": eid + 1}).status_code == 400
    assert c.put(BASE + f"/Events/{eid}", {"Name": "x"}).status_code == 400
    resp = c.put(BASE + f"/Events/{eid}", {"Id": eid, "Name": "Renamed", "RegistrationEnabled": False})
    assert resp.status_code == 200, resp.get_json()
    after = c.get(BASE + f"/Events/{eid}").get_json()
    assert (after["Name"], after["RegistrationsLimit"], after["RegistrationEnabled"]) == (
        "Renamed",
        None,
        False,
    )
    assert c.client.get(V0 + f"/{eid}", headers=c.user.bearer).get_json()["name"] == "Renamed"
    # required fields, bad values, rights
    assert c.post(BASE + "/Events", {"StartDate": "2030-01-01"}).get_json()["details"][0]["key"] == "Name"
    assert c.post(BASE + "/Events", {"Name": "x"}).status_code == 400
    assert c.post(BASE + "/Events", {"Name": "x", "StartDate": "soon"}).status_code == 400
    assert c.post(BASE + "/Events", "not an object").status_code == 400
    other = wa("Mallory")
    assert other.post(BASE + "/Events", event_body("Nope")).status_code == 403
    assert other.put(BASE + f"/Events/{eid}", {"Id": eid, "Name": "Hacked"}).status_code == 403
    assert other.delete(BASE + f"/Events/{eid}").status_code == 403
    assert c.delete(BASE + f"/Events/{eid}").status_code == 200
    assert c.get(BASE + f"/Events/{eid}").status_code == 404


def test_same_name_gets_unique_page_and_v0_interplay(wa: Any, api: Any, make_user: Any) -> None:
    c = wa("Boss", "event-organizer")
    first, second = make(c, "Gala"), make(c, "Gala")
    assert c.client.get(V0 + f"/{first}", headers=c.user.bearer).get_json()["event_page"] == "Event:Gala"
    assert (
        c.client.get(V0 + f"/{second}", headers=c.user.bearer).get_json()["event_page"]
        == f"Event:Gala ({second})"
    )
    # v0-made events are listed and filterable here; v0 edits show
    v0 = api(c.user)
    created = v0.post(V0, registration_body("Event:From v0"))
    assert created.status_code == 201, created.get_json()
    v0_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert ids(c, "Name eq 'from V0'") == [v0_id]
    listed = c.get(BASE + f"/Events/{v0_id}").get_json()
    assert listed["StartDate"] == "2030-01-01T10:00:00+01:00" and listed["Location"] == ""


def test_filters_sort_paging(wa: Any, clock: Any) -> None:
    c = wa("Boss", "event-organizer")
    a = make(
        c,
        "Alpha social",
        StartDate="2030-01-10T10:00:00+00:00",
        EndDate="2030-01-10T12:00:00+00:00",
        Tags=["social"],
    )
    b = make(
        c,
        "Beta training",
        StartDate="2030-02-10T10:00:00+00:00",
        EndDate="2030-02-11T12:00:00+00:00",
        Tags=["training"],
        Location="West End Y",
    )
    d = make(
        c,
        "Gamma",
        StartDate="2030-03-10T23:30:00-05:00",
        EndDate="2030-03-10T23:45:00-05:00",
        Tags=[],
        RegistrationEnabled=False,
    )
    assert ids(c, "ID in [1, 3]") == [a, d]
    assert ids(c, "Name eq 'alpha SOCIAL'") == [a]
    assert ids(c, "Name ne 'Gamma'") == [a, b]
    assert ids(c, "substringof('Name', 'TRAIN')") == [b]
    assert ids(c, "substringof('Name', 'a') eq false") == []
    assert ids(c, "Tags in [Social, training]") == [a, b]
    assert ids(c, "StartDate gt 2030-01-10") == [b, d]
    assert ids(c, "StartDate ge 2030-01-10") == [a, b, d]
    assert ids(c, "StartDate lt 2030-02-10") == [a]
    assert ids(c, "StartDate le 2030-02-10") == [a, b]
    assert ids(c, "StartDate eq 2030-03-10") == [d]  # local date, not UTC's 11th
    assert ids(c, "StartDate ne 2030-03-10") == [a, b]
    assert ids(c, "EndDate eq 2030-02-11") == [b]
    assert ids(c, "RegistrationEnabled eq false") == [d]
    assert ids(c, "registrationenabled NE false") == [a, b]
    assert ids(c, "IsUpcoming eq true") == [a, b, d]
    assert ids(c, "IsUpcoming ne true") == []
    assert ids(c, "substringof('TextIndex', 'west end')") == [b]
    assert ids(c, "substringof('TextIndex', '2030-03-10')") == [d]
    # precedence: AND before OR, parentheses, case-insensitive keywords, a stray $filter=
    assert ids(c, "Name eq 'Gamma' or Tags in [social] and StartDate gt 2030-06-01") == [d]
    assert ids(c, "(Name eq 'Gamma' OR Tags in [social]) AND StartDate lt 2030-02-01") == [a]
    assert ids(c, "Name eq 'Gamma' OR $filter=Tags in [training]") == [b, d]

    # sort and paging
    def page(q: dict[str, str]) -> list[int]:
        answer = c.get(BASE + "/Events", query_string={"idsOnly": "true", **q}).get_json()
        return list(answer["EventIdentifiers"])

    assert page({"$sort": "StartDate desc"}) == [d, b, a]
    assert page({"$sort": "ByStartDate asc"}) == [a, b, d]
    assert page({"$sort": "StartSession asc"}) == [a, b, d]
    assert page({"$top": "1", "$skip": "1"}) == [b]
    assert c.get(BASE + "/Events?$count").get_json() == {"Count": 3}
    assert c.get(
        BASE + "/Events", query_string={"$count": "true", "$filter": "Tags in [social]"}
    ).get_json() == {"Count": 1}
    assert [e["Id"] for e in c.get(BASE + f"/Events?IDs={a},{d}").get_json()["Events"]] == [a, d]
    assert "Details" not in c.get(BASE + "/Events").get_json()["Events"][0]
    assert "Details" in c.get(BASE + "/Events?includeEventDetails=true").get_json()["Events"][0]
    clock.advance(days=3650)
    c = wa("Later")  # a fresh token (the first one expired with the clock)
    assert page({"$sort": "StartSession asc"}) == []
    assert ids(c, "IsUpcoming eq false") == [a, b, d]


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"$filter": "Name eq"}, "$filter"),
        ({"$filter": "Nope eq 1"}, "$filter"),
        ({"$filter": "Tags eq x"}, "$filter"),
        ({"$sort": "Name asc"}, "$sort"),
        ({"$top": "-1"}, "$top"),
        ({"$skip": "x"}, "$skip"),
        ({"IDs": "1,x"}, "IDs"),
    ],
)
def test_bad_list_parameters(wa: Any, params: dict[str, str], key: str) -> None:
    resp = wa("Ann").get(BASE + "/Events", query_string=params)
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["code"] == "Validation" and body["details"][0]["key"] == key and body["message"]


def test_filter_error_names_position(wa: Any) -> None:
    body = wa("Ann").get(BASE + "/Events", query_string={"$filter": "Name eq 'x' and"}).get_json()
    assert "character 16" in body["message"] and "expected" in body["message"]


def test_xml(wa: Any) -> None:
    c = wa("Boss", "event-organizer")
    eid = make(c, "A & 'c' \"q\"")
    xml_headers = {"Accept": "application/xml"}
    listed = etree.fromstring(c.get(BASE + "/Events", headers=xml_headers).get_data())
    ns = {
        "a": "http://api.wildapricot.org",
        "e": "http://schemas.datacontract.org/2004/07/Bonasource.MembershipFS.PublicAPI.Model.V2.Events",
        "s": "http://schemas.datacontract.org/2004/07/System",
    }
    assert listed.tag == "{http://api.wildapricot.org}ApiResponse"
    event = listed.find("e:Events/e:Event", ns)
    assert event.findtext("a:Name", namespaces=ns) == "A & 'c' \"q\""
    assert event.findtext("e:StartDate/s:OffsetMinutes", namespaces=ns) == "180"
    assert event.findtext("e:StartDate/s:DateTime", namespaces=ns) == "2030-07-05T07:00:00Z"
    one = c.get(BASE + f"/Events/{eid}", headers=xml_headers)
    assert one.headers["Content-Type"].startswith("application/xml")
    assert etree.fromstring(one.get_data()).find("e:Details", ns) is not None
    count = etree.fromstring(c.get(BASE + "/Events?$count", headers=xml_headers).get_data())
    assert count.findtext("e:Count", namespaces=ns) == "1"


def test_hidden_events_only_to_moderators(wa: Any, services: Any) -> None:
    from domain import commands

    boss = wa("Boss", "event-organizer")
    eid = make(boss, "Secret")
    written = services.app.moderate(commands.Moderate(boss.user.user_id, eid, hidden=-1))
    services.written(written.position)
    other = wa("Ann")
    assert other.get(BASE + f"/Events/{eid}").status_code == 404
    assert other.get(BASE + "/Events?$count").get_json() == {"Count": 0}
    assert other.get(BASE + "/Events/Tags").get_json() == []
    assert boss.get(BASE + "/Events?$count").get_json() == {"Count": 1}
    assert boss.get(BASE + f"/Events/{eid}").get_json()["AccessLevel"] == "AdminOnly"
