from datetime import UTC, date, datetime, timedelta

import pytest

from shinealight.core.normalise import (
    PartialDate,
    parse_datetime_with_offset,
    parse_partial_date,
)

NOT_A_DATE = "not a date: expected YYYY, YYYY-MM or YYYY-MM-DD"
NOT_A_DATETIME = "not an ISO 8601 date-time with offset"


@pytest.mark.parametrize(
    ("written", "expected", "precision"),
    [
        ("1981", PartialDate(1981), "year"),
        ("1994-11", PartialDate(1994, 11), "month"),
        ("1994-11-02", PartialDate(1994, 11, 2), "day"),
        ("2008-02-29", PartialDate(2008, 2, 29), "day"),
    ],
)
def test_dates_of_birth_known_in_part_are_read_with_their_precision(
    written: str, expected: PartialDate, precision: str
) -> None:
    parsed = parse_partial_date(written)
    assert parsed == expected
    assert parsed.precision == precision
    assert parsed.isoformat() == written


@pytest.mark.parametrize(
    "written",
    [
        "",
        "94",
        "02/11/1994",
        "1994/11/02",
        "1994-1-2",
        "1994-11-2",
        "19941102",
        " 1994",
        "1994-11-02T00:00",
        "November 1994",
        "١٩٩٤",
    ],
)
def test_other_forms_are_refused_with_a_message_saying_what_is_expected(written: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_partial_date(written)
    assert str(error.value) == NOT_A_DATE


@pytest.mark.parametrize(
    ("written", "detail"),
    [
        ("2009-02-30", "2009-02 has no day 30"),
        ("2009-02-29", "2009-02 has no day 29"),
        ("2009-13", "there is no month 13"),
        ("2009-00", "there is no month 0"),
        ("2009-04-31", "2009-04 has no day 31"),
        ("2009-04-00", "2009-04 has no day 0"),
        ("0000", "year 0 is out of range"),
    ],
)
def test_dates_that_do_not_exist_are_refused(written: str, detail: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_partial_date(written)
    assert str(error.value) == f"{NOT_A_DATE} ({detail})"


def test_a_day_without_a_month_is_refused() -> None:
    with pytest.raises(ValueError, match="a day needs a month"):
        PartialDate(1994, None, 2)


def test_a_partial_date_cannot_be_changed() -> None:
    born = PartialDate(1994, 11)
    with pytest.raises(AttributeError):
        born.year = 1995  # type: ignore[misc]


@pytest.mark.parametrize(
    ("born", "earliest", "latest"),
    [
        (PartialDate(1981), date(1981, 1, 1), date(1981, 12, 31)),
        (PartialDate(1994, 11), date(1994, 11, 1), date(1994, 11, 30)),
        (PartialDate(2008, 2), date(2008, 2, 1), date(2008, 2, 29)),
        (PartialDate(2009, 2), date(2009, 2, 1), date(2009, 2, 28)),
        (PartialDate(1994, 11, 2), date(1994, 11, 2), date(1994, 11, 2)),
    ],
)
def test_bounds_cover_every_day_the_date_could_be(
    born: PartialDate, earliest: date, latest: date
) -> None:
    assert born.earliest() == earliest
    assert born.latest() == latest


def test_age_from_a_full_date_of_birth_is_exact() -> None:
    born = PartialDate(1994, 11, 2)
    assert born.age_on(date(2009, 3, 14)) == (14, 14)
    assert born.age_on(date(2009, 11, 1)) == (14, 14)
    assert born.age_on(date(2009, 11, 2)) == (15, 15)


def test_age_from_a_birth_year_is_a_range() -> None:
    # The girl in the police stop example: "Girl (14)", born some time in 1994.
    assert PartialDate(1994).age_on(date(2009, 3, 14)) == (14, 15)
    assert PartialDate(1994).age_on(date(2009, 1, 1)) == (14, 15)
    # On the last day of the year everyone born in 1994 has had a 14th birthday.
    assert PartialDate(1994).age_on(date(2008, 12, 31)) == (14, 14)


def test_age_from_a_birth_month_is_a_narrower_range() -> None:
    assert PartialDate(1994, 11).age_on(date(2009, 11, 15)) == (14, 15)
    assert PartialDate(1994, 11).age_on(date(2009, 12, 1)) == (15, 15)


def test_someone_born_on_29_february_comes_of_age_on_1_march() -> None:
    born = PartialDate(1992, 2, 29)
    assert born.age_on(date(2010, 2, 28)) == (17, 17)
    assert born.age_on(date(2010, 3, 1)) == (18, 18)


def test_age_during_the_birth_period_starts_at_zero() -> None:
    assert PartialDate(2009).age_on(date(2009, 6, 1)) == (0, 0)
    assert PartialDate(2009, 6, 1).age_on(date(2009, 6, 1)) == (0, 0)


def test_age_before_the_earliest_possible_birth_is_an_error() -> None:
    with pytest.raises(ValueError, match="before the earliest possible date of birth"):
        PartialDate(2009).age_on(date(2008, 12, 31))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2009-03-14T23:40:00Z", datetime(2009, 3, 14, 23, 40, tzinfo=UTC)),
        ("2009-04-02T10:05:00+01:00", datetime(2009, 4, 2, 9, 5, tzinfo=UTC)),
        ("2009-03-14T23:40:00+00:00", datetime(2009, 3, 14, 23, 40, tzinfo=UTC)),
        ("2009-03-14T20:40:00-03:00", datetime(2009, 3, 14, 23, 40, tzinfo=UTC)),
        ("2009-03-14T23:40:00.250Z", datetime(2009, 3, 14, 23, 40, 0, 250000, tzinfo=UTC)),
    ],
)
def test_timestamps_with_an_offset_are_read_into_utc(written: str, expected: datetime) -> None:
    parsed = parse_datetime_with_offset(written)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


def test_a_late_evening_british_summer_time_stamp_moves_to_the_previous_utc_day() -> None:
    parsed = parse_datetime_with_offset("2009-04-02T00:30:00+01:00")
    assert parsed.date() == date(2009, 4, 1)
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    "written",
    [
        "14/03/2009",
        "2009-03-14",
        "2009-03-14T23:40:00",
        "2009-03-14 23:40",
        "",
        "yesterday",
        "2009-03-14T25:40:00Z",
    ],
)
def test_timestamps_without_an_offset_are_refused(written: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_datetime_with_offset(written)
    assert str(error.value) == NOT_A_DATETIME
