"""`{% calendar_card entry %}` and `{% calendar_week %}`: the calendar's card and the week's grid, drawn by the Jinja2
engine from templates/jinja2/scheduler/calendar/ (their only markup).

A week draws about a hundred cards in 168 hour cells; Django's engine spends about 0.12 ms on a card and 0.05 ms on
a cell, Jinja2 about a fifth of that (docs/benchmarks.md). Each reads only the names listed here from the page's
context, so what it depends on is written once."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CARD = "scheduler/calendar/_card.html"
WEEK = "scheduler/calendar/_week.html"
# The page's names a card reads, with their value where a page does not set one (a grid without a moved card has
# no flash_key).
CARD_CONTEXT = {"can_move": False, "can_see_all": False, "flash_key": "", "flash_ok": False, "detail_base": "",
                "move_base": "", "query": ""}
# …and those the week's grid reads besides (views/calendar.py sets them for the week view).
WEEK_CONTEXT = {"rows": (), "week_days": (), "day_base": "", "composer": "", "tz": ""}


def _render(name: str, page: Any, names: dict[str, Any], **extra: Any) -> SafeString:
    values = {key: page.get(key, default) for key, default in names.items()}
    return mark_safe(engines["jinja2"].get_template(name).render({**values, **extra}))  # noqa: S308 — autoescaped


@register.simple_tag(takes_context=True)
def calendar_card(context: template.Context, entry: Any) -> SafeString:
    """The card of `entry` with the page's names (`CARD_CONTEXT`), as safe HTML."""
    return _render(CARD, context, CARD_CONTEXT, entry=entry)


@register.simple_tag(takes_context=True)
def calendar_week(context: template.Context) -> SafeString:
    return _render(WEEK, context, {**CARD_CONTEXT, **WEEK_CONTEXT})
