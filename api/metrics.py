"""The web process's Prometheus instrument (request latency). The jobs' counter lives in
``workers/metrics.py``, the projector's lag in ``projections/metrics.py``: an instrument lives in
the layer whose code it measures, so inner layers never import this one."""

from __future__ import annotations

from prometheus_client import Histogram

REQUEST_SECONDS = Histogram(
    "campaignevents_http_request_duration_seconds",
    "Request latency by route",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
