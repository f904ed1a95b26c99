"""Schemas shared by several API areas."""

from __future__ import annotations

import marshmallow as ma


class StrictSchema(ma.Schema):
    """Unknown fields are refused, so that a typo is an error rather than a silently ignored value."""

    class Meta:
        unknown = ma.RAISE


class ErrorSchema(ma.Schema):
    code = ma.fields.Integer()
    status = ma.fields.String()
    message = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))


class UtcDateTime(ma.fields.DateTime):
    """A time stored in UTC; SQLite hands it back without a zone, so the output says UTC explicitly (RFC 3339)."""

    def _serialize(self, value, attr, obj, **kwargs):
        import datetime as dt

        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)
