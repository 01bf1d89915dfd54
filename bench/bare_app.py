"""The raw baseline: a bare Flask app with one JSON route, served under the same gunicorn settings
as the API (``gunicorn --config api/gunicorn_conf.py "bench.bare_app:create_app()"``)."""

from __future__ import annotations

from flask import Flask, Response, jsonify

PATH = "/ok"


def create_app() -> Flask:
    app = Flask("bench-bare")
    app.json.compact = True  # type: ignore[attr-defined]  # as the API's app does

    @app.get(PATH)
    def ok() -> Response:
        return jsonify({"ok": True})

    return app
