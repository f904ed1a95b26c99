"""Forms of the case pages (Flask-WTF: every POST form carries a CSRF token).

The forms check only what a form can know (required, length, shape); the services decide everything else
(state, ownership, file content) and the views show their refusals next to the field they name.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from talent import codes
from talent.input_limits import FREE_TEXT_MAX
from talent.rules.facts import ID_NUMBER_MAX_INPUT

REASON_MAX = FREE_TEXT_MAX  # kept whole in the audit note
ITEM_MAX = 300
REQUEST_ITEM_ROWS = 5


def _credit_code_check(_form: FlaskForm, field: StringField) -> None:
    try:
        field.data = codes.validate_credit_code(field.data or "")
    except ValueError:
        raise ValidationError(_l("统一社会信用代码无效：应为 18 位，且校验位正确（GB 32100）")) from None


def _id_number_check(_form: FlaskForm, field: StringField) -> None:
    if not field.data:
        return
    try:
        codes.parse_id_number(field.data)
    except ValueError:
        raise ValidationError(_l("居民身份证号码无效：应为 18 位，且校验位正确")) from None
    field.data = codes.normalise_id_number(field.data)


class UnechoedTextInput(TextInput):
    """A text input that never writes its value back into the page (the ID number is not re-displayed)."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs["value"] = ""
        return super().__call__(field, **kwargs)


class ApplyForm(FlaskForm):
    employer_credit_code = StringField(
        _l("用人单位统一社会信用代码"),
        validators=[DataRequired(_l("请填写用人单位的统一社会信用代码")), Length(max=18), _credit_code_check],
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 18},
    )
    id_number = StringField(
        _l("居民身份证号码"),
        validators=[DataRequired(_l("请填写居民身份证号码")), Length(max=ID_NUMBER_MAX_INPUT), _id_number_check],
        widget=UnechoedTextInput(),
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 18},
    )
    confirm = BooleanField(
        _l("本人承诺所填信息真实、准确，愿意接受核查和公示"),
        validators=[DataRequired(_l("请确认信息真实后再提交"))],
    )


class ResubmitForm(FlaskForm):
    note = TextAreaField(
        _l("补正说明"),
        validators=[DataRequired(_l("请说明您补正或修改了哪些内容")), Length(max=REASON_MAX)],
    )
    use_checked_facts = BooleanField(_l("用我最近一次政策测算填写的信息替换申请信息"))
    employer_credit_code = StringField(
        _l("用人单位统一社会信用代码"),
        validators=[Optional(), Length(max=18), _credit_code_check],
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 18},
    )


class UploadForm(FlaskForm):
    file = FileField(_l("选择文件"), validators=[FileRequired(_l("请选择要上传的文件"))])


class ConfirmForm(FlaskForm):
    """A button that changes state and carries nothing but the CSRF token (withdraw, confirm, mark paid)."""


class EndorsementForm(FlaskForm):
    decision = RadioField(
        _l("单位意见"),
        choices=[SelectChoice("endorse", _l("确认：情况属实，同意推荐")), SelectChoice("decline", _l("不予确认"))],
        validators=[DataRequired(_l("请选择确认或不予确认"))],
    )
    comment = TextAreaField(_l("意见说明"), validators=[Optional(), Length(max=REASON_MAX)])

    def validate_comment(self, field: TextAreaField) -> None:
        if self.decision.data == "decline" and not (field.data or "").strip():
            raise ValidationError(_l("不予确认时请说明原因"))


class DecisionForm(FlaskForm):
    """An officer's decision carries the version of the case the officer was looking at: if the case changed in
    the meantime (new evidence, another officer's decision), the service refuses with 409 instead of deciding on
    what the officer did not see."""

    version = HiddenField(validators=[Length(max=10)])

    def seen_version(self) -> int | None:
        try:
            return int(self.version.data) if self.version.data else None
        except ValueError:
            return None


class ApproveForm(DecisionForm):
    """First approval or confirmation (the second officer): the reason is what the decision letter states."""

    reason = TextAreaField(_l("审核意见"), validators=[DataRequired(_l("请填写审核意见")), Length(max=REASON_MAX)])


class RejectForm(DecisionForm):
    reason = TextAreaField(_l("不予通过的理由"), validators=[DataRequired(_l("请填写不予通过的理由")), Length(max=REASON_MAX)])


class ChangeItemForm(Form):
    """One item of a request for changes: what it concerns and what is missing or wrong."""

    field = SelectField(_l("事项"), choices=[], validate_choice=False, validators=[Optional()])
    problem = StringField(_l("需要补正的内容"), validators=[Optional(), Length(max=ITEM_MAX)])


class RequestChangesForm(DecisionForm):
    """All the changes at once (一次性告知): several items, at least one."""

    items = FieldList(FormField(ChangeItemForm), min_entries=REQUEST_ITEM_ROWS, max_entries=50)
    reason = TextAreaField(_l("审核意见"), validators=[DataRequired(_l("请填写审核意见")), Length(max=REASON_MAX)])

    def set_field_choices(self, choices: list[SelectChoice]) -> None:
        for entry in self.items:
            entry.form.field.choices = choices

    def filled_items(self) -> list[dict[str, str]]:
        found = []
        for entry in self.items:
            problem = (entry.form.problem.data or "").strip()
            if problem:
                found.append({"field": entry.form.field.data or "other", "problem": problem})
        return found

    items_error: str | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.filled_items():
            self.items_error = str(_l("请至少列出一项需要补正的内容"))
            return False
        return valid


class ObjectionForm(FlaskForm):
    text = TextAreaField(
        _l("异议内容"),
        validators=[DataRequired(_l("请写明异议的事实和理由")), Length(min=10, max=FREE_TEXT_MAX, message=_l("异议内容应为 10–1000 字"))],
    )


class ObjectionResolutionForm(FlaskForm):
    outcome = RadioField(
        _l("处理结果"),
        choices=[SelectChoice("dismiss", _l("异议不成立，继续公示")), SelectChoice("uphold", _l("异议成立，退回审核"))],
        validators=[DataRequired(_l("请选择处理结果"))],
    )
    reason = TextAreaField(_l("处理理由"), validators=[DataRequired(_l("请填写处理理由")), Length(max=REASON_MAX)])


class RevocationForm(FlaskForm):
    reason = TextAreaField(_l("撤销理由"), validators=[DataRequired(_l("请填写撤销理由")), Length(max=REASON_MAX)])
    fraud = BooleanField(_l("以欺骗等不正当手段取得（全额追回已发放补贴，36 个月内不得再次申请）"))


class QueueFilterForm(FlaskForm):
    """The review queue's filters: a GET form (reading changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(_l("状态"), choices=[], validators=[Optional()])
    tier = SelectField(_l("人才层次"), choices=[], validators=[Optional()])
    programme = SelectField(_l("申请项目"), choices=[], validators=[Optional()])
    sort = SelectField(
        _l("排序"),
        choices=[
            SelectChoice("oldest", _l("等待最久的在前")),
            SelectChoice("newest", _l("最新提交的在前")),
            SelectChoice("due", _l("办理时限最近的在前")),
            SelectChoice("applicant", _l("按申请人姓名")),
            SelectChoice("employer", _l("按用人单位")),
        ],
        default="oldest",
        validators=[Optional()],
    )
    q = StringField(_l("查找"), validators=[Optional(), Length(max=60)],
                    description=_l("姓名、申请编号、身份证号前 6 位或后 4 位、用人单位"))
    district = SelectField(_l("单位所在区县"), choices=[], validators=[Optional()])


# --- showing a service's refusal on the page -------------------------------------------------------------------


def attach_errors(form: FlaskForm, errors: dict[str, list[str]], fields: dict[str, str]) -> list[str]:
    """Put each refusal next to the form field it concerns (`fields` maps an error path to a field name);
    return the messages that concern no field of the form, for the box at the top."""
    from talent.web.case_labels import readable

    general: list[str] = []
    for path, messages in errors.items():
        name = fields.get(path)
        shown = [readable(message) for message in messages]
        if name is not None and name in form._fields:
            form[name].errors = list(form[name].errors or []) + shown
        else:
            general.extend(shown)
    return general


def refusal(error: Any, details: list[str] | None = None) -> dict[str, Any]:
    """The box a case page shows when a service refused an action: a title by kind, the reason, the details."""
    from flask_babel import gettext as _

    from talent.web.case_labels import readable

    titles = {
        409: _("状态已变化，操作未执行"),
        403: _("您无权进行此操作"),
        404: _("没有找到要处理的对象"),
        413: _("文件过大"),
        422: _("填写的信息有误，操作未执行"),
    }
    return {
        "title": titles.get(error.status, _("操作未执行")),
        "message": readable(error.message),
        "details": details or [],
        "status": error.status,
    }
