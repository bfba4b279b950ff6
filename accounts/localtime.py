"""Local wall-clock time ↔ instant: the one place a typed, dragged or prefilled local time becomes a UTC instant,
an instant becomes the text a page shows, and a local day or week becomes UTC bounds.

The policy (docs/calendar.md, DESIGN.md §3.8), the same for every path:

* A local time that does not exist (the clock jumps forward: 02:30 on 28 March 2027 in Europe/Berlin) moves forward
  by the length of the gap (03:30), and the page says so: "02:30 does not exist on 28 March in Europe/Berlin; it will
  publish at 03:30".
* A local time that exists twice (the clock falls back: 01:30 on 7 November 2027 in America/New_York) is the first
  of the two unless the form says otherwise; the page offers the choice "01:30 EDT (first) / 01:30 EST (second)" and
  a form round-trips the one it was given (a ``<name>_fold`` field, 0 or 1, or a UTC offset).
* A prefilled form carries the fold of the instant it shows, so submitting it unchanged is the identity.

Everything here is plain Python on :mod:`zoneinfo`; no other module attaches a zone to a wall-clock time
(tests/test_localtime_policy.py checks it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "INPUT_FORMAT",
    "LocalTime",
    "LocalTimeError",
    "abbreviation",
    "day_bounds",
    "day_start",
    "from_instant",
    "hour_starts",
    "is_ambiguous",
    "local_text",
    "parse_local",
    "resolve",
    "span_bounds",
    "to_instant",
    "today",
    "week_bounds",
    "zone_of",
]

INPUT_FORMAT = "%Y-%m-%dT%H:%M"
"""What a ``datetime-local`` input sends and shows."""

_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2}):?(\d{2})?$")

NORMAL, NONEXISTENT, AMBIGUOUS = "normal", "nonexistent", "ambiguous"

Zone = ZoneInfo | tzinfo | str


class LocalTimeError(ValueError):
    """A local time the user gave cannot be read; ``message`` is the sentence to show them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@lru_cache(maxsize=256)
def _zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise LocalTimeError(f"Unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin'.") from exc


def zone_of(tz: Zone) -> ZoneInfo:
    """A ZoneInfo from a zone or its IANA name (unknown names raise :class:`LocalTimeError`)."""
    if isinstance(tz, ZoneInfo):
        return tz
    if isinstance(tz, str):
        return _zone_named(tz)
    key = getattr(tz, "key", None) or str(tz)
    return _zone_named(key)


def _name(zone: ZoneInfo) -> str:
    return zone.key or str(zone)


def abbreviation(local: datetime) -> str:
    """The zone's short name for an aware local time ("EDT", "CET"); a numeric one reads "UTC+10:30"."""
    name = local.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h}" + (f":{m:02d}" if m else "")


# --------------------------------------------------------------------------------------------------- the policy


@dataclass(frozen=True)
class LocalTime:
    """A wall-clock time in a zone, resolved by the policy to one instant."""

    wall: datetime  # naive, as typed (or as the instant reads in the zone)
    zone: ZoneInfo
    instant: datetime  # aware, UTC
    kind: str  # NORMAL, NONEXISTENT or AMBIGUOUS
    fold: int = 0  # which of two equal wall times (AMBIGUOUS only): 0 the first, 1 the second

    @property
    def local(self) -> datetime:
        """The instant in the zone (for a nonexistent wall time: the later time it moved to)."""
        return self.instant.astimezone(self.zone)

    @property
    def input(self) -> str:
        """The value a ``datetime-local`` input shows for it."""
        return self.wall.strftime(INPUT_FORMAT)

    @property
    def choices(self) -> list[tuple[int, str]]:
        """For an ambiguous time: [(0, "01:30 EDT (first)"), (1, "01:30 EST (second)")]; else []."""
        if self.kind != AMBIGUOUS:
            return []
        return [(f, f"{self.wall:%H:%M} {abbreviation(self.wall.replace(tzinfo=self.zone, fold=f))} "
                    f"({'first' if f == 0 else 'second'})") for f in (0, 1)]

    @property
    def label(self) -> str:
        """The chosen one of :attr:`choices`, or the plain local time."""
        return self.choices[self.fold][1] if self.kind == AMBIGUOUS else f"{self.local:%H:%M}"

    def keeping(self, instant: datetime | None) -> LocalTime:
        """This time, or ``instant`` itself when it reads the same (wall minute and fold): a prefilled form sent back
        unchanged keeps its exact instant, seconds included."""
        if instant is None:
            return self
        same = from_instant(instant, self.zone)
        if (same.wall, same.fold) == (self.wall, self.fold) and self.kind != NONEXISTENT:
            return same
        return self

    @property
    def message(self) -> str:
        """What the page says before (or when) saving a time that is not ordinary; "" for an ordinary one."""
        day = f"{self.wall.day} {self.wall:%B}"
        if self.kind == NONEXISTENT:
            return (f"{self.wall:%H:%M} does not exist on {day} in {_name(self.zone)}; "
                    f"it will publish at {self.local:%H:%M}.")
        if self.kind == AMBIGUOUS:
            first, second = (label for _, label in self.choices)
            return (f"{self.wall:%H:%M} happens twice on {day} in {_name(self.zone)} ({first} / {second}); "
                    f"it will publish at {self.label}.")
        return ""


def _kind(wall: datetime, zone: ZoneInfo) -> str:
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return NORMAL
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return AMBIGUOUS if back == wall else NONEXISTENT


def to_instant(wall: datetime, zone: Zone, fold: int = 0) -> datetime:
    """The policy's instant (aware UTC) for a naive wall time: a gap moves forward, ``fold`` picks of two."""
    zone = zone_of(zone)
    if wall.tzinfo is not None:
        raise ValueError("to_instant() expects a naive wall-clock datetime")
    if fold:
        # PEP 495 reads fold=1 in a gap with the later offset (the time moves *back*); the policy moves forward.
        return resolve(wall, zone, fold).instant
    # fold=0: an ambiguous time is the first; a nonexistent one is read with the offset before the gap, which is
    # exactly "forward by the gap" once converted.
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def resolve(wall: datetime, zone: Zone, fold: int = 0) -> LocalTime:
    """A naive wall time in ``zone`` with its kind and the policy's instant (``fold`` matters only if ambiguous)."""
    zone = zone_of(zone)
    if wall.tzinfo is not None:
        raise ValueError("resolve() expects a naive wall-clock datetime")
    wall = wall.replace(second=0, microsecond=0, fold=0)
    kind = _kind(wall, zone)
    fold = 1 if (kind == AMBIGUOUS and fold) else 0
    instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
    return LocalTime(wall=wall, zone=zone, instant=instant, kind=kind, fold=fold)


def _fold_of(choice: object, wall: datetime, zone: ZoneInfo) -> int:
    """A form's choice between two equal wall times: "1"/"second" or the UTC offset of the second; else the first."""
    text = str(choice if choice is not None else "").strip().lower()
    if text in ("1", "second"):
        return 1
    m = _OFFSET.match(text.upper())
    if m:
        sign = -1 if m.group(1) == "-" else 1
        wanted = sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
        if wall.replace(tzinfo=zone, fold=1).utcoffset() == wanted:
            return 1
    return 0


def parse_local(value: object, zone: Zone, *, choice: object = None, at: time | None = None) -> LocalTime:
    """What the user typed (``YYYY-MM-DDTHH:MM``, a naive datetime, or a date with ``at``) in ``zone``, resolved.

    ``choice`` is the form's answer for a time that happens twice: 0/1 (or "first"/"second") or the UTC offset
    ("-05:00") of the one meant; anything else means the first. Raises :class:`LocalTimeError` with a sentence
    for input that is not a date and time.
    """
    zone = zone_of(zone)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise ValueError("parse_local() takes the wall-clock time as typed, without a zone")
        wall = value
    elif isinstance(value, date):
        wall = datetime.combine(value, at or time(0))
    else:
        text = str(value or "").strip()
        wall = None
        for fmt in _FORMATS:
            try:
                wall = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if wall is None:
            if not text:
                raise LocalTimeError("Give a date and time.")
            raise LocalTimeError(f"“{text[:40]}” is not a date and time; give one like 2027-05-03T10:00.")
        if not 1970 <= wall.year <= 2200:
            raise LocalTimeError(f"{wall.year} is too far away; give a date between 1970 and 2200.")
    return resolve(wall, zone, _fold_of(choice, wall.replace(second=0, microsecond=0), zone))


def from_instant(instant: datetime, zone: Zone) -> LocalTime:
    """An instant as its wall time in ``zone`` (with the fold that picks it back, when the wall time is ambiguous)."""
    zone = zone_of(zone)
    local = instant.astimezone(zone)
    wall = local.replace(tzinfo=None, fold=0, second=0, microsecond=0)
    kind = AMBIGUOUS if is_ambiguous(local) else NORMAL
    return LocalTime(wall=wall, zone=zone, instant=instant.astimezone(UTC), kind=kind,
                     fold=local.fold if kind == AMBIGUOUS else 0)


def is_ambiguous(local: datetime) -> bool:
    """Whether an aware local time's wall-clock reading happens twice in its zone (a fall-back hour)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def local_text(instant: datetime, zone: Zone, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    """An instant as a page shows it, with the zone's abbreviation where the same wall time happens twice."""
    local = instant.astimezone(zone_of(zone))
    text = local.strftime(fmt)
    return f"{text} {abbreviation(local)}" if is_ambiguous(local) else text


# --------------------------------------------------------------------------------------------------- days and weeks


def today(zone: Zone, now: datetime | None = None) -> date:
    """The local date in ``zone`` at ``now`` (default: the current time)."""
    from django.utils import timezone as djtz

    return (now or djtz.now()).astimezone(zone_of(zone)).date()


def day_start(day: date, zone: Zone) -> datetime:
    """The first instant (UTC) of a local day; where midnight does not exist, the moment the day begins."""
    return to_instant(datetime.combine(day, time(0)), zone)


def span_bounds(first: date, end: date, zone: Zone) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local days ``first`` … ``end`` - 1 day (``end`` is the first day not included)."""
    zone = zone_of(zone)
    return day_start(first, zone), day_start(end, zone)


def day_bounds(day: date, zone: Zone) -> tuple[datetime, datetime]:
    """[start, end) in UTC of one local day (23, 24 or 25 hours long)."""
    return span_bounds(day, day + timedelta(days=1), zone)


def week_bounds(day: date, zone: Zone) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local Monday-to-Sunday week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return span_bounds(monday, monday + timedelta(days=7), zone)


@lru_cache(maxsize=4096)  # asked for each of the 24 hour rows of a day (the week grid): a pure function of its two
def _changes(day: date, zone: ZoneInfo) -> bool:
    lo, hi = day_bounds(day, zone)
    return (lo - timedelta(seconds=1)).astimezone(zone).utcoffset() != (hi - timedelta(seconds=1)).astimezone(
        zone).utcoffset()


def hour_starts(day: date, hour: int, zone: Zone) -> list[LocalTime]:
    """Where a new post in a local hour row may start: its first existing minute, and where part of the hour
    happens twice, the first minute of its second pass too (fold=1). An hour that does not exist gives []."""
    zone = zone_of(zone)
    top = datetime.combine(day, time(hour))
    if not _changes(day, zone):
        return [resolve(top, zone)]
    out: list[LocalTime] = []
    second: LocalTime | None = None
    for minute in range(60):
        lt = resolve(top.replace(minute=minute), zone)
        if lt.kind != NONEXISTENT and not out:
            out.append(lt)
        if lt.kind == AMBIGUOUS and second is None:
            second = resolve(lt.wall, zone, 1)
    if second is not None:
        out.append(second)
    return out
