"""Names of hiring through the platform in Chinese and English: the states of a job application, the reasons an
employer gives for declining (shown to the graduate in plain words), who moved an application, the answers to
the 12-month retention question, and the refusals of the hiring services (docs/hiring.md).

Pure data: talent.services.hiring, the pages, the API and the demo take their names from here.
"""

from __future__ import annotations

from talent.names.refusals import Refusal, _refusal

Names = dict[str, str]

# The states of a job application (talent.models.hiring.JobApplication.status), in pipeline order.
STATUSES: dict[str, Names] = {
    "invited": {"zh": "单位邀请投递", "en": "Invited by the employer"},
    "applied": {"zh": "已投递", "en": "Applied"},
    "shortlisted": {"zh": "已入围", "en": "Shortlisted"},
    "interview": {"zh": "待面试", "en": "Interview arranged"},
    "offer": {"zh": "已发录用通知", "en": "Offer made"},
    "hired": {"zh": "已录用", "en": "Hired"},
    "declined": {"zh": "未录用", "en": "Not taken forward"},
    "withdrawn": {"zh": "已撤回投递", "en": "Withdrawn by the graduate"},
    "offer_declined": {"zh": "已婉拒录用", "en": "Offer turned down"},
    "invitation_declined": {"zh": "已婉拒邀请", "en": "Invitation turned down"},
}

# What the graduate reads when an employer declines. Codes are what the API takes (`reason`).
DECLINE_REASONS: dict[str, Names] = {
    "education": {"zh": "学历要求不符", "en": "The post needs a different level of education."},
    "major": {"zh": "所学专业与岗位要求不符", "en": "Your major does not fit what the post needs."},
    "skills": {"zh": "技能或经验暂不符合岗位要求", "en": "Your skills or experience do not yet fit the post."},
    "other_candidate": {"zh": "单位已选择其他更符合要求的候选人",
                        "en": "The employer chose another candidate who fits the post more closely."},
    "interview": {"zh": "面试未通过", "en": "The interview did not lead to an offer."},
    "no_show": {"zh": "未按约定参加面试", "en": "You did not attend the interview as arranged."},
    "position_filled": {"zh": "岗位已招满", "en": "All places of the post have been filled."},
    "position_closed": {"zh": "岗位已停止招聘", "en": "The post is no longer recruiting."},
    "other": {"zh": "其他原因（见单位说明）", "en": "Another reason (see the employer's note)."},
}

# Who recorded an answer to the 12-month question.
RESPONDENTS: dict[str, Names] = {
    "graduate": {"zh": "毕业生本人", "en": "The graduate"},
    "employer": {"zh": "用人单位", "en": "The employer"},
    "social_insurance": {"zh": "人才认定申请中的本地社保记录", "en": "Local social insurance in a later talent application"},
}

# The retention state of a placement (talent.models.hiring.Placement.retention).
RETENTION: dict[str, Names] = {
    "pending": {"zh": "未满12个月", "en": "Not yet 12 months"},
    "asked": {"zh": "待确认", "en": "Waiting for an answer"},
    "retained": {"zh": "仍在长春工作", "en": "Still working in Changchun"},
    "left": {"zh": "已离开长春", "en": "No longer working in Changchun"},
}

# Kinds of events in the matching feedback table (docs/hiring.md, "Feedback for matching").
FEEDBACK_KINDS: dict[str, Names] = {
    "impression": {"zh": "展示", "en": "Shown"},
    "opened": {"zh": "查看岗位", "en": "Post opened"},
    "invited": {"zh": "单位邀请", "en": "Invited"},
    "applied": {"zh": "投递", "en": "Applied"},
    "shortlisted": {"zh": "入围", "en": "Shortlisted"},
    "interview": {"zh": "面试", "en": "Interview"},
    "offer": {"zh": "录用通知", "en": "Offer"},
    "hired": {"zh": "录用", "en": "Hired"},
    "declined": {"zh": "未录用", "en": "Declined"},
    "withdrawn": {"zh": "撤回", "en": "Withdrawn"},
}

AUDIT_ACTIONS: dict[str, Names] = {
    "job_application.applied": {"zh": "投递岗位", "en": "Applied to a post"},
    "job_application.invited": {"zh": "邀请投递", "en": "Invited to apply"},
    "job_application.invitation_accepted": {"zh": "接受邀请", "en": "Invitation accepted"},
    "job_application.invitation_declined": {"zh": "婉拒邀请", "en": "Invitation turned down"},
    "job_application.status_changed": {"zh": "招聘进度变化", "en": "Application moved on"},
    "job_application.withdrawn": {"zh": "撤回投递", "en": "Application withdrawn"},
    "job_application.offer_accepted": {"zh": "接受录用", "en": "Offer accepted"},
    "job_application.offer_declined": {"zh": "婉拒录用", "en": "Offer turned down"},
    "job_application.hired": {"zh": "录用", "en": "Hired"},
    "job_application.cv_uploaded": {"zh": "上传简历", "en": "CV uploaded"},
    "placement.created": {"zh": "登记入职", "en": "Placement recorded"},
    "placement.retention_asked": {"zh": "询问留长情况", "en": "Asked whether still in Changchun"},
    "placement.retention_answered": {"zh": "确认留长情况", "en": "Answered whether still in Changchun"},
}


def status_name(code: str, language: str) -> str:
    return STATUSES.get(code, {}).get(language, code)


def reason_name(code: str | None, language: str) -> str:
    if not code:
        return ""
    return DECLINE_REASONS.get(code, {}).get(language, code)


# --- refusals -------------------------------------------------------------------------------------------------

NEEDS_PROFILE = _refusal(
    "job_application_needs_profile", "Fill in your graduate profile (PUT /api/v1/graduates/me) before applying.",
    "请先填写求职意向，再投递岗位。")
ALREADY_APPLIED = _refusal(
    "job_application_exists", "You have already applied to this post (or were invited to it); follow that application.",
    "您已投递过此岗位（或已收到此岗位的邀请），请查看“我的投递”。")
POST_NOT_ACCEPTING = _refusal(
    "job_not_accepting", "This post is no longer accepting applications.", "此岗位已停止招聘，不能再投递。")
EDUCATION_BELOW = _refusal(
    "job_application_education", "The post asks for a higher level of education than your profile gives.",
    "此岗位的学历要求高于您的学历。")
NOT_YOUR_APPLICATION = _refusal(
    "job_application_not_yours", "This application belongs to another graduate.", "这不是您的投递。")
NOT_YOUR_POST = _refusal(
    "job_application_other_employer", "This application is for a post of another organisation.",
    "这不是本单位岗位的投递。")
BAD_TRANSITION = _refusal(
    "job_application_bad_transition", "The application cannot move to that state from where it is.",
    "该投递当前的状态不能进行此操作。")
POST_FILLED = _refusal(
    "job_post_filled", "Every place of this post has been filled; the offer can no longer be taken up.",
    "此岗位的招聘名额已满，录用通知已无法接受。")
NOT_CONSENTING = _refusal(
    "job_invitation_no_consent", "Only graduates who agreed to be shown to employers can be invited.",
    "只能邀请同意向单位展示求职意向的毕业生。")
RETENTION_NOT_DUE = _refusal(
    "retention_not_due", "The 12-month question is asked 12 months after the start date; it cannot be answered yet.",
    "入职满12个月后才会询问是否仍在长春工作，目前还不能回答。")
NOT_YOUR_PLACEMENT = _refusal(
    "placement_not_yours", "Only the graduate and the employer of this placement may answer.",
    "只有该毕业生本人和用人单位可以确认。")
CV_PDF_ONLY = _refusal("cv_pdf_only", "The CV must be a PDF file.", "简历须为 PDF 文件。")

__all__ = ["AUDIT_ACTIONS", "DECLINE_REASONS", "FEEDBACK_KINDS", "RESPONDENTS", "RETENTION", "STATUSES", "Refusal"]
