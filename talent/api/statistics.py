"""The programme's figures for officers and analysts (API.md: GET /api/v1/statistics): the dashboard's panels as
data — each a list of column codes and rows of codes and whole numbers (docs/simulation.md)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask_smorest import Blueprint

from talent.auth import requires
from talent.codes import is_changchun_division
from talent.db import db
from talent.models import Role
from talent.services import InvalidInput, programme
from talent.services import dashboard as service

blp = Blueprint(
    "statistics", __name__, url_prefix="/api/v1",
    description="The programme's figures: applications, handling time, money, cards, posts (officers, analysts).",
)
BEARER = [{"bearer": []}]


class StatisticsQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    date_from = ma.fields.Date(load_default=None, data_key="from",
                               metadata={"description": "applications made on or after this date"})
    date_to = ma.fields.Date(load_default=None, data_key="to",
                             metadata={"description": "applications made on or before this date"})
    # min and max rather than `equal`, so the bound reads as one (tests/test_input_limits_schemas.py); same message
    district = ma.fields.String(load_default=None, validate=ma.validate.Length(min=6, max=6, error="Length must be {max}."),
                                metadata={"description": "the employer's district (GB/T 2260 code in Changchun)"})
    year = ma.fields.Integer(load_default=None, validate=ma.validate.Range(2000, 2100),
                             metadata={"description": "a calendar year (Changchun time): the programme's panels "
                                       "count that year; the other panels take it as from/to when those are not given"})


class PanelSchema(ma.Schema):
    columns = ma.fields.List(ma.fields.String(), metadata={"description": "column codes, e.g. status, applications"})
    rows = ma.fields.List(ma.fields.List(ma.fields.Raw(allow_none=True)),
                          metadata={"description": "one list per row: codes, whole numbers, medians (null: none)"})
    unit = ma.fields.String(metadata={"description": "cases, people, yuan, working_days or units"})


class ProgrammeSchema(ma.Schema):
    computed_at = ma.fields.String(metadata={"description": "when the programme's figures were computed (UTC)"})
    as_of = ma.fields.String(metadata={"description": "the Changchun date retention states are worked out for"})
    precomputed = ma.fields.Boolean(metadata={"description": "read from the summary rebuilt every 15 minutes"})
    targets = ma.fields.Dict(metadata={"description": "posts_developed 112000, graduates_retained 100000 a year"})
    definitions = ma.fields.String(metadata={"description": "where each figure is defined"})


class StatisticsSchema(ma.Schema):
    filters = ma.fields.Dict()
    open_cases = ma.fields.Integer()
    panels = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(PanelSchema),
                            metadata={"description": "by_status, by_tier, by_programme, by_district, by_month, "
                                      "clocks, money, cards, posts, apartments, and the programme's "
                                      "programme_by_year, programme_by_district, programme_by_industry, "
                                      "programme_by_education (posts developed, applications, interviews, offers, "
                                      "hires, retained/left/asked/pending at 12 months; docs/statistics.md)"})
    programme = ma.fields.Nested(ProgrammeSchema)


@blp.route("/statistics")
@requires(Role.OFFICER, Role.ANALYST)
@blp.arguments(StatisticsQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, StatisticsSchema)
@blp.doc(security=BEARER)
def statistics(query: dict) -> dict:
    """The programme's figures, filtered by application date and the employer's district."""
    if query["district"] and not is_changchun_division(query["district"]):
        raise InvalidInput("Not a district of Changchun.", {"district": ["not a district of Changchun"]})
    if query["date_from"] and query["date_to"] and query["date_to"] < query["date_from"]:
        raise InvalidInput("The range ends before it starts.", {"to": ["before from"]})
    year = query["year"]
    date_from = query["date_from"] or (dt.date(year, 1, 1) if year else None)
    date_to = query["date_to"] or (dt.date(year, 12, 31) if year else None)
    filters = service.Filters(date_from, date_to, query["district"])
    tables = service.dashboard(db.session, filters)
    figures = programme.figures(db.session, programme.ProgrammeFilters(year, query["district"]))
    tables.update(figures.tables)
    return {
        "filters": {"from": date_from and date_from.isoformat(), "to": date_to and date_to.isoformat(),
                    "district": query["district"], "year": year},
        "open_cases": service.open_cases(db.session, filters),
        "panels": {key: {"columns": t.columns, "rows": [list(r) for r in t.rows], "unit": t.unit}
                   for key, t in tables.items()},
        "programme": {"computed_at": figures.computed_at.isoformat(), "as_of": figures.as_of.isoformat(),
                      "precomputed": figures.precomputed,
                      "targets": {"posts_developed": programme.TARGET_POSTS,
                                  "graduates_retained": programme.TARGET_GRADUATES},
                      "definitions": "docs/statistics.md"},
    }
