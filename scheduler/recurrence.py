"""Recurring posts: RFC 5545 RRULEs evaluated in the workspace's wall-clock time.

Plain Python, no models. A series is a rule plus the UTC instant of its first post (``series_start_utc``); the
workspace's IANA timezone decides what "every Monday 10:00" means, so the post stays at 10:00 local time across
daylight-saving changes.

How it works: the series start is converted to *naive local wall-clock time*, the rule is expanded by
python-dateutil in naive local time, and each wall-clock occurrence is turned into a real instant with
:func:`accounts.localtime.to_instant`, the one local-time policy of the whole app (docs/calendar.md).

The DST rule (the policy's, applied to generated dates: no one is there to choose, so always the default):

* A local time that does not exist (spring forward, e.g. 02:30 on 2027-03-28 in Europe/Berlin) is moved forward by
  the length of the gap: 02:30 becomes 03:30 local (01:30Z). In a one-hour gap that is "one hour later".
* A local time that occurs twice (fall back, e.g. 01:30 on 2027-11-07 in America/New_York) means the first of the
  two, the one still on daylight time (fold=0): 01:30 EDT = 05:30Z. The series posts once, not twice.
* If two wall-clock occurrences land on the same instant (only possible with the gap shift, e.g. an hourly rule's
  02:00 and 03:00 on the spring-forward day), the instant is used once.

Other rules of the game:

* The rule text is a single RRULE (with or without the ``RRULE:`` prefix). DTSTART, RDATE, EXDATE, EXRULE inside
  the text are refused: the post's scheduled time is the start of the series.
* Occurrences are what the rule generates from the start (python-dateutil semantics): the start itself is the
  first occurrence when it matches the rule. COUNT counts from the series start.
* UNTIL is inclusive. A UTC UNTIL (``...Z``) is compared as an instant; a floating UNTIL (``20271231T235900``) is
  compared in the workspace's local wall-clock time, per RFC 5545; a DATE UNTIL (``20271231``) includes that whole
  local day.
* Nothing repeats more often than hourly (FREQ=SECONDLY/MINUTELY and several BYMINUTE/BYSECOND values are refused),
  COUNT is at most :data:`MAX_OCCURRENCES`, and expansion never looks further than :data:`HORIZON_YEARS` years
  ahead, so every call is bounded.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as du

from accounts.localtime import to_instant

__all__ = [
    "HORIZON_YEARS",
    "MAX_OCCURRENCES",
    "RecurrenceError",
    "is_extension",
    "next_occurrence",
    "occurrences_between",
    "validate_rule",
]

MAX_OCCURRENCES = 1000
"""Largest COUNT accepted, and the most occurrences any single call returns."""

HORIZON_YEARS = 5
"""Expansion never looks further than this many years past the point of interest."""

_HORIZON = timedelta(days=366 * HORIZON_YEARS)

_FREQS = {
    "YEARLY": du.YEARLY,
    "MONTHLY": du.MONTHLY,
    "WEEKLY": du.WEEKLY,
    "DAILY": du.DAILY,
    "HOURLY": du.HOURLY,
}
_TOO_FREQUENT = {"MINUTELY", "SECONDLY"}
_BY_PARTS = {
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
_KNOWN_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL"} | _BY_PARTS
_OTHER_PROPERTIES = ("DTSTART", "RDATE", "EXDATE", "EXRULE", "DTEND", "DURATION")
_PART_ORDER = ["FREQ", "INTERVAL", "COUNT", "UNTIL", *sorted(_BY_PARTS)]
_UNTIL_RE = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")

_TOO_FREQUENT_MSG = "Repeating more often than hourly is not allowed."


class RecurrenceError(ValueError):
    """A recurrence rule or timezone the user gave cannot be used; ``str(error)`` is a sentence to show them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------------- time helpers


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise RecurrenceError(f"Unknown time zone {tz!r}; use an IANA name such as 'Europe/Berlin'.") from exc


def _require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return value.astimezone(UTC)


def _local_naive(instant_utc: datetime, zone: ZoneInfo) -> datetime:
    return instant_utc.astimezone(zone).replace(tzinfo=None)


# --------------------------------------------------------------------------------------------------- parsing


class _Rule:
    """A parsed, checked rule. ``parts`` holds the normalized text of each part."""

    def __init__(self, parts: dict[str, str]) -> None:
        self.parts = parts
        self.freq = parts["FREQ"]
        self.count: int | None = int(parts["COUNT"]) if "COUNT" in parts else None
        self.until_text: str | None = parts.get("UNTIL")

    @property
    def text(self) -> str:
        return ";".join(f"{name}={self.parts[name]}" for name in _PART_ORDER if name in self.parts)

    def until_bound(self, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        """(UTC bound, local naive bound); at most one is set. Both inclusive."""
        if self.until_text is None:
            return None, None
        m = _UNTIL_RE.match(self.until_text)
        assert m is not None  # checked in _parse
        day = datetime.strptime(m.group(1), "%Y%m%d")
        if m.group(2) is None:  # DATE: the whole local day
            return None, datetime.combine(day.date(), time(23, 59, 59))
        moment = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
        if m.group(3):
            return moment.replace(tzinfo=UTC), None
        return None, moment

    def build(self, dtstart_local: datetime, until_local: datetime) -> du.rrule:
        """A dateutil rule without COUNT/UNTIL (we apply those), bounded at ``until_local`` (naive local)."""
        base = self.__dict__.get("_base")
        if base is None:  # parsed once per rule text (a calendar page projects hundreds of series with a few rules)
            body = ";".join(f"{k}={v}" for k, v in self.parts.items() if k not in ("COUNT", "UNTIL"))
            base = self._base = du.rrulestr(body, dtstart=dtstart_local)
        # replace() rebuilds from the parts the text gave, so what dateutil derives from the start (the weekday of a
        # bare FREQ=WEEKLY, the hour...) follows this start, not the first one's.
        return base.replace(dtstart=dtstart_local, until=until_local)


def _strip_prefix(rule: str) -> str:
    if not isinstance(rule, str):
        raise RecurrenceError("The repeat rule must be text, such as 'FREQ=WEEKLY;BYDAY=MO'.")
    text = rule.strip()
    if not text:
        raise RecurrenceError("The repeat rule is empty; write one such as 'FREQ=WEEKLY;BYDAY=MO'.")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        upper = line.upper()
        for prop in _OTHER_PROPERTIES:
            if upper.startswith(prop + ":") or upper.startswith(prop + ";") or f";{prop}=" in f";{upper}":
                if prop == "DTSTART":
                    raise RecurrenceError(
                        "Leave DTSTART out of the rule: the post's scheduled time is the start of the series."
                    )
                raise RecurrenceError(f"{prop} is not supported; give a single RRULE such as 'FREQ=WEEKLY;BYDAY=MO'.")
    if len(lines) > 1:
        raise RecurrenceError("Give a single RRULE line, such as 'FREQ=WEEKLY;BYDAY=MO'.")
    text = lines[0]
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :].strip()
    if not text:
        raise RecurrenceError("The repeat rule is empty; write one such as 'FREQ=WEEKLY;BYDAY=MO'.")
    return text


def _positive_int(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise RecurrenceError(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


@lru_cache(maxsize=1024)  # a calendar page projects hundreds of series, most with the same few rules (read-only)
def _parse(rule: str) -> _Rule:
    text = _strip_prefix(rule)
    parts: dict[str, str] = {}
    for raw in text.split(";"):
        raw = raw.strip()
        if not raw:
            continue
        if "=" not in raw:
            raise RecurrenceError(
                f"Couldn't understand {raw!r} in the repeat rule: each part must look like NAME=VALUE."
            )
        name, _, value = raw.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if name not in _KNOWN_PARTS:
            raise RecurrenceError(f"Unknown part {name!r} in the repeat rule.")
        if name in parts:
            raise RecurrenceError(f"{name} appears twice in the repeat rule.")
        if not value:
            raise RecurrenceError(f"{name} has no value in the repeat rule.")
        parts[name] = value

    freq = parts.get("FREQ")
    if freq is None:
        raise RecurrenceError("The repeat rule needs FREQ, for example FREQ=WEEKLY.")
    if freq in _TOO_FREQUENT:
        raise RecurrenceError(_TOO_FREQUENT_MSG)
    if freq not in _FREQS:
        raise RecurrenceError(f"Couldn't understand FREQ={freq}: use YEARLY, MONTHLY, WEEKLY, DAILY or HOURLY.")
    if "INTERVAL" in parts:
        parts["INTERVAL"] = str(_positive_int("INTERVAL", parts["INTERVAL"]))
        if parts["INTERVAL"] == "1":
            del parts["INTERVAL"]
    if "COUNT" in parts:
        count = _positive_int("COUNT", parts["COUNT"])
        if count > MAX_OCCURRENCES:
            raise RecurrenceError(f"COUNT={count} is too many; a series can have at most {MAX_OCCURRENCES} posts.")
        parts["COUNT"] = str(count)
    if "UNTIL" in parts:
        if "COUNT" in parts:
            raise RecurrenceError("Use COUNT or UNTIL, not both.")
        m = _UNTIL_RE.match(parts["UNTIL"])
        fmt = "%Y%m%d" if m and m.group(2) is None else "%Y%m%d%H%M%S"
        try:
            if m is None:
                raise ValueError
            datetime.strptime(m.group(1) + (m.group(2) or ""), fmt)
        except ValueError:
            raise RecurrenceError(
                f"Couldn't understand UNTIL={parts['UNTIL']}: use a date like 20271231 or 20271231T235900Z."
            ) from None
    for name in ("BYMINUTE", "BYSECOND"):
        if name in parts and "," in parts[name]:
            raise RecurrenceError(_TOO_FREQUENT_MSG)
    # Let dateutil check the value of every remaining part, one at a time, so the message can name it.
    probe_start = datetime(2027, 1, 4, 10, 0)
    for name in _BY_PARTS & parts.keys():
        try:
            du.rrulestr(f"FREQ={freq};{name}={parts[name]}", dtstart=probe_start)
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            detail = str(exc).strip() or "invalid value"
            raise RecurrenceError(f"Couldn't understand {name}={parts[name]} in the repeat rule ({detail}).") from None
    try:
        _Rule(parts).build(probe_start, probe_start)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RecurrenceError(f"Couldn't understand the repeat rule ({exc}).") from None
    return _Rule(parts)


# --------------------------------------------------------------------------------------------------- expansion


def _expand(parsed: _Rule, *, series_start_utc: datetime, zone: ZoneInfo, tz: str, stop_local: datetime):
    """Yield the series' occurrences as aware UTC datetimes, in order, from the start, until ``stop_local``.

    Applies COUNT (from the series start), UNTIL (inclusive), the DST rule and de-duplication. Bounded by
    ``stop_local`` (naive local wall clock) and MAX_OCCURRENCES (only when COUNT is given, which is ≤ it).
    """
    start_utc = series_start_utc.astimezone(UTC).replace(microsecond=0)
    start_local = _local_naive(start_utc, zone)
    until_utc, until_local = parsed.until_bound(zone)
    bound = stop_local
    if until_local is not None:
        bound = min(bound, until_local)
    if until_utc is not None:
        bound = min(bound, _local_naive(until_utc, zone) + timedelta(hours=3))  # slack for DST; exact check below
    if bound < start_local:
        return
    produced = 0
    last: datetime | None = None
    # python-dateutil checks UNTIL only when it finds an occurrence: a rule that never matches would scan every
    # period up to the year 9999 (seconds of CPU). The Gregorian calendar repeats exactly every 400 years (dates
    # and weekdays alike), so we expand the same rule shifted by a multiple of 400 years, as close to 9999 as the
    # window allows, and shift the results back: the scan past the window is then at most 400 years.
    shift = max(0, (9999 - bound.year) // 400) * 400
    shifted = parsed.build(start_local.replace(year=start_local.year + shift), bound.replace(year=bound.year + shift))
    for shifted_wall in shifted:
        wall = shifted_wall.replace(year=shifted_wall.year - shift)
        if wall == start_local:
            instant = start_utc  # the start may be the second of two equal wall times; keep it exact
        else:
            instant = to_instant(wall, zone)
        if until_utc is not None and instant > until_utc:
            return
        if last is not None and instant <= last:
            continue  # two wall times collapsed onto one instant by the gap shift
        last = instant
        yield instant
        produced += 1
        if parsed.count is not None and produced >= parsed.count:
            return


def validate_rule(rule: str, *, dtstart_utc: datetime, tz: str) -> str:
    """Check a user's repeat rule for a series starting at ``dtstart_utc`` in workspace timezone ``tz``.

    Returns the normalized rule text without the ``RRULE:`` prefix (parts upper-cased, in a fixed order,
    ``INTERVAL=1`` dropped), ready to store. Raises :class:`RecurrenceError` with a sentence for the user when
    the rule can't be parsed (naming the part), repeats more often than hourly, has COUNT with UNTIL, COUNT above
    :data:`MAX_OCCURRENCES`, UNTIL before the start, DTSTART (or RDATE/EXDATE) in the text, or no occurrence
    within :data:`HORIZON_YEARS` years of the start.
    """
    start = _require_aware(dtstart_utc, "dtstart_utc")
    zone = _zone(tz)
    parsed = _parse(rule)
    until_utc, until_local = parsed.until_bound(zone)
    start_local = _local_naive(start, zone)
    if (until_utc is not None and until_utc < start.replace(microsecond=0)) or (
        until_local is not None and until_local < start_local.replace(microsecond=0)
    ):
        raise RecurrenceError("UNTIL is before the first post; the series would never run.")
    first = next(
        _expand(parsed, series_start_utc=start, zone=zone, tz=tz, stop_local=start_local + _HORIZON),
        None,
    )
    if first is None:
        raise RecurrenceError(
            f"This repeat rule produces no date within {HORIZON_YEARS} years of the first post; check its parts."
        )
    return parsed.text


def next_occurrence(*, rule: str, series_start_utc: datetime, tz: str, after_utc: datetime) -> datetime | None:
    """The series' next occurrence strictly after ``after_utc``, as an aware UTC datetime; None when it is over.

    COUNT is counted from ``series_start_utc``; UNTIL is inclusive. Looks at most :data:`HORIZON_YEARS` years past
    ``after_utc``. Raises :class:`RecurrenceError` for a rule :func:`validate_rule` would refuse.
    """
    start = _require_aware(series_start_utc, "series_start_utc")
    after = _require_aware(after_utc, "after_utc")
    zone = _zone(tz)
    parsed = _parse(rule)
    stop_local = _local_naive(max(after, start), zone) + _HORIZON
    for instant in _expand(parsed, series_start_utc=start, zone=zone, tz=tz, stop_local=stop_local):
        if instant > after:
            return instant
    return None


def occurrences_between(*, rule: str, series_start_utc: datetime, tz: str, start_utc: datetime, end_utc: datetime,
                        limit: int = 500) -> list[datetime]:
    """The series' occurrences with ``start_utc <= t < end_utc`` (aware UTC, ascending), for the calendar.

    Returns at most ``limit`` items (and never more than :data:`MAX_OCCURRENCES`); the window is clipped to
    :data:`HORIZON_YEARS` years after ``start_utc``.
    """
    series_start = _require_aware(series_start_utc, "series_start_utc")
    lo = _require_aware(start_utc, "start_utc")
    hi = _require_aware(end_utc, "end_utc")
    _zone(tz)  # an unknown zone raises here, not from inside the cache
    # Keys in UTC (_require_aware): the two 01:30s of a fall-back night compare equal as local datetimes, not in UTC.
    return list(_between(rule, series_start, tz, lo, hi, max(0, min(int(limit), MAX_OCCURRENCES))))


# A team reloading a calendar page (every move answers the fresh grid) asks for the same dates again and again: kept
# for the recent windows (a pure function of rule text, instants and zone name; tuples, so no caller changes them).
@lru_cache(maxsize=2048)  # a few thousand (series, window) answers: memory stays in the low megabytes
def _between(rule: str, series_start: datetime, tz: str, lo: datetime, hi: datetime,
             limit: int) -> tuple[datetime, ...]:
    zone = _zone(tz)
    parsed = _parse(rule)
    hi = min(hi, max(lo, series_start) + _HORIZON)
    if hi <= lo or limit == 0:
        return ()
    stop_local = _local_naive(hi, zone) + timedelta(days=1)  # slack for DST; exact filter below
    found: list[datetime] = []
    for instant in _expand(parsed, series_start_utc=series_start, zone=zone, tz=tz, stop_local=stop_local):
        if instant >= hi:
            break
        if instant >= lo:
            found.append(instant)
            if len(found) >= limit:
                break
    return tuple(found)


def _span(rule: str, start: datetime, tz: str) -> timedelta | None:
    """How long after its start the series' last date comes; None when it never ends."""
    parsed = _parse(rule)
    if parsed.until_text is not None:
        until_utc, until_local = parsed.until_bound(_zone(tz))
        end = until_utc if until_utc is not None else to_instant(until_local, tz)  # type: ignore[arg-type]
        return end - start
    if parsed.count is not None:
        dates = occurrences_between(rule=rule, series_start_utc=start, tz=tz, start_utc=start,
                                    end_utc=start + _HORIZON, limit=MAX_OCCURRENCES)
        return (dates[-1] - start) if dates else timedelta(0)
    return None


def is_extension(*, old_rule: str, new_rule: str, old_start_utc: datetime | None, new_start_utc: datetime | None,
                 tz: str) -> bool:
    """Does changing a series' rule from ``old_rule`` to ``new_rule`` add posts a reviewer has not approved?

    Yes when a one-off post starts repeating, when the series runs longer (a later UNTIL, a higher COUNT, COUNT or
    UNTIL removed) or when it posts more often (a higher frequency, more days, a shorter interval). Shortening or
    stopping it, or moving it (the same pattern from another start), is not an extension. Lengths are measured
    from each rule's own start, so moving a series is never mistaken for extending it.
    """
    new_rule, old_rule = (new_rule or "").strip(), (old_rule or "").strip()
    if not new_rule or new_rule == old_rule and old_start_utc == new_start_utc:
        return False
    if new_start_utc is None:
        return True  # nothing to measure against: let a reviewer look
    new_start = _require_aware(new_start_utc, "new_start_utc")
    if not old_rule or old_start_utc is None:
        return len(occurrences_between(rule=new_rule, series_start_utc=new_start, tz=tz, start_utc=new_start,
                                       end_utc=new_start + _HORIZON, limit=2)) > 1
    old_start = _require_aware(old_start_utc, "old_start_utc")
    old_span, new_span = _span(old_rule, old_start, tz), _span(new_rule, new_start, tz)
    if new_span is None and old_span is not None:
        return True
    if new_span is not None and old_span is not None and new_span > old_span:
        return True
    year = timedelta(days=366)

    def per_year(rule: str, start: datetime) -> int:
        return len(occurrences_between(rule=rule, series_start_utc=start, tz=tz, start_utc=start,
                                       end_utc=start + year, limit=MAX_OCCURRENCES))

    return per_year(new_rule, new_start) > per_year(old_rule, old_start)


# --- Editing a stored rule's text (the calendar's moves and splits) ------------------------------------------------
# A stored rule has passed validate_rule, so these only take it apart and put it back together, keeping its order.

_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_DAY_TOKEN = re.compile(r"^([+-]?\d+)?([A-Z]{2})$")


def rule_parts(rule: str) -> dict[str, str]:
    """``{"FREQ": "WEEKLY", "BYDAY": "MO"}`` for a stored rule (with or without its ``RRULE:`` prefix)."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return dict(p.split("=", 1) for p in text.split(";") if "=" in p)


def join_parts(parts: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in parts.items())


def rule_count(rule: str) -> int | None:
    """The rule's COUNT, or None when it has none."""
    count = rule_parts(rule).get("COUNT")
    return int(count) if count is not None else None


def with_count(rule: str, count: int) -> str:
    """The rule with COUNT set to ``count`` (in COUNT's place when it had one)."""
    parts = rule_parts(rule)
    parts["COUNT"] = str(count)
    return join_parts(parts)


def until_before(rule: str, instant: datetime) -> str:
    """The rule ending just before ``instant``: COUNT dropped, UNTIL one second earlier (UTC)."""
    parts = rule_parts(rule)
    parts.pop("COUNT", None)
    parts["UNTIL"] = (instant - timedelta(seconds=1)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return join_parts(parts)


def shift_rule(rule: str, old_local: datetime, new_local: datetime) -> str:
    """The rule moved with one of its dates: weekday, month day and time parts follow the new local time."""
    parts = rule_parts(rule)
    days = (new_local.date() - old_local.date()).days
    if "BYDAY" in parts and days % 7:
        shifted = []
        for token in parts["BYDAY"].split(","):
            m = _DAY_TOKEN.match(token)
            if m and m.group(2) in _WEEKDAYS:
                token = f"{m.group(1) or ''}{_WEEKDAYS[(_WEEKDAYS.index(m.group(2)) + days) % 7]}"
            shifted.append(token)
        parts["BYDAY"] = ",".join(shifted)
    if "BYMONTHDAY" in parts and days and "," not in parts["BYMONTHDAY"]:
        parts["BYMONTHDAY"] = str(new_local.day)
    if "BYMONTH" in parts and "," not in parts["BYMONTH"]:
        parts["BYMONTH"] = str(new_local.month)
    if "BYHOUR" in parts:
        hours = parts["BYHOUR"].split(",")
        delta = new_local.hour - old_local.hour
        parts["BYHOUR"] = str(new_local.hour) if len(hours) == 1 else ",".join(
            str((int(h) + delta) % 24) for h in hours)
    if "BYMINUTE" in parts:
        parts["BYMINUTE"] = str(new_local.minute)
    return join_parts(parts)
