"""A young partnership's model grows with its data; stored features of an older model."""

from __future__ import annotations

from typing import Any

import pytest

from tests.people.test_linkage_services import entity_of, submit
from tests.people.test_linkage_services import record as base_record

pytestmark = pytest.mark.django_db


def person(ref: str, name: str, dob: str, **extra: Any) -> dict[str, Any]:
    return {"ref": ref, "role": "subject", "name": name, "dob": dob, "gender": "male", **extra}


def record(
    record_id: str, persons: list[dict[str, Any]], agency: str = "rmbc-csc"
) -> dict[str, Any]:
    return {**base_record(record_id, persons, agency), "area": "rotherham"}


def test_an_import_that_doubles_a_young_partnership_re_resolves_everyone(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shinealight.people import services
    from shinealight.people.models import LinkageRun

    calls: list[bool] = []
    batch = services.linkage_run_batch

    def run_batch(*, acting_user: Any, train: bool | None = None, **kw: Any) -> Any:
        calls.append(bool(train))
        # Estimating from four mentions would be noise: keep the starting values.
        return batch(acting_user=acting_user, train=False, **kw)

    monkeypatch.setattr(services, "MIN_MENTIONS_TO_TRAIN", 3)
    monkeypatch.setattr(services, "AUTO_ESTIMATE_LIMIT", 10)
    monkeypatch.setattr(services, "linkage_run_batch", run_batch)
    submit(users, record("R-1", [person("p1", "Ashraf Khan", "1990-04-12")]))
    assert calls == []  # one mention: too few to estimate
    submit(
        users,
        record("R-2", [person("p1", "Ash Khan", "1990-04-12")], agency="swy-police"),
        record("R-3", [person("p1", "Amy Brown", "2001-07-08")]),
    )
    assert calls == [True]
    assert LinkageRun.objects.filter(mode="batch").count() == 1
    assert entity_of("rmbc-csc/R-1/p1") == entity_of("swy-police/R-2/p1")
    monkeypatch.setattr(services, "AUTO_ESTIMATE_LIMIT", 2)
    submit(users, record("R-4", [person("p1", "Mo Rahman", "1991-01-01")]))
    assert calls == [True]  # beyond the limit, `shinealight link` re-estimates


def test_features_stored_by_an_older_model_are_rebuilt(users: dict[str, Any]) -> None:
    from shinealight.people.models import EntityMembership

    submit(users, record("R-1", [person("p1", "Ashraf Khan", "1990-04-12")]))
    # As a membership written before the address, age and area features existed.
    membership = EntityMembership.objects.get(mention_id="rmbc-csc/R-1/p1")
    old = {k: v for k, v in membership.features.items() if k not in ("birth_year", "street")}
    EntityMembership.objects.filter(pk=membership.pk).update(features=old)
    submit(users, record("R-2", [person("p1", "Ash Khan", "1990-04-12")], agency="swy-police"))
    assert entity_of("rmbc-csc/R-1/p1") == entity_of("swy-police/R-2/p1")


def test_a_model_of_an_older_format_gives_way_to_the_default(users: dict[str, Any]) -> None:
    from shinealight.core.linkage import DEFAULT_PERSON_MODEL
    from shinealight.people.models import LinkageModelVersion
    from shinealight.people.services import current_model

    LinkageModelVersion.objects.create(
        version=1, parameters={"format": 1, "comparisons": []}, source="estimated", trained_on=5
    )
    stored, model = current_model()
    assert stored is None and model is DEFAULT_PERSON_MODEL


def test_mention_rows_carry_the_record_area_and_agency_but_never_ethnicity(
    users: dict[str, Any],
) -> None:
    from shinealight.people.models import EntityMembership

    submit(
        users,
        record("R-1", [person("p1", "Ashraf Khan", "1990-04-12", ethnicity="Pakistani")]),
    )
    features = EntityMembership.objects.get(mention_id="rmbc-csc/R-1/p1").features
    assert features["area"] == "rotherham" and features["agency"] == "rmbc-csc"
    assert "pakistani" not in str(features).lower()


def test_a_lone_name_gets_one_review_item_not_one_per_namesake() -> None:
    from shinealight.people.models import EntityLink
    from shinealight.people.services import _worth_reviewing

    def link(left: str, right: str, weight: float, status: str = "review") -> EntityLink:
        return EntityLink(
            kind="person",
            mention_left=left,
            mention_right=right,
            status=status,
            match_weight=weight,
        )

    ben = [link("a/1/p1", f"b/{i}/p1", 2.0 + i / 10) for i in range(3)]
    named = link("c/1/p1", "c/2/p1", 2.5)
    chosen = _worth_reviewing([*ben, named], weak={"a/1/p1"})
    assert named in chosen and ben[2] in chosen and len(chosen) == 2
    # Once the lone name is linked to someone, its uncertain pairs wait for no one.
    linked = link("a/1/p1", "d/1/p1", 9.0, status="link")
    assert _worth_reviewing([*ben, named, linked], weak={"a/1/p1"}) == [named]
