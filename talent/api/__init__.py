"""The JSON API under /api/v1 (flask-smorest): one blueprint per area, thin handlers that call services."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi


class Api(SmorestApi):
    def _register_error_handlers(self) -> None:
        # talent.errors answers every error (JSON envelope for the API, pages for browsers).
        pass


API_CONFIG = {
    "API_TITLE": "Changchun talent-services platform API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    # The docs page is our own template with bundled assets: the platform runs without external CDNs.
    "OPENAPI_SWAGGER_UI_PATH": None,
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Eligibility, applications, review, privilege cards and graduate job matching. "
            "Errors use one envelope {code, status, message, errors}; input errors are 422 with errors "
            "keyed by field path.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    },
}


def init_app(app: Flask) -> None:
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = Api(app)
    app.extensions["talent.api"] = api
    from talent.api import auth, docs, system

    for module in (system, auth, docs):
        api.register_blueprint(module.blp)
    for module in _area_modules():
        api.register_blueprint(module.blp)
    from talent.api import apartments, service_requests  # issue 11

    for module in (apartments, service_requests):
        api.register_blueprint(module.blp)
    from talent.api import events  # issue 12: recruitment events and training bases

    api.register_blueprint(events.blp)
    api.register_blueprint(events.bases_blp)
    from talent.api import hiring  # issue 12: applications to posts, pipeline, placements

    api.register_blueprint(hiring.blp)


def _area_modules() -> list:
    """Blueprints of later areas, registered when their modules exist."""
    import importlib

    modules = []
    for name in ("eligibility", "applications", "reviews", "cards", "employers", "jobs", "graduates",
                 "credentials", "statistics"):
        try:
            modules.append(importlib.import_module(f"talent.api.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"talent.api.{name}":
                raise
    return modules
