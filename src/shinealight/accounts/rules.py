"""Object-level permission predicates (the `rules` package), one place for who may do what."""

from __future__ import annotations

from typing import Any

import rules

from shinealight.accounts.roles import Role


def _role(*roles: Role) -> Any:
    names = {r.value for r in roles}

    @rules.predicate(name=f"has_role_{'_or_'.join(sorted(names))}")
    def check(user: Any) -> bool:
        return bool(getattr(user, "is_active", False) and getattr(user, "role", None) in names)

    return check


is_practitioner = _role(Role.PRACTITIONER)
is_safeguarding_lead = _role(Role.SAFEGUARDING_LEAD)
is_analyst = _role(Role.ANALYST)
is_manager = _role(Role.MANAGER)
is_administrator = _role(Role.ADMINISTRATOR)
is_agency_case_worker = _role(Role.PRACTITIONER, Role.SAFEGUARDING_LEAD)


@rules.predicate
def same_agency(user: Any, record: Any) -> bool:
    return record is not None and user.agency_id is not None and record.agency_id == user.agency_id


@rules.predicate
def may_see_record(user: Any, record: Any) -> bool:
    """Need-to-know, break-glass and sealing, checked for one record from the raw tables.

    A second statement of the rule behind `Record.objects.visible_to` (which reads the
    maintained agency-child table instead); record pages and the API ask both.
    """
    from shinealight.access.visibility import record_visible_directly

    return record_visible_directly(user, record)


can_view_record = may_see_record

rules.add_perm("records.view_record", can_view_record)
rules.add_perm("records.submit_record", is_analyst | (is_agency_case_worker & same_agency))
rules.add_perm("records.view_statistics", is_manager | is_safeguarding_lead | is_analyst)
rules.add_perm("accounts.manage_users", is_administrator)
rules.add_perm("records.manage_agencies", is_administrator)
rules.add_perm("audit.view_auditevent", is_manager)
