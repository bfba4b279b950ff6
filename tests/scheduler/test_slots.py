"""Posting-slot grid and "add to queue": next free slot in the workspace's wall clock. No database."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from scheduler.slots import MAX_SLOTS_PER_DAY, SlotError, next_free_slot, validate_slot_times

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


WEEKDAYS_9_AND_17 = {d: [time(9), time(17)] for d in range(5)}  # Monday–Friday 09:00 and 17:00


def test_validate_sorts_dedupes_and_drops_seconds():
    assert validate_slot_times([time(17), time(9, 30), time(9, 30, 45), time(9)]) == [time(9), time(9, 30), time(17)]
    assert validate_slot_times([]) == []


def test_validate_rejects_more_than_25():
    times = [time(h) for h in range(24)] + [time(0, 30), time(1, 30)]
    with pytest.raises(SlotError, match="at most 25 posting slots; 26 were given"):
        validate_slot_times(times)
    assert len(validate_slot_times(times[:MAX_SLOTS_PER_DAY])) == 25
    # duplicates don't count twice
    assert len(validate_slot_times(times[:25] + [time(0)])) == 25


def test_validate_rejects_non_times_and_aware_times():
    with pytest.raises(SlotError, match="not a time of day"):
        validate_slot_times(["09:00"])
    with pytest.raises(SlotError, match="time zone"):
        validate_slot_times([time(9, tzinfo=UTC)])


def test_next_slot_same_day_and_strictly_after():
    monday_8 = utc(2027, 1, 4, 7)  # 08:00 Berlin (CET)
    assert next_free_slot(slots=WEEKDAYS_9_AND_17, tz=BERLIN, after_utc=monday_8, taken_utc=set()) == utc(2027, 1, 4, 8)
    # exactly at a slot: strictly after, so the next one
    at_9 = utc(2027, 1, 4, 8)
    assert next_free_slot(slots=WEEKDAYS_9_AND_17, tz=BERLIN, after_utc=at_9, taken_utc=set()) == utc(2027, 1, 4, 16)


def test_next_slot_skips_taken_at_minute_precision():
    after = utc(2027, 1, 4, 7)
    taken = {utc(2027, 1, 4, 8, 0, 30), utc(2027, 1, 4, 16, 0, 59)}
    assert next_free_slot(slots=WEEKDAYS_9_AND_17, tz=BERLIN, after_utc=after, taken_utc=taken) == utc(2027, 1, 5, 8)


def test_next_slot_crosses_weekday_and_weekend_boundaries():
    friday_evening = utc(2027, 1, 8, 17)  # Friday 18:00 Berlin, after the last slot
    assert next_free_slot(slots=WEEKDAYS_9_AND_17, tz=BERLIN, after_utc=friday_evening, taken_utc=set()) == utc(
        2027, 1, 11, 8
    )  # Monday 09:00
    # late evening UTC is already the next local day in Berlin: Sunday 23:30Z is Monday 00:30 local
    grid = {0: [time(0, 45)], 6: [time(23, 50)]}
    assert next_free_slot(slots=grid, tz=BERLIN, after_utc=utc(2027, 1, 10, 23, 30), taken_utc=set()) == utc(
        2027, 1, 10, 23, 45
    )
    # New York is behind UTC: Tuesday 02:00Z is Monday 21:00 local, Monday's 22:00 slot still counts
    assert next_free_slot(slots={0: [time(22)]}, tz=NEW_YORK, after_utc=utc(2027, 1, 5, 2), taken_utc=set()) == utc(
        2027, 1, 5, 3
    )


def test_next_slot_follows_wall_clock_across_dst():
    grid = {0: [time(10)]}
    assert next_free_slot(slots=grid, tz=BERLIN, after_utc=utc(2027, 3, 23), taken_utc=set()) == utc(2027, 3, 29, 8)
    assert next_free_slot(slots=grid, tz=BERLIN, after_utc=utc(2027, 10, 26), taken_utc=set()) == utc(2027, 11, 1, 9)


def test_slot_in_the_spring_forward_gap_moves_forward_and_keeps_order():
    sunday = 6
    grid = {sunday: [time(2, 30), time(3, 0)]}  # 2027-03-28: 02:30 does not exist in Berlin → 03:30 CEST
    after = utc(2027, 3, 27, 12)
    first = next_free_slot(slots=grid, tz=BERLIN, after_utc=after, taken_utc=set())
    assert first == utc(2027, 3, 28, 1, 0)  # 03:00 CEST comes before the shifted 03:30
    second = next_free_slot(slots=grid, tz=BERLIN, after_utc=after, taken_utc={first})
    assert second == utc(2027, 3, 28, 1, 30)  # 02:30 → 03:30 CEST


def test_slot_in_the_repeated_hour_is_the_first():
    grid = {6: [time(1, 30)]}  # New York, 2027-11-07: 01:30 happens twice
    assert next_free_slot(slots=grid, tz=NEW_YORK, after_utc=utc(2027, 11, 6, 12), taken_utc=set()) == utc(
        2027, 11, 7, 5, 30
    )


def test_empty_grid_and_everything_taken_give_none():
    after = utc(2027, 1, 4)
    assert next_free_slot(slots={}, tz=BERLIN, after_utc=after, taken_utc=set()) is None
    assert next_free_slot(slots={0: [], 3: []}, tz=BERLIN, after_utc=after, taken_utc=set()) is None
    grid = {0: [time(9)]}
    taken = {utc(2027, 1, 4, 8), utc(2027, 1, 11, 8)}
    assert next_free_slot(slots=grid, tz=BERLIN, after_utc=after, taken_utc=taken, horizon_days=7) is None
    assert next_free_slot(slots=grid, tz=BERLIN, after_utc=after, taken_utc=taken, horizon_days=14) == utc(
        2027, 1, 18, 8
    )


def test_bad_grid_is_refused():
    after = utc(2027, 1, 4)
    with pytest.raises(SlotError, match="Weekday 7"):
        next_free_slot(slots={7: [time(9)]}, tz=BERLIN, after_utc=after, taken_utc=set())
    with pytest.raises(SlotError, match="Tuesday: A day can have at most 25"):
        next_free_slot(
            slots={1: [time(h, m) for h in range(13) for m in (0, 30)]}, tz=BERLIN, after_utc=after, taken_utc=set()
        )
    with pytest.raises(SlotError, match="Unknown time zone"):
        next_free_slot(slots={0: [time(9)]}, tz="Nowhere/Land", after_utc=after, taken_utc=set())
    with pytest.raises(ValueError):
        next_free_slot(slots={0: [time(9)]}, tz=BERLIN, after_utc=datetime(2027, 1, 4), taken_utc=set())
