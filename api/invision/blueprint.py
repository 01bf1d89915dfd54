"""Invision's blueprint: ``/api/calendar/…`` and ``/api/index.php?/calendar/…``, one dispatcher.

Order as Invision's API dispatcher: the switch (a switched-off dialect is an unknown application:
404 ``INVALID_APP``), the key (``NO_API_KEY``, ``INVALID_API_KEY``, ``INVALID_ACCESS_TOKEN`` with
``WWW-Authenticate``), then the application, controller and endpoint (``INVALID_APP``,
``INVALID_CONTROLLER``, ``NO_ENDPOINT``, ``BAD_METHOD``), then the endpoint's own checks. Errors are
``{"errorCode", "errorMessage"}``; anything unexpected is 500 ``EX<n>``/``UNKNOWN_ERROR`` (logged), never
bad input. A key (HTTP Basic user name with an empty password, or ``?key=``) and a bearer token are
both the personal API token of an account, whose rights they carry (DIALECTS.md 5)."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import HTTPException

from api.context import services
from api.invision import pretty, texts
from api.invision.forms import parameters
from api.numbers import is_digits
from domain import errors
from domain.accounts import Account

DIALECT = "invision"
bp = Blueprint(DIALECT, __name__)
log = logging.getLogger("campaignevents.invision")
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
Handler = Callable[..., Response]
# (controller, pattern of the rest, {method: handler}); filled by events.py, rsvps.py, calendars.py
ENDPOINTS: list[tuple[str, re.Pattern[str], dict[str, Handler]]] = []


class Answer(Exception):
    """Answer with one of ``texts``' codes (and extra headers)."""

    def __init__(self, code: texts.Code, headers: dict[str, str] | None = None) -> None:
        super().__init__(code[1])
        self.code, self.headers = code, headers or {}


def endpoint(controller: str, pattern: str, method: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``method`` on ``/calendar/<controller><pattern>``."""

    def register(handler: Handler) -> Handler:
        compiled = re.compile(pattern + r"/?\Z")
        for known_controller, known, methods in ENDPOINTS:
            if known_controller == controller and known.pattern == compiled.pattern:
                methods[method] = handler
                return handler
        ENDPOINTS.append((controller, compiled, {method: handler}))
        return handler

    return register


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON as Invision sends it: pretty-printed."""
    text = pretty.dumps(body)  # what json.dumps(body, indent=4, ensure_ascii=False) writes
    return Response(text, status, headers=headers, mimetype="application/json")


def error(code: texts.Code, headers: dict[str, str] | None = None) -> Response:
    return reply({"errorCode": code[0], "errorMessage": code[1]}, code[2], headers)


def account() -> Account:
    found: Account = g.ic_account
    return found


def params() -> dict[str, Any]:
    found: dict[str, Any] = g.ic_params
    return found


@bp.route("/api/calendar", methods=METHODS, defaults={"rest": ""}, strict_slashes=False)
@bp.route("/api/calendar/<path:rest>", methods=METHODS)
def rewritten(rest: str) -> Response:
    return _dispatch("calendar/" + rest, skip_first=False)


@bp.route("/api/index.php", methods=METHODS)
def index_php() -> Response:
    first = request.query_string.decode("utf-8", "replace").split("&", 1)[0]
    path = first.split("=", 1)[0] if first.startswith("/") else ""
    return _dispatch(path.lstrip("/"), skip_first=bool(path))


def _dispatch(path: str, *, skip_first: bool) -> Response:
    try:
        if DIALECT not in services().settings.dialects:
            raise Answer(texts.INVALID_APP)
        g.ic_account = _authenticate()
        handler, args = _route(path, request.method)
        g.ic_params = parameters(request, skip_first)
        return handler(*args)
    except Answer as answer:
        return error(answer.code, answer.headers)
    except errors.Contention:
        return error(texts.TRY_AGAIN)
    except HTTPException as refused:  # werkzeug's, reading the request (a body over the limit: 413)
        status = refused.code or 400
        return reply({"errorCode": f"1S290/{status}", "errorMessage": texts.REQUEST_REFUSED}, status)
    except Exception as failure:  # never a traceback: Invision's unexpected-failure body, logged
        if _unavailable(failure):
            return error(texts.TRY_AGAIN)
        number = abs(hash((request.path, type(failure).__name__))) % 10_000
        log.exception("invision: unexpected failure EX%d", number)
        return reply({"errorCode": f"EX{number}", "errorMessage": texts.UNKNOWN_ERROR}, 500)


def _unavailable(failure: Exception) -> bool:
    from api.errors import UNAVAILABLE

    return isinstance(failure, UNAVAILABLE)


def _route(path: str, method: str) -> tuple[Handler, tuple[str, ...]]:
    parts = path.strip("/").split("/", 2)
    if parts[0] != "calendar":
        raise Answer(texts.INVALID_APP)
    controller = parts[1] if len(parts) > 1 else ""
    if controller not in ("events", "calendars"):
        raise Answer(texts.INVALID_CONTROLLER)
    rest = "/" + parts[2] if len(parts) > 2 else ""
    for known_controller, pattern, methods in ENDPOINTS:
        match = pattern.match(rest) if known_controller == controller else None
        if match is None:
            continue
        if method not in methods:
            raise Answer(texts.BAD_METHOD)
        return methods[method], match.groups()
    raise Answer(texts.NO_ENDPOINT)


def _authenticate() -> Account:
    """The key or the bearer token, as Invision reads them; the account it names."""
    lookup = services().app.account_by_token
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer":
        found = lookup(credentials.strip()) if credentials.strip() else None
        if found is None or found.blocked:
            headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            raise Answer(texts.INVALID_ACCESS_TOKEN, headers)
        return found
    key = None
    if scheme.lower() == "basic":
        try:
            key = base64.b64decode(credentials.strip(), validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise Answer(texts.INVALID_API_KEY) from None
    if not key:
        key = request.args.get("key") or None
    if not key:
        raise Answer(texts.NO_API_KEY)
    found = lookup(key)
    if found is None or found.blocked:
        raise Answer(texts.INVALID_API_KEY)
    return found


def positive_id(raw: str) -> int | None:
    """A path id: digits only, no more than 12."""
    return int(raw) if is_digits(raw) and len(raw) <= 12 and int(raw) > 0 else None
