"""Deletion under retention: an audited process that leaves a tombstone and nothing else."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from tests.retention.conftest import POLICE_STOP, REFERRAL, SEXUAL_HEALTH, entity_of, record

pytestmark = pytest.mark.django_db

# Words only the police stop's two versions hold: none may survive its deletion.
STOP_CONTENT = (
    "Vauxhall",
    "Eastwood",
    "PNC check",
    "Ashraf",
    "slim, short black hair",
    "81/123456X",
)


def _apply(user: Any, code: str = "swy-police", **kw: Any) -> Any:
    from shinealight.records.models import Agency
    from shinealight.retention.services import retention_apply

    return retention_apply(agency=Agency.objects.get(code=code), acting_user=user, **kw)


def _stored_text() -> str:
    """Everything the tables that hold content say, as one string."""
    from shinealight.alerts.models import Alert, AlertSubject
    from shinealight.audit.models import AuditEvent
    from shinealight.people.models import EntityLink, EntityMembership, ResolvedEntity
    from shinealight.records.models import PersonMention, Record, RecordVersion
    from shinealight.retention.models import Tombstone

    parts: list[Any] = []
    for model in (
        Record,
        RecordVersion,
        PersonMention,
        ResolvedEntity,
        EntityMembership,
        EntityLink,
        Alert,
        AlertSubject,
        Tombstone,
        AuditEvent,
    ):
        parts.extend(model.objects.values())
    return json.dumps(parts, default=str)


def test_a_dry_run_lists_what_would_go_and_deletes_nothing(
    imported: Any, users: dict[str, Any]
) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.records.models import Record

    result = _apply(users["manager"], dry_run=True)
    assert result.due == ["swy-police/INC-2009-004417"] and not result.deleted
    assert Record.objects.count() == 4
    event = AuditEvent.objects.get(action="retention.apply_dry_run")
    assert event.object_ids == ["swy-police/INC-2009-004417"]


def test_deletion_removes_the_record_and_what_hangs_off_it_and_leaves_a_tombstone(
    imported: Any, users: dict[str, Any]
) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.audit.services import audit_verify
    from shinealight.people.models import EntityMembership, ResolvedEntity
    from shinealight.records.models import (
        KnownName,
        PersonMention,
        Record,
        RecordVersion,
        VehicleMention,
    )
    from shinealight.retention.models import Tombstone

    assert any(word in _stored_text() for word in STOP_CONTENT)  # the check can fail
    stop = record(POLICE_STOP)
    assert KnownName.objects.filter(record_id=stop.pk, key="ashraf k").exists()
    ash = entity_of("swy-police/INC-2009-004417/p2")
    plate = entity_of("swy-police/INC-2009-004417/v1")
    chloe = entity_of("swy-police/INC-2009-004417/p1")

    result = _apply(users["safeguarding_lead"])  # swy-police's own lead

    assert result.deleted == ["swy-police/INC-2009-004417"] and result.batches == 1
    assert not Record.objects.filter(pk=stop.pk).exists()
    assert not RecordVersion.objects.filter(record_id=stop.pk).exists()
    assert not PersonMention.objects.filter(mention_id__startswith="swy-police/").exists()
    assert not VehicleMention.objects.filter(record_id=stop.pk).exists()
    assert not EntityMembership.objects.filter(mention_id__startswith="swy-police/").exists()
    assert not KnownName.objects.filter(record_id=stop.pk).exists()
    assert Record.objects.count() == 3  # other agencies' records are untouched

    tomb = Tombstone.objects.get()
    assert (tomb.agency.code, tomb.record_id, tomb.event_type) == POLICE_STOP + ("police_stop",)
    assert (tomb.recorded_on, tomb.versions, tomb.retention_class) == (
        date(2009, 3, 15),  # the current version's
        2,
        "police_other",
    )
    assert tomb.authorised_by == users["safeguarding_lead"]
    event = AuditEvent.objects.get(action="retention.delete")
    assert tomb.audit_seq == event.seq and event.object_ids == ["swy-police/INC-2009-004417"]
    assert event.detail["versions"] == 2 and event.detail["records"] == 1

    # People and objects with nothing left on record are retired, their labels cleared.
    ash.refresh_from_db(), plate.refresh_from_db(), chloe.refresh_from_db()
    assert (ash.active, ash.label) == (False, "")
    assert (plate.active, plate.key) == (False, "")
    assert chloe.active and chloe.label  # still on record through other agencies
    assert ResolvedEntity.objects.filter(pk=chloe.pk, members__isnull=False).exists()

    text = _stored_text()
    assert not [word for word in STOP_CONTENT if word in text]
    assert list(audit_verify()) == []


def test_only_the_agency_or_governance_may_delete(
    imported: Any, users: dict[str, Any], make_user: Any
) -> None:
    from shinealight.retention.services import RetentionRefused

    for role in ("practitioner", "analyst"):
        with pytest.raises(RetentionRefused):
            _apply(users[role])
    other_lead = make_user("safeguarding_lead", "rmbc-csc", username="csc-lead")
    with pytest.raises(RetentionRefused):
        _apply(other_lead)
    with pytest.raises(RetentionRefused, match="Name the person"):
        _apply(None)


def test_records_not_yet_due_are_kept(imported: Any, users: dict[str, Any]) -> None:
    from shinealight.records.models import Record

    assert _apply(users["manager"], code="rmbc-csc", today=date(2019, 2, 10)).deleted == []
    assert _apply(users["manager"], code="rmbc-csc", today=date(2019, 2, 11)).deleted == [
        "rmbc-csc/REF-88121"
    ]
    assert Record.objects.count() == 3


def _explanation(records: list[Any], opening: str) -> str:
    from shinealight.core.alerts.explain import compose
    from shinealight.core.alerts.findings import Evidence

    evidence = [
        Evidence(
            record=f"{r.agency.code}/{r.record_id}",
            agency=r.agency.code,
            record_id=r.record_id,
            event_type=r.event_type,
            at=r.occurred_at or r.recorded_at,
            recorded_at=r.recorded_at,
            grading=f"{r.grading_source}{r.grading_intelligence}",
        )
        for r in records
    ]
    return compose(opening, evidence, [])


def test_alerts_lose_the_evidence_and_one_left_with_none_is_closed(
    imported: Any, users: dict[str, Any], raise_alert: Any
) -> None:
    from shinealight.audit.services import audit_verify
    from shinealight.cases.models import AlertCase

    stop, referral = record(POLICE_STOP), record(REFERRAL)
    chloe = entity_of("swy-police/INC-2009-004417/p1")
    ash = entity_of("swy-police/INC-2009-004417/p2")
    opening = "Chloe Smith (P-0000001) and Ashraf K (P-0000002) were seen together"
    both = raise_alert(
        [stop, referral],
        [(chloe.entity_id, "child", "Chloe Smith"), (ash.entity_id, "adult", "Ashraf K")],
        explanation=_explanation([stop, referral], opening),
        title="Ashraf K: adult with 1 child at risk",
    )
    only_stop = raise_alert(
        [stop],
        [(chloe.entity_id, "child", "Chloe Smith"), (ash.entity_id, "adult", "Ashraf K")],
        explanation=_explanation([stop], opening),
    )
    assert "police stop swy-police/INC-2009-004417, 14 Mar 2009 (graded 1B)" in both.explanation

    result = _apply(users["manager"])

    assert result.alerts_closed == [only_stop.pk] and result.alerts_changed == [both.pk]
    both.refresh_from_db(), only_stop.refresh_from_db()
    assert list(both.evidence.values_list("record_id", flat=True)) == [referral.pk]
    assert "14 Mar 2009" not in both.explanation
    assert "swy-police/INC-2009-004417 (deleted under the retention schedule on" in both.explanation
    assert "rmbc-csc/REF-88121" in both.explanation
    assert "Ashraf K" not in both.explanation + both.title
    assert dict(both.subjects.values_list("entity_id", "label")) == {
        chloe.entity_id: "Chloe Smith",
        ash.entity_id: "",
    }

    assert not only_stop.evidence.exists()
    assert only_stop.explanation.startswith("Closed: every record this alert cited was deleted")
    assert "Ashraf" not in only_stop.title + only_stop.explanation
    case = AlertCase.objects.get(alert=only_stop)
    assert case.status == "closed" and case.outcome == only_stop.explanation
    assert case.transitions.last().detail["retention"] is True
    assert not case.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).exists()
    assert AlertCase.objects.get(alert=both).status == "new"
    assert list(audit_verify()) == []


def test_citations_in_case_work_are_kept_on_the_tombstone(
    imported: Any, users: dict[str, Any]
) -> None:
    from shinealight.cases.models import DisclosedRecord, RiskJudgementEvidence
    from shinealight.cases.services import (
        IndicatorSeen,
        Recipient,
        disclosure_record,
        risk_judgement_record,
    )
    from shinealight.records.models import Agency
    from shinealight.retention.models import Tombstone

    stop = record(POLICE_STOP)
    judgement = risk_judgement_record(
        child_entity_id="P-0000001",
        level="emerging",
        rationale="Seen in a car with older men.",
        indicators=[IndicatorSeen("in_car_with_unknown_adults", [stop])],
        acting_user=users["safeguarding_lead"],
    )
    disclosure = disclosure_record(
        acting_user=users["safeguarding_lead"],
        lawful_basis=__import__("shinealight.cases.config", fromlist=["workflow"])
        .workflow()
        .lawful_bases[0],
        purpose="Strategy discussion",
        recipient=Recipient(agency=Agency.objects.get(code="rmbc-csc")),
        what_was_shared="The stop",
        records=[stop],
    )

    _apply(users["manager"])

    assert not RiskJudgementEvidence.objects.exists() and not DisclosedRecord.objects.exists()
    judgement.refresh_from_db()  # the judgement and the disclosure themselves stay
    disclosure.refresh_from_db()
    assert Tombstone.objects.get().cited_by == {
        "risk_judgements": [judgement.pk],
        "disclosures": [disclosure.pk],
    }


def test_a_tombstone_is_never_changed_or_deleted(imported: Any, users: dict[str, Any]) -> None:
    from shinealight.retention.models import Tombstone

    _apply(users["manager"])
    tomb = Tombstone.objects.get()
    with pytest.raises(RuntimeError):
        tomb.delete()
    with pytest.raises(RuntimeError):
        Tombstone.objects.all().delete()
    with pytest.raises(RuntimeError):
        Tombstone.objects.update(record_id="x")
    tomb.record_id = "other"
    with pytest.raises(RuntimeError):
        tomb.save()


def _old_police_records(n: int) -> list[dict[str, Any]]:
    return [
        {
            "agency": "swy-police",
            "agency_type": "police",
            "record_id": f"OLD-{i}",
            "type": "police_stop",
            "recorded_at": f"2001-01-0{i + 1}T10:00:00Z",
            "summary": f"Old stop {i}.",
            "persons": [{"ref": "p1", "role": "subject", "name": f"Old Person {i}"}],
        }
        for i in range(n)
    ]


def test_each_batch_is_atomic_and_a_rerun_carries_on(
    imported: Any, users: dict[str, Any], monkeypatch: Any
) -> None:
    from shinealight.records.models import PersonMention, Record
    from shinealight.records.services import records_submit
    from shinealight.retention.models import Tombstone

    records_submit(payloads=_old_police_records(3), acting_user=None)
    real = Tombstone.objects.bulk_create
    calls = {"n": 0}

    def failing(rows: Any, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(rows, *args, **kwargs)

    monkeypatch.setattr(Tombstone.objects, "bulk_create", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        _apply(users["manager"], batch_size=2)
    # The first batch went whole; the second left no trace.
    assert Tombstone.objects.count() == 2
    left = set(Record.objects.filter(agency__code="swy-police").values_list("record_id", flat=True))
    assert len(left) == 2
    for rid in left:
        assert PersonMention.objects.filter(record__record_id=rid).exists()
    monkeypatch.setattr(Tombstone.objects, "bulk_create", real)
    assert len(_apply(users["manager"], batch_size=2).deleted) == 2
    assert not Record.objects.filter(agency__code="swy-police").exists()
    assert Tombstone.objects.count() == 4


def test_a_deleted_record_sent_again_is_refused(
    imported: Any, users: dict[str, Any], spec_examples: Any
) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.records.models import Record
    from shinealight.records.services import records_import_file

    _apply(users["manager"])
    again = records_import_file(path=spec_examples / "valid.jsonl")
    assert again.extra["refused_deleted_under_retention"] == ["swy-police/INC-2009-004417"]
    assert again.new == 0
    assert not Record.objects.filter(record_id="INC-2009-004417").exists()
    refused = AuditEvent.objects.get(action="retention.reimport_refused")
    assert refused.object_ids == ["swy-police/INC-2009-004417"]


def test_a_record_back_through_a_bulk_load_is_due_again_at_once(
    imported: Any, users: dict[str, Any], spec_examples: Any, settings: Any
) -> None:
    from shinealight.records.models import Record
    from shinealight.records.services import records_import_file
    from shinealight.retention.models import Tombstone

    _apply(users["manager"])
    settings.SHINEALIGHT_ANALYSE_ON_IMPORT = False  # bulk loads run no hooks
    records_import_file(path=spec_examples / "valid.jsonl")
    assert Record.objects.filter(record_id="INC-2009-004417").exists()
    settings.SHINEALIGHT_ANALYSE_ON_IMPORT = True
    # A retention class alone would not make it due before 2015-03-15; the tombstone does.
    result = _apply(users["manager"], today=date(2010, 1, 1))
    assert result.deleted == ["swy-police/INC-2009-004417"]
    assert Tombstone.objects.filter(record_id="INC-2009-004417").count() == 2


def test_other_agencies_records_of_the_same_child_stay(
    imported: Any, users: dict[str, Any]
) -> None:
    from shinealight.records.models import Record

    _apply(users["manager"], code="rdash-sexual-health")
    assert not Record.objects.filter(record_id=SEXUAL_HEALTH[1]).exists()
    chloe = entity_of("swy-police/INC-2009-004417/p1")
    assert chloe.active


def test_an_agency_whose_only_record_of_a_child_went_no_longer_knows_her(
    imported: Any, users: dict[str, Any]
) -> None:
    from shinealight.access.models import AgencyChildKnowledge
    from shinealight.records.models import Record

    chloe = entity_of("swy-police/INC-2009-004417/p1")
    knows = AgencyChildKnowledge.objects.filter(agency__code="swy-police", entity=chloe)
    assert knows.exists()
    lead = users["safeguarding_lead"]  # swy-police: sees the referral about her today
    assert Record.objects.visible_to(lead).filter(record_id=REFERRAL[1]).exists()
    _apply(users["manager"])
    assert not knows.exists()
    assert not Record.objects.visible_to(lead).filter(record_id=REFERRAL[1]).exists()
