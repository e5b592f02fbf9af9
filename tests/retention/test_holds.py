"""Legal holds: an inquiry freezes deletion of everything in its scope until released."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.retention.conftest import POLICE_STOP, entity_of

pytestmark = pytest.mark.django_db


def _apply(user: Any, code: str, **kw: Any) -> Any:
    from shinealight.records.models import Agency
    from shinealight.retention.services import retention_apply

    return retention_apply(agency=Agency.objects.get(code=code), acting_user=user, **kw)


def _hold(user: Any, **scope: Any) -> Any:
    from shinealight.retention.services import legal_hold_create

    return legal_hold_create(
        name="Operation Clearwater", reason="Independent inquiry", acting_user=user, **scope
    )


def test_a_held_record_is_never_deleted_until_the_hold_is_released(
    imported: Any, users: dict[str, Any]
) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.records.models import Agency, Record
    from shinealight.retention.services import legal_hold_release

    hold = _hold(users["manager"], agency=Agency.objects.get(code="swy-police"))
    result = _apply(users["manager"], "swy-police")
    assert result.deleted == [] and result.held == {"swy-police/INC-2009-004417": [hold.pk]}
    assert Record.objects.filter(record_id=POLICE_STOP[1]).exists()
    legal_hold_release(hold=hold, reason="Inquiry reported", acting_user=users["administrator"])
    assert _apply(users["manager"], "swy-police").deleted == ["swy-police/INC-2009-004417"]
    actions = list(
        AuditEvent.objects.filter(object_type="legal_hold").values_list("action", flat=True)
    )
    assert actions == ["retention.hold_create", "retention.hold_release"]


@pytest.mark.parametrize(
    ("scope", "held"),
    [
        ({"area": "rotherham"}, True),
        ({"area": "sheffield"}, False),
        ({"recorded_from": date(2009, 3, 1), "recorded_to": date(2009, 3, 31)}, True),
        ({"recorded_from": date(2009, 4, 1)}, False),
        ({"whole_partnership": True}, True),
    ],
)
def test_a_hold_covers_exactly_its_scope(
    imported: Any, users: dict[str, Any], scope: dict[str, Any], held: bool
) -> None:
    _hold(users["manager"], **scope)
    result = _apply(users["manager"], "swy-police")
    assert bool(result.held) is held
    assert bool(result.deleted) is not held


def test_a_hold_on_a_person_follows_them_through_a_merge(
    imported: Any, users: dict[str, Any]
) -> None:
    from shinealight.people.models import EntityMembership, ResolvedEntity

    ash = entity_of("swy-police/INC-2009-004417/p2")
    hold = _hold(users["manager"], entity_ids=[ash.entity_id])
    # Linkage later merges Ash into another entity: the hold must still cover his records.
    survivor = entity_of("risky-business/RB-0413/p1")
    EntityMembership.objects.filter(entity=ash).update(entity=survivor)
    ResolvedEntity.objects.filter(pk=ash.pk).update(active=False, merged_into=survivor)
    result = _apply(users["manager"], "swy-police")
    assert result.held == {"swy-police/INC-2009-004417": [hold.pk]}
    # And the intelligence record, which holds the survivor's own mention, is held too.
    assert _apply(users["manager"], "risky-business").held


def test_a_hold_placed_during_a_run_wins(
    imported: Any, users: dict[str, Any], monkeypatch: Any
) -> None:
    """Holds are checked again inside each batch's transaction."""
    from shinealight.records.models import Agency, Record
    from shinealight.retention import selectors

    original = selectors.holds_over

    def late(pks: Any) -> Any:
        found = original(pks)
        _hold(users["administrator"], agency=Agency.objects.get(code="swy-police"))
        return found

    monkeypatch.setattr(selectors, "holds_over", late)
    assert _apply(users["manager"], "swy-police").deleted == []
    assert Record.objects.filter(record_id=POLICE_STOP[1]).exists()


@pytest.mark.parametrize(
    ("role", "scope", "complaint"),
    [
        ("practitioner", {"area": "rotherham"}, "manager or an administrator"),
        ("analyst", {"area": "rotherham"}, "manager or an administrator"),
        ("manager", {}, "scope"),
        ("manager", {"area": "x", "whole_partnership": True}, "no other scope"),
        ("manager", {"entity_ids": ["P-9999999"]}, "No such entity"),
        (
            "manager",
            {"recorded_from": date(2010, 1, 1), "recorded_to": date(2009, 1, 1)},
            "ends before",
        ),
    ],
)
def test_holds_are_placed_by_governance_with_a_real_scope(
    imported: Any, users: dict[str, Any], role: str, scope: dict[str, Any], complaint: str
) -> None:
    from shinealight.retention.models import LegalHold
    from shinealight.retention.services import RetentionRefused

    with pytest.raises(RetentionRefused, match=complaint):
        _hold(users[role], **scope)
    assert not LegalHold.objects.exists()


def test_a_hold_is_released_once(imported: Any, users: dict[str, Any]) -> None:
    from shinealight.retention.services import RetentionRefused, legal_hold_release

    hold = _hold(users["manager"], area="rotherham")
    with pytest.raises(RetentionRefused):
        legal_hold_release(hold=hold, reason="done", acting_user=users["practitioner"])
    legal_hold_release(hold=hold, reason="done", acting_user=users["manager"])
    with pytest.raises(RetentionRefused, match="already"):
        legal_hold_release(hold=hold, reason="again", acting_user=users["manager"])
