"""The project's one chart helper: server-rendered SVG line charts (no JavaScript, no chart library).

Python computes the geometry (``line_chart`` → ``LineChart``); one template, ``templates/charts/_line.html``,
draws it. Used by a post's metrics (small multiples), an archived profile's growth and the analytics pages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from django.utils import timezone

Point = tuple[datetime | date, float | int | None]


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str
    points: Sequence[Point]  # oldest first; None values are gaps
    axis: str = "left"  # "left" or "right" (a second scale, e.g. posts beside followers)
    dashed: bool = False  # a comparison line (the previous period)


@dataclass
class Tick:
    pos: float
    text: str


@dataclass
class Line:
    key: str
    label: str
    color: str
    points: str  # the polyline's "x,y x,y …"
    dots: list[tuple[float, float, str]]  # (x, y, title)
    dashed: bool
    first: int | float | None
    latest: int | float | None


@dataclass
class LineChart:
    title: str
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    css_class: str
    lines: list[Line] = field(default_factory=list)
    left_ticks: list[Tick] = field(default_factory=list)
    right_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[float, str, str, bool]] = field(default_factory=list)  # (x, label, color, dashed)
    desc: str = ""
    empty: str = ""  # set when there is too little data: the template shows this sentence instead

    # The first line's figures, for a small-multiple's caption ("Likes 30").
    @property
    def key(self) -> str:
        return self.lines[0].key if self.lines else ""

    @property
    def label(self) -> str:
        return self.lines[0].label if self.lines else self.title

    @property
    def latest(self) -> int | float | None:
        return self.lines[0].latest if self.lines else None

    @property
    def latest_text(self) -> str:
        return fmt_full(self.latest)

    @property
    def legend_y(self) -> int:
        return self.height - 8


def fmt_full(n: float | None) -> str:
    return "–" if n is None else f"{n:,.0f}"


def fmt_short(n: float) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if n >= 100_000:
        return f"{n / 1000:.0f}k"
    if n >= 1000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return f"{n:.0f}" if float(n).is_integer() else f"{n:.1f}"


def nice_scale(values: Sequence[float], *, zero: bool = False) -> tuple[float, float, float]:
    """(low, high, step) with a round step (1, 2, 2.5 or 5 × 10ⁿ) so every tick label is exact."""
    lo, hi = (min(0.0, min(values)) if zero else min(values)), max(values)
    if lo == hi:
        lo, hi = (lo, hi + 1) if zero else (lo - max(1, abs(lo) * 0.05), hi + max(1, abs(hi) * 0.05))
    raw = (hi - lo) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    return max(0.0, math.floor(lo / step) * step), math.ceil(hi / step) * step, step


def _seconds(t: datetime | date) -> float:
    if isinstance(t, datetime):
        return t.timestamp()
    return datetime.combine(t, time(12), tzinfo=UTC).timestamp()


def _local(t: datetime | date, tz: Any) -> datetime | date:
    return timezone.localtime(t, tz) if isinstance(t, datetime) else t


def line_chart(series: Sequence[Series], *, tz: Any, title: str, width: int = 760, height: int = 260,
               css_class: str = "line-chart", zero: bool = False, all_dots: bool = False, ticks: bool = True,
               legend: bool = True, x_labels: int = 5, min_points: int = 2, empty: str = "Not enough data yet.",
               time_format: str | None = None) -> LineChart:
    """Lines over time. ``zero``: the left scale starts at 0. ``all_dots``: a hoverable dot on every point
    (else on the last one). Fewer than ``min_points`` points in every series → a chart with ``empty`` set."""
    small = not ticks
    left, right = (40, 10) if small else (64, 64 if any(s.axis == "right" for s in series) else 24)
    top, bottom = 10, (22 if small else 40)
    chart = LineChart(title=title, width=width, height=height, left=left, top=top, right=width - right,
                      bottom=height - bottom, css_class=css_class)
    drawn = [(s, [(t, v) for t, v in s.points if v is not None]) for s in series]
    drawn = [(s, rows) for s, rows in drawn if rows]
    if not drawn or max(len(rows) for _, rows in drawn) < min_points:
        chart.empty = empty
        return chart
    times = [_seconds(t) for _, rows in drawn for t, _ in rows]
    t0, t1 = min(times), max(times)
    span = max(1.0, t1 - t0)
    fmt = time_format or ("%-d %b %H:%M" if span < 3 * 86400 else "%-d %b")

    def x(t: datetime | date) -> float:
        return left + (_seconds(t) - t0) / span * (chart.right - left) if t1 > t0 else (left + chart.right) / 2

    scales = {}
    for axis in ("left", "right"):
        values = [float(v) for s, rows in drawn if s.axis == axis for _, v in rows]
        if values:
            scales[axis] = nice_scale(values, zero=zero or small)
    for axis, (lo, hi, step) in scales.items():
        if small:
            chart.left_ticks = [Tick(chart.bottom, fmt_short(lo)), Tick(top, fmt_full(max(v for _, r in drawn
                                                                                          for _, v in r)))]
            continue
        for k in range(int(round((hi - lo) / step)) + 1):
            v = lo + step * k
            tick = Tick(round(chart.bottom - (v - lo) / (hi - lo) * (chart.bottom - top), 1), fmt_short(v))
            (chart.left_ticks if axis == "left" else chart.right_ticks).append(tick)
    descs = []
    for s, rows in drawn:
        lo, hi, _step = scales[s.axis]
        if small:
            hi = max(v for _, v in rows) or 1

        def y(v: float, lo: float = lo, hi: float = hi) -> float:
            return chart.bottom - (v - lo) / (hi - lo) * (chart.bottom - top) if hi > lo else (chart.bottom + top) / 2

        coords = [(round(x(t), 1), round(y(float(v)), 1)) for t, v in rows]
        titles = [f"{s.label}: {fmt_full(v)} at {_local(t, tz):{'%-d %b %H:%M' if isinstance(t, datetime) else '%-d %b %Y'}}"
                  for t, v in rows]
        dots = [(*coords[i], titles[i]) for i in (range(len(rows)) if all_dots else [len(rows) - 1])]
        chart.lines.append(Line(key=s.key, label=s.label, color=s.color, points=" ".join(f"{a},{b}" for a, b in coords),
                                dots=dots, dashed=s.dashed, first=rows[0][1], latest=rows[-1][1]))
        descs.append(f"{s.label} from {fmt_full(rows[0][1])} to {fmt_full(rows[-1][1])}")
    every = sorted({t for _, rows in drawn for t, _ in rows}, key=_seconds)
    n = min(x_labels, len(every)) if not small else min(2, len(every))
    for k in range(n):
        t = every[round(k * (len(every) - 1) / max(1, n - 1))]
        chart.x_ticks.append(Tick(round(x(t), 1), f"{_local(t, tz):{fmt}}"))
    chart.desc = "; ".join(descs)
    if legend and not small:
        lx = float(left)
        for line in chart.lines:
            chart.legend.append((lx, line.label, line.color, line.dashed))
            lx += 24 + 8 * len(line.label)
    return chart
