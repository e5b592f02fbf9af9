"""Working days: weekends, bank holidays and the close of day, as local procedures count them."""

from __future__ import annotations

from datetime import date, time

import pytest

from shinealight.cases.config import WorkflowConfigError, parse_workflow
from shinealight.cases.workdays import Timer, WorkingCalendar
from tests.cases.helpers import at

ENGLAND = WorkingCalendar()


def test_the_start_day_does_not_count_and_weekends_are_skipped() -> None:
    # Raised on a Friday afternoon, one working day: due at the close of Monday.
    assert ENGLAND.add_working_days(at("2025-01-10 16:00"), 1) == at("2025-01-13 17:00")
    # Raised on a Saturday: Monday is the first working day.
    assert ENGLAND.add_working_days(at("2025-01-11 10:00"), 1) == at("2025-01-13 17:00")
    # Five working days from a Monday is the next Monday.
    assert ENGLAND.add_working_days(at("2025-01-06 09:00"), 5) == at("2025-01-13 17:00")


def test_easter_and_may_day_are_not_working_days() -> None:
    # Strategy discussion on Thursday 17 April 2025: Good Friday and Easter Monday are bank
    # holidays, so five working days run Tue 22, Wed 23, Thu 24, Fri 25, Mon 28.
    assert ENGLAND.add_working_days(at("2025-04-17 14:00"), 5) == at("2025-04-28 17:00")
    # Friday 2 May 2025, one working day: Monday 5 May is the early May bank holiday.
    assert ENGLAND.add_working_days(at("2025-05-02 12:00"), 1) == at("2025-05-06 17:00")


def test_christmas_with_substitute_days() -> None:
    # Christmas Day 2026 is a Friday and Boxing Day a Saturday, so Monday 28 is a holiday.
    assert ENGLAND.holiday_name(date(2026, 12, 28)) is not None
    assert ENGLAND.add_working_days(at("2026-12-24 11:00"), 1) == at("2026-12-29 17:00")
    # Fifteen working days for a conference from 24 December 2026: 29, 30, 31 December,
    # then (New Year's Day off) 4-8, 11-15, 18 and 19 January.
    assert ENGLAND.add_working_days(at("2026-12-24 11:00"), 15) == at("2027-01-19 17:00")


def test_scotland_keeps_the_second_of_january() -> None:
    scotland = WorkingCalendar(subdivision="SCT")
    assert scotland.add_working_days(at("2025-12-31 10:00"), 1) == at("2026-01-05 17:00")
    assert ENGLAND.add_working_days(at("2025-12-31 10:00"), 1) == at("2026-01-02 17:00")


def test_hours_are_clock_hours_and_the_close_of_day_is_configurable() -> None:
    assert ENGLAND.due(at("2025-01-10 22:00"), Timer(hours=4)) == at("2025-01-11 02:00")
    late = WorkingCalendar(day_ends_at=time(23, 59))
    assert late.due(at("2025-01-10 16:00"), Timer(working_days=1)) == at("2025-01-13 23:59")
    # Across the clocks going forward (30 March 2025) the close of day stays 17:00 local.
    assert ENGLAND.add_working_days(at("2025-03-28 09:00"), 1) == at("2025-03-31 17:00")


def test_a_timer_is_hours_or_working_days_not_both() -> None:
    with pytest.raises(ValueError):
        Timer(hours=1, working_days=1)
    with pytest.raises(ValueError):
        Timer()
    assert Timer(working_days=5).describe() == "5 working days"


def test_a_broken_workflow_file_says_where() -> None:
    with pytest.raises(WorkflowConfigError, match="risk_levels"):
        parse_workflow({"risk_levels": ["only-one"]})
    with pytest.raises(WorkflowConfigError, match="timers"):
        parse_workflow(
            {
                "risk_levels": [{"code": "a"}, {"code": "b"}],
                "downgrade_agreement_roles": ["analyst"],
                "timers": {"acknowledge": {"low": {"days": 2}}},
                "escalation": {},
            }
        )
