"""Bearer tokens remembered by their owner (``api/auth.TokenOwners``): a repeated token loads its
account, not the token index as well; the account, loaded up to date on every request, must still
hold the token's hash, so a token reissued here or by another process stops working at once and
the new one works."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from api.bootstrap import Services
from domain import commands
from tests.api.helpers import BASE, create

pytestmark = pytest.mark.usefixtures("cheap_passwords")
CSRF = "/auth/csrf_token"  # any v0 route authenticates a bearer token (401 when it is bad)


def index_reads(services: Services, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens looked up in the token index from now on (the real lookup still answers)."""
    looked_up: list[str] = []
    real = services.app.account_by_token

    def counted(token: str) -> Any:
        looked_up.append(token)
        return real(token)

    monkeypatch.setattr(services.app, "account_by_token", counted)
    return looked_up


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def join(flask_app: Flask, token: str, event_id: int) -> int:
    put = flask_app.test_client().put(
        f"{BASE}/{event_id}/participants/self", json={"is_private": False}, headers=bearer(token)
    )
    status: int = put.status_code
    return status


def test_a_repeated_token_reads_the_index_once(
    flask_app: Flask, services: Services, make_user: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann, bob = make_user("Ann"), make_user("Bob")
    event_id = create(api(make_user("Olga", "event-organizer")))
    looked_up = index_reads(services, monkeypatch)
    client = flask_app.test_client()
    for _ in range(3):
        assert client.get(CSRF, headers=bearer(ann.token)).status_code == 200
    assert looked_up == [ann.token]
    assert join(flask_app, ann.token, event_id) == 200  # as Ann, not as anyone else
    assert join(flask_app, bob.token, event_id) == 200
    assert looked_up == [ann.token, bob.token]
    assert services.app.is_active_participant(event_id, ann.user_id)
    assert services.app.is_active_participant(event_id, bob.user_id)
    assert client.get(CSRF, headers=bearer(ann.token + "x")).status_code == 401


def test_a_token_reissued_here_stops_at_once(flask_app: Flask, services: Services, make_user: Any) -> None:
    ann = make_user("Ann")
    client = flask_app.test_client()
    assert client.get(CSRF, headers=bearer(ann.token)).status_code == 200  # remembered now
    new = services.app.reissue_token(commands.ReissueToken("Ann"))
    for _ in range(2):
        assert client.get(CSRF, headers=bearer(ann.token)).status_code == 401
    assert client.get(CSRF, headers=bearer(new)).status_code == 200


def test_a_token_reissued_by_another_process_stops_at_once(
    flask_app: Flask, services: Services, other: Services, make_user: Any, api: Any
) -> None:
    ann = make_user("Ann")
    event_id = create(api(make_user("Olga", "event-organizer")))
    client = flask_app.test_client()
    assert client.get(CSRF, headers=bearer(ann.token)).status_code == 200  # remembered, account cached
    new = other.app.reissue_token(commands.ReissueToken("Ann"))
    assert client.get(CSRF, headers=bearer(ann.token)).status_code == 401
    assert join(flask_app, ann.token, event_id) == 401
    assert not services.app.is_active_participant(event_id, ann.user_id)
    assert join(flask_app, new, event_id) == 200
    assert services.app.is_active_participant(event_id, ann.user_id)
