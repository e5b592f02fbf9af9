"""The need-to-know rule: which records a user may see. `docs/access.md` says it in words.

`Record.objects.visible_to(user)` calls `records_visible_to` here, and everything else
(entities, alerts, cases, lists, search, graphs, exports) is built on that queryset, so
there is one rule. It is written as SQL subqueries only: nothing here loops over records.

A practitioner or agency safeguarding lead sees

1. every record of their own agency;
2. every record, of any agency, that mentions a child whom their agency has also recorded
   (`AgencyChildKnowledge`, kept up to date after linkage);
3. every record about a child they are allocated to (owner of the alert case, or of an
   action on it or on a meeting about the child) or invited to (chair of, or named
   attendee at, a strategy discussion or MACE panel about the child);
4. every record about a child for whom they hold a break-glass grant in force;
5. every record disclosed to their agency or to them (a recorded `cases.Disclosure`).

A partnership analyst sees every record. An administrator sees only what a break-glass
grant opens. A manager sees none (aggregates only). Then, for everyone, a **sealed**
record (sexual health; intelligence under handling code C) stays with its owning agency
unless it was disclosed to the user's agency or to the user.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear

from shinealight.accounts.roles import CASE_ROLES, Role

# Spec: "A record about a child has that child with role `subject`".
CHILD_ROLE = "subject"
ADULT_AGE = 18
# Roles that work with children's records for their own agency, and widen by need-to-know.
AGENCY_CASE_ROLES = frozenset({Role.PRACTITIONER, Role.SAFEGUARDING_LEAD})
# Roles that may open a break-glass grant (analysts already see every unsealed record;
# managers are the oversight the grants are flagged to).
BREAK_GLASS_ROLES = frozenset({Role.PRACTITIONER, Role.SAFEGUARDING_LEAD, Role.ADMINISTRATOR})


def sealed_event_types() -> tuple[str, ...]:
    """Event types whose records are sealed to their owning agency (health confidentiality)."""
    return tuple(getattr(settings, "SHINEALIGHT_SEALED_EVENT_TYPES", ("sexual_health",)))


def sealed_handling_codes() -> tuple[str, ...]:
    """Handling codes that seal a record: C, shared only on the originator's conditions."""
    return tuple(getattr(settings, "SHINEALIGHT_SEALED_HANDLING_CODES", ("C",)))


def sealed_q(prefix: str = "") -> Q:
    """Records that stay with their owning agency unless released."""
    return Q(**{f"{prefix}event_type__in": sealed_event_types()}) | Q(
        **{f"{prefix}grading_handling__in": sealed_handling_codes()}
    )


def is_sealed(record: Any) -> bool:
    """The same test as `sealed_q`, on one record in memory."""
    return (
        record.event_type in sealed_event_types()
        or record.grading_handling in sealed_handling_codes()
    )


def child_mentions(mentions: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """Person mentions of a child: role `subject`, or under 18 on the day it was recorded.

    The age follows `core.network.facts.age_at`: a date of birth wins over an estimate, a
    missing month counts as July and a missing day as the 1st.
    """
    from shinealight.records.models import PersonMention

    base = PersonMention.objects.all() if mentions is None else mentions
    annotated = base.annotate(
        _at_year=ExtractYear("record__recorded_at"),
        _at_month=ExtractMonth("record__recorded_at"),
        _at_day=ExtractDay("record__recorded_at"),
        _adult_year=F("dob_year") + ADULT_AGE,
        _born_month=Coalesce("dob_month", 7),
        _born_day=Coalesce("dob_day", 1),
    )
    under_age_by_dob = Q(dob_year__isnull=False) & (
        Q(_adult_year__gt=F("_at_year"))
        | Q(_adult_year=F("_at_year"), _born_month__gt=F("_at_month"))
        | Q(_adult_year=F("_at_year"), _born_month=F("_at_month"), _born_day__gt=F("_at_day"))
    )
    under_age_by_estimate = Q(dob_year__isnull=True, age_estimate__lt=ADULT_AGE)
    return annotated.filter(Q(role=CHILD_ROLE) | under_age_by_dob | under_age_by_estimate)


def child_entity_pks() -> QuerySet[Any]:
    """Resolved people with at least one child mention (a subquery of entity keys)."""
    from shinealight.people.models import EntityMembership

    return (
        EntityMembership.objects.filter(
            kind="person", mention_id__in=child_mentions().values("mention_id")
        )
        .values("entity_id")
        .distinct()
    )


def entities_named(public_ids: Any) -> QuerySet[Any]:
    """Entity keys for public ids, following one merge (a grant outlives a merge)."""
    from shinealight.people.models import ResolvedEntity

    named = ResolvedEntity.objects.filter(entity_id__in=public_ids)
    return ResolvedEntity.objects.filter(
        Q(pk__in=named.values("pk")) | Q(pk__in=named.values("merged_into_id"))
    ).values("pk")


def records_about(entity_pks: Any) -> QuerySet[Any]:
    """Keys of the records that mention any of these resolved people."""
    from shinealight.people.models import EntityMembership

    return EntityMembership.objects.filter(kind="person", entity_id__in=entity_pks).values(
        "record_id"
    )


def _mentions(entity_pks: Any) -> Exists:
    """For a record queryset: the record mentions one of these resolved people."""
    from shinealight.people.models import EntityMembership

    return Exists(
        EntityMembership.objects.filter(
            record_id=OuterRef("pk"), kind="person", entity_id__in=entity_pks
        )
    )


def holds_break_glass(user: Any) -> bool:
    """True when the user holds a break-glass grant in force (for `role_required`'s `or_if`).

    It admits an administrator to a child's profile and records; what they then see is
    still `records_visible_to`: the children of their grants, nothing else.
    """
    from shinealight.access.models import BreakGlassGrant

    return (
        getattr(user, "role", None) in BREAK_GLASS_ROLES
        and BreakGlassGrant.objects.active().filter(user=user).exists()
    )


def break_glass_entity_pks(user: Any) -> QuerySet[Any]:
    """Children the user holds a break-glass grant in force for.

    Only resolved children count (an agency recorded them as a child): break-glass is for
    a child's records, never a way to read an adult's.
    """
    from shinealight.access.models import AgencyChildKnowledge, BreakGlassGrant

    ids = BreakGlassGrant.objects.active().filter(user=user).values("child_entity_id")
    return AgencyChildKnowledge.objects.filter(entity_id__in=entities_named(ids)).values(
        "entity_id"
    )


def allocated_entity_pks(user: Any) -> QuerySet[Any]:
    """Children the user is allocated to or invited about, by the cases app's tables."""
    from shinealight.alerts.models import AlertSubject
    from shinealight.cases.models import MeetingSubject

    children = {"kind": "person", "role": "child"}
    alerts = AlertSubject.objects.filter(
        Q(alert__case__owner=user) | Q(alert__case__actions__owner=user), **children
    ).values("entity_id")
    meetings = MeetingSubject.objects.filter(
        Q(meeting__chair=user) | Q(meeting__attendees__user=user) | Q(meeting__actions__owner=user),
        **children,
    ).values("entity_id")
    return entities_named_any(alerts, meetings)


def entities_named_any(*public_ids: Any) -> QuerySet[Any]:
    """`entities_named` for several subqueries of public ids at once."""
    from shinealight.people.models import ResolvedEntity

    named_q = Q(pk__in=[])
    for ids in public_ids:
        named_q |= Q(entity_id__in=ids)
    named = ResolvedEntity.objects.filter(named_q)
    return ResolvedEntity.objects.filter(
        Q(pk__in=named.values("pk")) | Q(pk__in=named.values("merged_into_id"))
    ).values("pk")


def released_record_pks(user: Any) -> QuerySet[Any]:
    """Records disclosed to the user's agency or to the user (a recorded disclosure)."""
    from shinealight.cases.models import DisclosedRecord

    to_me = Q(disclosure__recipient_user=user)
    if user.agency_id is not None:
        to_me |= Q(disclosure__recipient_agency_id=user.agency_id)
    return DisclosedRecord.objects.filter(to_me).values("record_id")


def granted_entity_pks(user: Any) -> list[int]:
    """The children this user is allocated to, invited about or holds break-glass for.

    Read into a list here: a handful of ids per user, and nesting these subqueries inside
    every `visible_to` made queries too deep for SQLite's parser.
    """
    granted = set(allocated_entity_pks(user).values_list("pk", flat=True))
    granted |= set(break_glass_entity_pks(user).values_list("entity_id", flat=True))
    return sorted(granted)


def released_records(user: Any) -> list[int]:
    """`released_record_pks` read into a list (disclosures to one agency are few)."""
    return sorted(set(released_record_pks(user).values_list("record_id", flat=True)))


def _need_to_know(user: Any, released: list[int]) -> Q | None:
    """Records the user's work gives them reason to see, before sealing. None: all of them."""
    from shinealight.access.models import AgencyChildKnowledge

    role = user.role
    if role == Role.ANALYST:
        return None
    if role in AGENCY_CASE_ROLES and user.agency_id is not None:
        known = AgencyChildKnowledge.objects.filter(agency_id=user.agency_id).values("entity_id")
        # Asked of each record in turn (EXISTS), not as one list of every record about
        # every child the agency knows: a page of 50 records, or one child's 500, then
        # costs what it shows, not what the agency's whole caseload holds.
        need = Q(agency_id=user.agency_id) | Q(_mentions(known))
        if granted := granted_entity_pks(user):
            need |= Q(_mentions(granted))
        if released:
            need |= Q(pk__in=released)
        return need
    if role in BREAK_GLASS_ROLES:
        granted = list(break_glass_entity_pks(user).values_list("entity_id", flat=True))
        return Q(pk__in=records_about(granted))
    return Q(pk__in=[])


def _active(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_active", False))


def covers_entity(user: Any, entity_pk: int) -> bool:
    """True when the user's need-to-know reaches every record that mentions this resolved
    person: an analyst; a practitioner or lead whose agency has recorded the child, or who
    is allocated to, invited about or holds break-glass for them.

    Sealing still applies: this only says the need-to-know rule has nothing to remove.
    """
    from shinealight.access.models import AgencyChildKnowledge

    role = user.role
    if role == Role.ANALYST:
        return True
    if role in AGENCY_CASE_ROLES and user.agency_id is not None:
        known = AgencyChildKnowledge.objects.filter(agency_id=user.agency_id, entity_id=entity_pk)
        return known.exists() or entity_pk in granted_entity_pks(user)
    if role in BREAK_GLASS_ROLES:
        return break_glass_entity_pks(user).filter(entity_id=entity_pk).exists()
    return False


def records_visible_to(
    records: QuerySet[Any], user: Any, *, about: int | None = None
) -> QuerySet[Any]:
    """The records in `records` this user may see: need-to-know, then sealing.

    `about` (a resolved entity's key) narrows them to the records that mention it, as a
    profile or chronology does. When the user's need-to-know covers that child
    (`covers_entity`), the rule is one lookup instead of a subquery over every record
    of every child the agency knows: the same records, at a fraction of the cost.
    """
    if not _active(user):
        return records.none()
    if about is not None:
        from shinealight.people.models import EntityMembership

        records = records.filter(
            pk__in=EntityMembership.objects.filter(entity_id=about).values("record_id")
        )
    released = released_records(user) if user.role in CASE_ROLES else []
    if about is not None and covers_entity(user, about):
        need = None
    else:
        need = _need_to_know(user, released)
    if need is not None:
        records = records.filter(need)
    unsealed = ~sealed_q()
    if user.agency_id is not None:
        unsealed |= Q(agency_id=user.agency_id)
    if released:
        unsealed |= Q(pk__in=released)
    return records.filter(unsealed)


def sealed_existence_visible_to(records: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """Sealed records the user may know exist (agency, date, "sealed") but not read.

    Those the user would see were they not sealed, whose owning agency allows their
    existence to be shown. Callers show the agency, the date and the word "sealed" only.
    """
    if not _active(user) or user.role not in CASE_ROLES:
        return records.none()
    released = released_records(user)
    need = _need_to_know(user, released)
    if need is not None:
        records = records.filter(need)
    records = records.filter(sealed_q(), agency__access_policy__show_sealed_existence=True)
    if user.agency_id is not None:
        records = records.exclude(agency_id=user.agency_id)
    return records.exclude(pk__in=released)


def exportable_records(
    records: QuerySet[Any], user: Any, *, about: int | None = None
) -> QuerySet[Any]:
    """Records the user may take out of the system: visible, and not under handling code C
    unless the user is in the owning agency (the originator's conditions travel with it)."""
    visible = records_visible_to(records, user, about=about)
    keep = ~Q(grading_handling__in=sealed_handling_codes())
    if user is not None and getattr(user, "agency_id", None) is not None:
        keep |= Q(agency_id=user.agency_id)
    return visible.filter(keep)


def record_visible_directly(user: Any, record: Any) -> bool:
    """The same rule as `records_visible_to`, checked for one record from the raw tables.

    It does not read `AgencyChildKnowledge`, so it is a second, independent statement of
    the policy: the object permission (`records.view_record`) uses it, the record pages
    ask both, and a test keeps the two in agreement.
    """
    from shinealight.cases.models import DisclosedRecord
    from shinealight.people.models import EntityMembership
    from shinealight.records.models import PersonMention

    if not _active(user) or record is None:
        return False
    role, agency = user.role, user.agency_id
    own = agency is not None and record.agency_id == agency
    released = False
    if role in CASE_ROLES:
        to_me = Q(disclosure__recipient_user=user)
        if agency is not None:
            to_me |= Q(disclosure__recipient_agency_id=agency)
        released = DisclosedRecord.objects.filter(to_me, record_id=record.pk).exists()
    if is_sealed(record) and not own and not released:
        return False
    if role == Role.ANALYST or released:
        return True
    people = set(
        EntityMembership.objects.filter(record_id=record.pk, kind="person").values_list(
            "entity_id", flat=True
        )
    )
    if role in AGENCY_CASE_ROLES and agency is not None:
        if own:
            return True
        child_mention_ids = child_mentions(
            PersonMention.objects.filter(
                mention_id__in=EntityMembership.objects.filter(
                    kind="person", entity_id__in=people
                ).values("mention_id")
            )
        ).values("mention_id")
        children = set(
            EntityMembership.objects.filter(
                kind="person", mention_id__in=child_mention_ids
            ).values_list("entity_id", flat=True)
        )
        if (
            children
            and EntityMembership.objects.filter(
                kind="person", entity_id__in=children, record__agency_id=agency
            ).exists()
        ):
            return True
        if people & set(granted_entity_pks(user)):
            return True
    if role in BREAK_GLASS_ROLES:
        return bool(people & set(break_glass_entity_pks(user).values_list("entity_id", flat=True)))
    return False


def visible_entity_public_ids(user: Any) -> QuerySet[Any]:
    """Public ids of the resolved entities the user may see (through a visible record),
    and the ids merged into them (judgements and meetings keep the id they were given)."""
    from shinealight.people.models import ResolvedEntity

    visible = ResolvedEntity.objects.visible_to(user).values("pk")
    return ResolvedEntity.objects.filter(Q(pk__in=visible) | Q(merged_into_id__in=visible)).values(
        "entity_id"
    )


def resolved_entity_ids() -> QuerySet[Any]:
    """Every public entity id (for "names a child the people app knows")."""
    from shinealight.people.models import ResolvedEntity

    return ResolvedEntity.objects.values("entity_id")
