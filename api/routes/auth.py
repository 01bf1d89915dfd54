"""/auth: cookie sessions for browsers and scripts that do not use bearer tokens."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from api import auth
from api.context import services
from api.ops import login_throttle
from api.params import load_body
from api.schemas import BodySchema, LoginBody

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.post("/login")
def login() -> Response:
    """Failed attempts are throttled per account and address and per address (ops.LoginThrottle)."""
    body = load_body(LoginBody)
    with login_throttle().attempt(body["username"], request.remote_addr or "-"):
        account = services().app.authenticate(body["username"], body["password"])
    auth.start_session(account, services().clock.now())
    return jsonify({"user_id": account.user_id, "user_name": account.user_name})


@bp.post("/logout")
def logout() -> tuple[str, int]:
    body = load_body(BodySchema)
    auth.require_csrf(body["token"])
    auth.end_session()
    return "", 204


@bp.get("/csrf_token")
def csrf_token() -> Response:
    return jsonify({"token": auth.csrf_token()})
