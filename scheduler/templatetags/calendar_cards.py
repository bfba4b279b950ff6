"""`{% calendar_card entry %}`: one calendar card, drawn by the Jinja2 engine from
templates/jinja2/scheduler/calendar/_card.html (the card's only markup).

A week draws about a hundred cards; Django's engine spends about 0.12 ms on each, Jinja2 about a fifth of that
(docs/benchmarks.md). The card reads only the names listed here from the page's context, so what it depends on is
written once."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CARD = "scheduler/calendar/_card.html"
# The page's names a card reads, with their value where a page does not set one (a grid without a moved card has
# no flash_key).
CARD_CONTEXT = {"can_move": False, "can_see_all": False, "flash_key": "", "flash_ok": False, "detail_base": "",
                "move_base": "", "query": ""}


def render_card(entry: Any, page: dict[str, Any]) -> SafeString:
    """The card of `entry` with the page's names (`CARD_CONTEXT`), as safe HTML."""
    names = {name: page.get(name, default) for name, default in CARD_CONTEXT.items()}
    return mark_safe(engines["jinja2"].get_template(CARD).render({**names, "entry": entry}))  # noqa: S308 — autoescaped


@register.simple_tag(takes_context=True)
def calendar_card(context: template.Context, entry: Any) -> SafeString:
    return render_card(entry, context)
