"""Cross-origin requests from the browser origins in ``CAMPAIGNEVENTS_CORS_ORIGINS`` (none by default:
no CORS header at all). With a list of origins, browsers may send the session cookie
(``Access-Control-Allow-Credentials``); with ``*`` any origin may call, but never with credentials."""

from __future__ import annotations

import re

from flask import Flask, Response, request
from flask_cors import CORS

from api.config import Settings

# The API and the session routes; not /healthz, /metrics and the like.
RESOURCES = (r"/campaignevents/v0/.*", r"/auth/.*")
_RESOURCE = re.compile("|".join(RESOURCES))
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]


def install(app: Flask, settings: Settings) -> None:
    if not settings.cors_origins:
        return
    anyone = "*" in settings.cors_origins
    options = {
        "origins": "*" if anyone else list(settings.cors_origins),
        "send_wildcard": anyone,  # ``*`` itself, not the caller's origin echoed back
        "supports_credentials": not anyone,
        "methods": METHODS,
        "allow_headers": ["Authorization", "Content-Type"],
        "expose_headers": ["X-Request-Id"],
        "max_age": 600,
        "always_send": False,  # no Origin, no CORS headers (never the list of allowed origins)
        "intercept_exceptions": False,  # error answers pass through after_request already
    }
    CORS(app, resources={path: options for path in RESOURCES})
    if not anyone:

        @app.after_request
        def _vary(response: Response) -> Response:
            # the answer depends on Origin even when it is refused: a cache must not share it
            if _RESOURCE.match(request.path):
                response.vary.add("Origin")
            return response
