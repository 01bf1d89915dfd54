"""Wild Apricot's token endpoint, ``POST /auth/token`` (dialects-facts §1.2, §1.8): a form body with
one of three grants, answered with a bearer access token, its refresh token and the account's
permissions; errors in OAuth's ``{error, error_description}``.

* ``client_credentials``: ``Authorization: Basic base64("APIKEY:<personal API token>")``.
* ``password``: ``username`` and ``password`` of an account (the Basic client id/secret the clients
  send is not checked: there is no client registry; the account's credentials decide).
* ``refresh_token``: spends the refresh token (and its access token) for a new pair.

Access and refresh tokens are facts of the domain (domain/access_tokens.py): random values of which
only the hashes are stored, expiring, revocable."""

from __future__ import annotations

import base64
import binascii
import json

from flask import Response, request

from api.context import services
from api.ops import login_throttle
from api.wildapricot.blueprint import DIALECT, bp
from domain import errors
from domain.access_tokens import TokenRejected
from domain.handlers import access_tokens

SCOPES = ["contacts_view", "contacts_me", "events_view", "events_edit", "event_registrations_view"]


def _oauth_error(status: int, error: str, description: str) -> Response:
    body = {"error": error, "error_description": description}
    return Response(
        json.dumps(body), status, mimetype="application/json", headers={"Cache-Control": "no-store"}
    )


def _basic() -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, secret) if sep else None


@bp.post("/auth/token")
def token() -> Response:
    if DIALECT not in services().settings.dialects:
        return _oauth_error(404, "not_found", "Not found.")
    app = services().app
    grant = request.form.get("grant_type", "")
    try:
        if grant == "client_credentials":
            basic = _basic()
            if basic is None or basic[0] != "APIKEY":
                return _oauth_error(
                    401, "invalid_client", "Send Authorization: Basic base64(APIKEY:<API key>)."
                )
            account = app.account_by_token(basic[1]) if basic[1] else None
            if account is None or account.blocked:
                return _oauth_error(401, "invalid_client", "The API key is not valid.")
            issued = access_tokens.issue(app, account)
        elif grant == "password":
            name, password = request.form.get("username", ""), request.form.get("password", "")
            if not name or not password:
                return _oauth_error(400, "invalid_request", "username and password are required.")
            throttle = login_throttle()
            wait = throttle.wait(name, request.remote_addr or "-")
            if wait is not None:  # the same login throttle as v0's /auth/login
                return _oauth_error(429, "slow_down", f"Too many failed logins: try again in {wait} s.")
            try:
                with throttle.attempt(name, request.remote_addr or "-"):
                    account = app.authenticate(name, password)
            except errors.LoginFailed:
                return _oauth_error(400, "invalid_grant", "The user name or password is incorrect.")
            if account.blocked:
                return _oauth_error(400, "invalid_grant", "The user name or password is incorrect.")
            issued = access_tokens.issue(app, account)
        elif grant == "refresh_token":
            given = request.form.get("refresh_token", "")
            if not given:
                return _oauth_error(400, "invalid_request", "refresh_token is required.")
            issued = access_tokens.refresh(app, given)
        elif not grant:
            return _oauth_error(400, "invalid_request", "grant_type is required.")
        else:
            return _oauth_error(
                400, "unsupported_grant_type", "Supported: client_credentials, password, refresh_token."
            )
    except TokenRejected:
        return _oauth_error(400, "invalid_grant", "The refresh token is invalid, expired or revoked.")
    except errors.UserNotFound:
        return _oauth_error(400, "invalid_grant", "The account is blocked.")
    sysop = "sysop" in issued.account.groups
    body = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
        "Permissions": [
            {
                "AccountId": services().settings.wa_account_id,
                "SecurityProfileId": 1 if sysop else 2,
                "AvailableScopes": SCOPES,
            }
        ],
    }
    return Response(json.dumps(body), 200, mimetype="application/json", headers={"Cache-Control": "no-store"})
