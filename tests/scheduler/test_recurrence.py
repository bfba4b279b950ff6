"""Recurrence rules in the workspace's wall-clock time: DST, COUNT/UNTIL, validation messages, bounds. No database."""

from __future__ import annotations

import time as time_module
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.localtime import LocalTimeError, to_instant
from scheduler.recurrence import (
    MAX_OCCURRENCES,
    RecurrenceError,
    next_occurrence,
    occurrences_between,
    validate_rule,
)
from scheduler.recurrence_builder import summarize

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def series(rule: str, start: datetime, tz: str, n: int) -> list[datetime]:
    """The first n occurrences, walked with next_occurrence (the way the engine materializes them)."""
    out = [start]
    while len(out) < n:
        nxt = next_occurrence(rule=rule, series_start_utc=start, tz=tz, after_utc=out[-1])
        if nxt is None:
            break
        out.append(nxt)
    return out


# ------------------------------------------------------------------- the DST rule recurrence uses (accounts.localtime)


def test_ordinary_time():
    assert to_instant(datetime(2027, 6, 1, 10, 0), BERLIN) == utc(2027, 6, 1, 8, 0)


@pytest.mark.parametrize(
    ("tz", "naive", "local_after", "expected_utc"),
    [
        (BERLIN, datetime(2027, 3, 28, 2, 30), datetime(2027, 3, 28, 3, 30), utc(2027, 3, 28, 1, 30)),
        (NEW_YORK, datetime(2027, 3, 14, 2, 30), datetime(2027, 3, 14, 3, 30), utc(2027, 3, 14, 7, 30)),
    ],
)
def test_nonexistent_time_moves_forward_by_the_gap(tz, naive, local_after, expected_utc):
    instant = to_instant(naive, tz)
    assert instant.astimezone(ZoneInfo(tz)).replace(tzinfo=None) == local_after
    assert instant == expected_utc


def test_ambiguous_time_is_the_first():
    instant = to_instant(datetime(2027, 11, 7, 1, 30), NEW_YORK)
    assert instant == utc(2027, 11, 7, 5, 30)  # 01:30 EDT, not 01:30 EST (06:30Z)
    assert instant.astimezone(ZoneInfo(NEW_YORK)).utcoffset() == timedelta(hours=-4)
    assert to_instant(datetime(2027, 10, 31, 2, 30), BERLIN) == utc(2027, 10, 31, 0, 30)  # 02:30 CEST


def test_rejects_aware_and_unknown_zone():
    with pytest.raises(ValueError):
        to_instant(utc(2027, 1, 1), BERLIN)
    with pytest.raises(LocalTimeError, match="Unknown time zone"):
        to_instant(datetime(2027, 1, 1), "Mars/Olympus")


# --------------------------------------------------------------------------------------------- weekly across DST


def test_weekly_monday_10_berlin_holds_wall_clock_across_both_changes():
    start = utc(2027, 3, 15, 9, 0)  # Monday 10:00 CET
    rule = "FREQ=WEEKLY;BYDAY=MO"
    got = occurrences_between(rule=rule, series_start_utc=start, tz=BERLIN, start_utc=start, end_utc=utc(2027, 11, 9))
    assert got[:3] == [utc(2027, 3, 15, 9), utc(2027, 3, 22, 9), utc(2027, 3, 29, 8)]  # DST from 28 March
    october = [d for d in got if d.month in (10, 11)]
    # Berlin falls back on Sunday 31 October: Monday 25 October is still summer time, 1 November is winter time.
    assert october[-3:] == [utc(2027, 10, 25, 8), utc(2027, 11, 1, 9), utc(2027, 11, 8, 9)]
    assert utc(2027, 10, 18, 8) in got  # still summer time the week before 31 October
    for d in got:
        local = d.astimezone(ZoneInfo(BERLIN))
        assert (local.weekday(), local.hour, local.minute) == (0, 10, 0)
        assert d.tzinfo is UTC
    assert {d.hour for d in got} == {8, 9}
    assert series(rule, start, BERLIN, 4) == got[:4]


def test_weekly_monday_10_new_york_across_both_changes():
    start = utc(2027, 3, 8, 15, 0)  # Monday 10:00 EST
    got = series("FREQ=WEEKLY;BYDAY=MO", start, NEW_YORK, 3)
    assert got == [utc(2027, 3, 8, 15), utc(2027, 3, 15, 14), utc(2027, 3, 22, 14)]  # EDT from 14 March
    autumn = next_occurrence(
        rule="FREQ=WEEKLY;BYDAY=MO", series_start_utc=start, tz=NEW_YORK, after_utc=utc(2027, 11, 1, 14)
    )
    assert autumn == utc(2027, 11, 8, 15)  # EST from 7 November
    assert next_occurrence(
        rule="FREQ=WEEKLY;BYDAY=MO", series_start_utc=start, tz=NEW_YORK, after_utc=utc(2027, 10, 30)
    ) == utc(2027, 11, 1, 14)


# --------------------------------------------------------------------------------------------- daily on DST days


@pytest.mark.parametrize(
    ("tz", "start", "expected"),
    [
        # Berlin springs forward 2027-03-28 02:00 → 03:00: 02:30 does not exist that day, becomes 03:30 CEST.
        (
            BERLIN,
            utc(2027, 3, 26, 1, 30),
            [utc(2027, 3, 26, 1, 30), utc(2027, 3, 27, 1, 30), utc(2027, 3, 28, 1, 30), utc(2027, 3, 29, 0, 30)],
        ),
        # New York springs forward 2027-03-14 02:00 → 03:00: 02:30 becomes 03:30 EDT (07:30Z).
        (
            NEW_YORK,
            utc(2027, 3, 12, 7, 30),
            [utc(2027, 3, 12, 7, 30), utc(2027, 3, 13, 7, 30), utc(2027, 3, 14, 7, 30), utc(2027, 3, 15, 6, 30)],
        ),
    ],
)
def test_daily_0230_on_spring_forward_day_moves_forward_by_the_gap(tz, start, expected):
    assert series("FREQ=DAILY", start, tz, 4) == expected
    assert (
        occurrences_between(
            rule="FREQ=DAILY",
            series_start_utc=start,
            tz=tz,
            start_utc=start,
            end_utc=expected[-1] + timedelta(minutes=1),
        )
        == expected
    )
    spring = expected[2].astimezone(ZoneInfo(tz))
    assert (spring.hour, spring.minute) == (3, 30)


def test_daily_0130_on_new_york_fall_back_day_occurs_once_first():
    start = utc(2027, 11, 5, 5, 30)  # 01:30 EDT
    got = series("FREQ=DAILY", start, NEW_YORK, 4)
    # 7 November: 01:30 happens twice; the series posts once, at the first (EDT, 05:30Z), then 01:30 EST.
    assert got == [utc(2027, 11, 5, 5, 30), utc(2027, 11, 6, 5, 30), utc(2027, 11, 7, 5, 30), utc(2027, 11, 8, 6, 30)]
    window = occurrences_between(
        rule="FREQ=DAILY", series_start_utc=start, tz=NEW_YORK, start_utc=utc(2027, 11, 7), end_utc=utc(2027, 11, 8)
    )
    assert window == [utc(2027, 11, 7, 5, 30)]


def test_hourly_through_the_gap_never_repeats_an_instant():
    start = utc(2027, 3, 27, 23, 0)  # 00:00 CET on 28 March
    got = occurrences_between(
        rule="FREQ=HOURLY", series_start_utc=start, tz=BERLIN, start_utc=start, end_utc=utc(2027, 3, 28, 4)
    )
    assert got == sorted(set(got))
    assert got == [
        utc(2027, 3, 27, 23),
        utc(2027, 3, 28, 0),
        utc(2027, 3, 28, 1),
        utc(2027, 3, 28, 2),
        utc(2027, 3, 28, 3),
    ]


# --------------------------------------------------------------------------------------------- COUNT and UNTIL


def test_count_is_counted_from_the_series_start():
    start = utc(2027, 1, 4, 9, 0)
    rule = "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3"
    assert series(rule, start, BERLIN, 10) == [utc(2027, 1, 4, 9), utc(2027, 1, 11, 9), utc(2027, 1, 18, 9)]
    assert next_occurrence(rule=rule, series_start_utc=start, tz=BERLIN, after_utc=utc(2027, 1, 18, 9)) is None
    assert next_occurrence(rule=rule, series_start_utc=start, tz=BERLIN, after_utc=utc(2027, 1, 12)) == utc(
        2027, 1, 18, 9
    )
    assert (
        len(occurrences_between(rule=rule, series_start_utc=start, tz=BERLIN, start_utc=start, end_utc=utc(2028, 1, 1)))
        == 3
    )


def test_until_utc_is_inclusive_and_an_instant():
    start = utc(2027, 1, 4, 9, 0)
    rule = "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270118T090000Z"
    assert series(rule, start, BERLIN, 10) == [utc(2027, 1, 4, 9), utc(2027, 1, 11, 9), utc(2027, 1, 18, 9)]
    rule = "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270118T085959Z"
    assert series(rule, start, BERLIN, 10) == [utc(2027, 1, 4, 9), utc(2027, 1, 11, 9)]


def test_floating_until_is_local_wall_time_and_date_until_includes_the_day():
    start = utc(2027, 1, 4, 9, 0)  # 10:00 Berlin
    # 10:00 local on 18 Jan is 09:00Z; a floating UNTIL of 10:00 includes it, 09:59 excludes it.
    assert series("FREQ=WEEKLY;BYDAY=MO;UNTIL=20270118T100000", start, BERLIN, 10)[-1] == utc(2027, 1, 18, 9)
    assert series("FREQ=WEEKLY;BYDAY=MO;UNTIL=20270118T095900", start, BERLIN, 10)[-1] == utc(2027, 1, 11, 9)
    assert series("FREQ=WEEKLY;BYDAY=MO;UNTIL=20270118", start, BERLIN, 10)[-1] == utc(2027, 1, 18, 9)


# --------------------------------------------------------------------------------------------- validation


def test_validate_normalizes_with_or_without_prefix():
    start = utc(2027, 1, 4, 9)
    assert validate_rule("RRULE:freq=weekly;byday=MO;interval=1;count=10", dtstart_utc=start, tz=BERLIN) == (
        "FREQ=WEEKLY;COUNT=10;BYDAY=MO"
    )
    assert validate_rule(" FREQ=DAILY;INTERVAL=2 ", dtstart_utc=start, tz=BERLIN) == "FREQ=DAILY;INTERVAL=2"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=MINUTELY", "more often than hourly is not allowed"),
        ("RRULE:FREQ=SECONDLY;COUNT=5", "more often than hourly is not allowed"),
        ("FREQ=DAILY;BYHOUR=10;BYMINUTE=0,30", "more often than hourly is not allowed"),
        ("garbage", "Couldn't understand 'garbage'"),
        ("FREQ=FORTNIGHTLY", "Couldn't understand FREQ=FORTNIGHTLY"),
        ("FREQ=WEEKLY;BYDAY=XX", "Couldn't understand BYDAY=XX"),
        ("FREQ=DAILY;BYHOUR=25", "Couldn't understand BYHOUR=25"),
        ("FREQ=DAILY;FOO=1", "Unknown part 'FOO'"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number"),
        ("FREQ=DAILY;UNTIL=tomorrow", "Couldn't understand UNTIL=TOMORROW"),
        ("BYDAY=MO", "needs FREQ"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20271231T000000Z", "COUNT or UNTIL, not both"),
        ("FREQ=DAILY;UNTIL=20261231T000000Z", "UNTIL is before the first post"),
        ("FREQ=DAILY;UNTIL=20270103", "UNTIL is before the first post"),
        ("", "empty"),
        ("   ", "empty"),
        ("RRULE:", "empty"),
        ("DTSTART:20270104T090000Z\nRRULE:FREQ=WEEKLY", "Leave DTSTART out"),
        ("FREQ=WEEKLY;DTSTART=20270104T090000Z", "Leave DTSTART out"),
        ("RRULE:FREQ=DAILY\nEXDATE:20270105T090000Z", "EXDATE is not supported"),
        (f"FREQ=DAILY;COUNT={MAX_OCCURRENCES + 1}", "at most 1000"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "produces no date"),
    ],
)
def test_rejected_rules_say_why(rule, message):
    with pytest.raises(RecurrenceError, match=message) as info:
        validate_rule(rule, dtstart_utc=utc(2027, 1, 4, 9), tz=BERLIN)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == info.value.message


def test_count_at_the_cap_is_accepted_and_next_occurrence_refuses_bad_rules():
    rule = f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}"
    assert validate_rule(rule, dtstart_utc=utc(2027, 1, 4, 9), tz=BERLIN) == rule
    with pytest.raises(RecurrenceError, match="more often than hourly"):
        next_occurrence(rule="FREQ=MINUTELY", series_start_utc=utc(2027, 1, 4), tz=BERLIN, after_utc=utc(2027, 1, 4))
    with pytest.raises(RecurrenceError, match="Unknown time zone"):
        validate_rule("FREQ=DAILY", dtstart_utc=utc(2027, 1, 4), tz="Nowhere/Land")
    with pytest.raises(ValueError):
        validate_rule("FREQ=DAILY", dtstart_utc=datetime(2027, 1, 4), tz=BERLIN)


# --------------------------------------------------------------------------------------------- bounds


def test_expansion_is_capped():
    start = utc(2027, 1, 1)
    got = occurrences_between(
        rule="FREQ=HOURLY", series_start_utc=start, tz=BERLIN, start_utc=start, end_utc=utc(2030, 1, 1), limit=10**6
    )
    assert len(got) == MAX_OCCURRENCES
    assert (
        len(
            occurrences_between(
                rule="FREQ=DAILY", series_start_utc=start, tz=BERLIN, start_utc=start, end_utc=utc(2030, 1, 1)
            )
        )
        == 500
    )
    assert (
        occurrences_between(rule="FREQ=DAILY", series_start_utc=start, tz=BERLIN, start_utc=start, end_utc=start) == []
    )


def test_window_is_clipped_to_the_horizon():
    start = utc(2027, 1, 1)
    got = occurrences_between(
        rule="FREQ=YEARLY", series_start_utc=start, tz=BERLIN, start_utc=start, end_utc=utc(2200, 1, 1)
    )
    assert 5 <= len(got) <= 6


@pytest.mark.parametrize("freq", ["DAILY", "HOURLY", "WEEKLY", "MONTHLY"])
def test_next_occurrence_of_a_never_matching_rule_is_none_and_fast(freq):
    start = utc(2027, 1, 1)
    began = time_module.perf_counter()
    assert (
        next_occurrence(rule=f"FREQ={freq};BYMONTH=2;BYMONTHDAY=30", series_start_utc=start, tz=BERLIN, after_utc=start)
        is None
    )
    assert time_module.perf_counter() - began < 2.0


def test_sparse_rules_keep_exact_calendar_dates():
    # 29 February falling on a Monday: 2044, then 2072 (outside the 5-year horizon from 2040).
    start = utc(2040, 1, 2, 9)
    rule = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"
    assert next_occurrence(rule=rule, series_start_utc=start, tz=BERLIN, after_utc=start) == utc(2044, 2, 29, 9)
    assert next_occurrence(rule=rule, series_start_utc=start, tz=BERLIN, after_utc=utc(2044, 3, 1)) is None
    # every third day keeps its phase from the series start
    got = occurrences_between(
        rule="FREQ=DAILY;INTERVAL=3", series_start_utc=utc(2027, 2, 26, 9), tz=BERLIN,
        start_utc=utc(2027, 2, 26), end_utc=utc(2027, 3, 9),
    )  # fmt: skip
    assert got == [utc(2027, 2, 26, 9), utc(2027, 3, 1, 9), utc(2027, 3, 4, 9), utc(2027, 3, 7, 9)]


def test_next_occurrence_long_after_the_start():
    start = utc(2027, 1, 4, 9)
    assert next_occurrence(rule="FREQ=DAILY", series_start_utc=start, tz=BERLIN, after_utc=utc(2031, 6, 1, 12)) == utc(
        2031, 6, 2, 8
    )


def test_next_occurrence_before_the_start_is_the_first():
    start = utc(2027, 1, 4, 9)
    assert next_occurrence(rule="FREQ=WEEKLY", series_start_utc=start, tz=BERLIN, after_utc=utc(2026, 1, 1)) == start


# --------------------------------------------------------------------------------------------- summary


def test_summary_in_words_keeps_the_time_and_the_end():
    """One summary for the composer, the post page and the review desk (scheduler.recurrence_builder)."""
    assert summarize("FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0;COUNT=10", BERLIN) == "Every Monday at 10:00, 10 times"
    # The time comes from the series' first date when the rule has no BYHOUR (10:00 Berlin = 09:00 UTC in January).
    assert summarize("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10", BERLIN, series_start_utc=utc(2027, 1, 4, 9)) == (
        "Every Monday at 10:00, 10 times"
    )
    # UNTIL is a UTC instant: midnight UTC on 31 Dec is still 30 Dec in New York.
    assert summarize("FREQ=DAILY;INTERVAL=2;UNTIL=20271231T000000Z", NEW_YORK) == "Every 2 days until 30 Dec 2027"
    assert summarize("FREQ=MONTHLY;BYDAY=-1FR", BERLIN) == "Every month on the last Friday"


# ------------------------------------------------------------------- the calendar's cache of drawn dates


def test_dates_between_are_remembered_but_never_shared_between_the_two_passes_of_a_repeated_hour():
    """The calendar asks for the same window again and again, so the answer is kept; two local windows that begin
    at the two 01:30s of New York's fall-back night compare equal in Python and must still get their own answers."""
    zone = ZoneInfo(NEW_YORK)
    start = utc(2027, 11, 1, 5, 30)  # 01:30 EDT: daily at 01:30; on 7 November the first 01:30 (EDT, 05:30 UTC)
    first = datetime(2027, 11, 7, 1, 30, tzinfo=zone, fold=0)
    second = datetime(2027, 11, 7, 1, 30, tzinfo=zone, fold=1)
    assert first == second  # what Python says: same tzinfo, same wall clock (the trap)
    ask = lambda lo: occurrences_between(rule="FREQ=DAILY", series_start_utc=start, tz=NEW_YORK,  # noqa: E731
                                         start_utc=lo, end_utc=lo + timedelta(minutes=30))
    assert ask(first) == [utc(2027, 11, 7, 5, 30)]
    assert ask(second) == []  # 06:30 to 07:00 UTC: the 01:30 of that night was an hour earlier
    got = ask(first)
    got.append(utc(2030, 1, 1))  # a caller's list is its own: the next caller is not affected
    assert ask(first) == [utc(2027, 11, 7, 5, 30)]
