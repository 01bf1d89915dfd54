"""Operations: liveness and readiness, Prometheus metrics, a request id on every log line, and the
throttle on password guessing."""

from __future__ import annotations

import hashlib
import logging
import os
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, has_request_context, jsonify, request
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from redis import RedisError

from api.context import services
from api.errors import ApiError
from api.metrics import REQUEST_SECONDS
from domain.errors import LoginFailed
from domain.validation import normalise_username
from projections import catalog
from projections.metrics import LAG

bp = Blueprint("ops", __name__)
THROTTLE = "campaignevents.login_throttle"
log = logging.getLogger("campaignevents.api")


class LoginThrottle:
    """Failed logins counted as MediaWiki's password throttle does: per account and client address,
    and per address, each in a moving window of ``(count, seconds)`` (a count of 0: no limit).
    Only failures count; a success clears the account's count. The counters live in Redis when
    one is configured (shared by every process of the deployment), in this process otherwise.
    When Redis does not answer, logins go through unthrottled (logged) rather than failing."""

    def __init__(
        self,
        per_account: tuple[int, int],
        per_address: tuple[int, int],
        redis_url: str | None = None,
        key_prefix: str = "campaignevents",
    ) -> None:
        self.storage: MemoryStorage | RedisStorage = (
            RedisStorage(redis_url, key_prefix=key_prefix, socket_connect_timeout=1, socket_timeout=1)
            if redis_url
            else MemoryStorage()
        )
        self.window = MovingWindowRateLimiter(self.storage)
        self.per_account = RateLimitItemPerSecond(per_account[0], per_account[1], "login-failures")
        self.per_address = RateLimitItemPerSecond(per_address[0], per_address[1], "login-failures")

    def _limits(self, name: str, address: str) -> list[tuple[RateLimitItemPerSecond, tuple[str, ...]]]:
        account = hashlib.sha256((normalise_username(name) or name).encode()).hexdigest()[:32]
        return [
            (item, ids)
            for item, ids in (
                (self.per_account, ("account", account, address)),
                (self.per_address, ("address", address)),
            )
            if item.amount > 0
        ]

    @contextmanager
    def attempt(self, name: str, address: str) -> Iterator[None]:
        """Around one login: refuses it (429, even with the right password) while a limit is reached,
        counts it when it fails (``LoginFailed``), clears the account's count when it succeeds."""
        wait = self.wait(name, address)
        if wait is not None:
            raise ApiError(429, "campaignevents-rest-login-throttled", headers={"Retry-After": str(wait)})
        try:
            yield
        except LoginFailed:
            self.failed(name, address)
            raise
        self.succeeded(name, address)

    def wait(self, name: str, address: str) -> int | None:
        """Seconds until the next attempt may be made, or None when it may be made now."""
        try:
            for item, ids in self._limits(name, address):
                if not self.window.test(item, *ids):
                    reset_at = self.window.get_window_stats(item, *ids).reset_time
                    return max(1, int(reset_at - time.time()) + 1)
        except RedisError as error:
            log.warning("login throttle unavailable, not throttling: %s", error)
        return None

    def failed(self, name: str, address: str) -> None:
        try:
            for item, ids in self._limits(name, address):
                self.window.hit(item, *ids)
        except RedisError as error:
            log.warning("login throttle unavailable, failure not counted: %s", error)

    def succeeded(self, name: str, address: str) -> None:
        try:
            for item, ids in self._limits(name, address):
                if item is self.per_account:
                    self.window.clear(item, *ids)
        except RedisError as error:
            log.warning("login throttle unavailable, count not cleared: %s", error)

    def reset(self) -> None:
        """Forget every count (of this deployment's prefix only, in Redis)."""
        self.storage.reset()


class _Throttles:
    """Every app's login throttle, so that tests can start afresh with ``limiter.reset()``."""

    def __init__(self) -> None:
        self.live: weakref.WeakSet[LoginThrottle] = weakref.WeakSet()

    def reset(self) -> None:
        for throttle in list(self.live):
            with suppress(RedisError):
                throttle.reset()


limiter = _Throttles()


def login_throttle() -> LoginThrottle:
    found: LoginThrottle = current_app.extensions[THROTTLE]
    return found


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
    settings = app.extensions["campaignevents"].settings
    throttle = LoginThrottle(
        settings.login_failures_per_account,
        settings.login_failures_per_address,
        services_redis(app),
        key_prefix=f"{settings.queue_name}:login-failures",
    )
    app.extensions[THROTTLE] = throttle
    limiter.live.add(throttle)
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
        ready = ready and lag <= s.settings.max_projector_lag
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
