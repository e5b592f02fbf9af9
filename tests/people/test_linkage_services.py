"""Resolving people in the store: after each import, by batch runs, and by reviewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def record(
    record_id: str, persons: list[dict[str, Any]], agency: str = "rmbc-csc"
) -> dict[str, Any]:
    return {
        "agency": agency,
        "agency_type": "social_care" if agency == "rmbc-csc" else "police",
        "record_id": record_id,
        "type": "referral",
        "recorded_at": "2010-01-01T00:00:00Z",
        "persons": persons,
    }


KATIE = {
    "ref": "p1",
    "role": "subject",
    "name": "Katie Smith",
    "dob": "1995-03-04",
    "gender": "female",
    "postcode": "S65 1AB",
}


def submit(users: dict[str, Any], *records: dict[str, Any]) -> None:
    from shinealight.records.services import records_submit

    records_submit(payloads=list(records), acting_user=users["analyst"], source="api")


def entity_of(mention: str) -> str:
    from shinealight.people.models import EntityMembership

    return EntityMembership.objects.get(kind="person", mention_id=mention).entity.entity_id


def test_an_import_resolves_its_mentions_and_ids_stay_stable(users: dict[str, Any]) -> None:
    from shinealight.people.models import EntityEvent, ResolvedEntity

    submit(users, record("R-1", [KATIE]))
    first = entity_of("rmbc-csc/R-1/p1")
    submit(users, record("R-2", [{**KATIE, "name": "Katherine Smith"}], agency="swy-police"))
    assert entity_of("swy-police/R-2/p1") == first
    # A third, unrelated girl gets her own id; the first keeps hers.
    submit(users, record("R-3", [{**KATIE, "name": "Amy Brown", "dob": "2001-07-08"}]))
    assert entity_of("rmbc-csc/R-3/p1") != first
    assert entity_of("rmbc-csc/R-1/p1") == first
    # A record joining two existing people merges them into the larger, as an event.
    submit(users, record("R-4", [{**KATIE, "name": "Kate Smith", "dob": "1995-03-04"}]))
    assert entity_of("rmbc-csc/R-4/p1") == first
    assert ResolvedEntity.objects.get(entity_id=first).active
    assert not EntityEvent.objects.filter(kind="split").exists()


def test_a_batch_run_keeps_ids_and_explains_links(users: dict[str, Any]) -> None:
    from shinealight.people.models import EntityLink
    from shinealight.people.services import linkage_run_batch

    submit(users, record("R-1", [KATIE]), record("R-2", [{**KATIE, "name": "Katherine Smith"}]))
    before = entity_of("rmbc-csc/R-1/p1")
    run = linkage_run_batch(acting_user=users["analyst"], train=False)
    assert run.summary["people"] == 1
    assert entity_of("rmbc-csc/R-1/p1") == entity_of("rmbc-csc/R-2/p1") == before
    link = EntityLink.objects.get(kind="person")
    reasons = {c["comparison"]: c for c in link.contributions}
    assert reasons["first_name"]["level"] == "nickname or short form"
    assert reasons["date_of_birth"]["weight"] > 0
    assert "ethnicity" not in reasons


def test_a_batch_run_keeps_the_links_that_say_why_not_every_pair(users: dict[str, Any]) -> None:
    from shinealight.people.models import EntityLink
    from shinealight.people.services import linkage_run_batch

    names = ["Katie Smith", "Katherine Smith", "Kate Smith", "Katie Smith", "Katie Smyth"]
    submit(users, *(record(f"R-{i}", [{**KATIE, "name": n}]) for i, n in enumerate(names)))
    linkage_run_batch(acting_user=users["analyst"], train=False)
    assert len({entity_of(f"rmbc-csc/R-{i}/p1") for i in range(5)}) == 1
    # Five mentions of one girl: ten pairs score as links, four of them join her mentions.
    links = EntityLink.objects.filter(kind="person", status=EntityLink.Status.LINK)
    assert links.count() == 4
    joined = {m for link in links for m in (link.mention_left, link.mention_right)}
    assert joined == {f"rmbc-csc/R-{i}/p1" for i in range(5)}


def test_reviewer_decisions_survive_a_batch_rerun(users: dict[str, Any]) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.people.models import ReviewItem
    from shinealight.people.services import linkage_run_batch, review_decide, review_decision_revoke

    # Same name, year and month (no day), another postcode, no gender: the model is unsure.
    submit(
        users,
        record("R-1", [KATIE]),
        record(
            "R-2",
            [{**KATIE, "dob": "1995-03", "postcode": "S60 2XY", "gender": "unknown"}],
            agency="swy-police",
        ),
    )
    linkage_run_batch(acting_user=users["analyst"], train=False)
    item = ReviewItem.objects.get()
    assert entity_of("rmbc-csc/R-1/p1") != entity_of("swy-police/R-2/p1")
    decision = review_decide(
        acting_user=users["analyst"], item=item, decision="same", reason="same UPN on file"
    )
    assert entity_of("rmbc-csc/R-1/p1") == entity_of("swy-police/R-2/p1")
    assert AuditEvent.objects.filter(action="review_decide").exists()
    linkage_run_batch(acting_user=users["analyst"], train=False)
    assert entity_of("rmbc-csc/R-1/p1") == entity_of("swy-police/R-2/p1")
    # Reversible: once revoked, the model decides again at the next run.
    review_decision_revoke(acting_user=users["analyst"], decision=decision)
    linkage_run_batch(acting_user=users["analyst"], train=False)
    assert entity_of("rmbc-csc/R-1/p1") != entity_of("swy-police/R-2/p1")


def test_not_same_keeps_two_people_apart_in_every_later_run(users: dict[str, Any]) -> None:
    from shinealight.people.services import linkage_run_batch, review_decide_pair

    twin = {**KATIE, "name": "Katie Smith"}
    submit(users, record("R-1", [KATIE]), record("R-2", [twin]))
    assert entity_of("rmbc-csc/R-1/p1") == entity_of("rmbc-csc/R-2/p1")
    review_decide_pair(
        acting_user=users["analyst"],
        left="rmbc-csc/R-1/p1",
        right="rmbc-csc/R-2/p1",
        decision="not_same",
        reason="twins",
    )
    linkage_run_batch(acting_user=users["analyst"], train=False)
    assert entity_of("rmbc-csc/R-1/p1") != entity_of("rmbc-csc/R-2/p1")
    # And a later import of the same girl cannot join them again.
    submit(users, record("R-3", [twin]))
    assert entity_of("rmbc-csc/R-1/p1") != entity_of("rmbc-csc/R-2/p1")


def test_objects_resolve_and_a_partial_plate_is_only_a_candidate(imported: Any) -> None:
    from shinealight.people.models import EntityLink, ResolvedEntity

    vehicles = dict(ResolvedEntity.objects.filter(kind="vehicle").values_list("key", "entity_id"))
    assert "vrm:KX55ABC" in vehicles
    partial = [k for k in vehicles if "?" in k]
    assert partial
    candidates = EntityLink.objects.filter(kind="vehicle")
    assert candidates and all(c.status == "candidate" for c in candidates)


def test_entity_api_explains_and_respects_agency_boundaries(imported: Any, client_for: Any) -> None:
    from shinealight.people.models import EntityMembership

    katie = EntityMembership.objects.get(mention_id="rmbc-csc/REF-88121/p1").entity.entity_id
    analyst = client_for("analyst").get(f"/api/v1/entities/{katie}")
    assert analyst.status_code == 200
    assert "rmbc-csc/REF-88121/p1" in {m["mention_id"] for m in analyst.json()["mentions"]}
    # The lead (swy-police) sees the person through the records they may see: their own,
    # and rmbc-csc's about the same child (need-to-know); never health's sealed record.
    lead = client_for("safeguarding_lead").get(f"/api/v1/entities/{katie}")
    assert lead.status_code == 200
    seen = {m["mention_id"] for m in lead.json()["mentions"]}
    assert seen == {"swy-police/INC-2009-004417/p1", "rmbc-csc/REF-88121/p1"}
    for link in lead.json()["links"]:
        assert not link["mention_left"].startswith("rdash-sexual-health/")
        assert not link["mention_right"].startswith("rdash-sexual-health/")
    listed = client_for("practitioner").get("/api/v1/entities?kind=person").json()["results"]
    assert katie in {e["entity_id"] for e in listed}


def test_review_over_the_api(users: dict[str, Any], client_for: Any) -> None:
    from shinealight.people.services import linkage_run_batch

    submit(
        users,
        record("R-1", [KATIE]),
        record(
            "R-2",
            [{**KATIE, "dob": "1995-03", "postcode": "S60 2XY", "gender": "unknown"}],
            agency="swy-police",
        ),
    )
    linkage_run_batch(acting_user=users["analyst"], train=False)
    analyst = client_for("analyst")
    queue = analyst.get("/api/v1/review/items").json()["results"]
    assert len(queue) == 1 and queue[0]["contributions"]
    # The lead (swy-police) cannot see the social-care half of the pair.
    assert client_for("safeguarding_lead").get("/api/v1/review/items").json()["results"] == []
    made = analyst.post(
        f"/api/v1/review/items/{queue[0]['id']}/decision", {"decision": "not_same"}, format="json"
    )
    assert made.status_code == 201
    again = analyst.post(
        f"/api/v1/review/items/{queue[0]['id']}/decision", {"decision": "same"}, format="json"
    )
    assert again.status_code == 400 and set(again.json()) == {"message", "extra"}
    revoked = analyst.post(f"/api/v1/review/decisions/{made.json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_commands_link_export_and_evaluate(imported: Any, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from shinealight.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["link", "--report", "--no-train"])
    assert result.exit_code == 0, result.output
    assert "first_name" in result.output
    out = tmp_path / "entities.jsonl"
    result = runner.invoke(app, ["export", "entities", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert {e["kind"] for e in lines} >= {"person", "vehicle", "location"}
    assert all(set(e) == {"entity_id", "kind", "mentions"} for e in lines)
    chloe = next(e for e in lines if "swy-police/INC-2009-004417/p1" in e["mentions"])
    truth = tmp_path / "truth.json"
    truth.write_text(json.dumps({"people": {"T-1": chloe["mentions"]}}))
    result = runner.invoke(app, ["evaluate", "linkage", "--truth", str(truth)])
    assert result.exit_code == 0, result.output
    assert "pairwise F1" in result.output


def test_a_key_many_share_brings_one_mention_per_person_or_none(users: dict[str, Any]) -> None:
    from shinealight.core.linkage import probe_keys_of
    from shinealight.people.models import EntityMembership
    from shinealight.people.services import _candidate_memberships

    submit(users, *(record(f"K-{n}", [KATIE]) for n in range(4)))
    katie = EntityMembership.objects.filter(kind="person", mention_id__startswith="rmbc-csc/K-")
    assert len({m.entity_id for m in katie}) == 1
    first = min(m.pk for m in katie)
    keys = probe_keys_of(katie[0].features)
    # Katie's four copies share every key: past the limit, one of them stands for her.
    assert _candidate_memberships(keys) == {m.pk for m in katie}
    assert _candidate_memberships(keys, limit=2) == {first}
    # Three other Smiths born the same year share only surname and year with her: that key
    # now names four people, more than the limit, and brings none of them.
    others = [
        {**KATIE, "name": f"{name} Smith", "dob": f"1995-0{n + 5}-1{n}", "postcode": f"S{n}0 1AB"}
        for n, name in enumerate(["Amy", "Beth", "Cara"])
    ]
    submit(users, *(record(f"O-{n}", [p]) for n, p in enumerate(others)))
    smiths = {m.pk for m in EntityMembership.objects.filter(mention_id__startswith="rmbc-csc/O-")}
    assert smiths <= _candidate_memberships(keys)
    assert _candidate_memberships(keys, limit=2) == {first}
