"""Metric definitions of the analytics pages, as pure functions (tests compute them by hand).

- interactions = likes + comments + saves + shares (a post's latest lifetime snapshot);
- engagement rate = interactions ÷ reach (None when reach is 0 or unknown — never a division by zero);
- a period's engagement rate = the sum of its posts' interactions ÷ the sum of their reach (posts with no reach
  left out), so a post seen by ten people does not weigh as much as one seen by ten thousand;
- the best-time heatmap: per local weekday × hour, the median engagement rate of the account's posts published in
  that hour; a cell with fewer than MIN_POSTS_PER_CELL posts is greyed and never proposed as a slot.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MIN_POSTS_PER_CELL = 3
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def interactions(*, likes: int | None, comments: int | None, saved: int | None, shares: int | None) -> int | None:
    parts = [likes, comments, saved, shares]
    if all(p is None for p in parts):
        return None
    return sum(p or 0 for p in parts)


def engagement_rate(interactions_: int | None, reach: int | None) -> float | None:
    if interactions_ is None or not reach:
        return None
    return interactions_ / reach


def period_engagement_rate(rows: Iterable[Any]) -> float | None:
    """Σ interactions ÷ Σ reach over rows having both (objects with .interactions and .reach)."""
    total_i = total_r = 0
    for row in rows:
        if row.interactions is not None and row.reach:
            total_i += row.interactions
            total_r += row.reach
    return total_i / total_r if total_r else None


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def change(now: float | None, before: float | None) -> float | None:
    """Relative change (0.25 = +25 %); None when there is nothing to compare with."""
    if now is None or not before:
        return None
    return (now - before) / before


@dataclass
class Cell:
    weekday: int
    hour: int
    rates: list[float] = field(default_factory=list)
    median: float | None = None
    enough: bool = False
    level: int = 0  # 0–4 colour step among the cells with enough posts

    @property
    def count(self) -> int:
        return len(self.rates)

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday]


@dataclass
class Heatmap:
    rows: list[tuple[str, list[Cell]]]  # (weekday name, 24 cells)
    min_posts: int
    posts: int

    def top(self, n: int) -> list[Cell]:
        """The n best cells with enough posts, best first (ties: earlier in the week and day first)."""
        cells = [c for _, row in self.rows for c in row if c.enough]
        cells.sort(key=lambda c: (-(c.median or 0), c.weekday, c.hour))
        return cells[:n]


def heatmap(posts: Iterable[tuple[datetime, float | None]], tz: Any, *, min_posts: int = MIN_POSTS_PER_CELL) -> Heatmap:
    """posts: (published_at, engagement rate). Posts without a rate (no reach yet) are not counted."""
    cells = [[Cell(d, h) for h in range(24)] for d in range(7)]
    total = 0
    for published_at, rate in posts:
        if rate is None:
            continue
        local = published_at.astimezone(tz)
        cells[local.weekday()][local.hour].rates.append(rate)
        total += 1
    good = []
    for row in cells:
        for c in row:
            c.median = median(c.rates)
            c.enough = c.count >= min_posts
            if c.enough:
                good.append(c)
    if good:
        lo, hi = min(c.median for c in good), max(c.median for c in good)
        for c in good:
            c.level = 4 if hi == lo else 1 + round(3 * (c.median - lo) / (hi - lo))
    return Heatmap(rows=[(WEEKDAYS[d], cells[d]) for d in range(7)], min_posts=min_posts, posts=total)
