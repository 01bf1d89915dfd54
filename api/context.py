"""Access to the services of the running app from request handlers."""

from __future__ import annotations

from flask import current_app

from api.bootstrap import Services


def services() -> Services:
    found: Services = current_app.extensions["campaignevents"]
    return found
