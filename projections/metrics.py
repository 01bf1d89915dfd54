"""The projector's Prometheus instrument: how far the read models are behind the log (set where
it is measured: ``/readyz`` and ``/metrics`` of the web process). Outer layers read it; it imports
nothing of theirs."""

from __future__ import annotations

from prometheus_client import Gauge

LAG = Gauge(
    "campaignevents_projector_lag", "Log positions not yet applied", ["projection"], multiprocess_mode="max"
)
