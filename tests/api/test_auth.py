"""Authentication: bearer tokens (CSRF-safe), cookie sessions with CSRF tokens, anonymous callers,
blocked users."""

from __future__ import annotations

from typing import Any

import pytest

from domain import commands
from tests.api.helpers import (
    BAD_START_TIME,
    BASE,
    ENABLE_DENIED,
    GET_CREATED,
    TOKEN_INVALID,
    TOKEN_MISSING,
    TOKEN_NO_SESSION,
    People,
    assert_empty,
    assert_json,
    assert_text,
    body_error,
    create,
    error,
    observed_details,
    raw,
    url,
)
from tests.conftest import registration_body

INVALID_TOKEN = (
    '{"errorKey":"campaignevents-rest-invalid-token","messageTranslations":{"en":"The access token is '
    'invalid or has been revoked."},"httpCode":401,"httpReason":"Unauthorized"}'
)
EXTRANEOUS_CSRF = (
    '{"errorKey":"rest-extraneous-csrf-token","messageTranslations":{"en":"Extraneous CSRF token found. '
    "CSRF tokens must not be used when using authentication mechanisms such as OAuth that are safe "
    'against CSRF attacks."},"httpCode":400,"httpReason":"Bad Request"}'
)
LOGIN_FAILED = error(
    "campaignevents-rest-login-failed", "Incorrect username or password entered. Please try again.", 401
)


# --- bearer tokens ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "header",
    [
        "Bearer nope",
        "Bearer",
        "Bearer ",
        "Basic YWxpY2U6cHc=",
        "Token abc",
        "",
    ],
)
def test_invalid_or_malformed_bearer_is_401(api: Any, people: People, header: str) -> None:
    for method, body in (("GET", None), ("POST", registration_body()), ("DELETE", None)):
        path = BASE if method == "POST" else url(1)
        resp = api().client.open(path, method=method, json=body, headers={"Authorization": header})
        assert_text(resp, 401, INVALID_TOKEN)
        assert resp.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_invalid_bearer_never_falls_back_to_the_session(api: Any, people: People) -> None:
    alice = api(people.alice, session=True)
    resp = alice.post(BASE, registration_body(), headers={"Authorization": "Bearer nope"})
    assert_text(resp, 401, INVALID_TOKEN)
    assert alice.post(BASE, registration_body()).status_code == 201


def test_another_users_token_with_a_prefix_or_suffix_is_invalid(api: Any, people: People) -> None:
    for token in (people.alice.token + "x", people.alice.token[:-1], people.alice.token.upper()):
        resp = api().post(BASE, registration_body(), headers={"Authorization": f"Bearer {token}"})
        assert_text(resp, 401, INVALID_TOKEN)


def test_bearer_scheme_is_case_insensitive(api: Any, people: People) -> None:
    headers = {"Authorization": f"bearer {people.alice.token}"}
    assert api().post(BASE, registration_body(), headers=headers).status_code == 201


def test_bearer_needs_no_csrf_token(api: Any, people: People) -> None:
    alice = api(people.alice)
    assert alice.post(BASE, registration_body()).status_code == 201
    assert alice.post(BASE, registration_body("Event:B", token="")).status_code == 201  # empty: fine
    assert alice.post(BASE, registration_body("Event:C", token=None)).status_code == 201


def test_non_empty_csrf_token_with_bearer_is_400(api: Any, people: People) -> None:
    alice = api(people.alice)
    assert_text(alice.post(BASE, registration_body(token="+\\")), 400, EXTRANEOUS_CSRF)
    create(alice)
    assert_text(alice.put(url(1), registration_body(status="open", token="x")), 400, EXTRANEOUS_CSRF)
    assert_text(alice.delete(url(1), {"token": "x"}), 400, EXTRANEOUS_CSRF)
    assert alice.get(url(1)).status_code == 200


def test_extraneous_csrf_token_comes_after_body_validation_and_before_lookup(
    api: Any, people: People
) -> None:
    alice = api(people.alice)
    assert_text(alice.post(BASE, registration_body(start_time="notatime", token="x")), 400, BAD_START_TIME)
    assert_text(alice.delete(url(999999), {"token": "x"}), 400, EXTRANEOUS_CSRF)


# --- cookie sessions -------------------------------------------------------------------------------
def test_login_sets_a_session_cookie(api: Any, people: People) -> None:
    client = api().client
    resp = client.post("/auth/login", json={"username": "Alice", "password": people.alice.password})
    assert_json(resp, 200, {"user_id": people.alice.user_id, "user_name": "Alice"})
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("campaignevents_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_normalises_the_user_name(api: Any, people: People) -> None:
    resp = api().client.post("/auth/login", json={"username": "alice", "password": people.alice.password})
    assert_json(resp, 200, {"user_id": people.alice.user_id, "user_name": "Alice"})


@pytest.mark.parametrize(("username", "password"), [("Alice", "wrong"), ("Nobody", "pw"), ("Alice", " ")])
def test_login_failure_is_401(api: Any, people: People, username: str, password: str) -> None:
    client = api().client
    resp = client.post("/auth/login", json={"username": username, "password": password})
    assert_json(resp, 401, LOGIN_FAILED)
    assert "Set-Cookie" not in resp.headers
    assert_json(client.get("/auth/csrf_token"), 200, {"token": "+\\"})


def test_login_body_is_validated(api: Any) -> None:
    client = api().client
    assert_json(client.post("/auth/login", json={"username": "Alice"}), 400, _missing("password"))
    got = client.post("/auth/login", json={"username": "A", "password": "b", "remember": True}).get_json()
    assert (got["errorKey"], got["failureData"]) == ("rest-extraneous-body-fields", ["remember"])


def _missing(name: str) -> dict[str, Any]:
    return body_error(name, None, "missingparam", f'The "{name}" parameter must be set.')


def test_csrf_token_for_anonymous_and_session(api: Any, people: People) -> None:
    assert_json(api().get("/auth/csrf_token"), 200, {"token": "+\\"})
    alice = api(people.alice, session=True)
    token = alice.csrf
    assert token is not None and token != "+\\" and token.endswith("+\\") and len(token) > 10
    assert alice.get("/auth/csrf_token").get_json() == {"token": token}  # stable within the session
    assert api(people.alice, session=True).csrf != token  # a new session, a new token


def test_csrf_token_of_one_session_is_invalid_in_another(api: Any, people: People) -> None:
    alice = api(people.alice, session=True)
    bob = api(people.bob, session=True)
    assert_text(bob.post(BASE, registration_body(token=alice.csrf)), 403, TOKEN_INVALID)


def test_logout_needs_the_token_and_ends_the_session(api: Any, people: People) -> None:
    alice = api(people.alice, session=True)
    old = alice.csrf
    assert_text(raw(alice, "POST", "/auth/logout"), 403, TOKEN_MISSING)
    assert_text(alice.post("/auth/logout", {"token": "bad+\\"}), 403, TOKEN_INVALID)
    assert_empty(alice.post("/auth/logout"))
    assert_json(alice.get("/auth/csrf_token"), 200, {"token": "+\\"})
    # The client is anonymous now: the old token meets no session.
    assert_text(alice.post(BASE, registration_body(token=old)), 403, TOKEN_NO_SESSION)
    assert_text(raw(alice, "POST", BASE, json=registration_body()), 403, TOKEN_MISSING)


def test_anonymous_logout(api: Any) -> None:
    assert_text(api().post("/auth/logout", {"token": "+\\"}), 403, TOKEN_NO_SESSION)


def test_logout_with_bearer(api: Any, people: People) -> None:
    assert_empty(api(people.alice).post("/auth/logout"))
    assert_text(api(people.alice).post("/auth/logout", {"token": "x"}), 400, EXTRANEOUS_CSRF)


def test_auth_routes_methods(api: Any) -> None:
    resp = api().client.get("/auth/login")
    assert resp.status_code == 405
    assert resp.get_json()["messageTranslations"]["en"].endswith("allowed methods for this path (POST)")


# --- blocked users -----------------------------------------------------------------------------------
def test_blocked_user_with_bearer(api: Any, people: People, services: Any) -> None:
    create(api(people.dave))
    services.app.block_user(commands.BlockUser("Dave"))
    dave = api(people.dave)
    assert_text(dave.post(BASE, registration_body("Event:Two")), 403, ENABLE_DENIED)
    assert_json(dave.get(url(1)), 200, observed_details(GET_CREATED, hide_urls=True))
    services.app.unblock_user(commands.UnblockUser("Dave"))
    assert dave.post(BASE, registration_body("Event:Two")).status_code == 201


def test_blocked_user_may_still_log_in_but_not_write(api: Any, people: People, services: Any) -> None:
    user = people.dave
    services.app.block_user(commands.BlockUser("Dave"))
    dave = api(user, session=True)
    assert_text(dave.post(BASE, registration_body()), 403, ENABLE_DENIED)


def test_user_blocked_after_login(api: Any, people: People, services: Any) -> None:
    dave = api(people.dave, session=True)
    create(dave)
    services.app.block_user(commands.BlockUser("Dave"))
    assert_text(dave.post(BASE, registration_body("Event:Two")), 403, ENABLE_DENIED)
    assert_json(dave.get(url(1)), 200, observed_details(GET_CREATED, hide_urls=True))
    assert dave.put(url(1), registration_body(status="closed")).get_json()["errorKey"] == (
        "campaignevents-edit-not-allowed-registration"
    )
    assert dave.delete(url(1)).get_json()["errorKey"] == "campaignevents-delete-not-allowed-registration"
    # The session itself is intact: the CSRF check still passes and logout works.
    assert_empty(dave.post("/auth/logout"))
