"""Small server-rendered SVG line charts of a published post's metrics over time (from MetricSnapshot rows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

# What the detail page plots, in this order, with the line colour.
SERIES = (("likes", "Likes", "#d62976"), ("comments", "Comments", "#3450d1"), ("views", "Views", "#1e7d32"),
          ("reach", "Reach", "#a05a00"))
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 320, 120, 40, 10, 10, 22


@dataclass
class Chart:
    key: str
    label: str
    color: str
    latest: int | None
    points: str  # the polyline's "x,y x,y …"
    dots: list[tuple[float, float, str]]  # (x, y, title) for the last point and single points
    y_max: int
    y_min: int
    x_first: str
    x_last: str
    width: int = W
    height: int = H

    @property
    def latest_text(self) -> str:
        return f"{self.latest:,}" if self.latest is not None else "–"

    @property
    def y_max_text(self) -> str:
        return f"{self.y_max:,}"

    @property
    def plot_bottom(self) -> int:
        return H - PAD_B

    @property
    def plot_right(self) -> int:
        return W - PAD_R

    @property
    def label_y(self) -> int:
        return H - 6


def _scale(value: float, lo: float, hi: float, out_lo: float, out_hi: float) -> float:
    if hi == lo:
        return (out_lo + out_hi) / 2
    return out_lo + (value - lo) * (out_hi - out_lo) / (hi - lo)


def metric_charts(snapshots: Sequence[Any], tz: Any) -> list[Chart]:
    """One small chart per metric that has data, oldest snapshot left. ``snapshots`` sorted by taken_at."""
    charts = []
    for key, label, color in SERIES:
        rows: list[tuple[datetime, int]] = [(s.taken_at, getattr(s, key)) for s in snapshots
                                            if getattr(s, key) is not None]
        if not rows:
            continue
        t0, t1 = rows[0][0].timestamp(), rows[-1][0].timestamp()
        values = [v for _, v in rows]
        lo, hi = min(0, min(values)), max(values) or 1
        coords = [(round(_scale(t.timestamp(), t0, t1, PAD_L, W - PAD_R), 1),
                   round(_scale(v, lo, hi, H - PAD_B, PAD_T), 1)) for t, v in rows]
        fmt = "%-d %b %H:%M" if t1 - t0 < 3 * 86400 else "%-d %b"
        last_t, last_v = rows[-1]
        charts.append(Chart(
            key=key, label=label, color=color, latest=last_v,
            points=" ".join(f"{x},{y}" for x, y in coords),
            dots=[(*coords[-1], f"{label}: {last_v:,} at {timezone.localtime(last_t, tz):%-d %b %H:%M}")],
            y_max=hi, y_min=lo,
            x_first=timezone.localtime(rows[0][0], tz).strftime(fmt),
            x_last=timezone.localtime(last_t, tz).strftime(fmt),
        ))
    return charts
