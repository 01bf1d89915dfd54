"""Job functions. Each may run twice without harm and reports what it did; each takes the
process's ``JobContext`` first (see ``workers/context.py``), then ids."""

from __future__ import annotations

import logging
from dataclasses import asdict

from workers.context import JobContext
from workers.metrics import counted

log = logging.getLogger("campaignevents.jobs")


@counted("aggregate_answers")
def aggregate_answers(context: JobContext) -> dict[str, int]:
    """Aggregate every participant whose answers are due (scheduled; also ``aggregate-answers``)."""
    # The due list and the sealed answers come from the read models: bring them up to the log's head
    # first (safe beside a running projector: batches apply exactly once).
    context.projector.catch_up()
    report = context.app.aggregate_answers()
    log.info("aggregated answers: %s", report)
    return asdict(report)
