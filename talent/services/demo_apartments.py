"""Demo data of issue 11 for `talent seed-demo`: nine youth-talent communities with a few thousand units (bulk
insert), a finished round (offers accepted, declined and re-offered, leases), partner organisations with staff
accounts, and service requests of every service on the demo holder's card in every state.

Idempotent: the communities are created only when the first one is missing; requests only when the demo holder
has none. Everything goes through the real services (eligibility, lottery, clocks, audit events).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from talent.codes import id_check_character
from talent.models import Employer, Role, User
from talent.models.apartments import ApartmentBuilding, ApartmentCommunity, ApartmentOffer, ApartmentUnit
from talent.models.service_requests import ServiceRequest
from talent.services import apartments, service_requests
from talent.services.accounts import create_user, find_user_by_email
from talent.services.cards import add_months
from talent.services.demo import DEMO_PASSWORD
from talent.services.workflow import today

# Nine communities, one per block of the city (fictional names in real districts).
COMMUNITIES = [
    ("QN-NG", "南关区南岭青年人才社区", "Nanling Youth Talent Community", "220102", "南关区南岭大街 188 号"),
    ("QN-KC", "宽城区北湖青年人才社区", "Beihu Youth Talent Community", "220103", "宽城区北湖路 66 号"),
    ("QN-CY", "朝阳区红旗青年人才社区", "Hongqi Youth Talent Community", "220104", "朝阳区红旗街 1299 号"),
    ("QN-ED", "二道区东盛青年人才社区", "Dongsheng Youth Talent Community", "220105", "二道区东盛大街 500 号"),
    ("QN-LY", "绿园区西新青年人才社区", "Xixin Youth Talent Community", "220106", "绿园区西新大路 88 号"),
    ("QN-JK", "经开区东南湖青年人才社区", "Dongnanhu Youth Talent Community", "220171", "经开区临河街 3388 号"),
    ("QN-JY", "净月区大学城青年人才社区", "University Town Youth Talent Community", "220172", "净月区博学路 1688 号"),
    ("QN-GX", "高新区北湖科技园青年人才社区", "North Lake Science Park Youth Talent Community", "220173", "高新区硅谷大街 2000 号"),
    ("QN-QC", "汽开区东风青年人才社区", "Dongfeng Youth Talent Community", "220174", "汽开区东风大街 8899 号"),
]
BUILDINGS_PER_COMMUNITY = 6
FLOORS = 14
UNITS_PER_FLOOR = 4  # 9 × 6 × 14 × 4 = 3,024 units
TYPE_OF_POSITION = {1: ("studio", "32.50"), 2: ("studio", "34.80"), 3: ("one_bed", "55.20"), 4: ("two_bed", "86.40")}

YOUNG_APPLICANTS = [
    ("young1@demo.talent.cc", "周青", "doctor", ["QN-GX", "QN-JY"], "studio"),
    ("young2@demo.talent.cc", "吴晓雨", "master", ["QN-GX"], "studio"),
    ("young3@demo.talent.cc", "郑浩然", "master", ["QN-GX", "QN-CY"], "one_bed"),
    ("young4@demo.talent.cc", "王思远", "bachelor", ["QN-GX"], "studio"),
    ("young5@demo.talent.cc", "冯雪", "bachelor", ["QN-GX"], "studio"),
    ("young6@demo.talent.cc", "陈一鸣", "doctor", ["QN-GX"], "two_bed"),
]

PARTNERS = [
    ("吉林大学第一医院", ["hospital_green_channel", "family_medical_channel", "annual_health_check"],
     "hospital@demo.talent.cc", "刘医生"),
    ("南关区教育局", ["school_placement"], "school@demo.talent.cc", "何老师"),
    ("长春龙嘉国际机场", ["airport_rail_vip"], "airport@demo.talent.cc", "高主任"),
]


def _young_facts(on: date, sequence: int, education: str) -> dict[str, Any]:
    first17 = f"220102{add_months(on, -12 * 27):%Y%m%d}{sequence:03d}"
    return {
        "application_date": on.isoformat(), "id_number": first17 + id_check_character(first17),
        "education": education, "full_time_degree": True, "graduation_date": add_months(on, -8).isoformat(),
        "professional_title": "none", "honours": [], "achievements": 0,
        "employment": {"employer_district": "220173", "employer_kind": "enterprise", "role_kind": "professional",
                       "contract_years": 3, "full_time": True, "annual_salary": 150_000,
                       "income_tax_last_year": 3_000, "enterprise_revenue": 50_000_000,
                       "social_insurance_local": True},
        "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
        "housing": {"owns_home_in_city": False},
    }


def _user(session: Session, email: str, name: str, role: Role) -> User:
    return find_user_by_email(session, email) or create_user(session, email=email, password=DEMO_PASSWORD,
                                                              name=name, role=role)


def seed(session: Session, users: dict[str, User], employer: Employer) -> None:
    officer = users.get("officer@demo.talent.cc") or find_user_by_email(session, "officer@demo.talent.cc")
    if officer is None:
        return
    on = today()
    _seed_apartments(session, officer, on)
    _seed_services(session, officer, users, on)


def _seed_apartments(session: Session, officer: User, on: date) -> None:
    if session.scalar(select(ApartmentCommunity.id).where(ApartmentCommunity.code == COMMUNITIES[0][0])):
        return
    ids = {}
    for code, name_zh, name_en, district, address in COMMUNITIES:
        ids[code] = apartments.create_community(session, officer, code=code, name_zh=name_zh, name_en=name_en,
                                                district=district, address=address).id
    rows = [
        {"community": code, "building": str(building), "number": f"{floor}{position:02d}",
         "type": TYPE_OF_POSITION[position][0], "area_m2": TYPE_OF_POSITION[position][1]}
        for code, *_rest in COMMUNITIES
        for building in range(1, BUILDINGS_PER_COMMUNITY + 1)
        for floor in range(1, FLOORS + 1)
        for position in range(1, UNITS_PER_FLOOR + 1)
    ]
    apartments.add_units(session, officer, rows, source="seed-demo")

    # A finished round in the high-tech zone: the young applicants apply, the round is drawn, offers answered.
    # The round offers the first floor of building 1 (two studios, a one-bed, a two-bed): fewer units than people.
    first_floor = list(session.scalars(
        select(ApartmentUnit.id).join(ApartmentBuilding, ApartmentBuilding.id == ApartmentUnit.building_id)
        .where(ApartmentUnit.community_id == ids["QN-GX"], ApartmentBuilding.name == "1",
               ApartmentUnit.number.in_([f"1{p:02d}" for p in TYPE_OF_POSITION]))
    ))
    round_ = apartments.open_round(session, officer, name=f"{on.year}年高新区第一批", closes_on=on,
                                   unit_ids=first_floor, on=on)
    people = []
    for index, (email, name, education, prefs, unit_type) in enumerate(YOUNG_APPLICANTS):
        person = _user(session, email, name, Role.APPLICANT)
        apartments.apply_for_apartment(session, person, communities=[ids[c] for c in prefs], unit_type=unit_type,
                                       facts=_young_facts(on, 300 + 2 * index, education), on=on)
        people.append(person)
    apartments.close_round(session, officer, round_.id, on=on)
    offers = list(session.scalars(select(ApartmentOffer).where(ApartmentOffer.round_id == round_.id)
                                  .order_by(ApartmentOffer.id)))
    # A studio is declined (and re-offered from the waiting list, left pending), the last offer stays pending,
    # the others are accepted.
    declined = next(o for o in offers if o.unit.unit_type == "studio")
    apartments.respond_to_offer(session, declined.application.applicant, declined.id, accept=False, on=on)
    for offer in offers[:-1]:
        if offer.id != declined.id:
            apartments.respond_to_offer(session, offer.application.applicant, offer.id, accept=True, on=on)


# The request states of the demo, in the order a request moves through them.
STATES = ("submitted", "accepted", "info_requested", "completed", "declined")


def _seed_services(session: Session, officer: User, users: dict[str, User], on: date) -> None:
    holder = users.get("applicant@demo.talent.cc") or find_user_by_email(session, "applicant@demo.talent.cc")
    if holder is None:
        return
    card = service_requests.active_card_of(session, holder, on)
    if card is None or session.scalar(select(ServiceRequest.id).where(ServiceRequest.holder_id == holder.id).limit(1)):
        return
    staff: dict[int, User] = {}
    for name, services, email, staff_name in PARTNERS:
        partner = next((p for p in service_requests.partners(session) if p.name == name), None)
        if partner is None:
            partner = service_requests.create_partner(session, officer, name=name, services=services)
            service_requests.verify_partner(session, officer, partner.id)
        user = find_user_by_email(session, email) or service_requests.add_partner_staff(
            session, officer, partner.id, email=email, name=staff_name, password=DEMO_PASSWORD)
        staff[partner.id] = user
    descriptions = {
        "airport_rail_vip": "下周赴上海出差，申请龙嘉机场贵宾通道。",
        "hospital_green_channel": "父亲需心内科专家会诊，申请就医绿色通道。",
        "scenic_spots_free": "周末携家人游览净月潭。",
        "school_placement": "两个孩子（一年级、四年级）需安排就近入学。",
        "spouse_employment": "配偶为注册会计师，希望在长春安排就业。",
        "annual_health_check": "申请年度健康体检。",
        "family_medical_channel": "母亲需住院治疗，申请家属就医通道。",
    }
    for service in card.services:
        for state in STATES:
            request = service_requests.open_request(session, holder, service=service,
                                                    description=descriptions.get(service, "申请服务。"), on=on)
            handler = staff.get(request.partner_id, officer) if request.partner_id else officer
            if state == "submitted":
                continue
            if state == "declined":
                service_requests.decline_request(session, handler, request.id, on=on,
                                                 reason="所需材料与服务项目不符，请核实后重新提交。")
                continue
            service_requests.accept_request(session, handler, request.id)
            if state == "info_requested":
                service_requests.ask_for_information(session, handler, request.id, on=on,
                                                     question="请补充相关证明材料（户口簿或诊断证明）。")
            elif state == "completed":
                service_requests.complete_request(session, handler, request.id, on=on, note="已按特事特办办结。")
                service_requests.rate_request(session, holder, request.id, rating=5, comment="办理及时，非常满意。")
    # The card's uses at the partners' desks.
    for partner_id, user in staff.items():
        partner = next(p for p in service_requests.partners(session) if p.id == partner_id)
        service = next((s for s in partner.services if s in card.services), None)
        if service:
            service_requests.record_service_use(session, user, verification_code=card.verification_code, service=service)

