"""Wild Apricot fixtures: a token for an account (the API-key grant), a client sending it as a
bearer token, and bodies for events."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

BASE = "/v2/accounts/1"


def basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def token_for(app: Flask, api_key: str) -> dict[str, Any]:
    resp = app.test_client().post(
        "/auth/token",
        data={"grant_type": "client_credentials", "scope": "auto"},
        headers=basic("APIKEY", api_key),
    )
    assert resp.status_code == 200, resp.get_json()
    body: dict[str, Any] = resp.get_json()
    return body


@dataclass
class Wa:
    client: FlaskClient
    token: str
    user: Any

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return self.client.open(path, method=method, json=body, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, **kw)


@pytest.fixture
def wa(flask_app: Flask, make_user: Any) -> Any:
    """``wa(name, *groups)``: a Wild Apricot client for a new account."""

    def make(name: str, *groups: str) -> Wa:
        user = make_user(name, *groups)
        return Wa(flask_app.test_client(), token_for(flask_app, user.token)["access_token"], user)

    return make


def event_body(name: str = "Annual General Meeting", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "StartDate": "2030-07-05T10:00:00+03:00",
        "EndDate": "2030-07-11T18:00:00+03:00",
        "Location": "Boston Hilton",
        "RegistrationEnabled": True,
        "RegistrationsLimit": 100,
        "Name": name,
        "Tags": ["meeting", "agm"],
        "Details": {"DescriptionHtml": "Join us at our <b>annual</b> general meeting<script>x()</script>"},
    }
    body.update(overrides)
    return body
