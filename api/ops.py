"""Operations: liveness and readiness, Prometheus metrics, a request id on every log line, and the
rate limit on password guessing."""

from __future__ import annotations

import logging
import os
import time
from contextlib import suppress
from typing import Any

from flask import Blueprint, Flask, Response, g, has_request_context, jsonify, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from api.context import services
from api.errors import ApiError
from api.metrics import LAG, REQUEST_SECONDS
from projections import catalog

bp = Blueprint("ops", __name__)
LOGIN_LIMIT = os.environ.get("CAMPAIGNEVENTS_LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
MAX_READY_LAG = int(os.environ.get("CAMPAIGNEVENTS_MAX_PROJECTOR_LAG", "5000"))

limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="moving-window")


class RequestIdFilter(logging.Filter):
    """Put the request id on every log record (``-`` outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(g, "request_id", "-") if has_request_context() else "-"
        return True


def configure_logging() -> None:
    root = logging.getLogger()
    if not any(isinstance(f, RequestIdFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s")
        )
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
        root.setLevel(logging.INFO)


def install(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", services_redis(app) or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.extensions["campaignevents"].settings.queue_name)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.register_blueprint(bp)

    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = getattr(g, "started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            REQUEST_SECONDS.labels(request.method, route, str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response

    @app.errorhandler(RateLimitExceeded)
    def _throttled(_: RateLimitExceeded) -> Response:
        return ApiError(429, "campaignevents-rest-login-throttled").response()


def services_redis(app: Flask) -> str | None:
    found: str | None = app.extensions["campaignevents"].settings.redis_url
    return found


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up and serving."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready when the event store, the read models and Redis (if configured) answer and the
    projector is not far behind."""
    checks: dict[str, Any] = {}
    ready = True
    s = services()
    try:
        head = s.app.recorder.max_notification_id() or 0
        checks["database"] = "ok"
    except Exception as error:
        head, ready = 0, False
        checks["database"] = f"error: {type(error).__name__}"
    try:
        lag = max(0, head - s.store.position(catalog.NAME))
        checks["projector_lag"] = lag
        LAG.labels(catalog.NAME).set(lag)
        ready = ready and lag <= MAX_READY_LAG
    except Exception as error:
        ready = False
        checks["read_models"] = f"error: {type(error).__name__}"
    if s.settings.redis_url:
        try:
            from redis import Redis

            Redis.from_url(s.settings.redis_url, socket_connect_timeout=1, socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as error:
            ready = False
            checks["redis"] = f"error: {type(error).__name__}"
    else:
        checks["redis"] = "not configured (jobs run in-process)"
    return jsonify({"status": "ok" if ready else "unavailable", "checks": checks}), 200 if ready else 503


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text format; across processes when PROMETHEUS_MULTIPROC_DIR is set."""
    s = services()
    with suppress(Exception):  # a scrape never fails for a database hiccup
        LAG.labels(catalog.NAME).set(
            max(0, (s.app.recorder.max_notification_id() or 0) - s.store.position(catalog.NAME))
        )
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, mimetype=CONTENT_TYPE_LATEST)
