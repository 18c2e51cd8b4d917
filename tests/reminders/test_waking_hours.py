"""Waking hours (``reminders.notify.next_waking``): a pure function, no database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from reminders.notify import is_waking, next_waking

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
NINE, NINE_PM = time(9), time(21)


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


def test_inside_the_waking_hours_is_now():
    now = local(LONDON, 2026, 11, 18, 18, 5)
    assert next_waking(now, LONDON, NINE, NINE_PM) == now


def test_the_start_is_inside_and_the_end_is_not():
    start = local(LONDON, 2026, 11, 18, 9, 0)
    assert next_waking(start, LONDON, NINE, NINE_PM) == start
    end = local(LONDON, 2026, 11, 18, 21, 0)
    assert next_waking(end, LONDON, NINE, NINE_PM) == local(LONDON, 2026, 11, 19, 9, 0)


def test_late_evening_waits_for_the_next_morning():
    now = local(LONDON, 2026, 11, 18, 22, 30)
    assert next_waking(now, LONDON, NINE, NINE_PM) == local(LONDON, 2026, 11, 19, 9, 0)


def test_early_morning_waits_for_the_same_morning():
    now = local(LONDON, 2026, 11, 18, 6, 15)
    assert next_waking(now, LONDON, NINE, NINE_PM) == local(LONDON, 2026, 11, 18, 9, 0)


def test_the_candidates_zone_decides_not_utc():
    # 23:00 UTC is 08:00 the next day in Tokyo: an hour before its waking start.
    now = datetime(2026, 11, 18, 23, 0, tzinfo=UTC)
    assert next_waking(now, TOKYO, NINE, NINE_PM) == local(TOKYO, 2026, 11, 19, 9, 0)
    assert next_waking(now, TOKYO, NINE, NINE_PM).tzinfo is UTC


def test_a_span_over_midnight():
    night_owl = (time(22), time(6))
    assert is_waking(time(23), *night_owl) and is_waking(time(5, 59), *night_owl)
    assert not is_waking(time(6), *night_owl) and not is_waking(time(12), *night_owl)
    noon = local(LONDON, 2026, 11, 18, 12, 0)
    assert next_waking(noon, LONDON, *night_owl) == local(LONDON, 2026, 11, 18, 22, 0)


def test_start_equal_to_end_means_all_day():
    now = local(LONDON, 2026, 11, 18, 3, 0)
    assert next_waking(now, LONDON, time(8), time(8)) == now


def test_spring_forward_a_start_in_the_gap_is_the_first_moment_after_it():
    # 29 March 2026 in London: 01:00 GMT jumps to 02:00 BST; 01:30 does not exist.
    now = local(LONDON, 2026, 3, 29, 0, 30)
    at = next_waking(now, LONDON, time(1, 30), NINE_PM)
    assert at > now
    assert at.astimezone(LONDON).time() >= time(2, 0)
    assert at - now <= timedelta(hours=2)


def test_across_a_dst_change_the_morning_is_local():
    # 8 March 2026: New York moves to EDT overnight; 9:00 local is 13:00 UTC, not 14:00.
    now = local(NEW_YORK, 2026, 3, 7, 23, 0)
    assert next_waking(now, NEW_YORK, NINE, NINE_PM) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    # 1 November 2026: back to EST; 9:00 local is 14:00 UTC.
    now = local(NEW_YORK, 2026, 10, 31, 23, 0)
    assert next_waking(now, NEW_YORK, NINE, NINE_PM) == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)


zones = st.sampled_from([LONDON, NEW_YORK, TOKYO, ZoneInfo("Australia/Lord_Howe")])
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(UTC))
hours = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(moments, zones, hours, hours)
def test_never_earlier_than_now_within_a_day_and_inside_the_hours(now, zone, start, end):
    at = next_waking(now, zone, start, end)
    assert now <= at <= now + timedelta(days=1, hours=1)
    if at == now:
        assert is_waking(now.astimezone(zone).time(), start, end)
    else:
        wall = at.astimezone(zone).time()
        # The start itself, or just after a gap that swallowed it.
        assert is_waking(wall, start, end) or start == end
