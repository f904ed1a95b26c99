"""Pages of apartments and card services through the real app (forms posted as a browser would), in Chinese and
English: the officer manages stock and rounds, the applicant applies and accepts, the public round page shows the
commitment, seed and masked result; the holder opens a request that a partner's desk completes."""

from __future__ import annotations

import html as html_module
import io
import re
from typing import Any

import pytest
from flask import session as flask_session
from flask_login import login_user

from talent.db import db
from talent.models import Role, User
from talent.models.apartments import ApartmentRound
from talent.services import apartments
from talent.services import service_requests as requests_service
from talent.services.workflow import today
from tests.api.test_apartments_api import apartment_facts
from tests.services.workflow_support import case_in, make_people, make_user


def sign_in(app: Any, client: Any, user_id: int) -> None:
    with app.test_request_context(environ_base=client.environ_base):
        login_user(db.session.get(User, user_id))
        data = dict(flask_session)
    with client.session_transaction() as stored:
        stored.update(data)


def text_of(response: Any) -> str:
    page = response.get_data(as_text=True)
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    db_session.commit()
    return found


def test_officer_applicant_and_public_pages(app, client, people, db_session):
    sign_in(app, client, people.officer.id)
    response = client.post("/apartments/manage/community", data={
        "code": "QN-01", "name_zh": "南关青年人才社区", "name_en": "Nanguan Youth Talent Community", "district": "220102"})
    assert response.status_code == 302
    bad = client.post("/apartments/manage/import", data={"file": (io.BytesIO(
        b"community,building,number,type,area_m2\nQN-01,1,101,studio,99\n"), "units.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "rows.1.area_m2" in text_of(bad) and "未能完成" in text_of(bad)
    good = client.post("/apartments/manage/import", data={"file": (io.BytesIO(
        b"community,building,number,type,area_m2\nQN-01,1,101,studio,30\n"), "units.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "已导入 1 套房源" in text_of(good)
    opened = client.post("/apartments/manage/open-round", data={"name": "第一批", "closes_on": today().isoformat()},
                         follow_redirects=True)
    assert "承诺值已公布" in text_of(opened)
    round_ = db_session.query(ApartmentRound).one()

    applicant = make_user(db_session, "young@example.cn", "周青", Role.APPLICANT)
    db_session.commit()
    # Facts come from the applicant's latest talent application: file one through the services.
    case_in(db_session, people, "awaiting_endorsement", facts=apartment_facts(61), owner=applicant)
    db_session.commit()
    client.get("/logout")
    with client.session_transaction() as stored:
        stored.clear()
    sign_in(app, client, applicant.id)
    page = client.get("/apartments/mine")
    assert "申请青年人才公寓" in text_of(page)
    community_id = apartments.community_list(db_session)[0]["id"]
    applied = client.post("/apartments/mine", data={"community": [str(community_id), ""], "unit_type": "studio"},
                          follow_redirects=True)
    assert "申请已提交" in text_of(applied) and "待摇号" in text_of(applied)

    apartments.close_round(db_session, people.officer, round_.id)
    db_session.commit()
    page = text_of(client.get("/apartments/mine"))
    assert "配房通知" in page and "南关青年人才社区 1 栋 101 室" in page
    offer_id = int(re.search(r'id="offer-(\d+)"', client.get("/apartments/mine").get_data(as_text=True)).group(1))
    accepted = client.post(f"/apartments/offers/{offer_id}/answer", data={"accept": "yes"}, follow_redirects=True)
    text = text_of(accepted)
    assert "租约已生成" in text and "我的租约" in text and "36 个月" in text

    with client.session_transaction() as stored:
        stored.clear()  # the public page, as anyone sees it
    public = text_of(client.get(f"/apartments/rounds/{round_.id}"))
    db_session.refresh(round_)
    assert round_.seed in public and round_.commitment in public and round_.inputs_digest in public
    assert "周*" in public and "周青" not in public
    english = text_of(client.get(f"/apartments/rounds/{round_.id}?lang=en"))
    assert "Commitment" in english and "Seed" in english
    assert "Youth talent apartment" in text_of(client.get("/apartments/?lang=en"))


def test_holder_and_partner_pages(app, client, people, db_session):
    case_in(db_session, people, "granted")
    partner = requests_service.create_partner(db_session, people.officer, name="吉大一院", services=["hospital_green_channel"])
    requests_service.verify_partner(db_session, people.officer, partner.id)
    requests_service.add_partner_staff(db_session, people.officer, partner.id, email="desk@jdyy.example.cn",
                                       name="王护士", password="partner-pass-2026")
    db_session.commit()
    sign_in(app, client, people.applicant.id)
    opened = client.post("/services/", data={"action": "open", "service": "hospital_green_channel",
                                            "description": "需要专家门诊"}, follow_redirects=True)
    assert "请求已提交" in text_of(opened) and "吉大一院" in text_of(opened)
    with client.session_transaction() as stored:
        stored.clear()
    signed_in = client.post("/login", data={"email": "desk@jdyy.example.cn", "password": "partner-pass-2026"})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/services/desk")
    assert "服务受理台" in text_of(client.get("/account", follow_redirects=True))
    desk = client.get("/services/desk")
    text = text_of(desk)
    assert "李*" in text and "李娜" not in text and "需要专家门诊" in text
    request_id = int(re.search(r'id="desk-request-(\d+)"', desk.get_data(as_text=True)).group(1))
    client.post("/services/desk", data={"action": "accept", "request_id": request_id})
    done = client.post("/services/desk", data={"action": "complete", "request_id": request_id, "text": "已安排"},
                       follow_redirects=True)
    assert "已办结" in text_of(done)
    assert "Service desk" in text_of(client.get("/services/desk?lang=en"))
    with client.session_transaction() as stored:
        stored.clear()
    sign_in(app, client, people.applicant.id)
    mine = text_of(client.get("/services/"))
    assert "已办结" in mine and "已安排" in mine
