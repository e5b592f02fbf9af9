"""Working-day arithmetic for statutory and local timers: weekends and UK bank holidays.

Plain Python (no Django), so that it can be tested and reasoned about on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays


@dataclass(frozen=True)
class Timer:
    """A time allowed: clock hours, or working days ending at the close of the last one."""

    hours: int | None = None
    working_days: int | None = None

    def __post_init__(self) -> None:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError("a timer is either {hours: N} or {working_days: N}")
        if (self.hours or 0) < 0 or (self.working_days or 0) < 0:
            raise ValueError("a timer cannot be negative")

    def describe(self) -> str:
        if self.hours is not None:
            return f"{self.hours} hour{'s' if self.hours != 1 else ''}"
        n = self.working_days
        return f"{n} working day{'s' if n != 1 else ''}"


@dataclass
class WorkingCalendar:
    """Which days are working days, and when a timer started at a moment falls due."""

    country: str = "GB"
    subdivision: str | None = "ENG"
    day_ends_at: time = time(17, 0)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))

    def __post_init__(self) -> None:
        # Data for every year is generated offline by the package, on first use of a year.
        self._holidays = holidays.country_holidays(self.country, subdiv=self.subdivision)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The close of the nth working day after the day `start` falls on (local time).

        The day of the start does not count, as in "within 5 working days" in local
        procedures: something raised on a Friday and due in one working day is due at the
        close of Monday (Tuesday when Monday is a bank holiday).
        """
        day = start.astimezone(self.tz).date()
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        if n == 0 and not self.is_working_day(day):
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return datetime.combine(day, self.day_ends_at, tzinfo=self.tz)

    def due(self, start: datetime, timer: Timer) -> datetime:
        """When something started at `start` with this much time allowed falls due."""
        if timer.hours is not None:
            return start + timedelta(hours=timer.hours)
        assert timer.working_days is not None
        return self.add_working_days(start, timer.working_days)

    def close_of(self, day: date) -> datetime:
        """The close of a given day: when something due "on" that date falls due."""
        return datetime.combine(day, self.day_ends_at, tzinfo=self.tz)
