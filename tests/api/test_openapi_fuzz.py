"""The OpenAPI document through schemathesis, for every role: no server error, and every response (status,
content type, body) is what the document says. Bounded examples per operation, so it stays a test (CI runs it on
PostgreSQL, through TALENT_TEST_DATABASE_URL; without it, on SQLite). TALENT_FUZZ_EXAMPLES raises the
number of examples per operation for a longer hunt."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.services.workflow_support import case_in, make_people, token_for

ROLES = ("anonymous", "applicant", "employer", "officer", "admin")
EXAMPLES = int(os.environ.get("TALENT_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def world(app, db_session):
    """Accounts of every role and a few cases, so that generated ids sometimes hit real rows."""
    people = make_people(db_session)
    case_in(db_session, people, "granted")
    case_in(db_session, people, "in_review", owner=people.other_applicant)
    db_session.commit()
    return {"anonymous": {}, "applicant": token_for(people.applicant), "employer": token_for(people.employer_user),
            "officer": token_for(people.officer), "admin": token_for(people.admin)}


def _fuzz(operation, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        case.call_and_validate(headers={**(case.headers or {}), **headers}, checks=CHECKS)

    run()


def _summary(error: BaseException) -> str:
    """One line per distinct problem (schemathesis groups them as sub-exceptions)."""
    found = getattr(error, "exceptions", None) or [error]
    lines = []
    for item in found:
        text = " ".join(str(item).split())[:400]
        line = f"{type(item).__name__}: {text}"
        if line not in lines:
            lines.append(line)
    return "\n    ".join(lines)


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(app, world, backend, role):
    if backend == "sqlite" and os.environ.get("TALENT_TEST_DATABASE_URL"):
        pytest.skip("with a PostgreSQL test database (CI) the fuzzing runs there, where strings are strictest")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            _fuzz(operation, world[role])
        except (Exception, BaseExceptionGroup) as error:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {_summary(error)}")
    assert not failures, f"{len(failures)} operations failed as {role}:\n\n" + "\n\n".join(failures)


def test_every_operation_documents_its_success(app):
    """A status the API returns must be in the document: every operation names its 2xx answer."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    missing = [f"{method.upper()} {path}" for path, operations in spec["paths"].items()
               for method, operation in operations.items()
               if method != "parameters" and not any(code.startswith("2") for code in operation["responses"])]
    assert not missing, missing
