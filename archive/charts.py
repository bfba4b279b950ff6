"""A server-rendered SVG chart of followers and media count over time (no JavaScript, no chart library)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

W, H = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 64, 20, 40
FOLLOWERS, MEDIA = "#3450d1", "#c2570c"


def _fmt(n: float) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if n >= 100_000:
        return f"{n / 1000:.0f}k"
    if n >= 1000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return f"{n:.0f}"


def _scale(values: list[int]) -> tuple[float, float, float]:
    """(low, high, step) with a round step (1, 2, 2.5 or 5 × 10ⁿ) so every tick label is exact."""
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = lo - max(1, abs(lo) * 0.05), hi + max(1, abs(hi) * 0.05)
    raw = (hi - lo) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1.0
    low = math.floor(lo / step) * step
    high = math.ceil(hi / step) * step
    return max(0.0, low), high, step


def growth_chart(points: list[tuple[datetime, int | None, int | None]], tz: Any) -> SafeString:
    """Followers (left axis) and media count (right axis) per snapshot day; a note when there is too little data."""
    points = [p for p in points if p[1] is not None or p[2] is not None]
    if len(points) < 2:
        return mark_safe('<p class="muted chart-empty">The chart appears after the second fetch (one point per day).</p>')
    t0, t1 = points[0][0].timestamp(), points[-1][0].timestamp()
    span = max(1.0, t1 - t0)
    inner_w, inner_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(t: datetime) -> float:
        return LEFT + (t.timestamp() - t0) / span * inner_w

    parts = [f'<svg class="growth-chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="chart-title chart-desc" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="system-ui, sans-serif">',
             '<title id="chart-title">Followers and posts over time</title>']
    series = []
    for index, color, label, side in ((1, FOLLOWERS, "Followers", "left"), (2, MEDIA, "Posts", "right")):
        values = [p[index] for p in points if p[index] is not None]
        if not values:
            continue
        lo, hi, step = _scale(values)

        def y(v: float, lo: float = lo, hi: float = hi) -> float:
            return TOP + inner_h - (v - lo) / (hi - lo) * inner_h

        coords = " ".join(f"{x(p[0]):.1f},{y(p[index]):.1f}" for p in points if p[index] is not None)
        series.append((label, values[0], values[-1]))
        ticks = [lo + step * k for k in range(int(round((hi - lo) / step)) + 1)]
        for v in ticks:
            ty = y(v)
            if side == "left":
                parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#e6e8eb"/>')
                parts.append(f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" fill="{color}">{_fmt(v)}</text>')
            else:
                parts.append(f'<text x="{W - RIGHT + 8}" y="{ty + 4:.1f}" fill="{color}">{_fmt(v)}</text>')
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2.5" stroke-linejoin="round" points="{coords}"/>')
        for p in points:
            if p[index] is not None:
                local = timezone.localtime(p[0], tz)
                parts.append(f'<circle cx="{x(p[0]):.1f}" cy="{y(p[index]):.1f}" r="3" fill="{color}">'
                             f'<title>{escape(label)} {local:%d %b %Y}: {p[index]:,}</title></circle>')
    for k in range(min(5, len(points))):
        p = points[round(k * (len(points) - 1) / max(1, min(5, len(points)) - 1))]
        local = timezone.localtime(p[0], tz)
        parts.append(f'<text x="{x(p[0]):.1f}" y="{H - BOTTOM + 18}" text-anchor="middle" fill="#5f6368">'
                     f'{local:%d %b}</text>')
    desc = "; ".join(f"{label} from {first:,} to {last:,}" for label, first, last in series)
    parts.append(f'<desc id="chart-desc">{escape(desc)}</desc>')
    legend_x = LEFT
    for label, color in (("Followers", FOLLOWERS), ("Posts", MEDIA)):
        parts.append(f'<rect x="{legend_x}" y="{H - 14}" width="12" height="4" fill="{color}"/>'
                     f'<text x="{legend_x + 16}" y="{H - 9}" fill="#1c1e21">{label}</text>')
        legend_x += 100
    parts.append("</svg>")
    return mark_safe("".join(parts))
