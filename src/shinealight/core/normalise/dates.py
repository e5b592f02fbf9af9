"""Dates of birth known only in part, and the timestamps agencies send."""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Literal

Precision = Literal["year", "month", "day"]

_PARTIAL_DATE_MESSAGE = "not a date: expected YYYY, YYYY-MM or YYYY-MM-DD"
_DATETIME_MESSAGE = "not an ISO 8601 date-time with offset"
# ASCII digits only: \d would also accept digits from other scripts.
_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


@dataclass(frozen=True)
class PartialDate:
    """A calendar date of which only the year, or the year and month, may be known.

    A practitioner often knows a child "was born in 1994" or "in November 1994";
    keeping the precision stops a guessed 1 January from looking like a fact.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError(f"{_PARTIAL_DATE_MESSAGE} (a day needs a month)")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"{_PARTIAL_DATE_MESSAGE} (year {self.year} is out of range)")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"{_PARTIAL_DATE_MESSAGE} (there is no month {self.month})")
        if self.month is not None and self.day is not None:
            days_in_month = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= days_in_month:
                raise ValueError(
                    f"{_PARTIAL_DATE_MESSAGE} "
                    f"({self.year:04d}-{self.month:02d} has no day {self.day})"
                )

    @property
    def precision(self) -> Precision:
        """How much of the date is known: ``"year"``, ``"month"`` or ``"day"``."""
        if self.month is None:
            return "year"
        if self.day is None:
            return "month"
        return "day"

    def isoformat(self) -> str:
        """Return the date as written in agency records: ``1981``, ``1994-11`` or ``1994-11-02``."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def earliest(self) -> date:
        """Return the first day the date could be."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        """Return the last day the date could be."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def age_on(self, on: date) -> tuple[int, int]:
        """Return the youngest and oldest age in whole years someone born then could be on a day.

        If ``on`` falls inside the period itself the youngest age is 0, as the person
        may have been born that very day. Raises ValueError when ``on`` is before the
        earliest possible birth, because a record of someone not yet born is a data error.
        """
        if on < self.earliest():
            raise ValueError(
                f"{on.isoformat()} is before the earliest possible date of birth "
                f"({self.isoformat()})"
            )
        oldest = _whole_years(self.earliest(), on)
        youngest = _whole_years(self.latest(), on) if on >= self.latest() else 0
        return youngest, oldest


def _whole_years(born: date, on: date) -> int:
    # Comparing (month, day) tuples makes someone born on 29 February a year older on
    # 1 March in other years, which is how UK law counts it.
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@lru_cache(maxsize=1 << 16)
def parse_partial_date(text: str) -> PartialDate:
    """Read a date written as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Raises ValueError, starting "not a date: expected YYYY, YYYY-MM or YYYY-MM-DD",
    for any other form and for dates that do not exist such as ``2009-02-30``.
    """
    match = _PARTIAL_DATE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(_PARTIAL_DATE_MESSAGE)
    year, month, day = match.groups()
    return PartialDate(
        int(year),
        int(month) if month is not None else None,
        int(day) if day is not None else None,
    )


def parse_datetime_with_offset(text: str) -> datetime:
    """Read an ISO 8601 date-time that carries an offset or ``Z`` and return it in UTC.

    Raises ValueError("not an ISO 8601 date-time with offset") for anything else,
    including a date alone and a date-time with no offset: a time without its offset
    could be an hour out across the clock change, and the order of events matters.
    """
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(_DATETIME_MESSAGE) from None
    if moment.tzinfo is None:
        raise ValueError(_DATETIME_MESSAGE)
    return moment.astimezone(UTC)
