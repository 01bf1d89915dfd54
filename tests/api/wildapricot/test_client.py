"""A client written from dialects-facts §1.8 (the official sample's calls, not its code) against a
running server over real HTTP: token (API key), accounts, events, registrations; then registration
rules: self only, privacy, check-in by organizers, waitlist."""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.api.wildapricot.conftest import BASE, event_body


class SampleClient:
    """What the sample does: form-encoded token request with Basic APIKEY, JSON calls with a bearer
    token and ``Content-Type: application/json`` even on GET, URLs joined as ``api_endpoint + path``."""

    def __init__(self, auth_endpoint: str, api_endpoint: str) -> None:
        self.auth_endpoint, self.api_endpoint = auth_endpoint, api_endpoint
        self.token: dict[str, Any] = {}

    def authenticate_with_apikey(self, key: str) -> None:
        data = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "scope": "auto", "obtain_refresh_token": "true"}
        )
        basic = base64.b64encode(f"APIKEY:{key}".encode()).decode()
        request = urllib.request.Request(
            self.auth_endpoint, data.encode(), headers={"Authorization": f"Basic {basic}"}
        )
        with urllib.request.urlopen(request) as resp:
            self.token = json.loads(resp.read())

    def execute(self, url: str, method: str = "GET", body: Any = None) -> Any:
        if not url.startswith("http"):
            url = self.api_endpoint + url
        headers = {
            "Authorization": f"{self.token['token_type']} {self.token['access_token']}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data, headers=headers, method=method)
        with urllib.request.urlopen(request) as resp:
            text = resp.read()
            assert text, "every 2xx has a JSON body"
            return json.loads(text)


@pytest.fixture
def server(flask_app: Any) -> Iterator[str]:
    srv = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def test_sample_flow_over_http(server: str, make_user: Any, services: Any) -> None:
    from dataclasses import replace

    services.settings = replace(services.settings, base_url=None)  # absolute URLs of this server
    boss, ann = make_user("Boss", "event-organizer"), make_user("Ann")
    # the accounts were made beside the API (as the command line does): let the catalog list them
    assert services.store.wait_for(services.app.recorder.max_notification_id() or 0, "catalog")
    organizer = SampleClient(server + "/auth/token", server)
    organizer.authenticate_with_apikey(boss.token)
    account = organizer.execute("/v2/accounts")[0]
    assert organizer.token["Permissions"][0]["AccountId"] == account["Id"]
    contacts_url = next(r["Url"] for r in account["Resources"] if r["Name"] == "Contacts")
    assert contacts_url.startswith(server) and contacts_url.endswith("/")
    page = organizer.execute(contacts_url + "?%24filter=member+eq+true&%24top=10&%24async=false")
    assert {c["DisplayName"] for c in page["Contacts"]} == {"Boss", "Ann"}
    assert all(
        isinstance(c[k], str)
        for c in page["Contacts"]
        for k in ("DisplayName", "Email", "FirstName", "LastName")
    )
    assert [c["Email"] for c in page["Contacts"] if c["DisplayName"] == "Ann"] == [""]  # not Boss's to see
    me = organizer.execute(contacts_url + str(boss.user_id))
    assert me["Email"] == "boss@example.org"
    events_url = f"/v2/accounts/{account['Id']}/Events"
    event_id = organizer.execute(events_url, "POST", event_body("Sample gala", RegistrationsLimit=1))
    listed = organizer.execute(events_url + "?$filter=" + urllib.parse.quote("substringof('Name', 'gala')"))
    assert [e["Id"] for e in listed["Events"]] == [event_id]
    member = SampleClient(server + "/auth/token", server)
    member.authenticate_with_apikey(ann.token)
    reg = member.execute(
        "/v2/accounts/1/EventRegistrations",
        "POST",
        {
            "Event": {"Id": event_id},
            "Contact": {"Id": ann.user_id},
            "RegistrationTypeId": event_id,
            "ShowToPublic": True,
        },
    )
    assert (reg["Contact"]["Id"], reg["ShowToPublic"], reg["Status"], reg["OnWaitlist"]) == (
        ann.user_id,
        True,
        "Free",
        False,
    )
    regs = organizer.execute(f"/v2/accounts/1/EventRegistrations?eventId={event_id}")
    assert [r["Id"] for r in regs] == [reg["Id"]]
    with pytest.raises(urllib.error.HTTPError) as early:  # the domain's check-in window: not before the event
        organizer.execute(
            "/v2/rpc/1/CheckInEventAttendee", "POST", {"RegistrationId": reg["Id"], "CheckedIn": True}
        )
    assert early.value.code == 400 and json.loads(early.value.read())["code"] == "Validation"
    event = organizer.execute(f"{events_url}/{event_id}")
    assert (event["ConfirmedRegistrationsCount"], event["CheckedInAttendeesNumber"]) == (1, 0)
    with pytest.raises(urllib.error.HTTPError) as refused:  # an account registers itself only
        member.execute(
            "/v2/accounts/1/EventRegistrations",
            "POST",
            {"Event": {"Id": event_id}, "Contact": {"Id": boss.user_id}, "RegistrationTypeId": event_id},
        )
    assert refused.value.code == 403


def test_registration_rules(wa: Any) -> None:
    boss, ann, bob = wa("Boss", "event-organizer"), wa("Ann"), wa("Bob")
    eid = boss.post(BASE + "/Events", event_body("Small", RegistrationsLimit=None)).get_json()

    def body(c: Any, **kw: Any) -> dict[str, Any]:
        return {"Event": {"Id": eid}, "Contact": {"Id": c.user.user_id}, "RegistrationTypeId": eid, **kw}

    private = ann.post(BASE + "/EventRegistrations", body(ann))  # ShowToPublic defaults to false: private
    assert private.status_code == 200 and private.get_json()["ShowToPublic"] is False
    public = bob.post(BASE + "/EventRegistrations", body(bob, ShowToPublic=True)).get_json()
    # Bob does not see Ann (private); Boss, an organizer, sees both
    assert [r["Id"] for r in bob.get(BASE + f"/EventRegistrations?eventId={eid}").get_json()] == [
        public["Id"]
    ]
    assert len(boss.get(BASE + f"/EventRegistrations?eventId={eid}").get_json()) == 2
    assert bob.get(BASE + f"/EventRegistrations/{private.get_json()['Id']}").status_code == 404
    assert bob.get(BASE + f"/EventRegistrations?contactId={ann.user.user_id}").get_json() == []
    assert boss.get(BASE + f"/EventRegistrationTypes?eventId={eid}").get_json()[0]["Id"] == eid
    assert boss.get(BASE + "/EventRegistrations").status_code == 400
    assert boss.post(BASE + "/EventRegistrations", {"Event": {"Id": eid}}).status_code == 400
    assert ann.post(BASE + "/EventRegistrations", body(ann, RegistrationTypeId=eid + 5)).status_code == 400
    assert bob.post("/v2/rpc/1/CheckInEventAttendee", {"RegistrationId": public["Id"]}).status_code == 403
    assert ann.delete(BASE + f"/EventRegistrations/{private.get_json()['Id']}").status_code == 200
    assert boss.get(BASE + f"/EventRegistrations/{private.get_json()['Id']}").status_code == 404
    changed = bob.put(
        BASE + f"/EventRegistrations/{public['Id']}", {"Id": public["Id"], "ShowToPublic": False}
    )
    assert changed.get_json()["ShowToPublic"] is False
