"""The online eligibility checker for anonymous applicants: a form, then a result page in plain words.

POST-redirect-GET: a valid submission keeps the facts in the session (never in the database, and without
the ID number) and redirects to the result page, which decides them again. So reloading does not resubmit,
the language switch works on the result page, and a later "apply" feature can prefill from
``session["eligibility_facts"]``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from talent import codes
from talent.auth import allow_anyone
from talent.i18n import current_language
from talent.rules.names import HONOURS, TIERS
from talent.services.eligibility import (
    EligibilityInputError,
    assess_facts,
    explain_reasons,
    fact_label,
    facts_for_session,
    list_policies,
    service_names,
    summarise_programmes,
    tier_label,
    what_would_change,
)
from talent.web.eligibility_forms import (
    EligibilityForm,
    facts_from_form,
    field_for_path,
    form_data_from_facts,
)

bp = Blueprint("eligibility", __name__)

SESSION_KEY = "eligibility_facts"


def _attach_errors(form: EligibilityForm, errors: dict[str, list[str]]) -> list[str]:
    """Put each message next to the field it concerns; return those that concern no single field."""
    general: list[str] = []
    for path, messages in errors.items():
        name = path if path in form._fields else field_for_path(path)
        if name is None:
            general.extend(messages)
            continue
        form[name].errors = list(form[name].errors) + list(messages)
    return general


def _birth_date_from_id(form: EligibilityForm) -> None:
    """The ID number is not written back into the page; its birth date is, so a re-check needs no retyping."""
    if form.id_number.data and not form.birth_date.data:
        try:
            form.birth_date.data = codes.parse_id_number(form.id_number.data)[0].isoformat()
        except ValueError:
            pass


@bp.route("/eligibility", methods=["GET", "POST"])
@allow_anyone
def form():
    saved = session.get(SESSION_KEY)
    form = EligibilityForm(data=form_data_from_facts(saved) if saved else None)
    general_errors: list[str] = []
    if form.validate_on_submit():
        facts, problems = facts_from_form(form)
        # The engine judges the other answers even when one is not a number, so that every problem is
        # shown at once rather than one per submission.
        try:
            assess_facts(facts, reasons=False)
        except EligibilityInputError as error:
            engine_errors = error.errors_zh if current_language() == "zh" else error.errors
            problems = {**engine_errors, **problems}
        else:
            if not problems:
                session[SESSION_KEY] = facts_for_session(facts)
                return redirect(url_for(".result"))
        general_errors = _attach_errors(form, problems)
        if not form.id_number.errors:
            _birth_date_from_id(form)
    has_errors = bool(general_errors or form.errors)
    return (
        render_template("eligibility/form.html", form=form, general_errors=general_errors,
                        honour_groups=_honour_groups(), has_errors=has_errors),
        422 if has_errors else 200,
    )


@bp.route("/eligibility/result", methods=["GET"])
@allow_anyone
def result():
    facts = session.get(SESSION_KEY)
    if not facts:
        return redirect(url_for(".form"))
    try:
        decision = assess_facts(facts)
    except EligibilityInputError:
        # Facts kept from an earlier visit that the policy no longer accepts: ask again rather than fail.
        session.pop(SESSION_KEY, None)
        flash(_("之前填写的信息已失效，请重新填写。"), "warning")
        return redirect(url_for(".form"))
    language = current_language()
    policy = next((p for p in list_policies() if p["id"] == decision["policy"]), None)
    return render_template(
        "eligibility/result.html",
        decision=decision,
        language=language,
        policy=policy,
        tier_text=tier_label(decision["tier"], language),
        programmes=summarise_programmes(decision),
        card_services=service_names(decision["programmes"]["privilege_card"]["services"], language),
        changes=what_would_change(facts, decision),
        missing=[_missing_item(item, language) for item in decision.get("missing", [])],
        reasons=explain_reasons(decision, language),
        fact_label=lambda path: fact_label(path, language),
    )


@bp.route("/eligibility/reset", methods=["POST"])
@allow_anyone
def reset():
    session.pop(SESSION_KEY, None)
    return redirect(url_for(".form"))


def _missing_item(item: dict[str, str], language: str) -> dict[str, Any]:
    field = field_for_path(item["fact"])
    return {
        "label": fact_label(item["fact"], language),
        "fact": item["fact"],
        "anchor": url_for(".form", _anchor=field) if field else None,
    }


def _honour_groups() -> list[dict[str, Any]]:
    """Honour checkboxes grouped the way POLICY.md section 3 lists them, so people find theirs quickly."""
    groups = {
        "A": ["academician_cas", "academician_cae", "nobel_prize", "turing_award", "fields_medal",
              "state_supreme_st_award"],
        "B": ["national_talent_programme", "national_st_award_first", "state_council_special_allowance",
              "china_skills_award"],
        "C": ["provincial_talent_programme", "national_st_award_second", "provincial_st_award_first",
              "national_technical_expert"],
    }
    language = current_language()
    return [
        {"title": _tier_heading(tier, language),
         "honours": [{"code": code, "name": HONOURS[code][language]} for code in group]}
        for tier, group in groups.items()
    ]


def _tier_heading(tier: str, language: str) -> str:
    """"A 类（顶尖人才）" / "Tier A (top talent)", the tier named by talent.rules.names.TIERS."""
    name = TIERS[tier][language]
    return f"{tier} 类（{name}）" if language == "zh" else f"Tier {tier} ({name})"
