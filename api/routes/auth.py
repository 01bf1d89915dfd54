"""/auth: cookie sessions for browsers and scripts that do not use bearer tokens."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api import auth
from api.context import services
from api.ops import LOGIN_LIMIT, limiter
from api.params import load_body
from api.schemas import BodySchema, LoginBody

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.post("/login")
@limiter.limit(LOGIN_LIMIT)
def login() -> Response:
    body = load_body(LoginBody)
    account = services().app.authenticate(body["username"], body["password"])
    auth.start_session(account)
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
