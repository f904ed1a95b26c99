"""Youth-talent apartments through the HTTP API and the `talent apartments` command, on every backend.

End to end: an officer adds a community and imports units (CSV and XLSX, with row-level errors), opens a round
(commitment published), applicants apply (decided by the rule engine on the day), the officer closes the round
(seed, inputs' digest and the masked result published), an applicant accepts the offer and sees the lease and
its rent schedule, a declined offer goes to the next on the waiting list, and `talent apartments allocate
--verify` reproduces the round.
"""

from __future__ import annotations

import copy
import hashlib
import io

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from talent.allocation import RoundInputs, canonical_json_digest
from talent.cli import main as talent_command
from talent.models import AuditEvent, Role
from talent.models.apartments import ApartmentLease, ApartmentRound, ApartmentUnit
from talent.services.workflow import today
from tests.services.workflow_support import (
    graduate_facts,
    id_number,
    make_people,
    make_user,
    token_for,
    years_ago,
)


def apartment_facts(sequence: int, education: str = "doctor") -> dict:
    facts = graduate_facts(id_number("220102", years_ago(29), sequence))
    facts["education"] = education
    facts["housing"] = {"owns_home_in_city": False}
    return facts


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


@pytest.fixture
def cli_environment(monkeypatch, database_url, app):
    monkeypatch.setenv("TALENT_DATABASE_URL", database_url)
    monkeypatch.setenv("TALENT_INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("TALENT_SECRET_KEY", "test-secret-key")


def add_community(client, officer, code="QN-01", name="南关青年人才社区"):
    response = client.post("/api/v1/apartments/communities", headers=token_for(officer),
                           json={"code": code, "name_zh": name, "name_en": f"Community {code}", "district": "220102"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def import_csv(client, officer, text: str, name: str = "units.csv"):
    return client.post("/api/v1/apartments/units/import", headers=token_for(officer),
                       data={"file": (io.BytesIO(text.encode("utf-8")), name)}, content_type="multipart/form-data")


def test_unit_import_reports_every_bad_row_and_imports_nothing(client, people, db_session):
    add_community(client, people.officer)
    bad = ("community,building,number,type,area_m2\n"
           "QN-01,1,101,studio,30\n"
           "QN-99,1,102,studio,30\n"  # unknown community
           "QN-01,1,103,loft,30\n"  # unknown type
           "QN-01,1,104,studio,48\n"  # too large for a studio
           "QN-01,1,101,studio,30\n")  # twice in the file
    response = import_csv(client, people.officer, bad)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"rows.2.community", "rows.3.type", "rows.4.area_m2", "rows.5.number"}
    assert db_session.scalar(select(func.count()).select_from(ApartmentUnit)) == 0

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["community", "building", "number", "type", "area_m2"])
    sheet.append(["QN-01", 2, 201, "two_bed", 88.5])
    sheet.append(["QN-01", 2, 202, "one_bed", 55])
    data = io.BytesIO()
    workbook.save(data)
    response = client.post("/api/v1/apartments/units/import", headers=token_for(people.officer),
                           data={"file": (io.BytesIO(data.getvalue()), "units.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"created": 2}
    listed = client.get("/api/v1/apartments/communities").get_json()
    assert listed[0]["free_units"] == {"studio": 0, "one_bed": 1, "two_bed": 1}

    assert import_csv(client, people.applicant, "community,building,number,type,area_m2\n").status_code == 403


def test_apply_refused_when_not_eligible(client, people):
    community = add_community(client, people.officer)
    facts = apartment_facts(11)
    facts["housing"] = {"owns_home_in_city": True}
    response = client.post("/api/v1/apartments/applications", headers=token_for(people.applicant),
                           json={"communities": [community], "unit_type": "studio", "facts": facts})
    assert response.status_code == 422
    assert "eligibility" in response.get_json()["errors"]
    response = client.post("/api/v1/apartments/applications", headers=token_for(people.applicant),
                           json={"communities": [community, community], "unit_type": "studio",
                                 "facts": apartment_facts(11)})
    assert response.status_code == 422 and "communities" in response.get_json()["errors"]
    response = client.post("/api/v1/apartments/applications", headers=token_for(people.applicant),
                           json={"communities": [community], "unit_type": "palace", "facts": apartment_facts(11)})
    assert response.status_code == 422 and "unit_type" in response.get_json()["errors"]


def test_apply_allocate_accept_lease_and_verify(client, people, db_session, cli_environment):
    officer = token_for(people.officer)
    east = add_community(client, people.officer, "QN-01", "南关青年人才社区")
    west = add_community(client, people.officer, "QN-02", "绿园青年人才社区")
    assert import_csv(client, people.officer, "community,building,number,type,area_m2\n"
                                              "QN-01,10,101,studio,30\nQN-02,1,101,studio,32\n").status_code == 201

    round_response = client.post("/api/v1/apartments/rounds", headers=officer,
                                 json={"name": "2026年第一批", "closes_on": today().isoformat()})
    assert round_response.status_code == 201, round_response.get_json()
    round_id = round_response.get_json()["id"]
    public = client.get(f"/api/v1/apartments/rounds/{round_id}").get_json()
    assert public["seed"] is None and len(public["commitment"]) == 64 and public["units"] == 2

    # Three applicants, two units: a doctor (group 2) and two masters (group 3).
    applicants = [people.applicant, people.other_applicant, make_user(db_session, "wu@example.cn", "吴晓明",
                                                                         Role.APPLICANT)]
    db_session.commit()
    ids = {}
    for index, (person, education, prefs) in enumerate(
        [(applicants[0], "doctor", [east, west]), (applicants[1], "master", [east]), (applicants[2], "master", [east])]
    ):
        response = client.post("/api/v1/apartments/applications", headers=token_for(person),
                               json={"communities": prefs, "unit_type": "studio",
                                     "facts": apartment_facts(21 + 2 * index, education)})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["priority_group"] == (2 if education == "doctor" else 3)
        ids[person.id] = response.get_json()["id"]
    again = client.post("/api/v1/apartments/applications", headers=token_for(applicants[0]),
                        json={"communities": [east], "unit_type": "studio", "facts": apartment_facts(21)})
    assert again.status_code == 409

    closing = client.post(f"/api/v1/apartments/rounds/{round_id}/closing", headers=officer)
    assert closing.status_code == 200, closing.get_json()
    assert client.post(f"/api/v1/apartments/rounds/{round_id}/closing", headers=officer).status_code == 409
    public = client.get(f"/api/v1/apartments/rounds/{round_id}").get_json()
    assert hashlib.sha256(public["seed"].encode()).hexdigest() == public["commitment"]
    published = client.get(f"/api/v1/apartments/rounds/{round_id}/inputs").get_json()
    assert canonical_json_digest(published["inputs"]) == public["inputs_digest"]
    # The doctor is drawn first and takes the first choice; one master gets nothing of "east" and waits.
    offers = {o["application_id"]: o for o in public["offers"]}
    assert offers[ids[applicants[0].id]]["unit"] == "QN-01 10-101"
    assert offers[ids[applicants[0].id]]["applicant"] == "李*"  # masked
    masters = [ids[applicants[1].id], ids[applicants[2].id]]
    assert len(public["offers"]) == 1 and [w["application_id"] for w in public["waiting"]] != []
    assert {w["application_id"] for w in public["waiting"]} == set(masters)
    assert "李娜" not in str(public) and "孙强" not in str(public)

    # The doctor declines; the unit goes to the first master on the waiting list.
    mine = client.get("/api/v1/apartments/applications/me", headers=token_for(applicants[0])).get_json()
    offer = mine["offers"][0]
    assert offer["status"] == "pending" and offer["unit"]["number"] == "101"
    declined = client.post(f"/api/v1/apartments/offers/{offer['id']}/answer", headers=token_for(applicants[0]),
                           json={"accept": False})
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    first_waiting = public["waiting"][0]["application_id"]
    next_person = applicants[1] if ids[applicants[1].id] == first_waiting else applicants[2]
    theirs = client.get("/api/v1/apartments/applications/me", headers=token_for(next_person)).get_json()
    assert theirs["offers"][0]["source"] == "reoffer" and theirs["offers"][0]["status"] == "pending"
    # Someone else cannot answer it.
    assert client.post(f"/api/v1/apartments/offers/{theirs['offers'][0]['id']}/answer",
                       headers=token_for(applicants[0]), json={"accept": True}).status_code == 404

    accepted = client.post(f"/api/v1/apartments/offers/{theirs['offers'][0]['id']}/answer",
                           headers=token_for(next_person), json={"accept": True})
    assert accepted.status_code == 201, accepted.get_json()
    lease = accepted.get_json()
    assert lease["months"] == 36 and lease["monthly_rent"] == 450
    assert len(lease["rent_schedule"]) == 36 and lease["rent_schedule"][0]["due_on"] == today().isoformat()
    seen = client.get("/api/v1/apartments/applications/me", headers=token_for(next_person)).get_json()
    assert seen["leases"][0]["unit"]["community"] == "南关青年人才社区"
    assert seen["applications"][0]["status"] == "housed"
    unit = db_session.get(ApartmentUnit, lease["unit"]["id"])
    db_session.refresh(unit)
    assert unit.status == "let"
    assert db_session.scalar(select(func.count()).select_from(ApartmentLease)) == 1
    actions = set(db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("apartment%"))))
    assert {"apartment_round.opened", "apartment_round.allocated", "apartment_offer.declined",
            "apartment_offer.reoffered", "apartment_offer.accepted", "apartment_lease.started"} <= actions

    # Only the tenant (or an officer) may end the lease.
    assert client.post(f"/api/v1/apartments/leases/{lease['id']}/move-out", headers=token_for(applicants[0]),
                       json={}).status_code == 404
    moved = client.post(f"/api/v1/apartments/leases/{lease['id']}/move-out", headers=token_for(next_person),
                        json={"note": "工作调动"})
    assert moved.status_code == 200 and moved.get_json()["moved_out_on"] == today().isoformat()
    db_session.refresh(unit)
    assert unit.status == "free"

    # The verification command reproduces the round ...
    result = CliRunner().invoke(talent_command, ["apartments", "allocate", "--round", str(round_id), "--verify"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output
    # ... and catches a published result that was changed afterwards.
    round_ = db_session.get(ApartmentRound, round_id)
    tampered = copy.deepcopy(round_.result)
    tampered["waiting"] = list(reversed(tampered["waiting"]))
    round_.result = tampered
    db_session.commit()
    result = CliRunner().invoke(talent_command, ["apartments", "allocate", "--round", str(round_id), "--verify"])
    assert result.exit_code == 1 and "waiting list differs" in result.output
    assert RoundInputs.from_json(published["inputs"]).max_months == 36


def test_cli_allocates_an_open_round_and_expires_offers(client, people, db_session, cli_environment):
    east = add_community(client, people.officer)
    assert import_csv(client, people.officer, "community,building,number,type,area_m2\n"
                                              "QN-01,1,101,one_bed,50\n").status_code == 201
    round_id = client.post("/api/v1/apartments/rounds", headers=token_for(people.officer),
                           json={"name": "第二批", "closes_on": today().isoformat()}).get_json()["id"]
    for person, sequence in ((people.applicant, 41), (people.other_applicant, 43)):
        assert client.post("/api/v1/apartments/applications", headers=token_for(person),
                           json={"communities": [east], "unit_type": "one_bed",
                                 "facts": apartment_facts(sequence)}).status_code == 201
    result = CliRunner().invoke(talent_command, ["apartments", "allocate", "--round", str(round_id)])
    assert result.exit_code == 0, result.output
    assert "1 offers, 1 waiting" in result.output
    # Nobody answers: 5 working days later the offer counts as declined and goes to the one waiting.
    from talent.workdays import add_working_days

    later = add_working_days(today(), 6).isoformat()
    result = CliRunner().invoke(talent_command, ["apartments", "expire-offers", "--as-of", later])
    assert result.exit_code == 0, result.output
    assert "expired; re-offered" in result.output
    result = CliRunner().invoke(talent_command, ["apartments", "allocate", "--round", str(round_id), "--verify"])
    assert result.exit_code == 0, result.output
