"""Alerts in the product: raised after import, grown not repeated, hooks, audit, API."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


class NameResolver:
    """Same written name, same entity (a stand-in for linkage in these tests)."""

    name = "names"

    def person_entities(self, mention_ids: Iterable[str]) -> dict[str, str]:
        from shinealight.records.models import PersonMention

        ids = list(mention_ids)
        names = dict(
            PersonMention.objects.filter(mention_id__in=ids).values_list("mention_id", "name")
        )
        return {m: f"E:{names[m]}" if names.get(m) else f"M:{m}" for m in ids}

    def mentions_of(
        self, entity_ids: Iterable[str], *, most: int | None = None
    ) -> dict[str, list[str]]:
        from shinealight.records.models import PersonMention

        out: dict[str, list[str]] = {}
        for e in entity_ids:
            rows = PersonMention.objects.filter(name=e[2:]).values_list("mention_id", flat=True)
            if most is None or len(rows) <= most:
                out[e] = list(rows)
        return out


@pytest.fixture(autouse=True)
def names() -> Iterator[None]:
    from shinealight.alerts.entities import use_resolver

    use_resolver(NameResolver())
    yield
    use_resolver(None)


def _payload(
    rid: str, when: str, persons: list[dict[str, Any]], agency: str = "swy-police", **kw: Any
) -> dict[str, Any]:
    kinds = {"swy-police": "police", "rmbc-csc": "social_care"}
    return {
        "agency": agency,
        "agency_type": kinds[agency],
        "record_id": rid,
        "type": kw.pop("type", "police_stop"),
        "recorded_at": f"{when}T12:00:00Z",
        "area": "rotherham",
        "persons": persons,
        **kw,
    }


def _child(name: str) -> dict[str, Any]:
    return {"ref": "p1", "role": "subject", "name": name, "dob": "2007-02-02"}


ASH = {"ref": "p2", "role": "suspect", "name": "Ash Khan", "dob": "1990-01-01"}


def _submit(payloads: list[dict[str, Any]]) -> None:
    from shinealight.records.services import records_submit

    records_submit(payloads=payloads, acting_user=None)


def _first_two() -> list[dict[str, Any]]:
    return [
        _payload(
            "R1",
            "2020-01-05",
            [_child("Amy Hill")],
            agency="rmbc-csc",
            type="referral",
            indicators=["older_boyfriend"],
        ),
        _payload(
            "R2",
            "2020-01-06",
            [_child("Beth Cole")],
            agency="rmbc-csc",
            type="referral",
            indicators=["older_boyfriend"],
        ),
        _payload("S1", "2020-02-01", [_child("Amy Hill"), ASH]),
        _payload("S2", "2020-03-01", [_child("Beth Cole"), ASH]),
    ]


def test_an_import_raises_an_alert_and_a_later_one_grows_it(agencies: Any) -> None:
    from shinealight.alerts.models import Alert
    from shinealight.alerts.services import ALERT_CHANGED
    from shinealight.audit.models import AuditEvent

    calls: list[tuple[str, bool]] = []
    ALERT_CHANGED.append(lambda alert, created: calls.append((alert.key, created)))
    try:
        _submit(_first_two())
        alert = Alert.objects.get(rule="shared_adult")
        assert alert.key == "shared_adult:E:Ash Khan"
        assert ("shared_adult:E:Ash Khan", True) in calls
        assert AuditEvent.objects.filter(action="alerts.raise").exists()
        calls.clear()
        _submit(
            [
                _payload(
                    "R3",
                    "2020-03-02",
                    [_child("Cara Lee")],
                    agency="rmbc-csc",
                    type="referral",
                    indicators=["older_boyfriend"],
                ),
                _payload("S3", "2020-04-01", [_child("Cara Lee"), ASH]),
            ]
        )
        assert Alert.objects.filter(rule="shared_adult").count() == 1
        alert.refresh_from_db()
        assert ("shared_adult:E:Ash Khan", False) in calls
        assert {s.entity_id for s in alert.subjects.filter(role="child")} == {
            "E:Amy Hill",
            "E:Beth Cole",
            "E:Cara Lee",
        }
        for record_id in ("S1", "S2", "S3"):
            assert f"swy-police/{record_id}" in alert.explanation
        assert AuditEvent.objects.filter(action="alerts.grow").exists()
    finally:
        ALERT_CHANGED.pop()


def test_a_record_that_puts_a_child_at_risk_raises_the_alert_on_an_adult_already_with_another(
    agencies: Any,
) -> None:
    """Ash was with Amy and with Beth, and Beth is at risk by a record neither shares with
    Amy. Amy's new record makes her at risk: the analysis after that one import must read
    Beth's own records (three steps from the new record) to raise the alert."""
    from shinealight.alerts.models import Alert

    first = _first_two()
    amy_at_risk, beth_at_risk, with_amy, with_beth = first
    _submit([beth_at_risk, with_amy, with_beth])
    assert not Alert.objects.filter(rule="shared_adult").exists()
    _submit([{**amy_at_risk, "recorded_at": "2020-04-05T12:00:00Z"}])
    alert = Alert.objects.get(rule="shared_adult")
    assert {s.entity_id for s in alert.subjects.filter(role="child")} == {
        "E:Amy Hill",
        "E:Beth Cole",
    }


def test_the_children_an_adult_was_with_are_read_in_their_own_records_alone(
    agencies: Any,
) -> None:
    from shinealight.alerts.entities import resolver
    from shinealight.alerts.network import graph_around
    from shinealight.core.alerts import load_rules
    from shinealight.records.models import Record

    amy_at_risk, beth_at_risk, with_amy, with_beth = _first_two()
    dan = {"ref": "p2", "role": "associate", "name": "Dan Moss", "dob": "1991-01-01"}
    beth_at_risk["persons"] = [*beth_at_risk["persons"], dan]
    _submit([amy_at_risk, beth_at_risk, with_amy, with_beth])
    new = Record.objects.get(record_id="S1")
    around = graph_around([new.pk], resolver(), load_rules().definitions)
    # Ash is followed whole; Beth (with Ash) in her own records: her referral, without Dan.
    assert "E:Ash Khan" in around.whole
    assert "E:Beth Cole" not in around.whole
    assert [p.entity for p in around.graph.persons_in["rmbc-csc/R2"]] == ["E:Beth Cole"]
    assert around.graph.records["rmbc-csc/R2"].indicators == ("older_boyfriend",)
    assert "E:Dan Moss" not in around.graph.person_mentions


def test_analysing_again_changes_nothing(agencies: Any) -> None:
    from shinealight.alerts.models import Alert
    from shinealight.alerts.services import alerts_analyse

    _submit(_first_two())
    before = list(Alert.objects.values_list("key", "explanation"))
    summary = alerts_analyse(acting_user=None)
    assert summary.created == [] and summary.grown == []
    assert list(Alert.objects.values_list("key", "explanation")) == before


def test_api_shows_alerts_to_those_who_may_see_a_cited_record(
    agencies: Any, client_for: Any
) -> None:
    from shinealight.alerts.models import Alert
    from shinealight.audit.models import AuditEvent

    _submit(_first_two())
    alert = Alert.objects.get(rule="shared_adult")
    analyst = client_for("analyst").get("/api/v1/alerts").json()
    assert alert.pk in {a["id"] for a in analyst["results"]}
    # The social-care practitioner too: their agency recorded both children, so the police
    # records about them are theirs to see (need-to-know, docs/access.md); tests/security
    # covers an agency that recorded neither.
    practitioner = client_for("practitioner").get("/api/v1/alerts").json()
    assert alert.pk in {a["id"] for a in practitioner["results"]}
    lead = client_for("safeguarding_lead").get(
        f"/api/v1/alerts/{alert.pk}?purpose=strategy meeting"
    )
    assert lead.status_code == 200
    body = lead.json()
    assert [e["record_id"] for e in body["evidence"]] == ["S1", "S2"]
    assert all(e["you_may_open"] for e in body["evidence"])
    assert AuditEvent.objects.filter(action="alert.read", purpose="strategy meeting").exists()
    assert client_for("manager").get("/api/v1/alerts").status_code == 403
    counts = client_for("manager").get("/api/v1/alerts/counts").json()
    assert counts["by_rule"]["shared_adult"] == 1
