"""The anonymous eligibility check and the policy versions (API.md: POST /eligibility, GET /policies).

The facts are validated by the rule engine, not by marshmallow, so that the API, the checker pages and
`talent rules eval` refuse exactly the same input with the same messages; the schemas below document the
body and the answers in the OpenAPI document.
"""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, request
from flask_smorest import Blueprint

from talent import limits
from talent.auth import allow_anyone
from talent.rules.facts import EDUCATION, EMPLOYER_KINDS, ID_NUMBER_MAX_INPUT, ROLE_KINDS, TITLES
from talent.rules.names import HONOURS, SERVICES
from talent.services import InvalidInput
from talent.services.eligibility import assess_facts, list_policies

# Named "policies" (not "eligibility", which is the checker pages' blueprint): one public API area for the
# policy versions and the decisions made under them.
blp = Blueprint(
    "policies", __name__, url_prefix="/api/v1",
    description="Policy versions and the anonymous eligibility check (nothing is stored).",
)


# --- documentation schemas (the engine validates; see the module docstring) ---------------------------

def _date(description: str, **kwargs) -> ma.fields.Date:
    return ma.fields.Date(metadata={"description": description}, **kwargs)


def _iso_date(description: str = "", **kwargs) -> ma.fields.String:
    # Decisions carry dates as ISO text already; a String field documents them without re-parsing.
    return ma.fields.String(metadata={"format": "date", "description": description}, **kwargs)


def _money(description: str) -> ma.fields.Integer:
    return ma.fields.Integer(validate=ma.validate.Range(min=0), metadata={"description": f"{description}; integer yuan ≥ 0"})


class FactsEmploymentSchema(ma.Schema):
    employer_district = ma.fields.String(validate=ma.validate.Length(max=6), metadata={"description": "GB/T 2260 division code, e.g. 220104"})
    employer_kind = ma.fields.String(validate=ma.validate.OneOf(EMPLOYER_KINDS))
    role_kind = ma.fields.String(validate=ma.validate.OneOf(ROLE_KINDS))
    contract_years = ma.fields.Decimal(as_string=False, metadata={"description": "length of the labour contract"})
    full_time = ma.fields.Boolean()
    annual_salary = _money("annual salary")
    income_tax_last_year = _money("individual income tax paid last year")
    enterprise_revenue = _money("the employer's revenue last year")
    social_insurance_local = ma.fields.Boolean(metadata={"description": "social insurance paid in Changchun"})


class FactsConductSchema(ma.Schema):
    disciplinary_sanction = ma.fields.Boolean()
    credit_blacklisted = ma.fields.Boolean()


class FactsPurchaseSchema(ma.Schema):
    contract_date = _date("purchase contract date")
    price = _money("purchase price")
    floor_area_m2 = ma.fields.Decimal(as_string=False)
    district = ma.fields.String(validate=ma.validate.Length(max=6), metadata={"description": "GB/T 2260 division code of the home"})
    new_commodity_housing = ma.fields.Boolean()
    first_home = ma.fields.Boolean()


class FactsHousingSchema(ma.Schema):
    owns_home_in_city = ma.fields.Boolean()
    purchase = ma.fields.Nested(FactsPurchaseSchema, allow_none=True)


class FactsHistorySchema(ma.Schema):
    last_classified_on = _date("date of the last classification; null = never", allow_none=True)
    last_rejected_on = _date("date of the last rejection; null = never", allow_none=True)
    revoked_on = _date("date a previous classification was revoked; null = never", allow_none=True)


class FactsSchema(ma.Schema):
    """The facts of docs/policy.md §7. Absent facts stay unknown and are listed under `missing`."""

    application_date = _date("decides the policy version in force", required=True)
    id_number = ma.fields.String(
        validate=ma.validate.Length(max=ID_NUMBER_MAX_INPUT),
        metadata={"description": "18-character resident ID (GB 11643); gives the birth date. Never echoed."}
    )
    birth_date = _date("required when there is no id_number; must agree with it otherwise")
    education = ma.fields.String(validate=ma.validate.OneOf(EDUCATION))
    full_time_degree = ma.fields.Boolean()
    graduation_date = _date("required when education is not none")
    professional_title = ma.fields.String(validate=ma.validate.OneOf(TITLES))
    honours = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(sorted(HONOURS))))
    achievements = ma.fields.Integer(validate=ma.validate.Range(min=0))
    employment = ma.fields.Nested(FactsEmploymentSchema)
    conduct = ma.fields.Nested(FactsConductSchema)
    housing = ma.fields.Nested(FactsHousingSchema)
    history = ma.fields.Nested(FactsHistorySchema)


class ReasonsQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    reasons = ma.fields.Boolean(
        load_default=True, metadata={"description": "false drops `reasons` and `missing` from the decision"}
    )


class DecisionCardSchema(ma.Schema):
    in_force = ma.fields.Boolean()
    eligible = ma.fields.Boolean()
    valid_until = _iso_date(allow_none=True)
    services = ma.fields.List(ma.fields.String(), metadata={"description": f"codes: {', '.join(SERVICES)}"})


class DecisionInstalmentSchema(ma.Schema):
    due_date = _iso_date()
    amount = ma.fields.Integer()


class DecisionHousingSubsidySchema(ma.Schema):
    in_force = ma.fields.Boolean()
    eligible = ma.fields.Boolean()
    kind = ma.fields.String(allow_none=True, metadata={"description": "tier or graduate"})
    total = ma.fields.Integer()
    instalments = ma.fields.List(ma.fields.Nested(DecisionInstalmentSchema))


class DecisionLivingAllowanceSchema(ma.Schema):
    in_force = ma.fields.Boolean()
    eligible = ma.fields.Boolean()
    kind = ma.fields.String(allow_none=True)
    monthly = ma.fields.Integer()
    months = ma.fields.Integer()
    total = ma.fields.Integer()


class DecisionPurchaseMeasureSchema(ma.Schema):
    in_force = ma.fields.Boolean()
    eligible = ma.fields.Boolean()
    amount = ma.fields.Integer()


class DecisionYouthApartmentSchema(ma.Schema):
    in_force = ma.fields.Boolean()
    eligible = ma.fields.Boolean()
    monthly_rent = ma.fields.Integer()
    max_months = ma.fields.Integer()


class DecisionProgrammesSchema(ma.Schema):
    privilege_card = ma.fields.Nested(DecisionCardSchema)
    housing_subsidy = ma.fields.Nested(DecisionHousingSubsidySchema)
    living_allowance = ma.fields.Nested(DecisionLivingAllowanceSchema)
    purchase_measure_2022q3 = ma.fields.Nested(DecisionPurchaseMeasureSchema)
    youth_apartment = ma.fields.Nested(DecisionYouthApartmentSchema)


class DecisionReasonSchema(ma.Schema):
    rule = ma.fields.String()
    held = ma.fields.Boolean()
    values = ma.fields.Dict(metadata={"description": "the facts the rule looked at"})
    parameter = ma.fields.Dict(allow_none=True, metadata={"description": "{name, value, effective_from}"})
    zh = ma.fields.String()
    en = ma.fields.String()
    answered = ma.fields.Boolean(metadata={"description": "false: the rule waits on absent facts (neither held "
                                                          "nor failed); `held` is then false"})
    missing = ma.fields.List(ma.fields.String(), metadata={"description": "absent facts an unanswered rule waits on"})
    open_inputs = ma.fields.Dict(metadata={"description": "tables only: inputs that wait on absent facts"})


class DecisionMissingSchema(ma.Schema):
    fact = ma.fields.String(metadata={"description": "field path of an absent fact that could change the result"})
    zh = ma.fields.String()
    en = ma.fields.String()
    affects = ma.fields.List(ma.fields.String(), metadata={
        "description": "the parts of the decision this fact could change (eligible, tier, track, programmes)"})


class DecisionSchema(ma.Schema):
    policy = ma.fields.String(metadata={"description": "the policy version applied"})
    application_date = _iso_date()
    eligible = ma.fields.Boolean(metadata={"description": "common eligibility (G1–G6)"})
    tier = ma.fields.String(allow_none=True, metadata={"description": "A, B, C or null"})
    track = ma.fields.String(allow_none=True, metadata={"description": "graduate or null"})
    age = ma.fields.Integer()
    programmes = ma.fields.Nested(DecisionProgrammesSchema)
    reasons = ma.fields.List(ma.fields.Nested(DecisionReasonSchema))
    missing = ma.fields.List(ma.fields.Nested(DecisionMissingSchema))
    open = ma.fields.Dict(metadata={
        "description": "each part of the decision (eligible, tier, track, a programme) that the given facts do not "
                       "settle, with the absent facts it waits on; a granted programme is listed when an absent fact "
                       "could change its amount"})


class PolicyVersionTitleSchema(ma.Schema):
    zh = ma.fields.String()
    en = ma.fields.String()


class PolicyVersionSchema(ma.Schema):
    id = ma.fields.String()
    effective_from = _iso_date()
    effective_to = _iso_date("null: open-ended", allow_none=True)
    title = ma.fields.Nested(PolicyVersionTitleSchema)


# --- endpoints ----------------------------------------------------------------------------------------

@blp.route("/eligibility", methods=["POST"])
@limits.eligibility
@allow_anyone
@blp.arguments(ReasonsQuerySchema, location="query", as_kwargs=True)
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": FactsSchema}}})
@blp.response(200, DecisionSchema)
def assess(reasons: bool):
    """Decide the facts of docs/policy.md §7 under the policy version in force on their application date.

    Anonymous; nothing is stored and the ID number is never echoed. Every input error (no policy in force,
    unknown code, malformed date, bad ID number, negative amount, wrong type...) is refused with 422 and
    `errors` keyed by field path.
    """
    facts = request.get_json(silent=True)
    if facts is None:
        # Malformed JSON or another content type: the body is not a JSON object either way.
        raise InvalidInput("The body must be a JSON object.", {"_schema": ["The body must be a JSON object."]})
    # Returned as is (not dumped through DecisionSchema), so a field the engine adds is never dropped.
    return jsonify(assess_facts(facts, reasons=reasons))


@blp.route("/policies", methods=["GET"])
@allow_anyone
@blp.response(200, PolicyVersionSchema(many=True))
def policies():
    """The policy versions with their effective dates, oldest first."""
    return list_policies()
