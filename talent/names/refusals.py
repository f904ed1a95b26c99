"""The refusals a service gives a person, one constant each, in Chinese and English.

A service raises ``Conflict(refusals.OPEN_APPLICATION)``: the constant *is* the English sentence (a ``str``, so
the API's error envelope and logs are unchanged) and carries its code and Chinese text, so a page shows it in
its own language without looking the English text up. A refusal with a variable part (``with_detail``) keeps
its code and Chinese text.
"""

from __future__ import annotations


class Refusal(str):
    """An English refusal sentence that also knows its code and its Chinese text."""

    code: str
    zh: str

    def __new__(cls, code: str, en: str, zh: str) -> Refusal:
        value = super().__new__(cls, en)
        value.code = code
        value.zh = zh
        return value

    @property
    def en(self) -> str:
        return str.__str__(self)

    def text(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    def with_detail(self, en: str) -> Refusal:
        """The same refusal with a more precise English sentence (the Chinese stays general)."""
        return Refusal(self.code, en, self.zh)

    def __reduce__(self) -> tuple:
        return Refusal, (self.code, self.en, self.zh)


REFUSALS: dict[str, Refusal] = {}


def _refusal(code: str, en: str, zh: str) -> Refusal:
    refusal = Refusal(code, en, zh)
    REFUSALS[code] = refusal
    return refusal


UNKNOWN_EMPLOYER = _refusal(
    "unknown_employer", "No employer is registered on the platform with this credit code.",
    "平台上没有以此统一社会信用代码注册的单位。请核对代码，或请单位先在平台注册并通过认证。")
EMPLOYER_NOT_VERIFIED = _refusal(
    "employer_not_verified", "This employer has not been verified by the bureau yet.",
    "该单位尚未通过人才服务部门认证，暂不能为申请出具意见。")
CREDIT_CODE_REQUIRED = _refusal(
    "credit_code_required", "Must be the employer's unified social credit code.", "请填写用人单位的统一社会信用代码。")
OPEN_APPLICATION = _refusal(
    "open_application", "You already have an open application; follow it or withdraw it first.",
    "您已有一件正在办理的申请，请先办结或撤回后再申请。")
EMPLOYER_CHANGE_NOT_ALLOWED = _refusal(
    "employer_change_not_allowed",
    "The employer can only be changed after it declined; withdraw and apply again instead.",
    "只有单位不予确认后才能更换单位；如需更换，请撤回后重新申请。")
DECLINE_REASON_REQUIRED = _refusal(
    "decline_reason_required", "Required when declining: the applicant reads it.", "不予确认时请说明原因（申请人会看到）。")
UPLOAD_KIND = _refusal(
    "upload_kind", "Upload a PDF, JPEG or PNG file.", "只接受 PDF、JPEG 或 PNG 文件（按文件内容识别，而不是文件名）。")
UPLOAD_TOO_LARGE = _refusal(
    "upload_too_large", "At most 10 MB.", "文件不能超过 10 MB，请压缩或分成几份后再上传。")
UPLOAD_EMPTY = _refusal("upload_empty", "The file is empty.", "文件是空的，请重新选择。")
UPLOAD_CLOSED = _refusal(
    "upload_closed", "Evidence can no longer be added to this application.", "当前办理阶段不能再补充材料。")
UPLOAD_LIMIT = _refusal(
    "upload_limit", "An application holds at most 30 documents.", "每件申请最多上传 30 份材料。")
UPLOAD_OWNER_ONLY = _refusal(
    "upload_owner_only", "Only the applicant may add evidence to this application.", "只有申请人本人可以补充材料。")
SECOND_OFFICER_REQUIRED = _refusal(
    "second_officer_required", "You approved this case; a second, different officer must confirm or overrule it.",
    "您已对本件作出初审通过，须由另一位审核人员复核。")
OWN_APPLICATION = _refusal(
    "own_application", "An officer cannot decide their own application.", "审核人员不能审核本人的申请。")
OWN_OBJECTION = _refusal(
    "own_objection", "An officer cannot resolve objections to their own application.",
    "审核人员不能处理针对本人申请的异议。")
NOT_LISTED_BEFORE = _refusal(
    "not_listed_before",
    "Not listed in the earlier request and not changed since: every item must be listed at once.",
    "此项在上次补正通知中没有列出，申请人也没有修改：补正事项须一次性告知。")
NOT_UNDER_NOTICE = _refusal(
    "not_under_notice", "This case is not under public notice.", "此件不在公示期内，不能提出异议。")
OBJECTION_RESOLVED = _refusal(
    "objection_resolved", "This objection has already been resolved.", "此异议已经处理过了。")
CONCURRENT_CHANGE = _refusal(
    "concurrent_change", "Someone else changed this case at the same moment.", "其他人刚刚处理了此件，您的操作未执行。")
STALE_CASE = _refusal(
    "stale_case", "The case has changed since you loaded it; reload it and decide again.",
    "您打开页面后此件有了变化（例如申请人补充了材料），请查看下方最新情况后再作决定。")
CONCURRENT_DECISION = _refusal(
    "concurrent_decision", "Another officer decided this case at the same moment; reload it and decide again.",
    "另一位审核人员刚刚对此件作出了决定，请查看下方最新情况。")
NO_DECISION_YET = _refusal(
    "no_decision_yet", "There is no decision to put in a letter yet.", "还没有作出决定，暂无决定书。")
PAYMENTS_GRANTED_ONLY = _refusal(
    "payments_granted_only", "Payments are recorded only for granted cases.", "只有已认定的案件才能登记补贴发放。")
NAMED_EMPLOYER_ONLY = _refusal(
    "named_employer_only", "Only the employer named in the application may endorse it.",
    "只有申请中填写的用人单位可以出具意见。")
STEP_NOT_APPLICABLE = _refusal(
    "step_not_applicable", "This step does not apply to a case in this state.", "此件的状态已经变化，这一步不再适用。")
INSTALMENT_DONE = _refusal(
    "instalment_done", "This instalment is already settled.", "这一期补贴已经处理过了。")
TOO_LONG = _refusal("too_long", "The text is too long.", "内容过长，请精简后再提交。")
CASE_VIEW_FORBIDDEN = _refusal(
    "case_view_forbidden", "Only the applicant and officers may see this application.",
    "只有申请人本人和审核人员可以查看此申请。")


def text(message: str, language: str) -> str:
    """A refusal in `language`; a message that is not a Refusal is shown as it was written."""
    if isinstance(message, Refusal):
        return message.text(language)
    return message

# Identity and objections (the public-safety issue): worded as the services raise them.
ID_NUMBER_TAKEN = _refusal(
    "id_number_taken",
    "This ID number is already registered to another account. Apply from the account that first used it, "
    "or contact the talent-service bureau if someone else used your ID number.",
    "该身份证号码已被另一个账号使用。请用首次以此号码申请的账号办理；如有他人冒用您的身份证号码，请联系人才服务部门。")
ID_NUMBER_REQUIRED = _refusal(
    "id_number_required", "Required: the applicant's 18-character resident ID number.",
    "请填写申请人的 18 位居民身份证号码。")
OBJECTION_PENDING = _refusal(
    "objection_pending",
    "You already have an objection pending on this case; it will be resolved before you can file another.",
    "您对此案件已有一条待处理的异议，处理完毕前不能再次提交。")

# Unit lists imported by officers (talent.services.apartments.read_unit_file).
UNIT_FILE_KIND = _refusal("unit_file_kind", "Send a .csv or .xlsx file.", "请上传 .csv 或 .xlsx 格式的房源清单。")
UNIT_FILE_NOT_UTF8 = _refusal(
    "unit_file_not_utf8", "The CSV file is not UTF-8.", "CSV 文件不是 UTF-8 编码，请另存为 UTF-8 后再上传。")
UNIT_FILE_NOT_XLSX = _refusal(
    "unit_file_not_xlsx", "The file is not a readable XLSX workbook.", "无法读取该 XLSX 工作簿，请检查文件后重新上传。")
UNIT_FILE_COLUMNS = _refusal(
    "unit_file_columns", "The header row lacks columns.", "表头缺少必需的列，请按模板填写后重新上传。")
