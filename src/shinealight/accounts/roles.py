"""The roles a partnership gives its people, and what each is for."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    """A user's role. Access is granted to roles, never to individuals one by one."""

    PRACTITIONER = "practitioner", "Practitioner"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Agency safeguarding lead"
    ANALYST = "analyst", "Partnership CSE coordinator / analyst"
    MANAGER = "manager", "Manager (oversight: aggregates only)"
    ADMINISTRATOR = "administrator", "Administrator (users and reference data)"


ROLE_PURPOSE = {
    Role.PRACTITIONER: "Reads and submits their own agency's records.",
    Role.SAFEGUARDING_LEAD: "Reads and submits their own agency's records; leads for the agency.",
    Role.ANALYST: "Reads every partnership record to join the picture; loads feeds for any agency.",
    Role.MANAGER: "Sees aggregate figures and the audit trail; no case content.",
    Role.ADMINISTRATOR: "Manages users and agencies; no case content by default.",
}

# Roles whose work needs case content (record summaries, names, plates).
CASE_ROLES = frozenset({Role.PRACTITIONER, Role.SAFEGUARDING_LEAD, Role.ANALYST})
# Roles that see every agency's records, not only their own.
PARTNERSHIP_WIDE_ROLES = frozenset({Role.ANALYST})
