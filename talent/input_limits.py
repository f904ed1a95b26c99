"""One rule for all text input: what every request may carry, checked before any view runs.

- No string anywhere in a request (URL path parts, query string, form fields, JSON keys and values) may carry
  NUL, other C0/C1 control characters (tab, line feed and carriage return excepted) or lone UTF-16 surrogates
  (an escaped ``"\\ud800"`` in JSON decodes to one). PostgreSQL refuses the first and the last, so they used to
  end as a 500; the others have no place in a name, reason or comment either.
- JSON bodies are nested at most ``MAX_JSON_DEPTH`` levels (the facts need four): a body nested a thousand deep
  used to raise RecursionError, which is not a ValueError and escaped every parser.
- Every text is bounded by the column it is stored in (``fits``), and free texts that are copied into the
  audit trail by the audit note (``FREE_TEXT_MAX``). A flush guard (``guard_session``) refuses, with the same
  422, any string that would still not fit: a new field cannot bring the 500 back.

Refusals are 422 with the field named (JSON envelope for the API, the error page for browsers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
from flask import Flask, request
from sqlalchemy import String, event
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from talent.models.audit import AUDIT_NOTE_LENGTH
from talent.services import InvalidInput

MAX_JSON_DEPTH = 32
MAX_JSON_BYTES = 2 * 1024 * 1024
# Longest free text (reasons, objections, resolutions, comments, notes): the audit note keeps it whole.
FREE_TEXT_MAX = AUDIT_NOTE_LENGTH
# Free texts that are not copied into the audit trail and may be longer (field name -> most characters).
# reform_yaml: a policy reform written as YAML on the simulation page (a form, never a JSON body), kept whole in
# simulations.reform_yaml (Text); talent.services.simulations.MAX_REFORM_BYTES bounds it too.
LONG_TEXTS = {"description": 10_000, "reform_yaml": 64 * 1024}
# No string in a JSON body may be longer than the longest text any API field takes: refused before it is read
# further (the reform YAML is only ever posted as a page form).
MAX_JSON_STRING = LONG_TEXTS["description"]
# Longest query-string value (search words, filters, a return address).
QUERY_VALUE_MAX = FREE_TEXT_MAX

# C0 controls except tab, LF and CR; DEL and the C1 controls; lone surrogates.
_BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str, *, single_line: bool = False) -> str | None:
    """Why `value` is refused (English), or None when it is acceptable text."""
    if value.isprintable():  # the common case, answered in C without the regular expression
        return None
    found = (_BAD_IN_LINE if single_line else _BAD_CHARACTERS).search(value)
    if found is None:
        return None
    character = found.group()
    if character == "\x00":
        return "must not contain the NUL character"
    if "\ud800" <= character <= "\udfff":
        return "must not contain a lone surrogate (invalid Unicode)"
    if character in "\t\n\r":
        return "must be a single line"
    return f"must not contain control characters (found U+{ord(character):04X})"


class ColumnLength(ma.validate.Length):
    """A Length validator bound to the column the value is stored in (so the test can compare the two)."""

    def __init__(self, column: Any, *, min: int | None = None, maximum: int | None = None) -> None:
        length = column_length(column)
        super().__init__(min=min, max=length if maximum is None else maximum)
        self.column = column


def column_length(column: Any) -> int:
    """The length of a String(n) column, or FREE_TEXT_MAX for an unbounded Text column (whose value is also
    written to the audit note)."""
    length = getattr(getattr(column, "type", None), "length", None)
    return int(length) if length else FREE_TEXT_MAX


def fits(column: Any, *, min: int | None = None, maximum: int | None = None) -> ColumnLength:
    """marshmallow validator: the value fits `column` (a model attribute such as `User.email`); `maximum` for
    an unbounded Text column whose value is not copied into the audit note (see LONG_TEXTS)."""
    return ColumnLength(column, min=min, maximum=maximum)


class SingleLine(ma.validate.Validator):
    """marshmallow validator for names and codes: one line, no control characters."""

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            problem = text_problem(value, single_line=True)
            if problem:
                raise ma.ValidationError(problem)
        return value


# --- the request guard ----------------------------------------------------------------------------------


def _walk_json(value: Any, path: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > MAX_JSON_DEPTH:
        yield "_schema", f"is nested more than {MAX_JSON_DEPTH} levels deep"
        return
    if isinstance(value, str):
        problem = (f"must be at most {MAX_JSON_STRING} characters" if len(value) > MAX_JSON_STRING
                   else text_problem(value))
        if problem:
            yield path or "_schema", problem
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            problem = text_problem(key, single_line=True)
            if problem:
                yield (f"{path}.{key!r}" if path else repr(key)), f"field name {problem}"
                continue
            yield from _walk_json(item, child, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_json(item, f"{path}.{index}" if path else str(index), depth + 1)


def request_problems() -> dict[str, list[str]]:
    """Every refused string of the current request, keyed by the field that carries it."""
    problems: dict[str, list[str]] = {}

    def add(field: str, reason: str) -> None:
        problems.setdefault(field, []).append(reason)

    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            problem = text_problem(value, single_line=True)
            if problem:
                add(name, problem)
    if not problems:
        problem = text_problem(request.path, single_line=True)
        if problem:
            add("path", problem)
    for key, value in request.args.items(multi=True):
        problem = text_problem(key, single_line=True) or text_problem(value, single_line=True)
        if problem:
            add(key if not text_problem(key) else "query", problem)
        elif len(value) > QUERY_VALUE_MAX:
            add(key, f"must be at most {QUERY_VALUE_MAX} characters")
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in request.form.items(multi=True):
                if not isinstance(key, str) or not isinstance(value, str):
                    continue  # a part without a name: no field reads it
                problem = text_problem(key, single_line=True) or text_problem(value)
                if problem:
                    add(key if not text_problem(key) else "form", problem)
            for key, upload in request.files.items(multi=True):
                # the file's name is kept (and shown) with the evidence
                problem = text_problem(upload.filename, single_line=True) if upload.filename else None
                if isinstance(key, str) and problem:
                    add(key, f"file name {problem}")
        elif request.is_json:
            _check_json_body(add)
    return problems


def _check_json_body(add: Any) -> None:
    if not request.get_data(cache=True):
        return
    try:
        body = request.get_json(silent=True)  # parsed once: Flask keeps it for the view
    except RecursionError:
        add("_schema", f"is nested more than {MAX_JSON_DEPTH} levels deep")
        return
    if body is None:
        return  # not JSON: the view's parser answers that with its own message
    for field, problem in _walk_json(body, "", 0):
        add(field, problem)


# The pages answer in the reader's language (Chinese msgids, English in translations/en/.../input_limits.po).
_PAGE_MESSAGES = (
    ("must not contain the NUL character", "不能包含空字符（NUL）"),
    ("must not contain a lone surrogate", "包含无效的 Unicode 字符（孤立的代理项）"),
    ("must be a single line", "只能填写一行，不能换行"),
    ("must not contain control characters", "不能包含控制字符"),
    ("field name", "字段名包含不允许的字符"),
    ("is nested more than", "数据嵌套层级过深"),
    ("must be at most", "内容过长"),
)


def _for_pages(problems: dict[str, list[str]]) -> dict[str, list[str]]:
    from flask_babel import gettext

    readable: dict[str, list[str]] = {}
    for field, reasons in problems.items():
        for reason in reasons:
            zh = next((zh for en, zh in _PAGE_MESSAGES if reason.startswith(en)), None)
            readable.setdefault(field, []).append(gettext(zh) if zh else reason)
    return readable


def refuse_bad_input() -> None:
    if request.is_json and (request.content_length or 0) > MAX_JSON_BYTES:
        # refused before the body is read: no JSON the API takes is anywhere near this size
        raise RequestEntityTooLarge(f"A JSON body may be at most {MAX_JSON_BYTES} bytes.")
    problems = request_problems()
    if problems:
        from talent.errors import wants_json

        if wants_json():
            raise InvalidInput("The input is not valid: see errors for each field.", problems)
        from flask_babel import gettext

        raise InvalidInput(gettext("提交的内容包含不允许的字符或格式，请修改后重新提交。"), _for_pages(problems))


# --- the flush guard ------------------------------------------------------------------------------------


def _string_columns(instance: Any) -> Iterator[tuple[str, int | None]]:
    mapper = getattr(instance, "__mapper__", None)
    if mapper is None:
        return
    for attribute in mapper.column_attrs:
        for column in attribute.columns:
            if isinstance(column.type, String):  # Text is a String without a length
                yield attribute.key, column.type.length


def _check_instance(instance: Any, problems: dict[str, list[str]]) -> None:
    for key, length in _string_columns(instance):
        value = instance.__dict__.get(key)
        if not isinstance(value, str):
            continue
        if length is not None and len(value) > length:
            problems.setdefault(key, []).append(f"must be at most {length} characters")
        elif "\x00" in value or _has_surrogate(value):
            problems.setdefault(key, []).append(text_problem(value) or "is not valid text")


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def guard_session(session_factory: Any) -> None:
    """Refuse (422) any string that does not fit its column or cannot be stored, before the database sees it."""

    @event.listens_for(session_factory, "before_flush")
    def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
        problems: dict[str, list[str]] = {}
        for instance in list(session.new) + list(session.dirty):
            _check_instance(instance, problems)
        if problems:
            raise InvalidInput("The input is not valid: see errors for each field.", problems)


def init_app(app: Flask) -> None:
    app.before_request(refuse_bad_input)
    factory = app.extensions.get("talent.db")
    if factory is not None:
        guard_session(factory)
