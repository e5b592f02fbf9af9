"""Subject access: everything about a person, third parties redacted, sealed material withheld."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest

from tests.retention.conftest import INTELLIGENCE, POLICE_STOP, REFERRAL, entity_of, record

pytestmark = pytest.mark.django_db

# What the records say about other people (the men in the car, Katie's mother).
THIRD_PARTY = ("Ashraf", "Ashy", "81/123456X", "KX55 ABC", "KX55ABC", "Donna", "slim, short black")
# What they say about Chloe herself.
HER_OWN = ("Chloe Marie Smith", "1994-11-02", "07700 900123", "999 000 1111", "12 Park Road")


def _export(user: Any, entity_id: str, reference: str = "SAR-2025-001") -> Any:
    from shinealight.retention.subject_access import subject_access_export

    return subject_access_export(entity_id=entity_id, acting_user=user, reference=reference)


def _files(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_the_export_holds_her_records_with_other_people_redacted(
    imported: Any, chloe: Any, users: dict[str, Any]
) -> None:
    export = _export(users["analyst"], chloe.entity_id)
    files = _files(export.content)
    assert set(files) == {"README.txt", "subject-access.json", "subject-access.html"}
    data = json.loads(files["subject-access.json"])
    assert data == export.data | {"made_at": data["made_at"]}
    refs = [(r["agency"], r["record_id"]) for r in data["records"]]
    assert refs == [POLICE_STOP, REFERRAL]  # every agency's, oldest first

    text = files["subject-access.json"] + files["subject-access.html"]
    assert [word for word in THIRD_PARTY if word in text] == []
    assert not re.search(r"\bAsh\b", text)
    assert [word for word in HER_OWN if word not in text] == []

    stop = data["records"][0]
    people = {p["ref"]: p for p in stop["people"]}
    assert people["p1"]["you"] is True and people["p1"]["name"] == "Chloe Marie Smith"
    assert people["p2"]["name"] == "[third party]" and people["p2"]["role"] == "suspect"
    assert people["p2"]["aliases"] == ["[third party]"]
    assert stop["vehicles"][0]["vrm"] == "[third party]"  # the suspect's car
    assert stop["summary"] == (
        "Update: second male identified from PNC check as [third party]. "
        "(DOB [third party]). Vehicle registered keeper confirmed."
    )
    assert [v["version"] for v in stop["versions"]] == [1, 2]
    first = stop["versions"][0]["as_sent"]
    assert "Vauxhall Astra [third party] with two adult males" in first["summary"]
    assert "her boyfriend '[third party]'" in first["summary"]
    second = {p["ref"]: p for p in stop["versions"][1]["as_sent"]["persons"]}
    assert second["p2"]["identifiers"] == {"pnc_id": "[third party]"}
    referral = data["records"][1]
    assert "plate starting [third party]" in referral["summary"]
    assert {p["name"] for p in referral["people"]} == {"Katie Smith", "[third party]"}


def test_sealed_and_handling_c_records_are_withheld_for_review(
    imported: Any, chloe: Any, users: dict[str, Any]
) -> None:
    from shinealight.people.models import EntityMembership

    # Suppose linkage had found her in the youth project's intelligence (handling code C).
    EntityMembership.objects.filter(mention_id="risky-business/RB-0413/p2").update(entity=chloe)
    data = _export(users["manager"], chloe.entity_id).data
    withheld = {(w["agency"], w["record_id"]): w["reason"] for w in data["withheld_for_review"]}
    assert set(withheld) == {("rdash-sexual-health", "SH-2009-1180"), INTELLIGENCE}
    assert "sexual-health" in withheld[("rdash-sexual-health", "SH-2009-1180")]
    assert "handling code C" in withheld[INTELLIGENCE]
    text = json.dumps(data)
    assert "Third attendance" not in text  # the sexual-health note itself
    assert "parties in a flat" not in text and "Do not disclose" not in text
    assert INTELLIGENCE[1] not in [r["record_id"] for r in data["records"]]


def test_alerts_and_judgements_about_her_come_with_others_redacted(
    imported: Any, chloe: Any, users: dict[str, Any], raise_alert: Any
) -> None:
    from shinealight.cases.services import risk_judgement_record

    ash = entity_of("swy-police/INC-2009-004417/p2")
    raise_alert(
        [record(POLICE_STOP), record(INTELLIGENCE)],
        [(chloe.entity_id, "child", "Chloe Smith"), (ash.entity_id, "adult", "Ashraf K")],
        explanation=(
            f"Chloe Smith ({chloe.entity_id}) was seen with Ashraf K ({ash.entity_id}). "
            "Evidence: police stop swy-police/INC-2009-004417; intelligence risky-business/RB-0413."
        ),
        title="Ashraf K: adult with 1 child at risk",
    )
    risk_judgement_record(
        child_entity_id=chloe.entity_id,
        child_label="Chloe Smith",
        level="emerging",
        rationale="Seen with Ashraf K in KX55 ABC; calls 07700 900999 daily.",
        acting_user=users["safeguarding_lead"],
    )
    data = _export(users["analyst"], chloe.entity_id).data
    (alert,) = data["alerts"]
    assert alert["you_are_named_as"] == ["child"]
    assert alert["others_named"] == [{"kind": "person", "role": "adult"}]
    assert alert["evidence"] == ["[another record]", "swy-police/INC-2009-004417"]
    assert "Ashraf" not in alert["explanation"] + alert["title"]
    assert ash.entity_id not in json.dumps(data)
    assert "risky-business/RB-0413" not in alert["explanation"]
    assert alert["case_status"] == "new"
    (judgement,) = data["risk_judgements"]
    assert judgement["level"] == "emerging" and judgement["recorded_by_agency"] == "swy-police"
    assert judgement["rationale"] == (
        "Seen with [third party] in [third party]; calls [third party] daily."
    )


def test_the_export_is_audited_with_its_reference_and_only_for_its_roles(
    imported: Any, chloe: Any, users: dict[str, Any]
) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.retention.services import RetentionRefused

    for role in ("practitioner", "safeguarding_lead", "administrator"):
        with pytest.raises(RetentionRefused):
            _export(users[role], chloe.entity_id)
    with pytest.raises(RetentionRefused, match="reference"):
        _export(users["analyst"], chloe.entity_id, reference=" ")
    assert not AuditEvent.objects.filter(action="retention.subject_access_export").exists()
    export = _export(users["analyst"], chloe.entity_id, reference="SAR/77")
    event = AuditEvent.objects.get(action="retention.subject_access_export")
    assert event.object_ids == [chloe.entity_id] and event.purpose == "SAR/77"
    assert event.detail["sha256"] == export.sha256
    assert event.detail["withheld"] == ["rdash-sexual-health/SH-2009-1180"]


def test_the_readable_page_escapes_what_records_say(
    imported: Any, chloe: Any, users: dict[str, Any]
) -> None:
    from shinealight.records.models import Record

    Record.objects.filter(record_id=REFERRAL[1]).update(summary="<script>alert(1)</script> Katie")
    html = _files(_export(users["analyst"], chloe.entity_id).content)["subject-access.html"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Katie" in html
    assert 'style="' not in html
