"""CORS for the origins in ``CAMPAIGNEVENTS_CORS_ORIGINS``: none by default (no CORS header at all);
an explicit list allows those origins with credentials; ``*`` allows any origin, never with
credentials. Preflights of the API and /auth routes are answered without authentication."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.config import Settings
from domain.ports import FakeClock
from tests.api.helpers import stop_projector
from tests.conftest import make_services

APP_ORIGIN = "https://events-app.example.org"
OTHER_ORIGIN = "https://attacker.example"
QUESTIONS = "/campaignevents/v0/participant_questions"
CREATE = "/campaignevents/v0/event_registration"
SELF = "/campaignevents/v0/event_registration/1/participants/self"


def cors_headers(resp: Any) -> dict[str, str]:
    return {k: v for k, v in resp.headers.items() if k.lower().startswith("access-control-")}


def preflight(client: FlaskClient, path: str, method: str = "POST", origin: str = APP_ORIGIN) -> Any:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )


@pytest.fixture
def client_for(sqlite_settings: Settings, clock: FakeClock) -> Iterator[Callable[..., FlaskClient]]:
    made: list[Any] = []

    def make(*origins: str) -> FlaskClient:
        services = make_services(replace(sqlite_settings, cors_origins=origins), clock)
        made.append(services)
        app: Flask = create_app(services=services)
        app.testing = True
        return app.test_client()

    yield make
    for services in made:
        stop_projector(services)
        services.close()


def test_by_default_there_is_no_cors_header_at_all(client_for: Callable[..., FlaskClient]) -> None:
    client = client_for()
    resp = client.get(QUESTIONS, headers={"Origin": APP_ORIGIN})
    assert resp.status_code == 200
    assert cors_headers(resp) == {}
    assert "Origin" not in resp.headers.get("Vary", "")
    pre = preflight(client, CREATE)
    assert cors_headers(pre) == {}


def test_an_allowed_origin_gets_its_own_origin_with_credentials(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for("https://other-tool.example", APP_ORIGIN)
    resp = client.get(QUESTIONS, headers={"Origin": APP_ORIGIN})
    assert resp.status_code == 200
    assert cors_headers(resp) == {
        "Access-Control-Allow-Origin": APP_ORIGIN,
        "Access-Control-Expose-Headers": "X-Request-Id",
        "Access-Control-Allow-Credentials": "true",
    }
    assert "Origin" in resp.headers["Vary"]
    # origins compare case-insensitively (schemes and host names are)
    upper = client.get(QUESTIONS, headers={"Origin": APP_ORIGIN.upper()})
    assert upper.headers["Access-Control-Allow-Origin"] == APP_ORIGIN.upper()


def test_error_answers_carry_the_headers_so_the_page_can_read_them(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for(APP_ORIGIN)
    resp = client.get(QUESTIONS, headers={"Origin": APP_ORIGIN, "Authorization": "Bearer nope"})
    assert resp.status_code == 401
    assert resp.get_json()["errorKey"] == "campaignevents-rest-invalid-token"
    assert resp.headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    missing = client.get("/campaignevents/v0/nothing-here", headers={"Origin": APP_ORIGIN})
    assert missing.status_code == 404
    assert missing.headers["Access-Control-Allow-Origin"] == APP_ORIGIN


def test_a_disallowed_origin_gets_no_allow_origin(client_for: Callable[..., FlaskClient]) -> None:
    client = client_for(APP_ORIGIN)
    resp = client.get(QUESTIONS, headers={"Origin": OTHER_ORIGIN})
    assert resp.status_code == 200  # answered as to anyone; the browser keeps it from the page
    assert cors_headers(resp) == {}
    assert "Origin" in resp.headers["Vary"]  # a cache must not hand this answer to the allowed origin
    pre = preflight(client, CREATE, origin=OTHER_ORIGIN)
    assert cors_headers(pre) == {}
    # a look-alike is not the origin: no prefix or suffix matching
    for near in (APP_ORIGIN + ".attacker.example", "http://events-app.example.org", APP_ORIGIN + ":8443"):
        assert cors_headers(client.get(QUESTIONS, headers={"Origin": near})) == {}, near


def test_no_origin_header_no_cors_headers(client_for: Callable[..., FlaskClient]) -> None:
    client = client_for(APP_ORIGIN, "https://other-tool.example")
    resp = client.get(QUESTIONS)
    assert cors_headers(resp) == {}  # and never the list of allowed origins


@pytest.mark.parametrize(
    ("path", "method"),
    [(CREATE, "POST"), (SELF, "PUT"), (SELF, "DELETE"), ("/auth/login", "POST"), ("/auth/logout", "POST")],
)
def test_a_preflight_is_answered_without_authentication(
    client_for: Callable[..., FlaskClient], path: str, method: str
) -> None:
    client = client_for(APP_ORIGIN)
    resp = preflight(client, path, method)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_data() == b""  # not the 405 (or 401) envelope
    headers = cors_headers(resp)
    assert headers["Access-Control-Allow-Origin"] == APP_ORIGIN
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert set(headers["Access-Control-Allow-Methods"].split(", ")) == {
        "GET",
        "HEAD",
        "POST",
        "PUT",
        "DELETE",
        "OPTIONS",
    }
    assert {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")} == {
        "authorization",
        "content-type",
    }
    assert headers["Access-Control-Max-Age"] == "600"


def test_a_preflight_asking_for_other_headers_gets_only_the_allowed_ones(
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for(APP_ORIGIN)
    resp = client.options(
        CREATE,
        headers={
            "Origin": APP_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-Custom, Content-Type",
        },
    )
    assert resp.headers["Access-Control-Allow-Headers"].lower() == "content-type"


def test_operations_routes_are_not_cross_origin(client_for: Callable[..., FlaskClient]) -> None:
    client = client_for(APP_ORIGIN)
    for path in ("/healthz", "/metrics"):
        assert cors_headers(client.get(path, headers={"Origin": APP_ORIGIN})) == {}, path


@pytest.mark.parametrize("origins", [("*",), ("*", APP_ORIGIN)])
def test_any_origin_is_never_with_credentials(
    client_for: Callable[..., FlaskClient], origins: tuple[str, ...]
) -> None:
    client = client_for(*origins)
    for origin in (APP_ORIGIN, OTHER_ORIGIN):
        resp = client.get(QUESTIONS, headers={"Origin": origin})
        assert cors_headers(resp) == {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Expose-Headers": "X-Request-Id",
        }
        pre = preflight(client, CREATE, origin=origin)
        assert pre.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in pre.headers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        (f" {APP_ORIGIN}/ , https://b.example ,", (APP_ORIGIN, "https://b.example")),
        ("*", ("*",)),
    ],
)
def test_origins_come_from_the_environment(
    value: str | None, expected: tuple[str, ...], tmp_path: Any
) -> None:
    environ = {"CAMPAIGNEVENTS_DATA_DIR": str(tmp_path)}
    if value is not None:
        environ["CAMPAIGNEVENTS_CORS_ORIGINS"] = value
    assert Settings.from_env(environ).cors_origins == expected
