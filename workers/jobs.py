"""Job functions. Each may run twice without harm and reports what it did."""

from __future__ import annotations

import logging
from dataclasses import asdict

from api.metrics import counted
from workers import runtime

log = logging.getLogger("campaignevents.jobs")


@counted("aggregate_answers")
def aggregate_answers() -> dict[str, int]:
    """Aggregate every participant whose answers are due (scheduled; also ``aggregate-answers``)."""
    services = runtime.services()
    # The due list comes from the read models: bring them up to the log's head first (safe beside
    # a running projector: batches apply exactly once).
    services.projector.catch_up()
    report = services.app.aggregate_answers()
    log.info("aggregated answers: %s", report)
    return asdict(report)
