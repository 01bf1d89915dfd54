"""The DatePoll dialect (issue 16): its blueprint under ``/api`` (``blueprint.py``: the feature
switch, DatePoll's tokens, its error shape), the event routes (``events.py``), the administration
of audiences and presets (``admin.py``), what its web client needs around them (``client.py``),
request validation as Lumen answers it (``validate.py``), shapes (``present.py``), the writes in
the domain's commands (``writes.py``) and its texts (``texts.py``)."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The blueprint with every route registered."""
    from api.datepoll import admin, client, events  # noqa: F401  (each registers its routes)
    from api.datepoll.blueprint import bp

    return bp
