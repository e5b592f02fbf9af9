"""Risk judgements are professional, explained and kept; a downgrade needs a second person."""

from __future__ import annotations

from typing import Any

import pytest

from shinealight.cases import services
from shinealight.cases.models import RiskJudgement
from shinealight.cases.services import IndicatorSeen
from tests.cases.helpers import audit_actions

pytestmark = pytest.mark.django_db
CHILD = "P000042"


def _record(user: Any, level: str, rationale: str = "Seen in cars with older men", **kw: Any):
    return services.risk_judgement_record(
        child_entity_id=CHILD, level=level, rationale=rationale, acting_user=user, **kw
    )


def _in_force() -> str | None:
    judgement = services.risk_level_in_force(CHILD)
    return judgement.level if judgement else None


def test_a_judgement_needs_a_known_level_and_a_rationale(users: dict[str, Any]) -> None:
    practitioner = users["practitioner"]
    with pytest.raises(services.WorkflowRefused, match="rationale"):
        _record(practitioner, "moderate", rationale="  ")
    with pytest.raises(services.WorkflowRefused, match="none, emerging, moderate, significant"):
        _record(practitioner, "high")
    with pytest.raises(services.WorkflowRefused, match="not_a_code"):
        _record(practitioner, "moderate", indicators=[IndicatorSeen("not_a_code")])
    assert not RiskJudgement.objects.exists()
    assert audit_actions("risk_judgement") == []


def test_every_change_is_kept_with_its_evidence(imported: Any, users: dict[str, Any]) -> None:
    from shinealight.records.models import Record

    practitioner = users["practitioner"]
    referral = Record.objects.get(record_id="REF-88121")
    first = _record(
        practitioner,
        "emerging",
        indicators=[
            IndicatorSeen("absent_from_school", [referral]),
            IndicatorSeen("older_boyfriend"),
        ],
    )
    second = _record(practitioner, "significant", rationale="Disclosure to school nurse")
    assert first.status == second.status == "in_force"
    assert not second.is_downgrade and second.previous_level == "emerging"
    assert _in_force() == "significant"
    assert list(first.evidence.values_list("indicator", "record__record_id")) == [
        ("absent_from_school", "REF-88121")
    ]
    assert RiskJudgement.objects.filter(child_entity_id=CHILD).count() == 2
    assert audit_actions("risk_judgement") == ["risk_judgement.record", "risk_judgement.record"]


def test_a_downgrade_without_a_second_person_is_refused(
    make_user: Any, users: dict[str, Any]
) -> None:
    lead = users["safeguarding_lead"]
    _record(lead, "significant")
    proposal = _record(lead, "emerging", rationale="No missing episodes for three months")
    assert proposal.is_downgrade and proposal.status == "awaiting_agreement"
    assert _in_force() == "significant"  # the earlier level stands until agreed

    with pytest.raises(services.WorkflowRefused, match="second person"):
        services.risk_judgement_agree(judgement=proposal, acting_user=lead)
    # A practitioner is a second person but not one this partnership lets agree downgrades.
    with pytest.raises(services.WorkflowRefused, match="analyst or safeguarding_lead"):
        services.risk_judgement_agree(judgement=proposal, acting_user=users["practitioner"])
    assert _in_force() == "significant"

    other_lead = make_user("safeguarding_lead", "swy-police", username="second-lead")
    agreed = services.risk_judgement_agree(
        judgement=proposal, acting_user=other_lead, note="Agreed at supervision"
    )
    assert agreed.status == "in_force" and agreed.agreed_by == other_lead
    assert _in_force() == "emerging"
    assert audit_actions("risk_judgement") == [
        "risk_judgement.record",
        "risk_judgement.propose_downgrade",
        "risk_judgement.agree_downgrade",
    ]


def test_a_declined_or_overtaken_downgrade_never_takes_effect(users: dict[str, Any]) -> None:
    practitioner, analyst = users["practitioner"], users["analyst"]
    _record(practitioner, "moderate")
    proposal = _record(practitioner, "none", rationale="Settled in new placement")
    with pytest.raises(services.WorkflowRefused, match="Say why"):
        services.risk_judgement_decline(judgement=proposal, acting_user=analyst, reason="")
    declined = services.risk_judgement_decline(
        judgement=proposal, acting_user=analyst, reason="Still in contact with the adult"
    )
    assert declined.status == "not_agreed" and _in_force() == "moderate"

    again = _record(practitioner, "emerging", rationale="Fewer episodes")
    # Raising the level is never held up by a pending downgrade; it supersedes it.
    _record(practitioner, "significant", rationale="Went missing overnight with the adult")
    again.refresh_from_db()
    assert again.status == "superseded" and _in_force() == "significant"
    with pytest.raises(services.WorkflowRefused, match="superseded"):
        services.risk_judgement_agree(judgement=again, acting_user=analyst)


def test_the_api_records_and_shows_the_history(
    imported: Any, client_for: Any, users: dict[str, Any]
) -> None:
    from shinealight.people.models import EntityMembership

    practitioner = client_for("practitioner")
    # The child of the practitioner's own referral (a judgement is about a child they see).
    child = (
        EntityMembership.objects.filter(kind="person", record__record_id="REF-88121")
        .select_related("entity")
        .first()
        .entity.entity_id
    )
    assert (
        practitioner.post(
            "/api/v1/children/P-9999999/risk",
            {"level": "moderate", "rationale": "-"},
            format="json",
        ).status_code
        == 404
    )  # no such child: nothing to judge, nothing stored
    url = f"/api/v1/children/{child}/risk"
    assert practitioner.get(url).status_code == 404  # nothing recorded yet
    created = practitioner.post(
        url,
        {
            "level": "moderate",
            "rationale": "Absent from school and an older boyfriend",
            "indicators": [
                {
                    "code": "absent_from_school",
                    "evidence": [{"agency": "rmbc-csc", "record_id": "REF-88121"}],
                },
                {"code": "older_boyfriend"},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    # Evidence the practitioner cannot see is refused as if it did not exist.
    hidden = practitioner.post(
        url,
        {
            "level": "significant",
            "rationale": "x",
            "indicators": [
                {
                    "code": "older_boyfriend",
                    # Sealed to health: the practitioner may not see it (docs/access.md).
                    "evidence": [{"agency": "rdash-sexual-health", "record_id": "SH-2009-1180"}],
                }
            ],
        },
        format="json",
    )
    assert hidden.status_code == 400
    down = practitioner.post(url, {"level": "emerging", "rationale": "Calmer"}, format="json")
    assert down.json()["status"] == "awaiting_agreement"
    self_agree = practitioner.post(
        f"/api/v1/risk-judgements/{down.json()['id']}/agree", {}, format="json"
    )
    assert self_agree.status_code == 409
    assert "second person" in self_agree.json()["message"]

    analyst = client_for("analyst")
    queue = analyst.get("/api/v1/risk-judgements/awaiting-agreement").json()
    assert [j["id"] for j in queue["results"]] == [down.json()["id"]]
    agreed = analyst.post(
        f"/api/v1/risk-judgements/{down.json()['id']}/agree", {"note": "ok"}, format="json"
    )
    assert agreed.status_code == 200 and agreed.json()["status"] == "in_force"

    history = practitioner.get(url).json()
    assert history["current_level"] == "emerging"
    assert [j["level"] for j in history["judgements"]] == ["moderate", "emerging"]
    assert history["indicator_counts_context_only"] == {
        "absent_from_school": 1,
        "older_boyfriend": 1,
    }
    # A lead in another agency, not involved with this child, sees nothing.
    assert client_for("safeguarding_lead").get(url).status_code == 404
    assert client_for("manager").get(url).status_code == 403
