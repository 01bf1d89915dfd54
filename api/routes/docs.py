"""GET /campaignevents/v0/docs: the OpenAPI document rendered by Swagger UI.

The page loads nothing from other hosts: Swagger UI's assets come from the ``swagger-ui-bundle``
package and are served from here, and its online validator (a badge fetched from swagger.io) is off.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import NotFound

bp = Blueprint("docs", __name__, url_prefix="/campaignevents/v0/docs")

# The assets the page uses (the package also ships an index page that points at a remote example).
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-16x16.png", "favicon-32x32.png"})
ASSET_MAX_AGE = 24 * 3600

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>CampaignEvents API</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" type="image/png" href="{icon}" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{js}"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: {spec},
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
}});
</script>
</body>
</html>
"""


@bp.get("")
def page() -> Response:
    html = PAGE.format(
        css=url_for("docs.asset", name="swagger-ui.css"),
        icon=url_for("docs.asset", name="favicon-32x32.png"),
        js=url_for("docs.asset", name="swagger-ui-bundle.js"),
        spec=json.dumps(url_for("openapi.openapi_json")),
    )
    return Response(html, mimetype="text/html")


@bp.get("/<name>")
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFound()
    return send_from_directory(swagger_ui_path, name, max_age=ASSET_MAX_AGE)
