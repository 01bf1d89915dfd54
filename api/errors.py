"""The error envelope, the one table from domain errors to HTTP statuses, and Flask's handlers."""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing import persistence as es_persistence
from flask import Flask, Response, g, jsonify, request
from redis import exceptions as redis_exceptions
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.http import HTTP_STATUS_CODES

from api.messages import text
from domain import errors as domain_errors
from domain import scheduling

log = logging.getLogger("campaignevents.api")

# Domain error → HTTP status. Anything not listed (the event-data rules, the edit rules) is a 400.
STATUS_OF: dict[type[domain_errors.DomainError], int] = {
    domain_errors.EventNotFound: 404,
    domain_errors.UserNotFound: 404,
    domain_errors.RegistrationDeletedOnGet: 404,
    domain_errors.AlreadyDeleted: 404,
    domain_errors.EnableRegistrationDenied: 403,
    domain_errors.EditDenied: 403,
    domain_errors.DeleteDenied: 403,
    domain_errors.RegisterNotAllowed: 403,
    domain_errors.UnregisterNotAllowed: 403,
    domain_errors.RemoveParticipantsDenied: 403,
    domain_errors.CannotSeePrivate: 403,
    domain_errors.NotParticipant: 404,
    domain_errors.AggregatedAnswersDenied: 403,
    domain_errors.EmailDenied: 403,
    domain_errors.HistoryDenied: 403,
    domain_errors.WorklistNotFound: 404,
    domain_errors.Contention: 503,
    domain_errors.LoginFailed: 401,
    domain_errors.InvalidAccessToken: 401,
    scheduling.FeedUrlAnonymous: 401,  # the schedule errors (domain/schedule_errors.py) are 400s
    scheduling.FeedNotFound: 404,
}

# Rules the reference answers with a bare ``{"httpCode", "httpReason"}`` body.
BARE: set[type[domain_errors.DomainError]] = {domain_errors.EmailDenied}

# A database or Redis that does not answer: 503 (try again), not a 500.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    es_persistence.OperationalError,
    es_persistence.InterfaceError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    redis_exceptions.ConnectionError,
    redis_exceptions.TimeoutError,
)

METHOD_ORDER = ["HEAD", "GET", "POST", "PUT", "PATCH", "DELETE"]


class ApiError(Exception):
    """An error response: status, message key and parameters, and the envelope's extra parts.

    ``error_key`` overrides the key shown (``rest-badtoken`` has three texts under one key);
    ``validation`` holds the parameter-validation fields that come before ``errorKey``;
    ``bare`` sends only ``httpCode`` and ``httpReason``; ``keyless`` omits ``errorKey``.
    """

    def __init__(
        self,
        status: int,
        key: str = "",
        *params: object,
        error_key: str | None = None,
        validation: dict[str, Any] | None = None,
        bare: bool = False,
        keyless: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.params = params
        self.error_key = error_key or key
        self.validation = validation
        self.bare = bare
        self.keyless = keyless
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        tail: dict[str, Any] = {
            "httpCode": self.status,
            "httpReason": HTTP_STATUS_CODES.get(self.status, "Error"),
        }
        if self.bare:
            return tail
        head: dict[str, Any] = dict(self.validation or {})
        if not self.keyless:
            head["errorKey"] = self.error_key
        head["messageTranslations"] = {"en": text(self.key, *self.params)}
        return head | tail

    def response(self) -> Response:
        resp = jsonify(self.body())
        resp.status_code = self.status
        resp.headers.update(self.headers)
        return resp


def from_domain(error: domain_errors.DomainError) -> ApiError:
    status = next((STATUS_OF[c] for c in type(error).__mro__ if c in STATUS_OF), 400)
    return ApiError(status, error.key, *error.params, bare=type(error) in BARE)


def install(app: Flask) -> None:
    """Register the handlers that turn every failure into the envelope."""

    @app.errorhandler(ApiError)
    def _api(error: ApiError) -> Response:
        return error.response()

    @app.errorhandler(domain_errors.DomainError)
    def _domain(error: domain_errors.DomainError) -> Response:
        return from_domain(error).response()

    @app.errorhandler(NotFound)
    def _not_found(_: NotFound) -> Response:
        return ApiError(404, "rest-no-match", request.path).response()

    @app.errorhandler(MethodNotAllowed)
    def _wrong_method(error: MethodNotAllowed) -> Response:
        # MediaWiki lists HEAD only where GET is allowed (werkzeug adds it to GET rules already).
        valid = {m.upper() for m in (error.valid_methods or [])}
        allowed = ", ".join(m for m in METHOD_ORDER if m in valid)
        err = ApiError(405, "rest-wrong-method", request.method, allowed, keyless=True)
        resp = err.response()
        resp.headers["Allow"] = allowed
        return resp

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        resp = jsonify(
            {
                "errorKey": f"rest-http-{status}",
                "messageTranslations": {"en": error.description or ""},
                "httpCode": status,
                "httpReason": HTTP_STATUS_CODES.get(status, "Error"),
            }
        )
        resp.status_code = status
        return resp

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, UNAVAILABLE):
            log.warning("storage unavailable (request %s): %s", getattr(g, "request_id", "-"), error)
            resp = ApiError(503, "campaignevents-rest-unavailable").response()
            resp.headers["Retry-After"] = "5"
            return resp
        request_id = getattr(g, "request_id", "-")
        log.exception("unhandled error (request %s)", request_id, exc_info=error)
        return ApiError(500, "campaignevents-rest-internal-error", request_id).response()
