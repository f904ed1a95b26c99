"""Chinese and English names of what the case pages show: statuses, programmes, tiers, services, actions, facts,
and the services' refusals.

Application statuses and timeline steps are named by the workflow's own tables (`workflow.STATUS_LABELS`,
`TRANSITIONS`), and tiers, programmes, honours and services by talent.rules.names (`TIERS`, `PROGRAMMES`,
`HONOURS`, `SERVICES`), so the pages, the PDFs and the API never disagree; everything else has Chinese msgids
with English in the `cases` catalogue. A code without a name is shown as it is rather than failing, so a new
status or action never breaks a page — it only looks unnamed until it is named here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _

from talent.i18n import current_language
from talent.names import codes as names_codes
from talent.names import workflow as names_workflow
from talent.names.policy import FACT_LABELS, HONOURS, PROGRAMMES, SERVICES, TIERS, fact_label
from talent.names.refusals import REFUSALS, Refusal
from talent.services.workflow import ACTION_LABELS, LOCAL_TIMEZONE, STATUS_LABELS, TRANSITIONS

# The badge colour of each application status (the names come from `workflow.STATUS_LABELS`).
STATUS_TONES: dict[str, str] = {
    "awaiting_endorsement": "info",
    "endorsement_declined": "bad",
    "in_review": "info",
    "changes_requested": "warn",
    "awaiting_confirmation": "info",
    "under_notice": "warn",
    "granted": "ok",
    "rejected": "bad",
    "withdrawn": "",
    "revoked": "bad",
}

# Every name below comes from talent.names (one home for names); these views keep the old module attributes.
CARD_STATUS_LABELS: dict[str, Any] = names_workflow.CARD_STATUSES
CARD_STATUS_TONES = {"active": "ok", "revoked": "bad", "expired": ""}

INSTALMENT_STATUS_LABELS: dict[str, Any] = names_workflow.INSTALMENT_STATUSES
INSTALMENT_STATUS_TONES = {"due": "info", "paid": "ok", "cancelled": ""}

OBJECTION_STATUS_LABELS: dict[str, Any] = names_workflow.OBJECTION_STATUSES
OBJECTION_STATUS_TONES = {"pending": "warn", "upheld": "bad", "dismissed": ""}

AUDIT_ACTION_LABELS: dict[str, Any] = names_workflow.AUDIT_ACTIONS
CHANGE_FIELD_LABELS: dict[str, Any] = names_workflow.CHANGE_FIELDS
CLOCK_KIND_LABELS: dict[str, Any] = names_workflow.CLOCK_KINDS
EDUCATION_LABELS: dict[str, Any] = names_codes.EDUCATION
EMPLOYER_KIND_LABELS: dict[str, Any] = names_codes.EMPLOYER_KINDS
TITLE_LABELS: dict[str, Any] = names_codes.TITLES
ROLE_KIND_LABELS: dict[str, Any] = names_codes.ROLE_KINDS


def _label(table: dict[str, Any], code: Any) -> str:
    """A code's name from a {code: {"zh", "en"}} table of talent.names in the page's language."""
    if code is None:
        return "—"
    key = getattr(code, "value", code)
    names = table.get(key)
    return names[current_language()] if names else str(key)


def _named(table: dict[str, dict[str, str]], code: str) -> str:
    """`code`'s name in a {code: {"zh", "en"}} table of talent.rules.names, in the page's language."""
    names = table.get(code)
    return names[current_language()] if names else code


def _bilingual(pair: tuple[str, str] | None, fallback: str) -> str:
    if pair is None:
        return fallback
    return pair[1] if current_language() == "en" else pair[0]


def status_name(code: Any) -> str:
    key = getattr(code, "value", code)
    return _bilingual(STATUS_LABELS.get(key), str(key))


def status_tone(code: Any) -> str:
    return STATUS_TONES.get(getattr(code, "value", code), "")


def tier_name(tier: str | None) -> str:
    """"B 类 · 国家级领军人才" / "Tier B · national leading talent"; no tier has its own words."""
    if not tier:
        return _("未认定人才层次")
    return _("%(tier)s 类 · %(name)s", tier=tier, name=_named(TIERS, tier))


def programme_name(code: str) -> str:
    return _named(PROGRAMMES, code)


def service_name(code: str) -> str:
    return _named(SERVICES, code)


def honour_name(code: str) -> str:
    return _named(HONOURS, code)


def card_status_name(code: Any) -> str:
    return _label(CARD_STATUS_LABELS, code)


def instalment_status_name(code: Any) -> str:
    return _label(INSTALMENT_STATUS_LABELS, code)


def objection_status_name(code: Any) -> str:
    return _label(OBJECTION_STATUS_LABELS, code)


def action_name(code: str) -> str:
    """An audit action (`application.approve`, `document.uploaded`, …) or a timeline action (`approve`)."""
    if code in AUDIT_ACTION_LABELS:
        return _label(AUDIT_ACTION_LABELS, code)
    return _bilingual(ACTION_LABELS.get(code.removeprefix("application.")), code)


def change_field_name(path: str) -> str:
    """What a requested change concerns: a fact (named as the checker names it), documents, employer…"""
    if path in CHANGE_FIELD_LABELS:
        return _label(CHANGE_FIELD_LABELS, path)
    return fact_label(path, current_language())


def clock_kind_name(kind: str | None) -> str:
    return _label(CLOCK_KIND_LABELS, kind)


def reason_sentence(reason: dict[str, Any]) -> str:
    """The rule engine's own sentence in the page's language."""
    return str(reason.get(current_language()) or reason.get("zh") or reason.get("rule", ""))


def local_time(value: Any) -> str:
    """A moment (datetime or ISO text) as Changchun local time, "2026-03-02 14:05"; a date as itself."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite hands back naive UTC
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(LOCAL_TIMEZONE).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def local_day(value: Any) -> str:
    """Only the date part of `local_time`."""
    return local_time(value)[:10]


def yes_no(value: Any) -> str:
    if value is None:
        return "—"
    return _("是") if value else _("否")


def file_size(size: int) -> str:
    """Bytes in words a person reads: "820 B", "34 KB", "2.5 MB"."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def template_helpers() -> dict[str, Any]:
    """Everything the case templates call."""
    return {
        "status_name": status_name,
        "status_tone": status_tone,
        "tier_name": tier_name,
        "programme_name": programme_name,
        "service_name": service_name,
        "honour_name": honour_name,
        "card_status_name": card_status_name,
        "card_status_tone": lambda code: CARD_STATUS_TONES.get(getattr(code, "value", code), ""),
        "instalment_status_name": instalment_status_name,
        "instalment_status_tone": lambda code: INSTALMENT_STATUS_TONES.get(getattr(code, "value", code), ""),
        "objection_status_name": objection_status_name,
        "objection_status_tone": lambda code: OBJECTION_STATUS_TONES.get(getattr(code, "value", code), ""),
        "action_name": action_name,
        "local_time": local_time,
        "yes_no": yes_no,
        "file_size": file_size,
        "local_day": local_day,
        "change_field_name": change_field_name,
        "clock_kind_name": clock_kind_name,
        "reason_sentence": reason_sentence,
        "education_name": lambda code: _label(EDUCATION_LABELS, code),
        "fact_rows": fact_rows,
        "fact_value": fact_value,
        "step_label": step_label,
        "audit_action_name": audit_action_name,
        "title_name": lambda code: _label(TITLE_LABELS, code),
        "rule_values": rule_values,
        "rule_parameter": rule_parameter,
        "audit_changes": audit_changes,
        "reason_rows": reason_rows,
        "employer_kind_name": lambda code: _label(EMPLOYER_KIND_LABELS, code),
        "role_kind_name": lambda code: _label(ROLE_KIND_LABELS, code),
    }


def install_template_helpers(blueprint: Any) -> None:
    """Make the helpers Jinja globals when `blueprint` is registered (each case blueprint calls this; the
    globals are the same, so it does not matter which registers first, and pages of other areas that
    include a case partial find them too)."""

    def _install(state: Any) -> None:
        state.app.jinja_env.globals.update(template_helpers())

    blueprint.record_once(_install)


# --- the services' refusals in the reader's language ---------------------------------------------------------
# Services raise refusals by constant (talent.names.refusals): each carries its Chinese text, so a page shows it in
# its own language. A message that lost its type on the way (an older branch, a stored text) is matched by the
# one table's English wording; anything else is shown as the service wrote it.
_REFUSALS_BY_TEXT = {refusal.en: refusal for refusal in REFUSALS.values()}


def readable(message: str) -> str:
    """A service's refusal as the reader should see it."""
    language = current_language()
    if isinstance(message, Refusal):
        return message.text(language)
    refusal = _REFUSALS_BY_TEXT.get(message)
    return refusal.text(language) if refusal is not None else message


def readable_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {path: [readable(message) for message in messages] for path, messages in errors.items()}


# --- facts, rule values and audit snapshots as rows of a page ---------------------------------------------------

_MONEY_FACTS = {"annual_salary", "income_tax_last_year", "enterprise_revenue", "price"}


def fact_value(path: str, value: Any) -> str:
    """One fact's value in words: yes/no, division and code names, money in yuan."""
    name = path.rsplit(".", 1)[-1]
    if isinstance(value, bool):
        return yes_no(value)
    if value is None or value == "" or value == []:
        return "—"
    if name in ("employer_district", "district") and isinstance(value, str):
        if value not in names_codes.DIVISIONS:
            return value
        label = names_codes.division_label(value, current_language())
        return f"{label}（{value}）" if current_language() == "zh" else f"{label} ({value})"
    if name == "education":
        return _label(EDUCATION_LABELS, value)
    if name == "employer_kind":
        return _label(EMPLOYER_KIND_LABELS, value)
    if name == "role_kind":
        return _label(ROLE_KIND_LABELS, value)
    if name == "professional_title":
        return _label(TITLE_LABELS, value)
    if name == "honours" and isinstance(value, list):
        return names_codes.join((honour_name(code) for code in value), current_language())
    if name in _MONEY_FACTS and isinstance(value, int | float):
        return f"¥{int(value):,}"
    if isinstance(value, list):
        return names_codes.join((str(item) for item in value), current_language())
    return str(value)


def fact_rows(facts: dict[str, Any]) -> list[dict[str, str]]:
    """Facts (already masked) flattened to rows {path, label, value}, in the order the checker asks for them."""
    rows: list[dict[str, str]] = []

    def walk(container: dict[str, Any], prefix: str) -> None:
        for key, value in container.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(value, f"{path}.")
            else:
                rows.append({"path": path, "label": change_field_name(path), "value": fact_value(path, value)})

    walk(facts, "")
    order = {path: index for index, path in enumerate(FACT_LABELS)}
    return sorted(rows, key=lambda row: order.get(row["path"], len(order)))


def step_label(step: dict[str, Any]) -> str:
    """A timeline step's name. The same action can mean two steps (a first approval and a confirmation are
    both `approve`), so the name comes from the transition (from-status, action)."""
    transition = TRANSITIONS.get((step.get("from"), step.get("action")))
    if transition is not None:
        return _bilingual(transition.label, step.get("action", ""))
    label = step.get("label")
    if isinstance(label, dict):
        return str(label.get(current_language()) or label.get("zh"))
    return action_name(str(step.get("action", "")))


def audit_action_name(event: dict[str, Any]) -> str:
    """An audit event's action; a status change is named by its transition like the timeline."""
    action = str(event.get("action", ""))
    if action.startswith("application."):
        before = event.get("before") if isinstance(event.get("before"), dict) else {}
        return step_label({"from": before.get("status") if before else None, "action": action.removeprefix("application.")})
    return action_name(action)


def rule_values(values: Any) -> str:
    """The values a rule looked at, compactly: `contract_years = 5; full_time = 是`."""
    if not isinstance(values, dict) or not values:
        return ""
    return "; ".join(f"{key} = {fact_value(key, value)}" for key, value in values.items())


def rule_parameter(parameter: Any) -> str:
    """A rule's parameter with its effective date: `min_contract_years = 3（2022-01-01 起）`."""
    if not isinstance(parameter, dict) or "name" not in parameter:
        return ""
    value = parameter.get("value")
    shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if len(shown) > 80:
        shown = shown[:77] + "…"
    since = parameter.get("effective_from")
    return f"{parameter['name']} = {shown}" + (_("（%(date)s 起）", date=since) if since else "")


def audit_changes(before: Any, after: Any) -> list[dict[str, str]]:
    """The fields an audit event changed, in words: [{field, before, after}], nested records (the answers of an
    application) compared field by field and named as the checker asks for them; the rule trace of a decision is
    summarised by its outcome, never shown as JSON. A creation lists its fields with no before."""
    old_leaves, new_leaves = _leaves(before), _leaves(after)
    changes = []
    for key in list(new_leaves) + [k for k in old_leaves if k not in new_leaves]:
        old, new = old_leaves.get(key), new_leaves.get(key)
        if old == new or key.endswith("_id"):  # who acted is in its own column; record ids mean nothing to people
            continue
        changes.append({"field": _audit_field(key), "before": _audit_value(key, old), "after": _audit_value(key, new)})
    return changes


# Parts of a stored decision that are its explanation, not its outcome.
_DECISION_DETAIL = {"reasons", "missing", "open", "age"}


def _leaves(record: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(record, dict):
        return {}
    found: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if key in _DECISION_DETAIL and prefix.startswith("decision"):
            continue
        if isinstance(value, dict) and value and key not in ("parameter",):
            found.update(_leaves(value, f"{path}."))
        else:
            found[path] = value
    return found


def _audit_field(path: str) -> str:
    """An audited field for people: a fact by its question, a programme by its name, other fields by name."""
    language = current_language()
    parts = path.split(".")
    fact = ".".join(parts[1:]) if parts[0] == "facts" else path
    if fact in FACT_LABELS:
        return FACT_LABELS[fact][language]
    if parts[0] == "decision" and len(parts) >= 3 and parts[1] == "programmes" and parts[2] in PROGRAMMES:
        name = PROGRAMMES[parts[2]][language]
        rest = ".".join(parts[3:])
        return f"{name} · {_audit_word(rest)}" if rest else name
    if parts[0] == "decision" and len(parts) == 2:
        return _audit_word(parts[1])
    return _audit_word(path)


_AUDIT_EXTRA_WORDS: dict[str, dict[str, str]] = {
    "eligible": {"zh": "是否符合", "en": "Eligible"},
    "in_force": {"zh": "本版政策实施", "en": "In force"},
    "total": {"zh": "总额", "en": "Total"},
    "monthly": {"zh": "每月", "en": "Monthly"},
    "months": {"zh": "月数", "en": "Months"},
    "instalments": {"zh": "分期", "en": "Instalments"},
    "services": {"zh": "服务项目", "en": "Services"},
    "monthly_rent": {"zh": "月租", "en": "Monthly rent"},
    "max_months": {"zh": "最长月数", "en": "Longest lease (months)"},
    "application_date": FACT_LABELS["application_date"],
}


def _audit_word(key: str) -> str:
    names = names_workflow.AUDIT_FIELDS.get(key) or _AUDIT_EXTRA_WORDS.get(key)
    return names[current_language()] if names else key


def _audit_value(key: str, value: Any) -> str:
    if value is None:
        return "—"
    last = key.rsplit(".", 1)[-1]
    if last == "status" and isinstance(value, str):
        if value in names_workflow.STATUSES:
            return status_name(value)
        return _label({**INSTALMENT_STATUS_LABELS, **OBJECTION_STATUS_LABELS, **CARD_STATUS_LABELS}, value)
    if last == "tier" and (value is None or value in TIERS):
        return tier_name(value)
    if last == "track":
        return _("高校毕业生政策") if value == "graduate" else str(value)
    if last == "outcome" and value in names_workflow.OUTCOMES:
        return _label(names_workflow.OUTCOMES, value)
    if last == "stage" and value in names_workflow.STAGES:
        return _label(names_workflow.STAGES, value)
    if last == "eligible_programmes" and isinstance(value, list):
        return names_codes.join((programme_name(code) for code in value), current_language())
    if last in ("refund_owed",) and isinstance(value, int | float):
        return f"¥{int(value):,}"
    if isinstance(value, bool):
        return yes_no(value)
    if last == "services" and isinstance(value, list):
        return names_codes.join((service_name(code) for code in value), current_language())
    if last == "instalments" and isinstance(value, list):
        return names_codes.join((f"{item.get('due_date')} ¥{int(item.get('amount', 0)):,}" for item in value
                                 if isinstance(item, dict)), current_language())
    if last in ("total", "amount", "monthly", "monthly_rent") and isinstance(value, int | float):
        return f"¥{int(value):,}"
    if isinstance(value, bool | int | float | str | list):
        return fact_value(key.removeprefix("facts."), value)
    return str(value)


def reason_rows(decision: Any) -> list[Any]:
    """The rule trace of a stored decision for people (the checker's words: rule names, values and parameters
    named, unanswered rules as such, derived values marked)."""
    from talent.services.eligibility_explain import explain_reasons

    if not isinstance(decision, dict) or "policy" not in decision:
        return []
    try:
        return explain_reasons(decision, current_language())
    except KeyError:  # a decision of a policy version no longer shipped: nothing to name it by
        return []
