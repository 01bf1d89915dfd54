"""Wild Apricot's blueprint: ``/v2/…`` and ``/v2.x/…`` (any case, optional trailing slash, unknown
query parameters ignored) dispatched by one view, and the token endpoint ``POST /auth/token``.

Order of checks: the switch (a switched-off dialect is an unknown path: 404), the query's length
(over 4,096 characters: the reference's 404.14), the bearer token (401), the route (404; another
account id: 403), then the route's own checks. Errors are ``{"code", "message", "details"}``; the
caller's rights are its account's (DIALECTS.md 5). ``Accept: application/xml`` answers the reference's
XML rendering (api/wildapricot/xml.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from api.context import services
from api.errors import from_domain
from api.messages import text
from api.numbers import is_digits
from api.wildapricot import messages, xml
from api.wildapricot.query import QueryError, check_query_length
from domain import errors
from domain.accounts import Account
from domain.handlers import access_tokens

DIALECT = "wildapricot"
bp = Blueprint(DIALECT, __name__)
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
Handler = Callable[..., Response]
# (pattern over the lower-cased path after the version, {method: handler}); filled by the route modules
ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = []


class VersionConverter(BaseConverter):
    """``v2``, ``v2.1``, ``V2.2`` …: the only first segments this dialect answers."""

    regex = r"[vV]2(?:\.[0-9]{1,2})?"


def _converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["wa_version"] = VersionConverter


bp.record_once(_converter)  # before the rules below are added


class Answer(Exception):
    """An error answer in Wild Apricot's envelope."""

    def __init__(
        self, status: int, key: str, details: list[dict[str, Any]] | None = None, **params: Any
    ) -> None:
        super().__init__(key)
        self.status, self.key, self.details, self.params = status, key, details or [], params

    def response(self) -> Response:
        body = {
            "code": messages.CODES[self.status],
            "message": messages.text(self.key, **self.params),
            "details": self.details,
        }
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if self.status == 401 else {}
        return Response(json.dumps(body), self.status, headers=headers, mimetype="application/json")


def route(pattern: str, method: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``method`` on the lower-cased path (after the version) ``pattern``."""

    def register(handler: Handler) -> Handler:
        compiled = re.compile(pattern + r"/?\Z")
        for known, methods in ROUTES:
            if known.pattern == compiled.pattern:
                methods[method] = handler
                return handler
        ROUTES.append((compiled, {method: handler}))
        return handler

    return register


def wants_xml() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "application/xml", "text/xml"])
    return best in ("application/xml", "text/xml")


def reply(body: Any, type_name: str, status: int = 200, namespace: str = xml.EVENTS_NAMESPACE) -> Response:
    """JSON, or the XML rendering when the client asks for it (``type_name``: the data contract)."""
    if wants_xml():
        document = xml.render_response(body, type_name=type_name, namespace=namespace)
        return Response(document, status, mimetype="application/xml")
    return Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")


def account() -> Account:
    found: Account = g.wa_account
    return found


def account_id() -> int:
    return services().settings.wa_account_id


def base_url() -> str:
    """The absolute base of every ``Url`` (``CAMPAIGNEVENTS_BASE_URL`` or the request's host); once
    per request (a page of events asks it for every ``Url``)."""
    found: str | None = g.get("wa_base_url")
    if found is None:
        found = g.wa_base_url = services().settings.base_url or request.host_url.rstrip("/")
    return found


def version() -> str:
    found: str = g.wa_version
    return found


def api_url(*parts: object) -> str:
    return "/".join([base_url(), version(), *(str(p) for p in parts)])


def account_url(*parts: object) -> str:
    prefix: str | None = g.get("wa_account_url")  # once per request, as base_url
    if prefix is None:
        prefix = g.wa_account_url = api_url("accounts", account_id())
    return "/".join([prefix, *(str(p) for p in parts)])


def json_body() -> dict[str, Any]:
    """The JSON object of the body; anything else is a 400."""
    body = request.get_json(silent=True, force=True) if request.get_data() else None
    if not isinstance(body, dict):
        raise Answer(400, "body-invalid")
    return body


def int_of(raw: str) -> int:
    if not is_digits(raw) or len(raw) > 12:
        raise Answer(404, "not-found")
    return int(raw)


def _authenticate() -> Account:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    found = (
        access_tokens.bearer_account(services().app, token.strip()) if scheme.lower() == "bearer" else None
    )
    if found is None:
        raise Answer(401, "token-missing" if not header else "token-invalid")
    return found


@bp.route("/<wa_version:version_>", defaults={"rest": ""}, methods=METHODS)
@bp.route("/<wa_version:version_>/<path:rest>", methods=METHODS)
def dispatch(version_: str, rest: str) -> Response:
    if DIALECT not in services().settings.dialects:
        raise Answer(404, "not-found")
    check_query_length(request.query_string)
    g.wa_version = version_.lower()
    g.wa_account = _authenticate()
    path = rest.lower().rstrip("/")
    for pattern, methods in ROUTES:
        matched = pattern.match(path)
        if matched is None:
            continue
        handler = methods.get(request.method)
        if handler is None:
            raise Answer(405, "method-not-allowed", method=request.method)
        arguments = matched.groupdict()
        given = arguments.pop("account", None)
        if given is not None and int_of(given) != account_id():
            raise Answer(403, "other-account")
        return handler(**arguments)
    raise Answer(404, "not-found")


@bp.errorhandler(Answer)
def _answer(error: Answer) -> Response:
    return error.response()


@bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> Response:
    """werkzeug's refusals while reading the request (a body over the limit: 413) in WA's envelope."""
    status = error.code or 400
    if request.path == "/auth/token":  # the token endpoint speaks OAuth's error shape
        oauth = {"error": "invalid_request", "error_description": f"{error.name}."}
        return Response(
            json.dumps(oauth), status, mimetype="application/json", headers={"Cache-Control": "no-store"}
        )
    body = {
        "code": messages.CODES.get(status, error.name.replace(" ", "")),
        "message": error.name,
        "details": [],
    }
    return Response(json.dumps(body), status, mimetype="application/json")


@bp.errorhandler(QueryError)
def _query(error: QueryError) -> Response:
    return Response(json.dumps(error.body()), error.status, mimetype="application/json")


@bp.errorhandler(errors.DomainError)
def _domain(error: errors.DomainError) -> Response:
    """The domain's rule in the reference's statuses: v0's status for the same rule (403 denied,
    404 unknown …), anything else a 400 ``Validation`` naming the rule."""
    status = from_domain(error).status
    said = domain_text(error)
    if status in (401, 403, 404, 409, 429, 503):
        return Answer(status, "domain", text=said).response()
    return Answer(
        400, "domain", [{"key": error.key, "value": None, "restriction": said}], text=said
    ).response()


def domain_text(error: errors.DomainError) -> str:
    try:
        return str(text(error.key, *error.params))
    except Exception:  # a text with other placeholders: the key says it
        return error.key
