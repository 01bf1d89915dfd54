"""Prometheus metrics shared by the web, projector and worker processes (multiprocess mode when
PROMETHEUS_MULTIPROC_DIR is set, so one scrape of the web process sees them all on a host)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from prometheus_client import Counter, Gauge, Histogram

REQUEST_SECONDS = Histogram(
    "campaignevents_http_request_duration_seconds",
    "Request latency by route",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOBS = Counter("campaignevents_jobs_total", "Background jobs by outcome", ["job", "outcome"])
LAG = Gauge(
    "campaignevents_projector_lag", "Log positions not yet applied", ["projection"], multiprocess_mode="max"
)


F = TypeVar("F", bound=Callable[..., Any])


def counted(job: str) -> Callable[[F], F]:
    """Count a job function's runs by outcome (``succeeded`` / ``failed``)."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                result = func(*args, **kwargs)
            except BaseException:
                JOBS.labels(job, "failed").inc()
                raise
            JOBS.labels(job, "succeeded").inc()
            return result

        return cast(F, run)

    return wrap
