"""Demo data for the programme's figures: the demo organisations' industries (GB/T 4754-2017 sections), in the
style of Changchun's economy — carmakers and their suppliers, optics, rail and equipment are manufacturing (C),
software and data firms I, hospitals Q, schools and colleges P, and so on.

Set through `services.employers.set_employer_industry` (with its audit event) and only where an organisation has
none yet, so seeding twice changes nothing and an industry changed by hand is kept.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from talent.models import Employer, User
from talent.services.employers import employer_by_credit_code, set_employer_industry

# talent.services.demo_jobs.ORGANISATIONS' sectors → industry section
SECTOR_INDUSTRY = {
    "automotive": "C", "optics": "C", "biomedicine": "C", "rail": "C", "manufacturing": "C", "materials": "C",
    "agriculture": "A", "software": "I", "education": "P", "health": "Q", "finance": "J",
    "public_service": "S", "energy": "D", "media": "R",
}
# Organisations whose sector alone would mislead: a food maker is manufacturing, a health-management firm a
# resident service, a research institute scientific research.
BY_NAME = {"长春嘉禾食品有限公司": "C", "吉林长融健康管理有限公司": "O", "长春北辰汽车研究院有限公司": "M"}


def seed(session: Session, users: dict[str, User], employer: Employer) -> None:
    from talent.services.demo_jobs import ORGANISATIONS

    officer = users["officer@demo.talent.cc"]
    if employer.industry is None:
        set_employer_industry(session, officer, employer.id, "C")  # the demo automotive-parts maker
    for organisation in ORGANISATIONS:
        found = employer_by_credit_code(session, organisation.credit_code)
        if found is None or found.industry is not None:
            continue
        industry = BY_NAME.get(organisation.name) or SECTOR_INDUSTRY.get(organisation.sector)
        if industry:
            set_employer_industry(session, officer, found.id, industry)
