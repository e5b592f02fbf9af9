"""Retention classes as data, and the review date each record gets from its class."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from tests.retention.conftest import INTELLIGENCE, POLICE_STOP, REFERRAL, SEXUAL_HEALTH, record


def _schedule_text() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("shinealight.retention").joinpath("schedule.yaml").read_text()
    return yaml.safe_load(text)


def test_the_shipped_schedule_loads() -> None:
    from shinealight.retention.schedule import _load

    sched = _load(None)
    assert "childrens_social_care" in sched.classes
    assert sched.classes["looked_after_child"].keep.until_age == 75
    assert sched.default_class("social_care", "referral", []).code == "childrens_social_care"
    assert sched.default_class("social_care", "referral", ["looked_after"]).code == (
        "looked_after_child"
    )
    assert sched.default_class("youth_service", "other", []).code == "partnership_default"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d["assign"].append({"class": "nope"}), "no class 'nope'"),
        (lambda d: d["assign"].pop(), "must match every record"),
        (
            lambda d: d["classes"]["police_crime"].update(keep={"years": 3, "until_age": 25}),
            "not both",
        ),
        (
            lambda d: d["classes"]["police_crime"].update(keep={"until_age": 25}),
            "needs fallback_years",
        ),
        (
            lambda d: d["assign"].insert(0, {"event_types": ["picnic"], "class": "police_crime"}),
            "unknown picnic",
        ),
        (lambda d: d["classes"]["police_crime"].update(review_every={"years": 0}), "1 to 150"),
        (lambda d: d.update(extra=1), "exactly `classes` and `assign`"),
    ],
)
def test_a_broken_schedule_is_refused_with_where_and_why(change: Any, complaint: str) -> None:
    from shinealight.retention.schedule import RetentionScheduleError, parse_schedule

    data = _schedule_text()
    change(data)
    with pytest.raises(RetentionScheduleError, match=complaint):
        parse_schedule(data, source="test.yaml")


def test_review_dates_from_partial_dates_of_birth() -> None:
    from shinealight.retention.schedule import Keep, RetentionClass, latest_birth_date, review_due

    csc = RetentionClass("csc", "csc", Keep(until_age=25, fallback_years=10), 5)
    recorded = date(2009, 4, 2)
    born_in_1994 = latest_birth_date(
        year=1994, month=None, day=None, age_estimate=None, recorded=recorded
    )
    assert born_in_1994 == date(1994, 12, 31)  # the latest the partial date allows
    assert latest_birth_date(
        year=1994, month=2, day=None, age_estimate=None, recorded=recorded
    ) == date(1994, 2, 28)
    assert latest_birth_date(
        year=None, month=None, day=None, age_estimate=14, recorded=recorded
    ) == date(1995, 12, 31)
    # The youngest child keeps the record longest.
    due = review_due(csc, recorded=recorded, births=[date(1990, 1, 1), date(1996, 2, 29)])
    assert due.review_due == date(2021, 2, 28)
    assert "25th birthday" in due.basis
    assert review_due(csc, recorded=recorded, births=[]).review_due == date(2019, 4, 2)
    six = RetentionClass("six", "six", Keep(years=6), 3)
    assert review_due(six, recorded=date(2008, 2, 29), births=[]).review_due == date(2014, 2, 28)


def test_every_record_gets_a_review_date_from_its_class(imported: Any) -> None:
    from shinealight.audit.models import AuditEvent
    from shinealight.retention.models import RecordRetention
    from shinealight.retention.services import retention_schedule_refresh

    summary = retention_schedule_refresh(acting_user=None)
    assert summary.worked_out == 4
    got = {
        (r.record.agency.code, r.record.record_id): (r.retention_class, r.review_due)
        for r in RecordRetention.objects.select_related("record__agency")
    }
    assert got == {
        POLICE_STOP: ("police_other", date(2015, 3, 15)),
        REFERRAL: ("childrens_social_care", date(2019, 2, 11)),  # Katie, born 11 Feb 1994
        SEXUAL_HEALTH: ("health_child", date(2019, 11, 2)),  # Chloe, born 2 Nov 1994
        INTELLIGENCE: ("partnership_default", date(2015, 6, 1)),
    }
    assert AuditEvent.objects.filter(action="retention.schedule").count() == 1
    # Nothing changed: nothing is worked out again, and nothing is audited.
    assert retention_schedule_refresh(acting_user=None).worked_out == 0
    assert AuditEvent.objects.filter(action="retention.schedule").count() == 1


def test_an_agency_sets_its_own_class_and_period(imported: Any, users: dict[str, Any]) -> None:
    from shinealight.retention.models import RecordRetention
    from shinealight.retention.services import (
        RetentionRefused,
        agency_retention_set,
        retention_schedule_refresh,
    )

    retention_schedule_refresh(acting_user=None)
    referral = record(REFERRAL)
    with pytest.raises(RetentionRefused):
        agency_retention_set(
            agency=referral.agency,
            event_type="referral",
            retention_class="looked_after_child",
            reason="IICSA",
            acting_user=users["practitioner"],
        )
    agency_retention_set(
        agency=referral.agency,
        event_type="referral",
        retention_class="looked_after_child",
        reason="Partnership decision: keep care records 75 years",
        acting_user=users["manager"],
    )
    retention_schedule_refresh(acting_user=None)
    rr = RecordRetention.objects.get(record=referral)
    assert (rr.retention_class, rr.review_due, rr.rule_source) == (
        "looked_after_child",
        date(2069, 2, 11),
        "set by the agency",
    )
    # Its own period laid over a class: ten years after recording.
    agency_retention_set(
        agency=referral.agency,
        event_type="referral",
        retention_class="childrens_social_care",
        keep_years=10,
        reason="Local policy",
        acting_user=users["administrator"],
    )
    retention_schedule_refresh(acting_user=None)
    rr.refresh_from_db()
    assert rr.review_due == date(2019, 4, 2)


def test_a_reviewer_keeps_a_due_record_and_a_new_version_keeps_that(
    imported: Any, users: dict[str, Any]
) -> None:
    from django.utils import timezone

    from shinealight.records.services import records_submit
    from shinealight.retention.models import RecordRetention
    from shinealight.retention.schedule import add_years
    from shinealight.retention.services import record_retain, retention_schedule_refresh

    retention_schedule_refresh(acting_user=None)
    stop = record(POLICE_STOP)
    rr = record_retain(
        record=stop, reason="Linked to an open investigation", acting_user=users["manager"]
    )
    # Due in 2015 and kept today: due again after the class's interval (six years).
    assert rr.review_due == add_years(timezone.localdate(), 6)
    records_submit(
        payloads=[
            {
                "agency": "swy-police",
                "agency_type": "police",
                "record_id": "INC-2009-004417",
                "type": "police_stop",
                "recorded_at": "2009-03-16T09:10:00Z",
                "summary": "A third version.",
            }
        ],
        acting_user=None,
    )
    retention_schedule_refresh(acting_user=None)
    again = RecordRetention.objects.get(record=stop)
    assert again.record_version == 3
    assert again.review_due == rr.review_due  # the decision to keep still stands
