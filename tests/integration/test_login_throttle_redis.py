"""The login throttle's counters in real Redis: shared by every process of a deployment, under the
deployment's prefix (``<queue name>:login-failures:``), never another deployment's; a success clears
the account's count; and a Redis that does not answer does not lock anyone out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis

from api.app import create_app
from api.bootstrap import Services
from api.config import Settings
from api.ops import LoginThrottle, login_throttle
from domain import commands
from domain.ports import FakeClock
from tests.api.helpers import stop_projector
from tests.conftest import make_services
from tests.integration.helpers import unique_queue
from tests.integration.smtp_sink import free_port

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("cheap_passwords")]
ROOM = "192.0.2.10"


def login(client: FlaskClient, name: str, right: bool = True) -> int:
    body = {"username": name, "password": f"pw-{name}" if right else "not-the-password"}
    return int(client.post("/auth/login", json=body).status_code)


def client(app: Flask, address: str = ROOM) -> FlaskClient:
    made = app.test_client()
    made.environ_base["REMOTE_ADDR"] = address
    return made


@pytest.fixture
def deployment(
    sqlite_settings: Settings, clock: FakeClock, redis_url: str
) -> Iterator[Callable[..., tuple[Services, Flask]]]:
    """``deployment(queue_name=…, **settings)``: services and an app on real Redis; call it again
    with the same services for a second process of the same deployment."""
    made: list[Services] = []
    throttles: list[LoginThrottle] = []

    def make(services: Services | None = None, **overrides: Any) -> tuple[Services, Flask]:
        if services is None:
            settings = replace(sqlite_settings, redis_url=redis_url, **overrides)
            services = make_services(settings, clock)
            services.app.create_user(commands.CreateUser("Target", None, (), "pw-Target"))
            services.app.create_user(commands.CreateUser("Neighbour", None, (), "pw-Neighbour"))
            made.append(services)
        app = create_app(services=services)
        app.testing = True
        with app.app_context():
            throttles.append(login_throttle())
        return services, app

    yield make
    for throttle in throttles:
        throttle.reset()  # this deployment's prefix only
    for services in made:
        stop_projector(services)
        services.close()


def throttle_keys(redis_url: str, queue: str) -> list[str]:
    return sorted(k.decode() for k in Redis.from_url(redis_url).scan_iter(f"{queue}:login-failures:*"))


def test_every_process_of_a_deployment_shares_the_counts(deployment: Any, redis_url: str) -> None:
    queue = unique_queue()
    services, web_1 = deployment(queue_name=queue)
    _, web_2 = deployment(services)  # another gunicorn worker (or host) of the same deployment
    assert [login(client(web_1), "Target", right=False) for _ in range(3)] == [401] * 3
    assert [login(client(web_2), "Target", right=False) for _ in range(2)] == [401] * 2
    assert login(client(web_1), "Target", right=False) == 429
    assert login(client(web_2), "Target") == 429
    assert login(client(web_2), "Neighbour") == 200
    keys = throttle_keys(redis_url, queue)
    assert len(keys) == 2, keys  # the account-and-address count and the address count
    assert not any("Target" in k for k in keys)  # the account is hashed into the key
    redis = Redis.from_url(redis_url)
    ttls: list[Any] = [redis.ttl(k) for k in keys]
    assert all(0 < ttl <= 172800 for ttl in ttls), ttls


def test_a_success_clears_the_account_count_in_redis(deployment: Any, redis_url: str) -> None:
    queue = unique_queue()
    _, web = deployment(queue_name=queue)
    assert [login(client(web), "Target", right=False) for _ in range(4)] == [401] * 4
    assert len(throttle_keys(redis_url, queue)) == 2
    assert login(client(web), "Target") == 200
    keys = throttle_keys(redis_url, queue)
    assert len(keys) == 1 and "/address/" in keys[0], keys  # the address keeps its count
    assert [login(client(web), "Target", right=False) for _ in range(6)] == [401] * 5 + [429]


def test_the_address_cap_counts_across_accounts_in_redis(deployment: Any, redis_url: str) -> None:
    _, web = deployment(queue_name=unique_queue(), login_failures_per_address=(2, 3600))
    assert login(client(web), "Target", right=False) == 401
    assert login(client(web), "Neighbour", right=False) == 401
    assert login(client(web), "Neighbour") == 429
    assert login(client(web, "198.51.100.7"), "Neighbour") == 200


def test_another_deployment_on_the_same_redis_keeps_its_own_counts(
    deployment: Any, redis_url: str, tmp_path: Any
) -> None:
    first, second = unique_queue(), unique_queue()
    _, web_a = deployment(queue_name=first)
    _, web_b = deployment(queue_name=second, database_url=f"sqlite:///{tmp_path}/second.db")
    assert [login(client(web_a), "Target", right=False) for _ in range(6)] == [401] * 5 + [429]
    assert throttle_keys(redis_url, second) == []
    assert login(client(web_b), "Target") == 200
    assert login(client(web_a), "Target") == 429


def test_a_redis_that_does_not_answer_does_not_lock_anyone_out(
    sqlite_settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(
        sqlite_settings, redis_url=f"redis://127.0.0.1:{free_port()}/0", queue_name=unique_queue()
    )
    services = make_services(settings, clock)
    try:
        services.app.create_user(commands.CreateUser("Target", None, (), "pw-Target"))
        app = create_app(services=services)
        app.testing = True
        assert [login(client(app), "Target", right=False) for _ in range(7)] == [401] * 7
        assert login(client(app), "Target") == 200
        assert "login throttle unavailable" in caplog.text
    finally:
        stop_projector(services)
        services.close()
