"""SQLAlchemy models, one module per area. Importing this package registers every table on Base.metadata."""

from talent.db import Base
from talent.models import applications, cards  # noqa: F401  (workflow tables)
from talent.models.audit import AuditEvent
from talent.models.credentials import PasswordReset  # noqa: F401
from talent.models.employers import Employer
from talent.models.identities import Identity  # noqa: F401
from talent.models.jobs import GraduateProfile, Job  # noqa: F401
from talent.models.people import Role, User
from talent.models.simulations import Simulation  # noqa: F401

__all__ = ["AuditEvent", "Base", "Employer", "Role", "User"]
# Issue 11: youth-talent apartments and card services.
# Issue 12: recruitment events and training bases; applications to posts, placements, retention answers,
# matching feedback.
from talent.models import (  # noqa: E402,F401
    apartments,
    events,  # noqa: E402,F401
    hiring,  # noqa: E402,F401
    matches,  # noqa: F401,E402  (stored matches and job search documents)
    notifications,  # noqa: E402,F401  (inbox and mail outbox)
    periodic,  # noqa: E402,F401  (periodic task claims)
    programme,  # noqa: E402,F401  (issue 12, item 5: the programme's figures, precomputed)
    service_requests,
)
