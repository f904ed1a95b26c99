"""The bureau's dashboard and the policy simulation pages: every figure equals a count made directly from the
rows, the pages draw charts and tables in both languages, downloads carry the same table, analysts read but do
nothing else, and a reform run from the page gives the result the library gives."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from talent.models import Role
from talent.models.applications import Application
from talent.models.cards import Card, Instalment
from talent.models.simulations import Simulation
from talent.services import dashboard as dashboard_service
from talent.services.accounts import create_user
from talent.services.cards import mark_instalment_paid
from talent.services.dashboard import Filters
from talent.simulation import parse_reform, simulate
from tests.web.test_officer_pages import (  # noqa: F401  (people is a fixture)
    PASSWORD,
    case_in_review,
    granted_case,
    people,
    sign_in,
)


@pytest.fixture
def cases(db_session, people):
    """A granted case with one instalment paid, and a case still in review."""
    granted = granted_case(db_session, people)
    first = db_session.scalars(select(Instalment).where(Instalment.application_id == granted)
                               .order_by(Instalment.due_on, Instalment.id)).first()
    mark_instalment_paid(db_session, people.officer, first.id, paid_on=first.due_on)
    db_session.commit()
    in_review = case_in_review(db_session, people, 1)
    return {"granted": granted, "in_review": in_review}


@pytest.fixture
def analyst(db_session):
    user = create_user(db_session, email="analyst@example.cn", password=PASSWORD, name="钱analyst",
                       role=Role.ANALYST)
    db_session.commit()
    return user


def test_every_figure_equals_a_count_made_from_the_rows(db_session, cases):
    tables = dashboard_service.dashboard(db_session, Filters())
    applications = list(db_session.scalars(select(Application)))
    assert dict(tables["by_status"].rows) == Counter(a.status for a in applications)
    tiers = Counter(a.tier or "none" for a in applications)
    assert dict(tables["by_tier"].rows) == {t: tiers.get(t, 0) for t in ("A", "B", "C", "none")}
    granted = Counter(code for a in applications for code, p in a.decision["programmes"].items() if p["eligible"])
    assert {code: n for code, n in tables["by_programme"].rows if n} == dict(granted)
    assert dict(tables["by_district"].rows) == Counter(a.employer.district for a in applications)
    assert dict(tables["by_month"].rows) == Counter(a.application_date.strftime("%Y-%m") for a in applications)

    instalments = list(db_session.scalars(select(Instalment)))
    committed, paid = Counter(), Counter()
    for row in instalments:
        committed[(row.due_on.year, row.programme)] += row.amount
        if row.status == "paid":
            paid[(row.paid_on.year, row.programme)] += row.amount
    money = {(year, programme): (c, p) for year, programme, c, p in tables["money"].rows}
    assert {key: value[0] for key, value in money.items() if value[0]} == dict(committed)
    assert {key: value[1] for key, value in money.items() if value[1]} == dict(paid)
    assert sum(paid.values()) > 0

    cards = list(db_session.scalars(select(Card)))
    assert sum(row[1] for row in tables["cards"].rows) == len(cards) == 1
    clocks = {row[0]: row for row in tables["clocks"].rows}
    assert clocks["endorsement"][1] == 2 and clocks["review"][1] == 1 and clocks["notice"][1] == 1


def test_filters_narrow_every_figure(db_session, cases):
    granted = db_session.get(Application, cases["granted"])
    later = Filters(date_from=granted.application_date + dt.timedelta(days=1))
    assert sum(n for _, n in dashboard_service.applications_by_status(db_session, later).rows) == 0
    elsewhere = Filters(district="220102")  # the cases' employer is in 220173
    assert dashboard_service.money_by_year(db_session, elsewhere).rows == []
    assert sum(row[1] for row in dashboard_service.cards(db_session, elsewhere).rows) == 0
    here = Filters(district="220173", date_to=granted.application_date)
    assert sum(n for _, n in dashboard_service.applications_by_status(db_session, here).rows) == 2


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_dashboard_draws_each_panel_as_a_chart_and_a_table(client, cases, analyst, language):
    page = sign_in(client, analyst).get(f"/officer/dashboard/?lang={language}")
    assert page.status_code == 200
    html = page.text
    charts = re.findall(r'<img src="(/officer/dashboard/[a-z_]+\.svg[^"]*)" alt="([^"]+)"', html)
    assert len(charts) >= 8
    svg = client.get(charts[1][0].replace("&amp;", "&"))  # by tier
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "script-src" not in svg.headers["Content-Security-Policy"]
    assert "<script" not in svg.text and "kozea.github.io" not in svg.text  # no chart script from the internet
    assert ("Tier B" if language == "en" else "B 类") in svg.text
    if language == "zh":
        assert "申请按人才层次" in html and "资金：承诺与已发放（元）" in html and "B 类" in html
    else:
        assert "Applications by talent tier" in html and "Money: committed and paid (yuan)" in html
        assert "Tier B" in html and "申请按" not in html
    table = re.search(r'<table class="table" id="table-by_status">.*?</table>', html, re.S).group(0)
    assert table.count("<tr>") == 3  # the header and two states


def test_downloads_carry_the_same_table(client, cases, people):
    sign_in(client, people.officer)
    response = client.get("/officer/dashboard/by_status.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["状态", "申请数"] and len(rows) == 3
    assert sorted(int(r[1]) for r in rows[1:]) == [1, 1]
    workbook = load_workbook(io.BytesIO(client.get("/officer/dashboard/money.xlsx?lang=en").data))
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert sheet[0] == ("Year", "Programme", "Committed", "Paid") and len(sheet) >= 2
    assert client.get("/officer/dashboard/nothing.csv").status_code == 404


def test_bad_filters_are_named_on_the_page(client, cases, people):
    page = sign_in(client, people.officer).get("/officer/dashboard/?from=2024-13-01&district=110101")
    assert page.status_code == 422
    assert "请按 年-月-日 填写日期" in page.text and "请选择长春市的区县" in page.text


def test_only_officers_and_analysts_read_and_analysts_do_nothing_else(client, cases, people, analyst):
    sign_in(client, people.applicant)
    assert client.get("/officer/dashboard/").status_code == 403
    assert client.get("/officer/simulations/").status_code == 403
    client.post("/logout")
    sign_in(client, analyst)
    assert client.get("/officer/simulations/").status_code == 200
    assert client.get("/officer/").status_code == 403  # the review queue is not theirs
    assert client.get(f"/officer/cases/{cases['granted']}").status_code == 403


REFORM_ROWS = {"parameter_1": "living_tier_monthly_b", "date_1": "2020-01-01", "value_1": "5000",
               "title_zh": "B类生活补贴提高到每月5000元", "title_en": "Tier B living allowance 5,000 a month",
               "population": "platform", "years": "5"}


def test_a_reform_from_the_page_gives_the_librarys_result_and_a_what_if_for_the_case(client, db_session, cases,
                                                                                    people):
    sign_in(client, people.officer)
    response = client.post("/officer/simulations/", data=REFORM_ROWS)
    assert response.status_code == 302, response.text
    simulation = db_session.scalars(select(Simulation)).one()
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "B类生活补贴提高到每月5000元" in page.text
    result = simulation.result
    # the same population through the library directly: the page adds nothing and loses nothing
    from talent.services.simulations import parse_reform_text, platform_population

    expected = simulate(platform_population(db_session), parse_reform_text(simulation.reform_yaml), years=5,
                        examples=20)
    assert result == json.loads(json.dumps(expected))
    assert result["people"]["gain"]["people"] == 2  # both tier B cases: 1,000 more a month for 60 months
    assert result["difference"]["entitlement"]["total"] == 2 * 60 * 1000
    assert re.search(r'id="gainers">2<', page.text)

    what_if = client.get(f"/officer/simulations/{simulation.id}/cases/{cases['granted']}")
    assert what_if.status_code == 200
    programmes = db_session.get(Application, cases["granted"]).decision["programmes"]
    before = (programmes["housing_subsidy"]["total"] + programmes["living_allowance"]["total"]
              + programmes["purchase_measure_2022q3"]["amount"])
    assert programmes["living_allowance"]["total"] == 240_000
    assert f"{before:,}" in what_if.text and f"{before + 60_000:,}" in what_if.text
    case_page = client.get(f"/officer/cases/{cases['granted']}")
    assert f"/officer/simulations/{simulation.id}/cases/{cases['granted']}" in case_page.text

    second = client.post("/officer/simulations/", data={**REFORM_ROWS, "value_1": "3000", "title_zh": "降低"})
    assert second.status_code == 302
    ids = [s.id for s in db_session.scalars(select(Simulation).order_by(Simulation.id))]
    compared = client.get(f"/officer/simulations/compare?id={ids[0]}&id={ids[1]}&lang=en")
    assert compared.status_code == 200 and "+120,000" in compared.text and "-120,000" in compared.text
    assert client.get(f"/officer/simulations/compare?id={ids[0]}").status_code == 422
    audit = json.loads(client.get(f"/officer/simulations/{ids[0]}.json").data)
    assert audit["reform"]["title"]["en"] == "Tier B living allowance 5,000 a month"


@pytest.mark.parametrize(("data", "message"), [
    ({"parameter_1": "living_tier_monthly_b", "date_1": "2020-01-01"}, "请填写新数值"),
    ({"parameter_1": "no_such", "date_1": "2020-01-01", "value_1": "1"}, "请选择要调整的参数"),
    ({}, "请至少调整一个参数"),
    ({"reform_yaml": "parameters: [1, 2"}, "not valid YAML"),
    ({"reform_yaml": "parameters:\n  tier_c_min_annual_salary:\n    values: {2023-01-01: 0.5}\n"}, "binary float"),
    ({"parameter_1": "living_tier_monthly_b", "date_1": "2020-01-01", "value_1": "5000", "years": "99"},
     "请填写 1 到 30 之间的整数"),
    ({"parameter_1": "living_tier_monthly_b", "date_1": "2020-01-01", "value_1": "5000", "population": "upload"},
     "请选择人群文件"),
])
def test_a_bad_reform_form_is_answered_on_the_page(client, db_session, cases, people, data, message):
    sign_in(client, people.officer)
    page = client.post("/officer/simulations/", data={"population": "platform", "years": "5", **data})
    assert page.status_code == 422 and message in page.text
    assert db_session.scalars(select(Simulation)).first() is None


def test_an_uploaded_population_is_simulated(client, db_session, people):
    population = [{"application_date": "2024-07-01", "birth_date": "1990-05-01", "education": "master",
                   "full_time_degree": True, "graduation_date": "2024-06-30",
                   "employment": {"employer_district": "220104", "employer_kind": "enterprise",
                                  "role_kind": "professional", "contract_years": 3, "full_time": True,
                                  "annual_salary": 120000, "social_insurance_local": True}}]
    body = ("\n".join(json.dumps(p) for p in population) + "\nnot json\n").encode()
    sign_in(client, people.officer)
    response = client.post("/officer/simulations/", data={
        "reform_yaml": "id: more\nparameters:\n  living_graduate_monthly_master:\n    values: {2024-06-01: 3000}\n",
        "population": "upload", "years": "3", "population_file": (io.BytesIO(body), "people.jsonl"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    simulation = db_session.scalars(select(Simulation)).one()
    assert simulation.population == "upload" and simulation.population_size == 2
    assert simulation.result["population"]["refused"] == 1
    expected = simulate([*population, None], parse_reform(
        {"id": "more", "parameters": {"living_graduate_monthly_master": {"values": {"2024-06-01": 3000}}}}), years=3,
        examples=20)
    assert simulation.result["difference"] == json.loads(json.dumps(expected["difference"]))


def test_apartments_by_community_equal_the_units_rows(client, db_session, people):
    from decimal import Decimal

    from talent.models.apartments import ApartmentBuilding, ApartmentCommunity, ApartmentUnit

    made = Counter()
    for code, district, statuses in (("NG", "220102", ["free", "free", "let", "maintenance"]),
                                     ("JY", "220172", ["offered", "let", "let"])):
        community = ApartmentCommunity(code=code, name_zh=f"{code}青年人才社区", name_en=f"{code} Youth Community",
                                       district=district)
        building = ApartmentBuilding(community=community, name="1")
        db_session.add_all([community, building])
        db_session.flush()
        for k, status in enumerate(statuses):
            db_session.add(ApartmentUnit(building_id=building.id, community_id=community.id, number=f"10{k}",
                                         unit_type="studio", area_m2=Decimal("30.00"), status=status))
            made[(code, status)] += 1
    db_session.commit()
    table = dashboard_service.apartments(db_session, Filters())
    assert {(row[0], status): row[2 + k] for row in table.rows
            for k, status in enumerate(("free", "offered", "let", "maintenance")) if row[2 + k]} == dict(made)
    assert [row[0] for row in dashboard_service.apartments(db_session, Filters(district="220172")).rows] == ["JY"]
    page = sign_in(client, people.officer).get("/officer/dashboard/?lang=en")
    assert "Youth-talent apartments: units by community and status" in page.text
    assert "NG Youth Community" in page.text and "NG青年人才社区" not in page.text
