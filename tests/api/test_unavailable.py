"""A database or Redis that does not answer is a 503 in the envelope (with Retry-After), never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.persistence import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError as SqlAlchemyOperationalError


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection"),
        InterfaceError("connection already closed"),
        SqlAlchemyOperationalError("SELECT 1", {}, Exception("could not connect")),
        RedisConnectionError("Connection refused"),
    ],
)
def test_storage_outages_are_503(
    api: Any, services: Any, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def down(*_: Any, **__: Any) -> Any:
        raise error

    monkeypatch.setattr(services.app, "registration_for_reading", down)
    resp = api().get("/campaignevents/v0/event_registration/1")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "5"
    assert resp.get_json() == {
        "errorKey": "campaignevents-rest-unavailable",
        "messageTranslations": {
            "en": "The service cannot reach its storage right now; please try again shortly."
        },
        "httpCode": 503,
        "httpReason": "Service Unavailable",
    }


def test_a_programming_error_is_still_a_500(api: Any, services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(services.app, "registration_for_reading", broken)
    resp = api().get("/campaignevents/v0/event_registration/1")
    assert resp.status_code == 500
    body = resp.get_json()
    assert body["errorKey"] == "campaignevents-rest-internal-error"
    assert resp.headers["X-Request-Id"] in body["messageTranslations"]["en"]
    assert "Traceback" not in resp.get_data(as_text=True)
