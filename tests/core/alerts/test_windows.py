"""The moving windows the rules count in agree with their definitions, checked by brute force."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shinealight.core.alerts import first_time_with
from shinealight.core.alerts.detect import time_windows
from shinealight.core.network import RecordFact

START = datetime(2020, 1, 1)
days = st.integers(min_value=0, max_value=120)


def _record(n: int, day: int) -> RecordFact:
    return RecordFact(
        key=f"a/{n}",
        agency="a",
        agency_type="police",
        event_type="missing_episode",
        area="",
        recorded_at=START + timedelta(days=day),
        occurred_at=None,
        grading="",
        indicators=(),
    )


@given(st.lists(days, max_size=40), st.integers(min_value=0, max_value=60))
def test_each_window_holds_the_records_within_it(offsets: list[int], width: int) -> None:
    records = [_record(n, d) for n, d in enumerate(sorted(offsets))]
    window = timedelta(days=width)
    windows = list(time_windows(records, window))
    assert len(windows) == len(records)
    for r, (lo, hi) in zip(records, windows, strict=True):
        inside = [c for c in records if r.recorded_at - window <= c.recorded_at <= r.recorded_at]
        assert records[lo:hi] == inside


events = st.lists(
    st.tuples(days, days, st.sampled_from("abcde")).map(
        lambda e: (START + timedelta(days=e[0]), START + timedelta(days=e[1]), e[2])
    ),
    max_size=30,
)


@given(events, st.integers(min_value=1, max_value=4), st.integers(min_value=0, max_value=60))
def test_first_time_with_is_the_first_moment_enough_items_are_present(
    found: list[tuple[datetime, datetime, str]], minimum: int, width: int
) -> None:
    window = timedelta(days=width)
    expected = None
    for t in sorted({q for q, _, _ in found}):
        if len({item for q, h, item in found if q <= t and h >= t - window}) >= minimum:
            expected = t
            break
    assert first_time_with(found, minimum, window) == expected
