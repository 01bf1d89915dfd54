"""The Invision Community calendar dialect (issue 17): its routes under ``/api/`` and
``/api/index.php?/…`` (``blueprint.py``: the switch, the keys, the dispatch and the error shape),
form parsing with bracketed nesting (``forms.py``), the event, RSVP and calendar endpoints
(``events.py``, ``rsvps.py``, ``calendars.py``), the output objects (``present.py``), its codes and
messages (``texts.py``) and the read model its list needs (``index.py``)."""

from __future__ import annotations

from typing import Any


def blueprint() -> Any:
    """The blueprint with every endpoint registered."""
    import importlib

    for name in ("events", "rsvps", "calendars"):  # each registers its endpoints
        importlib.import_module(f"api.invision.{name}")
    from api.invision.blueprint import bp

    return bp
