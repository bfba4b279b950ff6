"""Posting slots: a per-account weekly grid of local times ("add to queue" picks the next free one).

Plain Python, no models. A grid maps a weekday (0 = Monday … 6 = Sunday) to up to :data:`MAX_SLOTS_PER_DAY`
wall-clock times in the workspace's timezone. Slot times are turned into instants with
:func:`accounts.localtime.to_instant`, so the DST rule is the same as for recurring posts: a slot inside the
spring-forward gap moves forward by the gap (02:30 → 03:30), a slot in the repeated fall-back hour means the
first of the two.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accounts.localtime import to_instant

__all__ = ["MAX_SLOTS_PER_DAY", "SlotError", "next_free_slot", "validate_slot_times"]

MAX_SLOTS_PER_DAY = 25
"""Instagram's daily publishing cap; more slots a day could never all be used."""

_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class SlotError(ValueError):
    """A posting-slot grid the user gave cannot be used; ``str(error)`` is a sentence to show them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def validate_slot_times(times: list[time]) -> list[time]:
    """Check one weekday's slot times and return them normalized: to the minute, without duplicates, sorted.

    Raises :class:`SlotError` when an item is not a ``datetime.time``, carries a timezone (slots are wall-clock
    times in the workspace's timezone) or when there are more than :data:`MAX_SLOTS_PER_DAY` distinct times.
    """
    if times is None:
        return []
    normalized: set[time] = set()
    for item in times:
        if not isinstance(item, time):
            raise SlotError(f"{item!r} is not a time of day; give times like 09:30.")
        if item.tzinfo is not None:
            raise SlotError(f"Slot {item.strftime('%H:%M')} must not carry a time zone; slots use the workspace's.")
        normalized.add(item.replace(second=0, microsecond=0))
    if len(normalized) > MAX_SLOTS_PER_DAY:
        raise SlotError(f"A day can have at most {MAX_SLOTS_PER_DAY} posting slots; {len(normalized)} were given.")
    return sorted(normalized)


def _minute(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("taken_utc must hold timezone-aware datetimes")
    return instant.astimezone(UTC).replace(second=0, microsecond=0)


def next_free_slot(
    *,
    slots: dict[int, list[time]],
    tz: str,
    after_utc: datetime,
    taken_utc: set[datetime],
    horizon_days: int = 60,
) -> datetime | None:
    """The first slot instant strictly after ``after_utc`` that is not taken, as an aware UTC datetime.

    ``slots`` maps weekday (0 = Monday) to local times; ``taken_utc`` holds the instants already used by the
    account's posts, compared at minute precision. Looks ``horizon_days`` local days ahead; None when the grid is
    empty or every slot in that window is taken.
    """
    if after_utc.tzinfo is None or after_utc.utcoffset() is None:
        raise ValueError("after_utc must be a timezone-aware datetime")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise SlotError(f"Unknown time zone {tz!r}; use an IANA name such as 'Europe/Berlin'.") from exc
    grid: dict[int, list[time]] = {}
    for weekday, times in (slots or {}).items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise SlotError(f"Weekday {weekday!r} is not valid; use 0 (Monday) to 6 (Sunday).")
        try:
            day_times = validate_slot_times(times)
        except SlotError as exc:
            raise SlotError(f"{_WEEKDAYS[weekday]}: {exc}") from None
        if day_times:
            grid[weekday] = day_times
    if not grid:
        return None
    after = after_utc.astimezone(UTC)
    taken = {_minute(t) for t in taken_utc or ()}
    first_day = after.astimezone(zone).date() - timedelta(days=1)  # a day early: cheap safety around DST shifts
    for offset in range(max(0, horizon_days) + 2):
        day = first_day + timedelta(days=offset)
        times = grid.get(day.weekday())
        if not times:
            continue
        # Sort by instant: a slot shifted out of the spring-forward gap may land after a later wall time.
        candidates = sorted(to_instant(datetime.combine(day, t), zone) for t in times)
        for instant in candidates:
            if instant > after and _minute(instant) not in taken:
                return instant
    return None
