"""The Wild Apricot dialect (issue 15): its blueprint (``blueprint.py``: addressing, the switch, bearer
tokens, the error envelope, JSON or XML), the token endpoint (``tokens.py``), the event routes
(``events.py``, reading ``reads.py`` over the dialect's index ``index.py``, writing through
``writes.py``), registrations, contacts and accounts (``registrations.py``), shapes (``present.py``),
the query language (``query.py``), the XML rendering (``xml.py``) and its texts (``messages.py``)."""

from __future__ import annotations

from flask import Blueprint


def blueprint() -> Blueprint:
    """The blueprint with every route registered."""
    from api.wildapricot import events, registrations, tokens  # noqa: F401  (each registers its routes)
    from api.wildapricot.blueprint import bp

    return bp
