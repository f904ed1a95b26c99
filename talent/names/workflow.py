"""Names of the case workflow in Chinese and English: application statuses, the steps of the timeline (named by
transition, because one action can be two steps: a first approval and a confirmation are both ``approve``),
audit actions, the statuses of cards, instalments and objections, clocks, and what a request for changes names.

Pure data: the workflow (talent.services.workflow), the pages, the API, the PDFs and the CLI take their names
from here.
"""

from __future__ import annotations

Names = dict[str, str]

STATUSES: dict[str, Names] = {
    "awaiting_endorsement": {"zh": "待单位确认", "en": "Awaiting employer endorsement"},
    "endorsement_declined": {"zh": "单位未确认", "en": "Employer declined to endorse"},
    "in_review": {"zh": "审核中", "en": "In review"},
    "changes_requested": {"zh": "待补正材料", "en": "Changes requested"},
    "awaiting_confirmation": {"zh": "待复核", "en": "Awaiting second approval"},
    "under_notice": {"zh": "公示中", "en": "Under public notice"},
    "granted": {"zh": "已认定", "en": "Granted"},
    "rejected": {"zh": "未通过", "en": "Rejected"},
    "withdrawn": {"zh": "已撤回", "en": "Withdrawn"},
    "revoked": {"zh": "已撤销", "en": "Revoked"},
}

_WITHDRAWN = {"zh": "申请人撤回", "en": "Withdrawn by the applicant"}
# (from status, action) -> the step's name. None: a new application.
STEPS: dict[tuple[str | None, str], Names] = {
    (None, "submit"): {"zh": "提交申请", "en": "Application submitted"},
    ("awaiting_endorsement", "endorse"): {"zh": "单位确认", "en": "Endorsed by the employer"},
    ("awaiting_endorsement", "decline_endorsement"): {"zh": "单位不予确认", "en": "Employer declined to endorse"},
    ("endorsement_declined", "resubmit"): {"zh": "重新提交", "en": "Resubmitted"},
    ("in_review", "approve"): {"zh": "初审通过", "en": "Approved, awaiting a second officer"},
    ("in_review", "reject"): {"zh": "审核未通过", "en": "Rejected"},
    ("in_review", "request_changes"): {"zh": "一次性告知补正", "en": "Changes requested"},
    ("awaiting_confirmation", "approve"): {"zh": "复核通过，开始公示", "en": "Approval confirmed; public notice opened"},
    ("awaiting_confirmation", "reject"): {"zh": "复核未通过", "en": "Rejected at confirmation"},
    ("awaiting_confirmation", "request_changes"): {"zh": "复核要求补正", "en": "Changes requested at confirmation"},
    ("changes_requested", "resubmit"): {"zh": "补正后重新提交", "en": "Resubmitted with changes"},
    ("under_notice", "uphold_objection"): {"zh": "公示异议成立，重新审核", "en": "Objection upheld; back to review"},
    ("under_notice", "close_notice"): {"zh": "公示期满，予以认定", "en": "Notice period over; granted"},
    ("granted", "revoke"): {"zh": "撤销认定", "en": "Revoked"},
    ("awaiting_endorsement", "withdraw"): _WITHDRAWN,
    ("endorsement_declined", "withdraw"): _WITHDRAWN,
    ("in_review", "withdraw"): _WITHDRAWN,
    ("changes_requested", "withdraw"): _WITHDRAWN,
}

# Audit actions that are not status changes (those are named by STEPS).
AUDIT_ACTIONS: dict[str, Names] = {
    "document.uploaded": {"zh": "上传证明材料", "en": "Evidence uploaded"},
    "objection.filed": {"zh": "提出公示异议", "en": "Objection filed"},
    "objection.dismissed": {"zh": "异议不成立", "en": "Objection dismissed"},
    "objection.upheld": {"zh": "异议成立", "en": "Objection upheld"},
    "instalment.paid": {"zh": "补贴已发放", "en": "Instalment paid"},
    "instalment.cancelled": {"zh": "补贴取消发放", "en": "Instalment cancelled"},
    "card.issued": {"zh": "发放尊享卡", "en": "Card issued"},
    "card.revoked": {"zh": "撤销尊享卡", "en": "Card revoked"},
}

CARD_STATUSES: dict[str, Names] = {
    "active": {"zh": "有效", "en": "Valid"},
    "suspended": {"zh": "暂停", "en": "Suspended"},
    "revoked": {"zh": "已撤销", "en": "Revoked"},
    "expired": {"zh": "已过期", "en": "Expired"},
}
INSTALMENT_STATUSES: dict[str, Names] = {
    "due": {"zh": "待发放", "en": "Due"},
    "paid": {"zh": "已发放", "en": "Paid"},
    "cancelled": {"zh": "已取消", "en": "Cancelled"},
}
OBJECTION_STATUSES: dict[str, Names] = {
    "pending": {"zh": "待处理", "en": "Pending"},
    "upheld": {"zh": "异议成立", "en": "Upheld"},
    "dismissed": {"zh": "异议不成立", "en": "Dismissed"},
}
CLOCK_KINDS: dict[str, Names] = {
    "endorsement": {"zh": "单位确认时限", "en": "Endorsement deadline"},
    "review": {"zh": "审核时限", "en": "Review deadline"},
    "notice": {"zh": "公示期", "en": "Public notice period"},
}
# What a request for changes can name besides a fact path (facts are named by talent.names.policy.FACT_LABELS).
CHANGE_FIELDS: dict[str, Names] = {
    "documents": {"zh": "证明材料", "en": "Supporting documents"},
    "employer": {"zh": "用人单位", "en": "Employer"},
    "other": {"zh": "其他", "en": "Other"},
}

# Fields of the records an audit event shows (before → after), named for people.
AUDIT_FIELDS: dict[str, Names] = {
    "status": {"zh": "状态", "en": "Status"},
    "tier": {"zh": "人才层次", "en": "Talent tier"},
    "track": {"zh": "高校毕业生政策", "en": "Graduate track"},
    "employer_id": {"zh": "用人单位", "en": "Employer"},
    "employer": {"zh": "用人单位", "en": "Employer"},
    "facts": {"zh": "申请信息", "en": "Application answers"},
    "decision": {"zh": "测算结果", "en": "Decision"},
    "policy": {"zh": "政策版本", "en": "Policy version"},
    "policy_id": {"zh": "政策版本", "en": "Policy version"},
    "reason": {"zh": "理由", "en": "Reason"},
    "comment": {"zh": "说明", "en": "Comment"},
    "note": {"zh": "说明", "en": "Note"},
    "items": {"zh": "补正事项", "en": "Items to change"},
    "amount": {"zh": "金额", "en": "Amount"},
    "due_date": {"zh": "应发日期", "en": "Due date"},
    "paid_on": {"zh": "发放日期", "en": "Paid on"},
    "paid_at": {"zh": "发放时间", "en": "Paid at"},
    "reference": {"zh": "凭证号", "en": "Reference"},
    "card_number": {"zh": "卡号", "en": "Card number"},
    "valid_from": {"zh": "有效期起", "en": "Valid from"},
    "valid_until": {"zh": "有效期至", "en": "Valid until"},
    "notice_starts_on": {"zh": "公示开始", "en": "Notice starts"},
    "notice_ends_on": {"zh": "公示结束", "en": "Notice ends"},
    "filename": {"zh": "文件名", "en": "File name"},
    "kind": {"zh": "类别", "en": "Kind"},
    "size": {"zh": "大小", "en": "Size"},
    "version": {"zh": "版本", "en": "Version"},
    "submitted_at": {"zh": "提交时间", "en": "Submitted at"},
    "decided_at": {"zh": "决定时间", "en": "Decided at"},
    "programmes": {"zh": "各项政策", "en": "Programmes"},
    "review_round": {"zh": "审核轮次", "en": "Review round"},
    "endorsement_due_on": {"zh": "单位确认期限", "en": "Endorsement due by"},
    "review_due_on": {"zh": "审核期限", "en": "Review due by"},
    "eligible_programmes": {"zh": "可享受的政策", "en": "Programmes granted"},
    "outcome": {"zh": "决定", "en": "Outcome"},
    "stage": {"zh": "环节", "en": "Stage"},
    "number": {"zh": "卡号", "en": "Card number"},
    "instalments": {"zh": "发放期数", "en": "Instalments"},
    "as_of": {"zh": "截至日期", "en": "As of"},
    "left_on": {"zh": "离开日期", "en": "Left on"},
    "refund_owed": {"zh": "应退金额", "en": "Refund owed"},
    "fraud": {"zh": "是否以欺骗手段取得", "en": "Obtained by fraud"},
}

# The values of an officer's decision and its stage, as the audit trail shows them.
OUTCOMES: dict[str, Names] = {
    "approve": {"zh": "通过", "en": "Approve"},
    "reject": {"zh": "不通过", "en": "Reject"},
    "request_changes": {"zh": "要求补正", "en": "Request changes"},
    "dismiss": {"zh": "异议不成立", "en": "Dismiss"},
    "uphold": {"zh": "异议成立", "en": "Uphold"},
}
STAGES: dict[str, Names] = {
    "first": {"zh": "初审", "en": "First review"},
    "second": {"zh": "复核", "en": "Second review"},
}


def pair(names: Names) -> tuple[str, str]:
    """The (Chinese, English) pair older tables use."""
    return names["zh"], names["en"]
