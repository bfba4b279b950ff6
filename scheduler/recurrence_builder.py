"""The composer's recurrence builder: presets → RRULE text, RRULE → plain-language summary and the next dates.

Plain Python on top of :mod:`scheduler.recurrence` (which parses, validates and expands; the engine uses the same
functions, so the dates shown are the dates the engine will post). A preset rule pins the time of day with
BYHOUR/BYMINUTE taken from the series' first post, so the rule text itself says "at 10:00".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduler import recurrence
from scheduler.recurrence import RecurrenceError, _parse

WEEKDAYS = [("MO", "Monday"), ("TU", "Tuesday"), ("WE", "Wednesday"), ("TH", "Thursday"), ("FR", "Friday"),
            ("SA", "Saturday"), ("SU", "Sunday")]
_DAY = dict(WEEKDAYS)
_WEEKDAY_SET = ["MO", "TU", "WE", "TH", "FR"]
PRESETS = [
    ("", "Does not repeat"),
    ("daily", "Every day"),
    ("weekdays", "Every weekday (Monday to Friday)"),
    ("weekly", "Weekly on chosen days"),
    ("monthly_day", "Monthly on a day of the month"),
    ("monthly_weekday", "Monthly on a weekday (e.g. the last Friday)"),
    ("custom", "Custom rule (RRULE)"),
]
SETPOS = [("1", "first"), ("2", "second"), ("3", "third"), ("4", "fourth"), ("-1", "last")]
ENDS = [("never", "Never"), ("until", "On a date"), ("count", "After a number of posts")]


@dataclass
class Builder:
    """What the builder's fields say; :meth:`rule` turns it into RRULE text for a series starting at ``start``."""

    preset: str = ""
    interval: int = 1
    days: list[str] = field(default_factory=list)
    monthday: int | None = None
    setpos: str = "-1"
    weekday: str = "FR"
    end: str = "never"
    until: date | None = None
    count: int | None = None
    custom: str = ""

    def rule(self, start_local: datetime | None) -> str:
        """The RRULE text ("" for no repeat). Raises RecurrenceError with a sentence when a field is missing."""
        if not self.preset:
            return ""
        if self.preset == "custom":
            return self.custom.strip()
        if start_local is None:
            raise RecurrenceError("Choose the date and time of the first post; the series repeats from it.")
        parts: list[str] = []
        interval = max(1, int(self.interval or 1))
        if self.preset == "daily":
            parts.append("FREQ=DAILY")
        elif self.preset == "weekdays":
            parts += ["FREQ=WEEKLY", "BYDAY=" + ",".join(_WEEKDAY_SET)]
        elif self.preset == "weekly":
            days = [d for d, _ in WEEKDAYS if d in self.days] or [WEEKDAYS[start_local.weekday()][0]]
            parts += ["FREQ=WEEKLY", "BYDAY=" + ",".join(days)]
        elif self.preset == "monthly_day":
            day = self.monthday or start_local.day
            if not 1 <= day <= 31:
                raise RecurrenceError("The day of the month must be between 1 and 31.")
            parts += ["FREQ=MONTHLY", f"BYMONTHDAY={day}"]
        elif self.preset == "monthly_weekday":
            if self.setpos not in dict(SETPOS) or self.weekday not in _DAY:
                raise RecurrenceError("Choose which weekday of the month, e.g. the last Friday.")
            parts += ["FREQ=MONTHLY", f"BYDAY={self.setpos}{self.weekday}"]
        else:
            raise RecurrenceError(f"“{self.preset}” is not a repeat option.")
        if interval > 1 and self.preset != "weekdays":
            parts.append(f"INTERVAL={interval}")
        parts += [f"BYHOUR={start_local.hour}", f"BYMINUTE={start_local.minute}"]
        if self.end == "until":
            if self.until is None:
                raise RecurrenceError("Give the date of the last post, or choose another ending.")
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        elif self.end == "count":
            if not self.count:
                raise RecurrenceError("Give how many posts the series has, or choose another ending.")
            parts.append(f"COUNT={self.count}")
        return ";".join(parts)

    @classmethod
    def from_rule(cls, rule: str) -> Builder:
        """Best guess of the preset that wrote ``rule`` (to edit a series); anything else is "custom"."""
        if not rule:
            return cls()
        try:
            p = dict(_parse(rule).parts)
        except RecurrenceError:
            return cls(preset="custom", custom=rule)
        b = cls(custom=rule, interval=int(p.pop("INTERVAL", "1")))
        if "UNTIL" in p and len(p["UNTIL"]) == 8:
            b.end, b.until = "until", datetime.strptime(p.pop("UNTIL"), "%Y%m%d").date()
        elif "COUNT" in p:
            b.end, b.count = "count", int(p.pop("COUNT"))
        if p.get("BYHOUR", "").isdigit() and p.get("BYMINUTE", "0").isdigit():
            p.pop("BYHOUR")
            p.pop("BYMINUTE", None)
        freq, byday, mday = p.pop("FREQ"), p.pop("BYDAY", ""), p.pop("BYMONTHDAY", "")
        days = byday.split(",") if byday else []
        if p:
            b.preset = "custom"
        elif freq == "DAILY" and not days and not mday:
            b.preset = "daily"
        elif freq == "WEEKLY" and not mday and days == _WEEKDAY_SET and b.interval == 1:
            b.preset = "weekdays"
        elif freq == "WEEKLY" and not mday and days and all(d in _DAY for d in days):
            b.preset, b.days = "weekly", days
        elif freq == "MONTHLY" and mday.isdigit() and not days:
            b.preset, b.monthday = "monthly_day", int(mday)
        elif (freq == "MONTHLY" and not mday and len(days) == 1 and days[0][-2:] in _DAY
              and days[0][:-2] in dict(SETPOS)):
            b.preset, b.setpos, b.weekday = "monthly_weekday", days[0][:-2], days[0][-2:]
        else:
            b.preset = "custom"
        return b


# --------------------------------------------------------------------------------------------------- summary


def _ordinal(n: int) -> str:
    if n == -1:
        return "last"
    if n < 0:
        return f"{_ordinal(-n)} to last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _day_text(token: str, setpos: str | None = None) -> str:
    pos, code = token[:-2], token[-2:]
    name = _DAY.get(code, code)
    pos = pos or setpos
    if not pos:
        return name
    return f"the {dict(SETPOS).get(str(int(pos)), _ordinal(int(pos)))} {name}"


def _plural(n: int, unit: str) -> str:
    return unit if n == 1 else f"{n} {unit}s"


def summarize(rule: str, tz: str, *, series_start_utc: datetime | None = None) -> str:
    """A sentence a person reads, with the time and the end: "Every Monday and Thursday at 10:00 until
    31 Dec 2026", "Every month on the last Friday at 09:30, 6 times". Raises RecurrenceError for a bad rule."""
    parsed = _parse(rule)
    p = parsed.parts
    zone = ZoneInfo(tz)
    n = int(p.get("INTERVAL", "1"))
    days = p["BYDAY"].split(",") if "BYDAY" in p else []
    setpos = p.get("BYSETPOS") if p.get("BYSETPOS", "").lstrip("-").isdigit() and "," not in p.get("BYSETPOS", "") else None
    freq = parsed.freq
    start_local = series_start_utc.astimezone(zone) if series_start_utc else None
    if freq == "DAILY" and not days:
        text = "Every day" if n == 1 else f"Every {n} days"
    elif freq in ("DAILY", "WEEKLY") and sorted(days, key=[d for d, _ in WEEKDAYS].index) == _WEEKDAY_SET \
            and n == 1 and all(d in _DAY for d in days):
        text = "Every weekday"
    elif freq == "DAILY":
        text = ("Every day" if n == 1 else f"Every {n} days") + " on " + _join([_day_text(d) for d in days])
    elif freq == "WEEKLY":
        if not days and start_local is not None:
            days = [WEEKDAYS[start_local.weekday()][0]]
        names = _join([_day_text(d) for d in days]) if days else ""
        if n == 1:
            text = f"Every {names}" if names else "Every week"
        else:
            text = f"Every {n} weeks" + (f" on {names}" if names else "")
    elif freq == "MONTHLY":
        text = "Every month" if n == 1 else f"Every {n} months"
        if "BYMONTHDAY" in p:
            text += " on the " + _join([_ordinal(int(d)) for d in p["BYMONTHDAY"].split(",")])
        elif days:
            text += " on " + _join([_day_text(d, setpos) for d in days])
        elif start_local is not None:
            text += f" on the {_ordinal(start_local.day)}"
    elif freq == "YEARLY":
        text = "Every year" if n == 1 else f"Every {n} years"
        if "BYMONTH" in p:
            months = [datetime(2000, int(m), 1).strftime("%B") for m in p["BYMONTH"].split(",") if m.isdigit()]
            text += " in " + _join(months) if months else ""
        if "BYMONTHDAY" in p:
            text += " on the " + _join([_ordinal(int(d)) for d in p["BYMONTHDAY"].split(",")])
        elif days:
            text += " on " + _join([_day_text(d, setpos) for d in days])
        elif start_local is not None and "BYMONTH" not in p:
            text += f" on {start_local:%-d %B}"
    else:  # HOURLY
        text = "Every hour" if n == 1 else f"Every {_plural(n, 'hour')}"
    if freq != "HOURLY":
        hours = p["BYHOUR"].split(",") if "BYHOUR" in p else None
        minute = p.get("BYMINUTE")
        if hours is None and start_local is not None:
            hours, minute = [str(start_local.hour)], minute or str(start_local.minute)
        if hours is not None:
            text += " at " + _join([f"{int(h):02d}:{int(minute or '0'):02d}" for h in hours])
    if parsed.count is not None:
        text += ", once" if parsed.count == 1 else f", {parsed.count} times"
    if parsed.until_text is not None:
        until_utc, until_local = parsed.until_bound(zone)
        when = until_utc.astimezone(zone) if until_utc is not None else until_local
        text += f" until {when:%-d %b %Y}"
    return text


def upcoming(rule: str, tz: str, *, first_utc: datetime, n: int = 5) -> list[datetime]:
    """The series' first ``n`` posts as the engine makes them: the first post at ``first_utc``, then each next
    occurrence of the rule after the previous one (aware UTC)."""
    dates = [first_utc]
    while len(dates) < n:
        nxt = recurrence.next_occurrence(rule=rule, series_start_utc=first_utc, tz=tz, after_utc=dates[-1])
        if nxt is None:
            break
        dates.append(nxt)
    return dates
