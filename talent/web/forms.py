"""Forms of the public pages (Flask-WTF: CSRF token on every form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from talent.services.accounts import EMAIL_PATTERN, password_problems


class LoginForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(_l("请填写电子邮箱")), Length(max=254)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码"))])


class RegisterForm(FlaskForm):
    role = RadioField(
        _l("我是"),
        choices=[SelectChoice("applicant", _l("个人申请人 / 高校毕业生")), SelectChoice("employer", _l("用人单位"))],
        default="applicant",
        validators=[DataRequired()],
    )
    name = StringField(_l("姓名 / 联系人"), validators=[DataRequired(_l("请填写姓名")), Length(max=100)])
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(_l("请填写电子邮箱")), Length(max=254)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码"))])
    confirm = PasswordField(
        _l("确认密码"), validators=[DataRequired(_l("请再次输入密码")), EqualTo("password", _l("两次输入的密码不一致"))]
    )

    def validate_email(self, field: EmailField) -> None:
        if not EMAIL_PATTERN.match((field.data or "").strip()):
            raise ValidationError(_l("请填写有效的电子邮箱地址，例如 name@example.com"))

    def validate_password(self, field: PasswordField) -> None:
        if password_problems(field.data or ""):
            raise ValidationError(_l("密码至少 10 位，且须同时包含字母和数字或符号"))
