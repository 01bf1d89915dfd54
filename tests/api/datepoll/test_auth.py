"""DatePoll's authentication (§2.1): sign-in, the JWT's claims, the three 401 bodies, renewal,
the last of repeated ``token`` parameters, the personal API token, logout of the session, and the
feature switch."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import jwt
import pytest

from api.app import create_app
from api.datepoll.tokens import Signer
from tests.api.datepoll.conftest import BASE, signin
from tests.conftest import make_services

NOT_PROVIDED = {"msg": "Token not provided.", "error_code": "token_not_provided"}
EXPIRED = {"msg": "Provided token is expired.", "error_code": "token_expired"}
INCORRECT = {"msg": "Your token is incorrect!", "error_code": "token_incorrect"}
DISABLED = {
    "msg": "The events feature is disabled on this DatePoll server",
    "error_code": "feature_disabled_events",
}


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_signin_issues_a_lumen_jwt_and_a_session_token(flask_app: Any, make_user: Any, clock: Any) -> None:
    user = make_user("Alice")
    body = signin(flask_app, "Alice", user.password)
    assert isinstance(body["session_token"], str) and len(body["session_token"]) >= 40
    header = jwt.get_unverified_header(body["token"])
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert claims == {
        "iss": "lumen-jwt",
        "sub": user.user_id,
        "iat": int(clock.now().timestamp()),
        "exp": int(clock.now().timestamp()) + 3600,
    }
    with pytest.raises(jwt.InvalidSignatureError):  # never signed with the plain service secret
        jwt.decode(body["token"], "test-secret", algorithms=["HS256"], options={"verify_sub": False})


def test_signin_failures(flask_app: Any, make_user: Any) -> None:
    make_user("Alice")
    client = flask_app.test_client()
    wrong = client.post("/api/auth/signin", json={"username": "Alice", "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.get_json() == {"msg": "Unauthorized", "error_code": "login_failed"}
    missing = client.post("/api/auth/signin", json={"username": "Alice"})
    assert missing.status_code == 422
    assert missing.get_json() == {"password": ["The password field is required."]}


def test_the_three_401_bodies(flask_app: Any, make_user: Any, clock: Any) -> None:
    user = make_user("Alice")
    client = flask_app.test_client()
    assert client.get(BASE).status_code == 401
    assert client.get(BASE).get_json() == NOT_PROVIDED
    assert client.get(BASE, query_string={"token": ""}).get_json() == NOT_PROVIDED
    for bad in (
        "garbage",
        "a.b.c",
        jwt.encode({"sub": user.user_id}, "other-key-of-thirty-two-bytes-xx", algorithm="HS256"),
    ):
        resp = client.get(BASE, query_string={"token": bad})
        assert (resp.status_code, resp.get_json()) == (401, INCORRECT)
    token = signin(flask_app, "Alice", user.password)["token"]
    assert client.get(BASE, query_string={"token": token}).status_code == 200
    clock.advance(seconds=3600)
    resp = client.get(BASE, query_string={"token": token})
    assert (resp.status_code, resp.get_json()) == (401, EXPIRED)
    # a token for an account that does not exist is incorrect
    forged = Signer.from_secret("test-secret").issue(999, clock.now())
    assert client.get(BASE, query_string={"token": forged}).get_json() == INCORRECT


def test_token_in_body_and_last_of_repeated(flask_app: Any, make_user: Any) -> None:
    user = make_user("Alice")
    token = signin(flask_app, "Alice", user.password)["token"]
    client = flask_app.test_client()
    assert client.get(f"{BASE}?token=garbage&token={token}").status_code == 200
    resp = client.get(f"{BASE}?token={token}&token=garbage")
    assert (resp.status_code, resp.get_json()) == (401, INCORRECT)
    resp = client.post(f"{BASE}/vote", json={"token": token, "event_id": 1, "decision_id": 1})
    assert resp.status_code == 404  # authenticated by the body field; the event does not exist
    assert resp.get_json() == {"msg": "Event not found", "error_code": "event_not_found"}


def test_personal_api_token_works(flask_app: Any, make_user: Any) -> None:
    user = make_user("Alice")
    resp = flask_app.test_client().get(BASE, query_string={"token": user.token})
    assert resp.status_code == 200


def test_renewal_and_logout(flask_app: Any, make_user: Any, clock: Any) -> None:
    user = make_user("Alice")
    issued = signin(flask_app, "Alice", user.password)
    client = flask_app.test_client()
    clock.advance(hours=2)
    renewed = client.post(
        "/api/auth/IamLoggedIn", json={"session_token": issued["session_token"], "session_information": "x"}
    )
    assert renewed.status_code == 202
    assert renewed.get_json()["msg"] == "Session token is good"
    new = renewed.get_json()["token"]
    assert client.get(BASE, query_string={"token": new}).status_code == 200
    out = client.post(
        "/api/v1/user/myself/session/logoutCurrentSession",
        json={"session_token": issued["session_token"]},
        query_string={"token": new},
    )
    assert out.status_code == 200
    again = client.post("/api/auth/IamLoggedIn", json={"session_token": issued["session_token"]})
    assert again.status_code == 401
    assert again.get_json()["error_code"] == "session_token_incorrect"
    assert client.post("/api/auth/IamLoggedIn", json={}).status_code == 422


def test_someone_elses_session_is_not_ended(flask_app: Any, make_user: Any) -> None:
    alice, bob = make_user("Alice"), make_user("Bob")
    a, b = signin(flask_app, "Alice", alice.password), signin(flask_app, "Bob", bob.password)
    client = flask_app.test_client()
    client.post(
        "/api/v1/user/myself/session/logoutCurrentSession",
        json={"session_token": a["session_token"]},
        query_string={"token": b["token"]},
    )
    assert client.post("/api/auth/IamLoggedIn", json={"session_token": a["session_token"]}).status_code == 202


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/"),
        ("POST", "/api/auth/signin"),
        ("POST", "/api/auth/IamLoggedIn"),
        ("GET", BASE),
        ("GET", f"{BASE}/1"),
        ("POST", f"{BASE}/vote"),
        ("DELETE", f"{BASE}/vote/1"),
        ("GET", f"{BASE}/administration/avent/years"),
        ("GET", f"{BASE}/administration/avent/null"),
        ("POST", f"{BASE}/administration/avent"),
        ("PUT", f"{BASE}/administration/avent/1"),
        ("DELETE", f"{BASE}/administration/avent/1"),
        ("POST", f"{BASE}/administration/addGroupToEvent"),
        ("GET", f"{BASE}/administration/standardDecision"),
        ("GET", f"{BASE}/administration/standardLocation/1"),
        ("GET", "/api/v1/user/myself"),
        ("GET", "/api/v1/management/groups"),
    ],
)
def test_feature_switch_off(sqlite_settings: Any, clock: Any, make_user: Any, method: str, path: str) -> None:
    services = make_services(replace(sqlite_settings, dialects=("v0", "wildapricot", "invision")), clock)
    try:
        app = create_app(services=services)
        client = app.test_client()
        for query in ({}, {"token": "garbage"}):
            resp = client.open(path, method=method, json={}, query_string=query)
            assert (resp.status_code, resp.get_json()) == (503, DISABLED)
        assert client.get("/campaignevents/v0/events").status_code != 503  # v0 is on
    finally:
        services.close()
