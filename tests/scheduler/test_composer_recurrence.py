"""The recurrence builder: each preset's rule, its plain-language summary (with the time and UNTIL/COUNT), the next
dates as the engine makes them, and reading a stored rule back into the builder."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scheduler import recurrence
from scheduler.recurrence_builder import Builder, summarize, upcoming

BERLIN = "Europe/Berlin"
START_LOCAL = datetime(2026, 11, 26, 10, 0)  # a Thursday, 10:00 in Berlin
START_UTC = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("builder", "rule", "summary"),
    [
        (Builder("daily", end="count", count=10), "FREQ=DAILY;BYHOUR=10;BYMINUTE=0;COUNT=10",
         "Every day at 10:00, 10 times"),
        (Builder("daily", interval=2, end="until", until=date(2027, 1, 31)),
         "FREQ=DAILY;INTERVAL=2;BYHOUR=10;BYMINUTE=0;UNTIL=20270131", "Every 2 days at 10:00 until 31 Jan 2027"),
        (Builder("weekdays", end="until", until=date(2026, 12, 31)),
         "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=10;BYMINUTE=0;UNTIL=20261231",
         "Every weekday at 10:00 until 31 Dec 2026"),
        (Builder("weekly", days=["MO", "TH"], end="until", until=date(2026, 12, 31)),
         "FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=10;BYMINUTE=0;UNTIL=20261231",
         "Every Monday and Thursday at 10:00 until 31 Dec 2026"),
        (Builder("weekly", days=["MO"], end="until", until=date(2026, 12, 31)),
         "FREQ=WEEKLY;BYDAY=MO;BYHOUR=10;BYMINUTE=0;UNTIL=20261231", "Every Monday at 10:00 until 31 Dec 2026"),
        (Builder("weekly", days=["TU"], interval=2, end="count", count=6),
         "FREQ=WEEKLY;BYDAY=TU;INTERVAL=2;BYHOUR=10;BYMINUTE=0;COUNT=6", "Every 2 weeks on Tuesday at 10:00, 6 times"),
        (Builder("monthly_day", monthday=15, end="count", count=12),
         "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=10;BYMINUTE=0;COUNT=12", "Every month on the 15th at 10:00, 12 times"),
        (Builder("monthly_weekday", setpos="-1", weekday="FR", end="until", until=date(2027, 6, 30)),
         "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=10;BYMINUTE=0;UNTIL=20270630",
         "Every month on the last Friday at 10:00 until 30 Jun 2027"),
        (Builder("monthly_weekday", setpos="1", weekday="MO", end="count", count=1),
         "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=10;BYMINUTE=0;COUNT=1", "Every month on the first Monday at 10:00, once"),
        (Builder("custom", custom="FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1;COUNT=3"), "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1;COUNT=3",
         "Every year in March on the 1st at 10:00, 3 times"),
    ],
)
def test_each_preset_rule_and_summary(builder, rule, summary):
    assert builder.rule(START_LOCAL) == rule
    recurrence.validate_rule(rule, dtstart_utc=START_UTC, tz=BERLIN)  # the engine accepts what the builder writes
    assert summarize(rule, BERLIN, series_start_utc=START_UTC) == summary
    round_trip = Builder.from_rule(rule)
    assert round_trip.preset == builder.preset and round_trip.rule(START_LOCAL) == rule


def test_summary_time_comes_from_the_first_post_when_the_rule_has_none():
    assert summarize("FREQ=WEEKLY;BYDAY=MO;COUNT=10", BERLIN, series_start_utc=START_UTC) == \
        "Every Monday at 10:00, 10 times"
    assert summarize("FREQ=WEEKLY", BERLIN, series_start_utc=START_UTC) == "Every Thursday at 10:00"


def test_next_five_dates_are_the_engines_and_stay_at_local_time_across_dst():
    first = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)  # Monday 10:00 CET; summer time starts on 28 March
    rule = Builder("weekly", days=["MO", "TH"]).rule(datetime(2027, 3, 22, 10, 0))
    dates = upcoming(rule, BERLIN, first_utc=first)
    assert [d.strftime("%a %d %H:%MZ") for d in dates] == [
        "Mon 22 09:00Z", "Thu 25 09:00Z", "Mon 29 08:00Z", "Thu 01 08:00Z", "Mon 05 08:00Z"]
    chain = [first]
    while len(chain) < 5:
        chain.append(recurrence.next_occurrence(rule=rule, series_start_utc=first, tz=BERLIN, after_utc=chain[-1]))
    assert dates == chain


def test_a_series_that_ends_shows_fewer_dates():
    rule = Builder("daily", end="count", count=3).rule(START_LOCAL)
    assert len(upcoming(rule, BERLIN, first_utc=START_UTC)) == 3


@pytest.mark.parametrize(
    ("builder", "message"),
    [
        (Builder("weekly", days=["MO"]), "Choose the date and time of the first post"),
        (Builder("daily", end="until"), "Give the date of the last post"),
        (Builder("daily", end="count"), "Give how many posts"),
    ],
)
def test_missing_builder_fields_are_named(builder, message):
    start = None if message.startswith("Choose") else START_LOCAL
    with pytest.raises(recurrence.RecurrenceError, match=message):
        builder.rule(start)


def test_unknown_rules_open_as_custom():
    assert Builder.from_rule("FREQ=HOURLY;INTERVAL=6").preset == "custom"
    assert Builder.from_rule("not a rule").preset == "custom"
    assert Builder.from_rule("").preset == ""
