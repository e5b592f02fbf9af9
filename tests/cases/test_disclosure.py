"""Every share beyond the owning agency: lawful basis, purpose, recipient, what, who decided."""

from __future__ import annotations

from typing import Any

import pytest

from shinealight.audit.models import AuditEvent
from shinealight.cases import selectors, services
from shinealight.cases.config import workflow
from shinealight.cases.models import Disclosure, Notification

pytestmark = pytest.mark.django_db


def _basis() -> str:
    return workflow().lawful_bases[0]


def test_a_disclosure_is_recorded_with_its_audit_entry(
    imported: Any, users: dict[str, Any], agencies: dict[str, Any]
) -> None:
    from shinealight.records.models import Record

    practitioner, lead = users["practitioner"], users["safeguarding_lead"]
    referral = Record.objects.get(record_id="REF-88121")
    disclosure = services.disclosure_record(
        acting_user=practitioner,
        lawful_basis=_basis(),
        purpose="So the police can plan a welfare visit",
        recipient=services.Recipient(user=lead),
        what_was_shared="The referral and the dates she went missing",
        records=[referral, referral],
        decided_by=practitioner,
    )
    assert disclosure.disclosing_agency == agencies["rmbc-csc"]
    # Naming the person is enough: their agency is the recipient agency.
    assert disclosure.recipient_agency == agencies["swy-police"]
    assert [d.record for d in disclosure.records.all()] == [referral]
    event = AuditEvent.objects.filter(action="disclosure.record").get()
    assert event.object_ids == [str(disclosure.pk)]
    assert event.detail["lawful_basis"] == _basis()
    assert event.detail["records"] == ["rmbc-csc/REF-88121"]
    assert event.detail["decided_by"] == "practitioner"
    # The named recipient hears about it in their inbox.
    assert Notification.objects.get(recipient=lead).kind == "disclosure"


def test_a_disclosure_needs_a_listed_basis_a_purpose_and_someone_outside(
    users: dict[str, Any], agencies: dict[str, Any]
) -> None:
    practitioner = users["practitioner"]
    good = {
        "acting_user": practitioner,
        "lawful_basis": _basis(),
        "purpose": "Safeguarding",
        "recipient": services.Recipient(agency=agencies["swy-police"]),
        "what_was_shared": "Dates of missing episodes",
    }
    for change, field in [
        ({"lawful_basis": "because I said so"}, "lawful_basis"),
        ({"purpose": " "}, "purpose"),
        ({"what_was_shared": ""}, "what_was_shared"),
        ({"recipient": services.Recipient()}, "recipient"),
        # Inside the owning agency it is not a disclosure beyond it.
        ({"recipient": services.Recipient(agency=agencies["rmbc-csc"])}, "recipient"),
    ]:
        with pytest.raises(services.WorkflowRefused) as refused:
            services.disclosure_record(**{**good, **change})
        assert refused.value.field == field
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="disclosure.record").exists()
    services.disclosure_record(
        **{**good, "recipient": services.Recipient(name="Head teacher, Oakwood School")}
    )


def test_the_discloser_the_recipient_and_analysts_see_it_managers_count_it(
    users: dict[str, Any], make_user: Any, agencies: dict[str, Any], client_for: Any
) -> None:
    practitioner = users["practitioner"]  # rmbc-csc
    disclosure = services.disclosure_record(
        acting_user=practitioner,
        lawful_basis=_basis(),
        purpose="Safeguarding",
        recipient=services.Recipient(agency=agencies["swy-police"]),
        what_was_shared="Dates of missing episodes",
    )
    bystander = make_user("practitioner", "partnership-cse", username="bystander")
    colleague = make_user("practitioner", "rmbc-csc", username="colleague")
    seen = {
        name: selectors.disclosure_get(user=user, pk=disclosure.pk) is not None
        for name, user in {
            "colleague in the disclosing agency": colleague,
            "recipient agency": users["safeguarding_lead"],
            "analyst": users["analyst"],
            "other agency": bystander,
            "manager": users["manager"],
            "administrator": users["administrator"],
        }.items()
    }
    assert seen == {
        "colleague in the disclosing agency": True,
        "recipient agency": True,
        "analyst": True,
        "other agency": False,
        "manager": False,
        "administrator": False,
    }

    detail = client_for("safeguarding_lead").get(f"/api/v1/disclosures/{disclosure.pk}")
    assert detail.status_code == 200 and detail.json()["purpose"] == "Safeguarding"
    assert AuditEvent.objects.filter(action="disclosure.read").count() == 1

    counts = client_for("manager").get("/api/v1/disclosures/counts").json()
    assert counts["total"] == 1
    assert counts["by_lawful_basis"] == {_basis(): 1}
    assert counts["by_disclosing_agency"] == {"rmbc-csc": 1}
    assert "purpose" not in str(counts)


def test_the_api_records_a_disclosure_of_records_the_recorder_may_see(
    imported: Any, client_for: Any
) -> None:
    body = {
        "lawful_basis": _basis(),
        "purpose": "Strategy discussion",
        "recipient_agency": "swy-police",
        "what_was_shared": "The referral",
        "records": [{"agency": "rmbc-csc", "record_id": "REF-88121"}],
    }
    made = client_for("practitioner").post("/api/v1/disclosures", body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["decided_by"] == "practitioner"
    # The lead (police) cannot see health's sealed sexual-health record, so cannot say
    # they shared it (the referral they now may see: docs/access.md).
    sealed = {"agency": "rdash-sexual-health", "record_id": "SH-2009-1180"}
    refused = client_for("safeguarding_lead").post(
        "/api/v1/disclosures",
        {**body, "recipient_agency": "rmbc-csc", "records": [sealed]},
        format="json",
    )
    assert refused.status_code == 400
    assert "SH-2009-1180" in str(refused.json()["extra"])
