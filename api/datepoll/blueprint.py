"""DatePoll's blueprint (everything under ``/api``), its gate and its error shape.

Order as DatePoll's middleware: the feature switch first here (a switched-off dialect answers 503
with the seed's body on every route, token or not: it says nothing about tokens), then the token
(routes outside ``/api/auth`` and the server info), then the administration's permission (in the
routes). Errors are ``{"msg", "error_code"}`` with the reference's statuses; validation is 422 with
Lumen's field map; never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from api.context import services
from api.datepoll import texts
from api.datepoll.tokens import Signer, TokenRejected, authenticate
from api.datepoll.validate import Invalid
from api.errors import ApiError
from api.numbers import is_digits
from domain import audiences, errors, groups, people, polls, presets
from domain.accounts import Account

DIALECT = "datepoll"
bp = Blueprint("datepoll", __name__, url_prefix="/api")
OPEN_PATHS = ("/api/", "/api/auth/signin", "/api/auth/IamLoggedIn")


class Answer(Exception):
    """Answer ``body`` with ``status`` (DatePoll's error bodies)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def reply(body: dict[str, Any], status: int = 200) -> tuple[Response, int]:
    return jsonify(body), status


def signer() -> Signer:
    return Signer.from_secret(services().settings.secret_key)


@bp.before_request
def _gate() -> tuple[Response, int] | None:
    if DIALECT not in services().settings.dialects:
        return reply(texts.FEATURE_DISABLED, 503)
    if request.path not in OPEN_PATHS and request.method != "OPTIONS":
        app = services().app
        g.dp_account = authenticate(signer(), app.clock.now(), app.account, app.account_by_token)
    return None


def account() -> Account:
    found: Account = g.dp_account
    return found


def permissions() -> frozenset[str]:
    held: frozenset[str] | None = getattr(g, "dp_held", None)
    if held is None:
        held = g.dp_held = services().app.poll_permissions(account())
    return held


def require_administration() -> None:
    if not people.may_administer(permissions()):
        raise Answer(403, texts.PERMISSION_DENIED)


def event_id_of(raw: Any) -> int:
    """A path or body id; anything that is not a positive integer is an unknown event (ASCII
    digits only: ``str.isdigit`` also takes "²", which ``int`` refuses, and "١", which it reads)."""
    text = str(raw)
    if isinstance(raw, bool) or not is_digits(text) or len(text) > 12:
        raise errors.EventNotFound()
    return int(text)


# Domain errors in DatePoll's words (the vote routes add error codes: ``g.dp_vote``).
_NOT_FOUND: dict[type[errors.DomainError], dict[str, Any]] = {
    errors.EventNotFound: texts.EVENT_NOT_FOUND,
    groups.GroupNotFound: texts.GROUP_NOT_FOUND,
    groups.SubgroupNotFound: texts.SUBGROUP_NOT_FOUND,
    polls.DecisionNotFound: texts.DECISION_NOT_FOUND,
}


@bp.errorhandler(TokenRejected)
def _token(error: TokenRejected) -> tuple[Response, int]:
    return reply(error.body, 401)


@bp.errorhandler(Answer)
def _answer(error: Answer) -> tuple[Response, int]:
    return reply(error.body, error.status)


@bp.errorhandler(Invalid)
def _invalid(error: Invalid) -> tuple[Response, int]:
    return reply(error.fields, 422)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[Response, int]:
    if error.status == 429:
        return reply({"msg": "Too many login attempts", "error_code": "too_many_login_attempts"}, 429)
    return reply({"msg": "Bad request", "error_code": "bad_request"}, error.status)


@bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> tuple[Response, int]:
    """werkzeug's refusals while reading the request (a body over the limit: 413) in DatePoll's shape."""
    status = error.code or 400
    return reply({"msg": error.name, "error_code": error.name.lower().replace(" ", "_")}, status)


@bp.errorhandler(errors.DomainError)
def _domain(error: errors.DomainError) -> tuple[Response, int]:
    vote = getattr(g, "dp_vote", False)
    if isinstance(error, errors.EventNotFound) and vote:
        return reply(texts.VOTE_EVENT_NOT_FOUND, 404)
    if isinstance(error, polls.DecisionNotFound) and vote:
        return reply(texts.DECISION_NOT_FOUND_FOR_EVENT, 404)
    for kind, body in _NOT_FOUND.items():
        if isinstance(error, kind):
            return reply(body, 404)
    if isinstance(error, polls.VoteNotAllowed):
        return reply(texts.NOT_ALLOWED, 400)
    if isinstance(error, polls.AlreadyVoted):
        return reply(texts.ALREADY_VOTED, 400)
    if isinstance(error, polls.NotVoted):
        return reply(texts.NOT_VOTED, 404)
    if isinstance(error, errors.LoginFailed):
        return reply(texts.SIGNIN_FAILED, 401)
    if isinstance(error, errors.UserNotFound):
        return reply({"msg": "User not found"}, 404)
    if isinstance(error, errors.Contention):
        return reply({"msg": "Please try again", "error_code": "try_again"}, 503)
    if isinstance(error, presets.PresetNotFound):
        return reply({"msg": "Not found", "error_code": "not_found"}, 404)
    if isinstance(
        error, errors.EditDenied | errors.EnableRegistrationDenied | audiences.PollAdministrationDenied
    ):
        return reply(texts.PERMISSION_DENIED, 403)
    return reply(_invalid_field(error), 422)


def _invalid_field(error: errors.DomainError) -> dict[str, list[str]]:
    """A rule of the domain the body broke, under the field DatePoll's client shows it for."""
    text = services_text(error)
    field = "dates" if "schedule" in error.key or "session" in error.key else "name"
    if isinstance(error, polls.InvalidDecision | polls.InvalidNote):
        field = "decisions" if isinstance(error, polls.InvalidDecision) else "additional_information"
    if isinstance(error, presets.InvalidLocation):
        field = "location"
    return {field: [text]}


def services_text(error: errors.DomainError) -> str:
    from api.messages import text

    try:
        return str(text(error.key, *error.args[1:]))
    except Exception:  # a text with other placeholders: the key says it
        return error.key
