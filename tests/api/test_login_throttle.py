"""The login throttle counts failed attempts only, as MediaWiki's password throttle does: per account
and client address (5 in 5 minutes by default) and per address (150 in 48 hours); a success clears
the account's count. A room of people behind one router can all log in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from api.bootstrap import Services
from api.config import Settings
from api.ops import limiter
from domain import commands
from domain.ports import FakeClock
from tests.api.helpers import stop_projector
from tests.conftest import make_services

pytestmark = pytest.mark.usefixtures("cheap_passwords")
LOGIN = "/auth/login"
THROTTLED = {
    "errorKey": "campaignevents-rest-login-throttled",
    "messageTranslations": {"en": "Too many login attempts. Please wait a few minutes and try again."},
    "httpCode": 429,
    "httpReason": "Too Many Requests",
}
ROUTER = "192.0.2.10"  # the library's router: everybody in the room shares its address


class Deployment:
    """An app with its own settings (login limits), its users and a client per address."""

    def __init__(self, settings: Settings, clock: FakeClock) -> None:
        self.services: Services = make_services(settings, clock)
        self.flask: Flask = create_app(services=self.services)
        self.flask.testing = True

    def user(self, name: str) -> str:
        """Creates the account; its password is ``pw-<name>``."""
        self.services.app.create_user(commands.CreateUser(name, None, (), f"pw-{name}"))
        return name

    def client(self, address: str = ROUTER) -> FlaskClient:
        client = self.flask.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client

    def close(self) -> None:
        stop_projector(self.services)
        self.services.close()


def login(client: FlaskClient, name: str, password: str | None = None) -> Any:
    return client.post(LOGIN, json={"username": name, "password": password or f"pw-{name}"})


def wrong(client: FlaskClient, name: str) -> int:
    return int(login(client, name, "not-the-password").status_code)


@pytest.fixture
def deploy(sqlite_settings: Settings, clock: FakeClock) -> Iterator[Callable[..., Deployment]]:
    made: list[Deployment] = []

    def make(**limits: Any) -> Deployment:
        made.append(Deployment(replace(sqlite_settings, **limits), clock))
        return made[-1]

    yield make
    for deployment in made:
        deployment.close()


def test_a_room_full_of_people_logs_in_from_one_address_within_a_minute(
    deploy: Callable[..., Deployment],
) -> None:
    site = deploy()
    names = [site.user(f"Attendee {n}") for n in range(30)]
    started = time.monotonic()
    statuses = [login(site.client(), name).status_code for name in names]
    assert time.monotonic() - started < 60
    assert statuses == [200] * 30
    # and one host logging the same account in again and again is not throttled either
    assert [login(site.client(), names[0]).status_code for _ in range(12)] == [200] * 12


def test_the_sixth_failure_for_an_account_is_throttled_but_not_the_others_in_the_room(
    deploy: Callable[..., Deployment],
) -> None:
    site = deploy()
    target, neighbour = site.user("Target"), site.user("Neighbour")
    room = site.client()
    assert [wrong(room, target) for _ in range(5)] == [401] * 5
    resp = login(room, target, "not-the-password")
    assert resp.status_code == 429
    assert resp.get_json() == THROTTLED
    assert list(resp.get_json()) == ["errorKey", "messageTranslations", "httpCode", "httpReason"]
    assert 1 <= int(resp.headers["Retry-After"]) <= 301
    # once throttled, even the right password waits: guessing cannot continue with it
    assert login(room, target).status_code == 429
    # another account behind the same router logs in
    assert login(room, neighbour).status_code == 200
    # and the account itself, from elsewhere, is not locked out by whoever guesses here
    assert login(site.client("198.51.100.7"), target).status_code == 200


def test_the_account_is_counted_under_its_normalised_name(deploy: Callable[..., Deployment]) -> None:
    site = deploy()
    site.user("Target")
    room = site.client()
    spellings = ["Target", "target", "Target ", "target", "Target"]
    assert [wrong(room, name) for name in spellings] == [401] * 5
    assert wrong(room, "tARGET") == 401  # another user name: MediaWiki only uppercases the first letter
    assert wrong(room, "target") == 429


def test_a_success_clears_the_account_count(deploy: Callable[..., Deployment]) -> None:
    site = deploy()
    target = site.user("Target")
    room = site.client()
    assert [wrong(room, target) for _ in range(4)] == [401] * 4
    assert login(room, target).status_code == 200
    assert [wrong(room, target) for _ in range(5)] == [401] * 5
    assert wrong(room, target) == 429


def test_the_address_is_capped_across_accounts(deploy: Callable[..., Deployment]) -> None:
    site = deploy(login_failures_per_address=(3, 172800))
    names = [site.user(f"Guess {n}") for n in range(4)]
    room = site.client()
    assert [wrong(room, name) for name in names[:3]] == [401] * 3
    # the fourth account was never tried, yet this address may not try any more: not even rightly
    resp = login(room, names[3])
    assert (resp.status_code, resp.get_json()) == (429, THROTTLED)
    # successes do not clear the address's count; other addresses are unaffected
    assert login(site.client("198.51.100.7"), names[3]).status_code == 200
    assert login(room, names[0]).status_code == 429


def test_configured_limits_and_their_windows(deploy: Callable[..., Deployment]) -> None:
    site = deploy(login_failures_per_account=(2, 1))
    target = site.user("Target")
    room = site.client()
    assert [wrong(room, target) for _ in range(3)] == [401, 401, 429]
    time.sleep(1.2)  # the one-second window has moved on
    assert login(room, target).status_code == 200


def test_a_zero_count_turns_a_limit_off(deploy: Callable[..., Deployment]) -> None:
    site = deploy(login_failures_per_account=(0, 300), login_failures_per_address=(0, 172800))
    target = site.user("Target")
    room = site.client()
    assert [wrong(room, target) for _ in range(12)] == [401] * 12
    assert login(room, target).status_code == 200


def test_limiter_reset_starts_every_app_afresh(deploy: Callable[..., Deployment]) -> None:
    """What tests rely on between examples (``limiter.reset()``)."""
    site = deploy(login_failures_per_account=(1, 300))
    target = site.user("Target")
    room = site.client()
    assert [wrong(room, target) for _ in range(2)] == [401, 429]
    limiter.reset()
    assert login(room, target).status_code == 200


def test_an_invalid_body_is_still_a_400_and_not_counted(deploy: Callable[..., Deployment]) -> None:
    site = deploy(login_failures_per_account=(1, 300))
    target = site.user("Target")
    room = site.client()
    for _ in range(3):
        assert room.post(LOGIN, json={"username": target}).status_code == 400
    assert login(room, target).status_code == 200


@pytest.mark.parametrize(
    ("environ", "account", "address"),
    [
        ({}, (5, 300), (150, 172800)),
        (
            {
                "CAMPAIGNEVENTS_LOGIN_FAILURES_PER_ACCOUNT": "3/60",
                "CAMPAIGNEVENTS_LOGIN_FAILURES_PER_ADDRESS": " 40/3600 ",
            },
            (3, 60),
            (40, 3600),
        ),
        ({"CAMPAIGNEVENTS_LOGIN_FAILURES_PER_ACCOUNT": "0/300"}, (0, 300), (150, 172800)),
    ],
)
def test_limits_come_from_the_environment(
    environ: dict[str, str], account: tuple[int, int], address: tuple[int, int], tmp_path: Any
) -> None:
    settings = Settings.from_env({"CAMPAIGNEVENTS_DATA_DIR": str(tmp_path), **environ})
    assert (settings.login_failures_per_account, settings.login_failures_per_address) == (account, address)


@pytest.mark.parametrize("value", ["5", "5/", "/300", "five/300", "5/0", "-1/300", "5/300/1", "5 per minute"])
def test_a_malformed_limit_is_refused_with_its_name(value: str, tmp_path: Any) -> None:
    with pytest.raises(ValueError, match=r"CAMPAIGNEVENTS_LOGIN_FAILURES_PER_ADDRESS must be COUNT/SECONDS"):
        Settings.from_env(
            {"CAMPAIGNEVENTS_DATA_DIR": str(tmp_path), "CAMPAIGNEVENTS_LOGIN_FAILURES_PER_ADDRESS": value}
        )


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(deploy: Callable[..., Deployment]) -> None:
    """With CAMPAIGNEVENTS_TRUSTED_PROXIES=1 every request comes from the proxy's address; the
    client's is the last X-Forwarded-For entry, so one client's failures do not lock out the others
    behind the same proxy. Without the setting the header is not believed (anyone could send it)."""
    proxy = "10.0.0.2"
    site = deploy(login_failures_per_address=(2, 172800), trusted_proxies=1)
    names = [site.user(f"Guess {n}") for n in range(3)]
    client = site.client(proxy)

    def attempt(name: str, address: str, password: str = "wrong") -> int:
        headers = {"X-Forwarded-For": f"203.0.113.9, {address}"}  # the first entry is the client's claim
        status: int = client.post(
            LOGIN, json={"username": name, "password": password}, headers=headers
        ).status_code
        return status

    assert [attempt(names[0], "198.51.100.1"), attempt(names[1], "198.51.100.1")] == [401, 401]
    assert attempt(names[2], "198.51.100.1", "pw-Guess 2") == 429  # that client's address is capped
    assert attempt(names[2], "198.51.100.2", "pw-Guess 2") == 200  # another client behind the proxy

    plain = deploy(login_failures_per_address=(2, 172800))
    users = [plain.user(f"Other {n}") for n in range(2)]
    direct = plain.client(proxy)
    for n, name in enumerate(users):  # a forged header does not give each attempt a fresh address
        forged = {"X-Forwarded-For": f"198.51.100.{n + 10}"}
        assert direct.post(LOGIN, json={"username": name, "password": "x"}, headers=forged).status_code == 401
    assert login(direct, users[0]).status_code == 429


def test_trusted_proxies_come_from_the_environment() -> None:
    assert Settings.from_env({"CAMPAIGNEVENTS_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    assert Settings.from_env({}).trusted_proxies == 0
