"""Every endpoint states who may call it, through one decorator."""

from __future__ import annotations

# Endpoints served by libraries, not by our views.
LIBRARY_ENDPOINTS = {"static", "api-docs.openapi_json"}


def test_every_view_declares_its_access(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in LIBRARY_ENDPOINTS and not hasattr(view, "talent_access")
    ]
    assert undeclared == []


def test_only_intended_views_are_public(app):
    public = sorted(e for e, v in app.view_functions.items() if getattr(v, "talent_access", None) == ("anyone",))
    # the public surface is a deliberate list; a new public endpoint must be added here on purpose
    allowed_prefixes = (
        "public.home", "public.login", "public.register", "system.", "auth.register", "auth.token",
        "api_docs.", "eligibility.", "policies.", "jobs.", "jobs_pages.", "public_notice.", "cards_public.",
        "cards.verify", "objections_public.",
    )
    assert [e for e in public if not e.startswith(allowed_prefixes)] == []
