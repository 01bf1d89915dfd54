"""A WSGI app that answers with the process id of the worker serving it (for the gunicorn test)."""

from __future__ import annotations

import os

from flask import Flask

app = Flask(__name__)


@app.get("/pid")
def pid() -> dict[str, int]:
    return {"pid": os.getpid()}
