"""Local days and date ranges of analytics, in the workspace's zone.

Day bounds come from the one local-time module (accounts/localtime.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from accounts import localtime


def day_bounds(day: date, tz: Any) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as UTC instants (23 or 25 hours long across DST)."""
    return localtime.day_bounds(day, tz)


def local_date(instant: datetime, tz: Any) -> date:
    return instant.astimezone(tz).date()


@dataclass(frozen=True)
class Period:
    """Inclusive local dates ``first``…``last``; ``start``/``end`` are the UTC-comparable bounds [start, end)."""

    first: date
    last: date
    tz: Any

    @property
    def start(self) -> datetime:
        return day_bounds(self.first, self.tz)[0]

    @property
    def end(self) -> datetime:
        return day_bounds(self.last, self.tz)[1]

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The same number of days just before (the page compares "last 30 days" with "the 30 before")."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.tz)

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]


def last_days(n: int, *, now: datetime, tz: Any) -> Period:
    """The last ``n`` complete local days (today is not over: its figures are still coming)."""
    yesterday = local_date(now, tz) - timedelta(days=1)
    return Period(yesterday - timedelta(days=n - 1), yesterday, tz)


def month_period(year: int, month: int, tz: Any) -> Period:
    first = date(year, month, 1)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, nxt - timedelta(days=1), tz)


def previous_month(now: datetime, tz: Any) -> tuple[int, int]:
    """(year, month) of the month before the local month of ``now``."""
    today = local_date(now, tz)
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
