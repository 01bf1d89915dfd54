from tests.conftest import registration_body


def test_create_read_edit_delete_with_bearer(api, make_user):
    alice = make_user("Alice", "event-organizer")
    client = api(alice)
    resp = client.post("/campaignevents/v0/event_registration", registration_body())
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json() == {"id": 1}
    assert resp.headers["Location"] == "http://campaignevents.test/campaignevents/v0/event_registration/1"
    got = client.get("/campaignevents/v0/event_registration/1").get_json()
    assert got["meeting_url"] == "https://meet.example.org/abc"
    edit = registration_body(status="closed", chat_url=None)
    assert client.put("/campaignevents/v0/event_registration/1", edit).status_code == 204
    got = client.get("/campaignevents/v0/event_registration/1").get_json()
    assert got["status"] == "closed" and got["chat_url"] is None
    assert client.delete("/campaignevents/v0/event_registration/1").status_code == 204
    resp = client.get("/campaignevents/v0/event_registration/1")
    assert resp.status_code == 404
    assert resp.get_json()["errorKey"] == "campaignevents-rest-get-registration-deleted"


def test_session_with_csrf(api, make_user):
    alice = make_user("Alice", "event-organizer")
    client = api(alice, session=True)
    resp = client.post("/campaignevents/v0/event_registration", registration_body())
    assert resp.status_code == 201, resp.get_json()
    resp = client.post(
        "/campaignevents/v0/event_registration", registration_body("Event:Two", token="bad+\\")
    )
    assert resp.status_code == 403
    assert resp.get_json()["messageTranslations"]["en"] == "The CSRF token provided is invalid."
