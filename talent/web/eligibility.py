"""The online eligibility checker for anonymous applicants: a form, then a result page in plain words.

POST-redirect-GET: a valid submission keeps the facts in the session (never in the database, and without
the ID number) and redirects to the result page, which decides them again. So reloading does not resubmit,
the language switch works on the result page, and a later "apply" feature can prefill from
``session["eligibility_facts"]``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from talent import codes
from talent.auth import allow_anyone
from talent.i18n import current_language
from talent.names.policy import HONOURS, TIERS
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
from talent.services.eligibility_explain import _policy_by_id
from talent.services.eligibility_states import three_state_result
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


# The engine's refusals that a person meets on the form, said the way the form asks (why the answer is needed,
# no internal codes); the others are shown in the page's language as the engine words them.
_FORM_MESSAGES = {
    ("birth_date", "is required when there is no id_number"): lambda: _(
        "出生日期用于计算年龄（人才层次和毕业生政策都有年龄上限）。请填写出生日期，或填写身份证号码由系统读取。"),
    ("graduation_date", "is required when education is not none"): lambda: _(
        "填写了学历时，请同时填写毕业日期（毕业生政策按毕业年限计算）。"),
}


def _page_messages(error: EligibilityInputError) -> dict[str, list[str]]:
    chinese = current_language() == "zh"
    messages: dict[str, list[str]] = {}
    for path, english in error.errors.items():
        zh = error.errors_zh.get(path, english)
        messages[path] = [
            _FORM_MESSAGES[(path, en)]() if (path, en) in _FORM_MESSAGES else (zh_text if chinese else en)
            for en, zh_text in zip(english, zh, strict=False)
        ]
    return messages


def _birth_date_from_id(form: EligibilityForm) -> None:
    """The ID number is not written back into the page; its birth date is, so a re-check needs no retyping."""
    if form.id_number.data and not form.birth_date.data:
        try:
            form.birth_date.data = codes.parse_id_number(form.id_number.data)[0].isoformat()
        except ValueError:
            pass


def _hire_facts() -> dict[str, Any] | None:
    from flask_login import current_user

    from talent.db import db
    from talent.models import Role
    from talent.services.hiring import employment_facts

    if not current_user.is_authenticated or current_user.role != Role.APPLICANT:
        return None
    facts = employment_facts(db.session, current_user)
    return {"employment": facts["employment"]} if facts else None


@bp.route("/eligibility", methods=["GET", "POST"])
@allow_anyone
def form():
    saved = session.get(SESSION_KEY)
    if not saved and request.method == "GET":
        # A graduate hired through the platform starts from the employment facts of that hire (issue 12).
        saved = _hire_facts()
    form = EligibilityForm(data=form_data_from_facts(saved) if saved else None)
    general_errors: list[str] = []
    if form.validate_on_submit():
        facts, problems = facts_from_form(form)
        # The engine judges the other answers even when one is not a number, so that every problem is
        # shown at once rather than one per submission.
        try:
            assess_facts(facts, reasons=False)
        except EligibilityInputError as error:
            engine_errors = _page_messages(error)
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
                        honour_groups=_honour_groups(), has_errors=has_errors,
                        revenue_salary_threshold=_revenue_salary_threshold()),
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
        verdicts=three_state_result(decision, language),
        question_anchor=_question_anchor,
        restore_url=url_for(".restore", answers=_encode_answers(facts), _external=True),
        reasons=explain_reasons(decision, language),
        fact_label=lambda path: fact_label(path, language),
    )


def _encode_answers(facts: dict[str, Any]) -> str:
    """The answers (never an ID number: the session keeps only the birth date) as URL-safe text."""
    text = json.dumps(facts, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_answers(text: str) -> dict[str, Any] | None:
    try:
        facts = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return facts if isinstance(facts, dict) else None


@bp.route("/eligibility/restore", methods=["GET"])
@allow_anyone
def restore():
    """A saved result link: the answers come back into the form and the result is decided again."""
    facts = _decode_answers(request.args.get("answers", ""))
    if facts is not None:
        try:
            assess_facts(facts, reasons=False)
        except EligibilityInputError:
            facts = None
    if facts is None:
        flash(_("这个链接中的回答无法读取，请重新填写。"), "warning")
        return redirect(url_for(".form"))
    session[SESSION_KEY] = facts_for_session(facts)
    return redirect(url_for(".result"))


def _question_anchor(fact: str) -> str | None:
    field = field_for_path(fact)
    return url_for(".form", _anchor=field) if field else None


@bp.route("/eligibility/reset", methods=["POST"])
@allow_anyone
def reset():
    session.pop(SESSION_KEY, None)
    return redirect(url_for(".form"))


def _revenue_salary_threshold() -> int:
    """The lowest salary at which the enterprise's revenue can matter (tier B enterprise route), over every policy
    version: below it the form does not ask for the revenue."""
    values = [value for summary in list_policies()
              for parameter in [_policy_by_id(summary["id"]).parameters.get("tier_b_min_annual_salary")]
              if parameter is not None for _start, value in parameter.values]
    return int(min(values)) if values else 0


def _honour_groups() -> list[dict[str, Any]]:
    """Honour checkboxes grouped the way docs/policy.md §3 lists them, so people find theirs quickly."""
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
