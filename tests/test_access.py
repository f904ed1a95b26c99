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


# The public surface is a deliberate list: a new public endpoint must be added here on purpose.
PUBLIC_ENDPOINTS = {
    "api_docs.docs_page", "auth.register", "auth.token", "cards.verify", "cards_public.verify",
    "cards_public.verify_form", "eligibility.form", "eligibility.reset", "eligibility.result", "jobs.get_job",
    "jobs.search_jobs", "jobs_pages.detail", "jobs_pages.search", "policies.assess", "policies.policies",
    "public.home", "public.login", "public.register", "public_notice.index", "system.healthz",
}
# Password reset (by the e-mailed link) and the second sign-in step are public on purpose.
PUBLIC_ENDPOINTS |= {
    "credentials.request_reset", "credentials.reset", "credentials.second_factor",
    "credentials_api.request_reset", "credentials_api.reset",
}
PUBLIC_ENDPOINTS |= {"eligibility.restore"}  # issue 15: the checker's saved-answers link (nothing stored)
# Issue 11: youth-apartment communities and rounds are public (docs/policy.md §9: anyone can re-run a round).
PUBLIC_ENDPOINTS |= {"apartments.communities", "apartments.get_round", "apartments.round_inputs",
                     "apartment_pages.index", "apartment_pages.round_page"}
# issue 12: recruitment events are public (drafts answer 404 to anyone but their organiser); so is the list of
# training bases
PUBLIC_ENDPOINTS |= {"events.list_events", "events.get_event", "event_pages.index", "event_pages.detail",
                     "training_bases.list_bases"}


def test_only_intended_views_are_public(app):
    public = {e for e, v in app.view_functions.items() if getattr(v, "talent_access", None) == ("anyone",)}
    assert public == PUBLIC_ENDPOINTS
