"""Names of recruitment events (招聘宣讲) and training bases in Chinese and English: kinds and states of an
event, states of a registration, kinds of post, the audit actions, and what a check-in answers.

Pure data (no Flask, Babel or SQLAlchemy), like the other talent.names modules.
"""

from __future__ import annotations

from talent.names.refusals import Refusal

Names = dict[str, str]

EVENT_KINDS: dict[str, Names] = {
    "campus_talk": {"zh": "校园宣讲会", "en": "Campus talk"},
    "job_fair": {"zh": "招聘会", "en": "Job fair"},
    "online_session": {"zh": "线上宣讲", "en": "Online session"},
}
EVENT_STATUSES: dict[str, Names] = {
    "draft": {"zh": "草稿（未发布）", "en": "Draft (not published)"},
    "published": {"zh": "已发布", "en": "Published"},
    "cancelled": {"zh": "已取消", "en": "Cancelled"},
}
REGISTRATION_STATUSES: dict[str, Names] = {
    "registered": {"zh": "已报名", "en": "Registered"},
    "cancelled": {"zh": "已取消报名", "en": "Registration cancelled"},
}
JOB_KINDS: dict[str, Names] = {
    "job": {"zh": "就业岗位", "en": "Job"},
    "internship": {"zh": "实训（实习）岗位", "en": "Internship (training place)"},
}
AUDIT_ACTIONS: dict[str, Names] = {
    "event.created": {"zh": "创建招聘活动", "en": "Recruitment event created"},
    "event.updated": {"zh": "修改招聘活动", "en": "Recruitment event changed"},
    "event.published": {"zh": "发布招聘活动", "en": "Recruitment event published"},
    "event.cancelled": {"zh": "取消招聘活动", "en": "Recruitment event cancelled"},
    "event_registration.created": {"zh": "报名参加活动", "en": "Registered for an event"},
    "event_registration.cancelled": {"zh": "取消活动报名", "en": "Event registration cancelled"},
    "event_registration.checked_in": {"zh": "活动签到", "en": "Checked in at an event"},
    "training_base.designated": {"zh": "认定实训基地", "en": "Designated a training base"},
    "training_base.withdrawn": {"zh": "撤销实训基地认定", "en": "Training-base designation withdrawn"},
}


def label(table: dict[str, Names], code: str | None, language: str = "zh") -> str:
    if code is None:
        return ""
    entry = table.get(code)
    return entry.get(language, entry["zh"]) if entry else code


# --- refusals ----------------------------------------------------------------------------------------------

EVENT_NOT_OPEN = Refusal(
    "event_not_open", "This event is not open for registration (not published, cancelled or already started).",
    "该活动目前不接受报名（未发布、已取消或已开始）。")
EVENT_FULL = Refusal(
    "event_full", "The event is full: every seat has been taken.", "活动名额已满。")
ALREADY_REGISTERED = Refusal(
    "already_registered", "You are already registered for this event.", "您已报名该活动。")
NOT_REGISTERED = Refusal(
    "not_registered", "You have no registration for this event to cancel.", "您没有可取消的报名。")
REGISTRATION_CLOSED = Refusal(
    "registration_closed", "The event has started: registrations can no longer be cancelled.",
    "活动已开始，不能再取消报名。")
EVENT_CANCELLED = Refusal(
    "event_cancelled", "The event has been cancelled.", "活动已取消。")
EVENT_OVER = Refusal(
    "event_over", "The event is over and can no longer be changed.", "活动已结束，不能再修改。")
ALREADY_PUBLISHED = Refusal(
    "already_published", "The event is already published.", "活动已经发布。")
ALREADY_BASE = Refusal(
    "already_training_base", "This employer is already a training base.", "该单位已是实训基地。")
NOT_A_BASE = Refusal(
    "not_training_base", "This employer is not a training base.", "该单位不是实训基地。")
INTERNSHIP_NEEDS_BASE = Refusal(
    "internship_needs_training_base",
    "Only employers designated as a training base (实训基地) may post internships.",
    "只有被认定为实训基地的单位才能发布实训（实习）岗位。")

# What a check-in answers, by outcome: {time} is the Changchun time (HH:MM) of the first check-in.
CHECK_IN: dict[str, Names] = {
    "checked_in": {"zh": "签到成功：{name}", "en": "Checked in: {name}"},
    "already": {"zh": "{name} 已于 {time} 签到，无需重复签到。", "en": "{name} already checked in at {time}."},
    "forged": {"zh": "签到码无效：不是本平台签发的入场码，或内容不完整。",
               "en": "Not a valid ticket: this code was not issued by the platform, or it is incomplete."},
    "wrong_event": {"zh": "这张入场码属于另一场活动，不能在本活动签到。",
                    "en": "This ticket is for another event: it cannot be used here."},
    "cancelled": {"zh": "这张入场码对应的报名已取消，不能签到。",
                  "en": "The registration of this ticket has been cancelled: no check-in."},
    "event_cancelled": {"zh": "活动已取消，不能签到。", "en": "The event has been cancelled: no check-in."},
    "not_open": {"zh": "签到尚未开始：活动开始前 2 小时开放签到。",
                 "en": "Check-in has not opened yet: it opens 2 hours before the event starts."},
}
