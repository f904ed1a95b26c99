"""Every text field of every API schema and every page form is bounded, and never above the column it is stored
in: a new field cannot bring back the 500 a too-long string gave on PostgreSQL (the flush guard then answers 422,
but the field should say so first)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import marshmallow as ma
import pytest
from flask_wtf import FlaskForm
from sqlalchemy import String
from wtforms import PasswordField, StringField
from wtforms import validators as wtf_validators

import talent.api
import talent.web
from talent.db import Base
from talent.input_limits import FREE_TEXT_MAX, LONG_TEXTS, ColumnLength

API_MODULES = [importlib.import_module(f"talent.api.{info.name}") for info in pkgutil.iter_modules(talent.api.__path__)]
WEB_MODULES = [importlib.import_module(f"talent.web.{info.name}") for info in pkgutil.iter_modules(talent.web.__path__)]


def _column_lengths() -> dict[str, set[int | None]]:
    """Column name -> the lengths it has across the tables (None: unbounded Text)."""
    lengths: dict[str, set[int | None]] = defaultdict(set)
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, String):
                lengths[column.name].add(column.type.length)
    return lengths


COLUMNS = _column_lengths()


def _input_schemas() -> Iterator[tuple[str, ma.Schema, bool]]:
    """Schemas the API reads: every class named in `@blp.arguments(...)` or a documented requestBody, and whether
    it is read from the query string (filters: compared with the free-text bound, not with columns)."""
    for module in API_MODULES:
        source = Path(module.__file__).read_text(encoding="utf-8")
        names = set(re.findall(r"@blp\.arguments\(\s*(\w+)", source))
        names |= set(re.findall(r'"schema":\s*(\w+Schema)\b', source))
        queries = set(re.findall(r'@blp\.arguments\(\s*(\w+),\s*location="query"', source))
        for name in sorted(names):
            schema_class = getattr(module, name, None)
            if isinstance(schema_class, type) and issubclass(schema_class, ma.Schema):
                yield f"{module.__name__}.{name}", schema_class(), name in queries


def _string_fields(schema: ma.Schema, prefix: str = "") -> Iterator[tuple[str, ma.fields.Field]]:
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        yield from _walk_field(f"{prefix}{name}", name, field)


def _walk_field(path: str, name: str, field: ma.fields.Field) -> Iterator[tuple[str, ma.fields.Field]]:
    if isinstance(field, ma.fields.Nested):
        yield from _string_fields(field.schema, f"{path}.")
    elif isinstance(field, ma.fields.List):
        yield from _walk_field(f"{path}[]", name, field.inner)
    elif isinstance(field, ma.fields.String):
        yield path, field


def _bound(validators) -> tuple[int | None, object | None]:
    """(most characters allowed, the validator that says so); OneOf counts as its longest choice."""
    for validator in validators:
        if isinstance(validator, ma.validate.Length | wtf_validators.Length) and validator.max not in (None, -1):
            return validator.max, validator
        if isinstance(validator, ma.validate.OneOf | wtf_validators.AnyOf):
            return max(len(str(choice)) for choice in validator.choices), validator
    return None, None


def _check(where: str, name: str, maximum: int | None, validator: object, *, stored: bool = True) -> list[str]:
    if maximum is None:
        return [f"{where}: no upper length (add input_limits.fits(Model.column) or a Length)"]
    if isinstance(validator, ColumnLength):
        length = validator.column.property.columns[0].type.length
        if length is not None and maximum > length:
            return [f"{where}: allows {maximum} characters, its column {validator.column} holds {length}"]
        if length is None and maximum > LONG_TEXTS.get(name, FREE_TEXT_MAX):
            return [f"{where}: allows {maximum} characters, more than a free text may have"]
        return []
    lengths = COLUMNS.get(name, set()) if stored else set()
    if len(lengths) == 1 and (length := next(iter(lengths))) is not None and maximum > length:
        return [f"{where}: allows {maximum} characters, the column {name} holds {length}"]
    if maximum > LONG_TEXTS.get(name, FREE_TEXT_MAX):
        return [f"{where}: allows {maximum} characters; free texts stop at the audit note's {FREE_TEXT_MAX}"]
    return []


def _forms() -> list[type[FlaskForm]]:
    found, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        if form.__module__.startswith("talent."):
            found.append(form)
    return sorted(set(found), key=lambda form: f"{form.__module__}.{form.__name__}")


def _form_fields(form: type[FlaskForm]) -> Iterator[tuple[str, type, list]]:
    for name in dir(form):
        unbound = getattr(form, name, None)
        field_class = getattr(unbound, "field_class", None)
        if field_class is None or not issubclass(field_class, StringField) or issubclass(field_class, PasswordField):
            continue
        if field_class.process_formdata is not StringField.process_formdata:
            continue  # read into a number or a date, never kept as text
        validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
        yield name, field_class, list(validators)


def test_the_walk_finds_the_schemas_and_forms():
    schemas = {name: schema for name, schema, _query in _input_schemas()}
    assert {"talent.api.auth.RegisterSchema", "talent.api.reviews.DecisionInSchema",
            "talent.api.jobs.JobInSchema", "talent.api.eligibility.FactsSchema"} <= set(schemas)
    names = {form.__name__ for form in _forms()}
    assert {"RegisterForm", "LoginForm"} <= names and len(names) >= 10


def test_every_schema_text_field_is_bounded_by_its_column():
    problems = []
    for schema_name, schema, query in _input_schemas():
        for path, field in _string_fields(schema):
            name = path.split(".")[-1].removesuffix("[]")
            if field.load_only and name.endswith("password"):
                continue  # hashed, never stored as text
            maximum, validator = _bound(_validators(field))
            problems += _check(f"{schema_name}.{path}", name, maximum, validator, stored=not query)
    assert not problems, "\n".join(problems)


def _validators(field: ma.fields.Field) -> list:
    return list(field.validators)


def test_every_form_text_field_is_bounded_by_its_column():
    problems = []
    for form in _forms():
        for name, _field_class, validators in _form_fields(form):
            maximum, validator = _bound(validators)
            problems += _check(f"{form.__module__}.{form.__name__}.{name}", name, maximum, validator)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("column", ["email", "credit_code", "title"])
def test_the_check_would_catch_a_field_longer_than_its_column(column):
    length = next(iter(COLUMNS[column]))
    assert _check("example", column, length + 1, ma.validate.Length(max=length + 1))
    assert not _check("example", column, length, ma.validate.Length(max=length))
