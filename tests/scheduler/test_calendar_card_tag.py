"""`{% cal_card %}` gives the card template a small context of its own: every name _card.html reads must be one the
tag hands it, or the card would silently lose it (an empty link, a missing Move)."""

from __future__ import annotations

from django.template import Variable
from django.template.base import FilterExpression
from django.template.loader import get_template

from scheduler.templatetags.calendar_cards import CARD_PAGE_VALUES, CARD_TEMPLATE


def _expression(value, found: set[str]) -> None:  # noqa: ANN001
    """Variables of an {% if %} condition: TemplateLiteral (.value) or an operator (.first, .second)."""
    if isinstance(value, FilterExpression):
        _roots_of(value, found)
    for part in ("value", "first", "second"):
        inner = getattr(value, part, None)
        if inner is not None and not isinstance(value, FilterExpression):
            _expression(inner, found)


def _roots_of(expression: FilterExpression, found: set[str]) -> None:
    if isinstance(expression.var, Variable) and expression.var.lookups:
        found.add(expression.var.lookups[0])


def _roots(node, found: set[str]) -> None:  # noqa: ANN001
    for condition, nodelist in getattr(node, "conditions_nodelists", ()):  # {% if %} / {% elif %}
        if condition is not None:
            _expression(condition, found)
        for child in nodelist:
            _roots(child, found)
    for value in vars(node).values():
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, FilterExpression) and isinstance(item.var, Variable) and item.var.lookups:
                found.add(item.var.lookups[0])
                for _func, args in item.filters:
                    for _lookup, arg in args:
                        if isinstance(arg, Variable) and arg.lookups:
                            found.add(arg.lookups[0])
    for attr in getattr(node, "child_nodelists", ()):
        for child in getattr(node, attr, None) or ():
            _roots(child, found)
    for kw in getattr(node, "extra_context", {}).values():  # {% with p=entry.post %}
        if isinstance(kw, FilterExpression) and isinstance(kw.var, Variable):
            found.add(kw.var.lookups[0])


def test_the_card_reads_only_what_the_tag_hands_it():
    template = get_template(CARD_TEMPLATE).template
    found: set[str] = set()
    for node in template.nodelist:
        _roots(node, found)
    assert "entry" in found and "can_move" in found  # the walk sees the template's variables
    bound_inside = {"p"}  # {% with p=entry.post %}
    assert found - bound_inside - {"entry"} <= set(CARD_PAGE_VALUES), found
