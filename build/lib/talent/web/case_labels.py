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
from flask_babel import lazy_gettext as _l

from talent.i18n import current_language
from talent.rules import HONOURS, PROGRAMMES, SERVICES, TIERS
from talent.services.eligibility import FACT_LABELS, fact_label
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

CARD_STATUS_LABELS: dict[str, Any] = {"active": _l("有效"), "revoked": _l("已撤销"), "expired": _l("已过期")}
CARD_STATUS_TONES = {"active": "ok", "revoked": "bad", "expired": ""}

INSTALMENT_STATUS_LABELS: dict[str, Any] = {"due": _l("待发放"), "paid": _l("已发放"), "cancelled": _l("已取消")}
INSTALMENT_STATUS_TONES = {"due": "info", "paid": "ok", "cancelled": ""}

OBJECTION_STATUS_LABELS: dict[str, Any] = {
    "pending": _l("待处理"),
    "upheld": _l("异议成立"),
    "dismissed": _l("异议不成立"),
}
OBJECTION_STATUS_TONES = {"pending": "warn", "upheld": "bad", "dismissed": ""}

# Audit actions that are not status changes (those are named by `workflow.ACTION_LABELS`).
AUDIT_ACTION_LABELS: dict[str, Any] = {
    "document.uploaded": _l("上传证明材料"),
    "objection.filed": _l("提出公示异议"),
    "objection.dismissed": _l("异议不成立"),
    "objection.upheld": _l("异议成立"),
    "instalment.paid": _l("补贴已发放"),
    "instalment.cancelled": _l("补贴取消发放"),
    "card.issued": _l("发放尊享卡"),
    "card.revoked": _l("撤销尊享卡"),
}

# What a request for changes can name besides a fact path.
CHANGE_FIELD_LABELS: dict[str, Any] = {
    "documents": _l("证明材料"),
    "employer": _l("用人单位"),
    "other": _l("其他"),
}

CLOCK_KIND_LABELS: dict[str, Any] = {
    "endorsement": _l("单位确认时限"),
    "review": _l("审核时限"),
    "notice": _l("公示期"),
}

EDUCATION_LABELS: dict[str, Any] = {
    "doctor": _l("博士研究生"),
    "master": _l("硕士研究生"),
    "bachelor": _l("大学本科"),
    "college": _l("大学专科"),
    "none": _l("专科以下"),
}
EMPLOYER_KIND_LABELS: dict[str, Any] = {
    "enterprise": _l("企业"),
    "public_institution": _l("事业单位"),
    "government": _l("党政机关"),
}
TITLE_LABELS: dict[str, Any] = {
    "none": _l("无职称"),
    "junior": _l("初级职称"),
    "intermediate": _l("中级职称"),
    "associate_senior": _l("副高级职称"),
    "full_senior": _l("正高级职称"),
}
ROLE_KIND_LABELS: dict[str, Any] = {
    "professional": _l("专业技术或经营管理岗位"),
    "administrative": _l("管理岗位（行政）"),
    "civil_servant": _l("公务员（含参照管理）"),
}


def _label(table: dict[str, Any], code: Any) -> str:
    if code is None:
        return "—"
    key = getattr(code, "value", code)
    return str(table.get(key, key))


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
        return str(AUDIT_ACTION_LABELS[code])
    return _bilingual(ACTION_LABELS.get(code.removeprefix("application.")), code)


def change_field_name(path: str) -> str:
    """What a requested change concerns: a fact (named as the checker names it), documents, employer…"""
    if path in CHANGE_FIELD_LABELS:
        return str(CHANGE_FIELD_LABELS[path])
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
        "step_label": step_label,
        "audit_action_name": audit_action_name,
        "title_name": lambda code: _label(TITLE_LABELS, code),
        "rule_values": rule_values,
        "rule_parameter": rule_parameter,
        "audit_changes": audit_changes,
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
# Services speak English (the API's language). Pages show Chinese by default: the refusals a person can meet
# on these pages are named here; English readers get the service's own sentence, and an unknown message is
# shown as the service wrote it rather than hidden.
SERVICE_MESSAGES: dict[str, Any] = {
    "No employer is registered on the platform with this credit code.":
        _l("平台上没有以此统一社会信用代码注册的单位。请核对代码，或请单位先在平台注册并通过认证。"),
    "This employer has not been verified by the bureau yet.":
        _l("该单位尚未通过人才服务部门认证，暂不能为申请出具意见。"),
    "Must be the employer's unified social credit code.": _l("请填写用人单位的统一社会信用代码。"),
    "You already have an open application; follow it or withdraw it first.":
        _l("您已有一件正在办理的申请，请先办结或撤回后再申请。"),
    "The employer can only be changed after it declined; withdraw and apply again instead.":
        _l("只有单位不予确认后才能更换单位；如需更换，请撤回后重新申请。"),
    "Required when declining: the applicant reads it.": _l("不予确认时请说明原因（申请人会看到）。"),
    "Upload a PDF, JPEG or PNG file.": _l("只接受 PDF、JPEG 或 PNG 文件（按文件内容识别，而不是文件名）。"),
    "At most 10 MB.": _l("文件不能超过 10 MB，请压缩或分成几份后再上传。"),
    "The file is empty.": _l("文件是空的，请重新选择。"),
    "Evidence can no longer be added to this application.": _l("当前办理阶段不能再补充材料。"),
    "You approved this case; a second, different officer must confirm or overrule it.":
        _l("您已对本件作出初审通过，须由另一位审核人员复核。"),
    "An officer cannot decide their own application.": _l("审核人员不能审核本人的申请。"),
    "An officer cannot resolve objections to their own application.": _l("审核人员不能处理针对本人申请的异议。"),
    "Not listed in the earlier request and not changed since: every item must be listed at once (一次性告知).":
        _l("此项在上次补正通知中没有列出，申请人也没有修改：补正事项须一次性告知。"),
    "This case is not under public notice.": _l("此件不在公示期内，不能提出异议。"),
    "This objection has already been resolved.": _l("此异议已经处理过了。"),
    "Someone else changed this case at the same moment.": _l("其他人刚刚处理了此件，您的操作未执行。"),
    "The case has changed since you loaded it; reload it and decide again.":
        _l("您打开页面后此件有了变化（例如申请人补充了材料），请查看下方最新情况后再作决定。"),
    "Another officer decided this case at the same moment; reload it and decide again.":
        _l("另一位审核人员刚刚对此件作出了决定，请查看下方最新情况。"),
    "Only the applicant may add evidence to this application.": _l("只有申请人本人可以补充材料。"),
    "There is no decision to put in a letter yet.": _l("还没有作出决定，暂无决定书。"),
    "Payments are recorded only for granted cases.": _l("只有已认定的案件才能登记补贴发放。"),
    "Only the employer named in the application may endorse it.": _l("只有申请中填写的用人单位可以出具意见。"),
}
# Messages that carry a variable part, recognised by their beginning.
SERVICE_MESSAGE_PREFIXES: list[tuple[str, Any]] = [
    ("This step does not apply to a case that is", _l("此件的状态已经变化，这一步不再适用。")),
    ("This instalment is already", _l("这一期补贴已经处理过了。")),
    ("An application holds at most", _l("每件申请最多上传 30 份材料。")),
    ("The file is larger than", _l("文件不能超过 10 MB，请压缩或分成几份后再上传。")),
    ("At most", _l("内容过长，请精简后再提交。")),
]


def readable(message: str) -> str:
    """A service's refusal as the reader should see it."""
    if current_language() == "en":
        return message
    if message in SERVICE_MESSAGES:
        return str(SERVICE_MESSAGES[message])
    for prefix, text in SERVICE_MESSAGE_PREFIXES:
        if message.startswith(prefix):
            return str(text)
    return message


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
        from talent.codes import DIVISIONS

        return f"{DIVISIONS[value]}（{value}）" if value in DIVISIONS else value
    if name == "education":
        return _label(EDUCATION_LABELS, value)
    if name == "employer_kind":
        return _label(EMPLOYER_KIND_LABELS, value)
    if name == "role_kind":
        return _label(ROLE_KIND_LABELS, value)
    if name == "professional_title":
        return _label(TITLE_LABELS, value)
    if name == "honours" and isinstance(value, list):
        return "、".join(honour_name(code) for code in value)
    if name in _MONEY_FACTS and isinstance(value, int | float):
        return f"¥{int(value):,}"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
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
    """The fields an audit event changed: [{field, before, after}] (a creation lists its fields with no before)."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    changes = []
    for key in list(after) + [k for k in before if k not in after]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        changes.append({"field": key, "before": _audit_value(key, old), "after": _audit_value(key, new)})
    return changes


def _audit_value(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key == "status" and isinstance(value, str):
        return f"{status_name(value)}" if value in STATUS_LABELS else _label(
            {**INSTALMENT_STATUS_LABELS, **OBJECTION_STATUS_LABELS, **CARD_STATUS_LABELS}, value)
    if isinstance(value, dict | list):
        import json

        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        return text if len(text) <= 120 else text[:117] + "…"
    return str(value)
