"""Policy simulation for officers and analysts: run a reform over the platform's applications (or an uploaded
population), save the result, compare saved runs, and ask how one case would fare under a saved reform."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from talent.models.applications import Application
from talent.models.people import User
from talent.models.simulations import Simulation
from talent.rules import InputError, load_engine
from talent.rules.engine import SHIPPED_POLICIES
from talent.rules.policy import read_yaml
from talent.services import InvalidInput, NotFound
from talent.services.audit import record_event
from talent.simulation import Reform, ReformError, parse_reform, simulate
from talent.simulation.reform import reformed_engine
from talent.simulation.simulate import _brief, _changed_rules

MAX_POPULATION = 1_000_000  # people in one uploaded population (the page runs it while the officer waits)
MAX_REFORM_BYTES = 64 * 1024


def reform_parameters() -> list[dict[str, Any]]:
    """The numeric parameters of the shipped policies, with their description and latest value per version."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(SHIPPED_POLICIES.glob("*.yaml")):
        document = read_yaml(path)
        for name, spec in (document.get("parameters") or {}).items():
            values = spec.get("values") or {}
            latest = values[max(values, key=str)] if values else None
            if not isinstance(latest, int) or isinstance(latest, bool):
                continue
            entry = found.setdefault(name, {"name": name, "unit": spec.get("unit", ""),
                                            "description": spec.get("description", {}), "values": {}})
            entry["values"][document["id"]] = latest
    return sorted(found.values(), key=lambda entry: entry["name"])


def reform_from_rows(title_zh: str, title_en: str, rows: list[tuple[str, dt.date, int]]) -> str:
    """The YAML text of a reform made from (parameter, effective date, value) rows of the form."""
    document: dict[str, Any] = {
        "id": "reform",
        "title": {"zh": title_zh or "政策调整", "en": title_en or "Policy change"},
        "parameters": {},
    }
    for name, day, value in rows:
        document["parameters"].setdefault(name, {"values": {}})["values"][day.isoformat()] = int(value)
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def parse_reform_text(text: str) -> Reform:
    """A reform from YAML text; InvalidInput naming the `reform` field with every problem."""
    if len(text.encode("utf-8")) > MAX_REFORM_BYTES:
        raise InvalidInput("The reform is too long.", {"reform": [f"at most {MAX_REFORM_BYTES // 1024} KB"]})
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput("The reform is not valid YAML.", {"reform": [f"not valid YAML: {exc}"]}) from None
    try:
        return parse_reform(document, "reform")
    except ReformError as exc:
        raise InvalidInput("The reform cannot be applied.", {"reform": exc.problems}) from None


def platform_population(session: Session) -> list[dict[str, Any]]:
    """The facts of every application as decided (withdrawn ones left out), with the application id.

    The ID number is kept encrypted apart from the facts (docs/security.md); it is decrypted here, in memory
    only, because the decision was made with it (it gives the birth date). Results show it masked."""
    from talent.models.identities import Identity
    from talent.services.identities import ID_CONTEXT, keyring_of

    ring = keyring_of(session)
    rows = session.execute(
        select(Application.id, Application.facts, Application.application_date, Identity.id_cipher)
        .outerjoin(Identity, Application.identity_id == Identity.id)
        .where(Application.status != "withdrawn").order_by(Application.id))
    population = []
    for application_id, facts, application_date, cipher in rows:
        facts = dict(facts or {})
        facts.setdefault("application_date", application_date.isoformat())
        if cipher is not None:
            facts["id_number"] = ring.decrypt(cipher, ID_CONTEXT)
        facts["application_id"] = application_id  # the engine ignores fields outside docs/policy.md §7
        population.append(facts)
    return population


def run_simulation(session: Session, actor: User, *, reform_text: str, population: list[Any] | None,
                   years: int, from_year: int | None) -> Simulation:
    """Run and save a simulation (``population`` None: the platform's applications)."""
    reform = parse_reform_text(reform_text)
    if not 1 <= years <= 30:
        raise InvalidInput("Years out of range.", {"years": ["between 1 and 30"]})
    kind = "platform" if population is None else "upload"
    people = platform_population(session) if population is None else population
    if len(people) > MAX_POPULATION:
        raise InvalidInput("The population is too large.", {"population": [f"at most {MAX_POPULATION:,} people"]})
    try:
        result = simulate(people, reform, years=years, from_year=from_year, examples=20)
    except ReformError as exc:
        raise InvalidInput("The reform cannot be applied.", {"reform": exc.problems}) from None
    simulation = Simulation(
        reform_id=reform.id[:80], title_zh=reform.title["zh"][:200], title_en=reform.title["en"][:200],
        reform_yaml=reform_text, population=kind, population_size=len(people), years=years,
        from_year=result["years"][0], result=result, created_by_id=actor.id,
    )
    session.add(simulation)
    session.flush()
    record_event(session, actor=actor, action="simulation.created", entity_type="simulation",
                 entity_id=simulation.id, after={"reform": reform.id, "population": kind,
                                                 "people": len(people), "years": years})
    return simulation


def get_simulation(session: Session, simulation_id: int) -> Simulation:
    simulation = session.get(Simulation, simulation_id)
    if simulation is None:
        raise NotFound("No such simulation.")
    return simulation


def list_simulations(session: Session, limit: int = 50) -> list[Simulation]:
    return list(session.scalars(select(Simulation).order_by(Simulation.id.desc()).limit(limit)))


def what_if(simulation: Simulation, application: Application) -> dict[str, Any]:
    """This case's decision under the policy in force and under the simulation's reform, and what changed."""
    from talent.services.identities import id_number_of

    reform = parse_reform_text(simulation.reform_yaml)
    facts = dict(application.facts or {})
    facts.setdefault("application_date", application.application_date.isoformat())
    number = id_number_of(application)  # decrypted in memory: the decision was made with it
    if number:
        facts["id_number"] = number
    try:
        before = load_engine().decide(facts, reasons=True)
        after = reformed_engine(reform).decide(facts, reasons=True)
    except InputError as exc:
        raise InvalidInput("These facts cannot be decided.", exc.errors) from None
    except ReformError as exc:
        raise InvalidInput("The reform no longer applies to the policies.", {"reform": exc.problems}) from None
    return {"in_force": _brief(before), "reform": _brief(after), "rules": _changed_rules(before, after),
            "difference": _brief(after)["entitlement"] - _brief(before)["entitlement"]}
