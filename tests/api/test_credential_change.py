"""A new password or a reissued personal token ends every login made before it, in every API that
keeps one: v0's cookie session, Wild Apricot's access and refresh tokens, DatePoll's session token
and JWT. Logins made afterwards work; the account's other holders are not affected."""

from __future__ import annotations

from typing import Any

from flask import Flask

from api.bootstrap import Services
from domain import commands
from domain.ports import FakeClock
from tests.api.datepoll.conftest import signin
from tests.api.wildapricot.conftest import token_for

WA_EVENTS = "/v2/accounts/1/Events"
DP_EVENTS = "/api/v1/avent"


def _v0_session(app: Flask, name: str, password: str) -> Any:
    client = app.test_client()
    assert client.post("/auth/login", json={"username": name, "password": password}).status_code == 200
    return client


def _csrf(client: Any) -> str:
    token: str = client.get("/auth/csrf_token").get_json()["token"]
    return token


def test_a_new_password_ends_earlier_logins_everywhere(
    flask_app: Flask, services: Services, make_user: Any, clock: FakeClock
) -> None:
    ann, bob = make_user("Ann"), make_user("Bob")
    v0 = _v0_session(flask_app, "Ann", ann.password)
    bob_v0 = _v0_session(flask_app, "Bob", bob.password)
    wa = token_for(flask_app, ann.token)
    dp = signin(flask_app, "Ann", ann.password)
    client = flask_app.test_client()
    assert _csrf(v0) != "+\\"  # a session: a real CSRF token
    assert client.get(WA_EVENTS, headers={"Authorization": f"Bearer {wa['access_token']}"}).status_code == 200
    assert client.get(DP_EVENTS, query_string={"token": dp["token"]}).status_code == 200

    clock.advance(seconds=5)
    services.app.set_password(commands.SetPassword("Ann", "a-new-long-password"))
    clock.advance(seconds=5)

    assert _csrf(v0) == "+\\"  # the cookie session is anonymous now
    assert _csrf(bob_v0) != "+\\"  # another account's session stands
    old = client.get(WA_EVENTS, headers={"Authorization": f"Bearer {wa['access_token']}"})
    assert old.status_code == 401 and old.get_json()["code"] == "Unauthorized"
    refresh = client.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": wa["refresh_token"]}
    )
    assert (refresh.status_code, refresh.get_json()["error"]) == (400, "invalid_grant")
    jwt_after = client.get(DP_EVENTS, query_string={"token": dp["token"]})
    assert jwt_after.status_code == 401
    assert jwt_after.get_json() == {"msg": "Your token is incorrect!", "error_code": "token_incorrect"}
    renew = client.post("/api/auth/IamLoggedIn", json={"session_token": dp["session_token"]})
    assert (renew.status_code, renew.get_json()["error_code"]) == (401, "session_token_incorrect")

    # logging in again with the new password works in each
    assert _csrf(_v0_session(flask_app, "Ann", "a-new-long-password")) != "+\\"
    fresh = signin(flask_app, "Ann", "a-new-long-password")
    assert client.get(DP_EVENTS, query_string={"token": fresh["token"]}).status_code == 200
    renewed = client.post("/api/auth/IamLoggedIn", json={"session_token": fresh["session_token"]})
    assert renewed.status_code == 202
    wa_new = token_for(flask_app, ann.token)  # the personal token itself was not changed
    assert (
        client.get(WA_EVENTS, headers={"Authorization": f"Bearer {wa_new['access_token']}"}).status_code
        == 200
    )


def test_a_reissued_personal_token_ends_the_tokens_it_issued(
    flask_app: Flask, services: Services, make_user: Any, clock: FakeClock
) -> None:
    ann = make_user("Ann")
    wa = token_for(flask_app, ann.token)
    client = flask_app.test_client()
    clock.advance(seconds=5)
    new_token = services.app.reissue_token(commands.ReissueToken("Ann"))
    clock.advance(seconds=5)
    old = client.get(WA_EVENTS, headers={"Authorization": f"Bearer {wa['access_token']}"})
    assert old.status_code == 401
    wa_new = token_for(flask_app, new_token)
    assert (
        client.get(WA_EVENTS, headers={"Authorization": f"Bearer {wa_new['access_token']}"}).status_code
        == 200
    )


def test_a_login_in_the_same_second_after_the_change_stands(
    flask_app: Flask, services: Services, make_user: Any, clock: FakeClock
) -> None:
    """DatePoll's JWT carries whole seconds: one issued in the second of the change is honoured
    (it may come after it), so signing in right after a change never fails."""
    make_user("Ann")
    services.app.set_password(commands.SetPassword("Ann", "changed-password-1"))
    clock.advance(seconds=0.4)
    fresh = signin(flask_app, "Ann", "changed-password-1")
    client = flask_app.test_client()
    assert client.get(DP_EVENTS, query_string={"token": fresh["token"]}).status_code == 200
    assert (
        client.post("/api/auth/IamLoggedIn", json={"session_token": fresh["session_token"]}).status_code
        == 202
    )
