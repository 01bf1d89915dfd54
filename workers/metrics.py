"""The jobs' Prometheus instruments (shared with the web process's ``/metrics``: multiprocess mode
when PROMETHEUS_MULTIPROC_DIR is set). An instrument lives in the layer whose code it measures;
outer layers may read inner layers' instruments, never the other way round."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from prometheus_client import Counter

JOBS = Counter("campaignevents_jobs_total", "Background jobs by outcome", ["job", "outcome"])

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
