"""Numbers in paths, queries and bracketed form keys are ASCII digits in every dialect
(``api/numbers.py``): "²" passes ``str.isdigit`` but not ``int`` (it was a 500), and "١" / "１" are
read by ``int`` as 1 (another resource's answer). Each is refused, or ignored where the reference
ignores a bad number, as a non-number is."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask import Flask

from tests.api.datepoll.conftest import signin
from tests.api.wildapricot.conftest import token_for

DIGITS = ["²", "١", "１"]


@pytest.fixture
def callers(flask_app: Flask, make_user: Any) -> dict[str, Any]:
    user = make_user("Ann", "event-organizer", "sysop")
    key = base64.b64encode(f"{user.token}:".encode()).decode()
    return {
        "wa": {"Authorization": f"Bearer {token_for(flask_app, user.token)['access_token']}"},
        "ic": {"Authorization": f"Basic {key}"},
        "dp": signin(flask_app, user.name, user.password)["token"],
    }


@pytest.mark.parametrize("digit", DIGITS)
def test_non_ascii_digits_are_not_numbers(flask_app: Flask, callers: dict[str, Any], digit: str) -> None:
    client = flask_app.test_client()
    wa, ic, dp = callers["wa"], callers["ic"], callers["dp"]
    made = client.post(
        "/api/calendar/events",
        data={"calendar": "1", "title": "One", "description": "x", "start": "2030-01-01"},
        headers=ic,
    )
    assert made.status_code == 201, made.get_data()
    expected = [
        ("GET", f"/v2/accounts/1/Events/{digit}", wa, 404),
        ("GET", f"/v2/accounts/{digit}/Events", wa, 404),
        ("GET", f"/v2/accounts/1/EventRegistrations/{digit}", wa, 404),
        ("GET", f"/v2/accounts/1/Events?IDs={digit}", wa, 400),
        ("GET", f"/v2/accounts/1/Events?$top={digit}", wa, 400),
        ("GET", f"/api/calendar/events/{digit}", ic, 404),
        ("GET", f"/api/v1/avent/administration/standardLocation/{digit}?token={dp}", {}, 404),
        ("DELETE", f"/api/v1/avent/administration/standardLocation/{digit}?token={dp}", {}, 404),
        ("DELETE", f"/api/v1/avent/administration/standardDecision/{digit}?token={dp}", {}, 404),
    ]
    for method, url, headers, status in expected:
        resp = client.open(url, method=method, headers=headers)
        assert resp.status_code == status, (method, url, resp.status_code, resp.get_data()[:200])

    # as a non-number: the id list names nothing (not event 1), a bad page is page 1
    listed = client.get(f"/api/calendar/events?ids={digit}", headers=ic).get_json()
    assert listed == client.get("/api/calendar/events?ids=x", headers=ic).get_json()
    assert listed["totalResults"] == 0
    assert (
        client.get(f"/api/calendar/events?page={digit}&perPage={digit}", headers=ic).get_json()["page"] == 1
    )
    assert client.get(f"/api/calendar/calendars?page={digit}", headers=ic).status_code == 200
    years = client.get(f"/api/v1/avent/administration/avent/{digit}", query_string={"token": dp})
    assert years.status_code == 200  # not an error
    assert (years.get_json()["year"], years.get_json()["data"]) == (digit, [])  # not year 1
