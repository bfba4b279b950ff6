"""`{% cal_card entry %}`: one calendar card, drawn by templates/scheduler/calendar/_card.html (the card's only markup).

An `{% include %}` in a loop hands the card the page's whole context, and each of the card's ~40 lookups walks every
layer of it (context processors, loops, the view); the month and week grids draw up to ~100 cards, so that walk was a
large part of the page. The tag gives the card a small context of its own — the entry and the few page values the
card reads, collected once per page — and renders the same template.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context

register = template.Library()

CARD_TEMPLATE = "scheduler/calendar/_card.html"
# The page values _card.html reads besides `entry` (a new one there must be named here too; tests render both ways).
CARD_PAGE_VALUES = ("can_move", "can_see_all", "tz", "detail_base", "move_base", "query", "flash_key", "flash_ok")
_CACHE_KEY = "scheduler.calendar_cards"


@register.simple_tag(takes_context=True)
def cal_card(context: Context, entry: Any) -> str:
    cached = context.render_context.get(_CACHE_KEY)
    if cached is None:
        card = context.template.engine.get_template(CARD_TEMPLATE)
        page = {name: context.get(name) for name in CARD_PAGE_VALUES}
        cached = context.render_context[_CACHE_KEY] = (card, page)
    card, page = cached
    return card.render(Context({**page, "entry": entry}, autoescape=context.autoescape))
