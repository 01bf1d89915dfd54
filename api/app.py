"""The Flask app factory: ``create_app()`` for gunicorn, ``create_app(settings, services)`` for tests."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

from api import auth, cors, errors, ops
from api.bootstrap import Services, build_services, init_store
from api.config import Settings
from api.datepoll import blueprint as datepoll_blueprint
from api.invision import blueprint as invision_blueprint
from api.openapi import bp as openapi_bp
from api.routes.answers import bp as answers_bp
from api.routes.auth import bp as auth_bp
from api.routes.content import bp as content_bp
from api.routes.docs import bp as docs_bp
from api.routes.email import bp as email_bp
from api.routes.history import bp as history_bp
from api.routes.listings import bp as listings_bp
from api.routes.organizers import bp as organizers_bp
from api.routes.participants import bp as participants_bp
from api.routes.places import bp as places_bp
from api.routes.registrations import bp as registrations_bp
from api.routes.schedule import bp as schedule_bp
from api.routes.worklist import bp as worklist_bp
from api.wildapricot import blueprint as wildapricot_blueprint

MAX_BODY_BYTES = 1024 * 1024


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply for the parser is unreadable JSON (a
    ``ValueError``, which ``get_json(silent=True)`` reads as no body and every dialect answers in
    its own shape), never a ``RecursionError`` (a 500)."""

    def loads(self, s: str | bytes, **kwargs: object) -> object:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def create_app(
    settings: Settings | None = None,
    services: Services | None = None,
    *,
    init: bool = False,
    run_projector: bool = False,
) -> Flask:
    """Build the API. Without ``services`` it builds them from ``settings`` (or the environment);
    with ``init`` it first creates the tables (safe under concurrent starts); with
    ``run_projector`` the projector follows the log in a thread of this process (the embedded
    default; in production the Procfile's ``projector`` process does it)."""
    settings = settings or (services.settings if services else Settings.from_env())
    if services is None:
        if init:
            init_store(settings)
        services = build_services(settings)
    app = Flask("campaignevents")
    app.json = JsonProvider(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_NAME="campaignevents_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.base_url and settings.base_url.startswith("https")),
        PERMANENT_SESSION_LIFETIME=timedelta(days=30),
    )
    app.extensions["campaignevents"] = services  # in-process jobs already run on these (bootstrap)
    if settings.trusted_proxies > 0:  # the client's address (login throttle, logs) from X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    if run_projector:
        services.projector.start_thread()
    errors.install(app)
    app.before_request(_before)
    app.after_request(_after)
    blueprints = (
        registrations_bp,
        participants_bp,
        places_bp,
        organizers_bp,
        listings_bp,
        answers_bp,
        email_bp,
        worklist_bp,
        history_bp,
        schedule_bp,
        content_bp,
        auth_bp,
        openapi_bp,
        docs_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)
    app.register_blueprint(datepoll_blueprint())  # DatePoll's dialect under /api (api/datepoll/)
    app.register_blueprint(invision_blueprint())  # Invision's calendar under /api/calendar (api/invision/)
    app.register_blueprint(wildapricot_blueprint())  # Wild Apricot's /v2/..., /auth/token (api/wildapricot/)
    ops.install(app)
    cors.install(app, settings)
    ops.configure_logging()
    return app


def _before() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    app_services: Services = _services()
    if request.blueprint in ("invision", "wildapricot"):  # they read their own keys (api/<dialect>/)
        g.caller = auth.Caller(None, auth.ANONYMOUS)
        return
    g.caller = auth.identify(
        request.headers.get("Authorization"),
        app_services.app.account_by_token,
        app_services.app.account,
    )


def _after(response: Response) -> Response:
    response.headers["X-Request-Id"] = getattr(g, "request_id", "-")
    return response


def _services() -> Services:
    from api.context import services

    return services()
