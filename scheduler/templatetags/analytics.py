"""Number formats of the analytics pages: rates as percent, changes with a sign, counts with separators."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """0.0423 → "4.2 %"; None → "–"."""
    return "–" if value is None else f"{value * 100:.{int(digits)}f} %"


@register.filter
def signed_pct(value: float | None) -> str:
    """A relative change: 0.125 → "+12.5 %", -0.03 → "−3.0 %"."""
    if value is None:
        return ""
    return f"{'+' if value >= 0 else '−'}{abs(value) * 100:.1f} %"


@register.filter
def num(value: Any) -> str:
    return "–" if value is None else f"{value:,.0f}"


@register.filter
def kpi(k: Any) -> str:
    """A Kpi's value in its unit."""
    return pct(k.value) if k.percent else num(k.value)


@register.filter
def kpi_prev(k: Any) -> str:
    return pct(k.previous) if k.percent else num(k.previous)
