"""SQLAlchemy models, one module per area. Importing this package registers every table on Base.metadata."""

from talent.db import Base
from talent.models import applications, cards  # noqa: F401  (workflow tables)
from talent.models.audit import AuditEvent
from talent.models.employers import Employer
from talent.models.jobs import GraduateProfile, Job  # noqa: F401
from talent.models.people import Role, User

__all__ = ["AuditEvent", "Base", "Employer", "Role", "User"]

# Issue 11: youth-talent apartments and card services.
from talent.models import apartments, service_requests  # noqa: E402,F401
