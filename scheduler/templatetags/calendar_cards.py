"""`{% cal_card entry %}`: one calendar card, the markup of scheduler/calendar/_card.html made in Python.

A busy week draws 336 cards; through the template engine a card cost about 0.15 ms (thirty variable lookups),
more than everything else the page does. This makes the same HTML (tests/scheduler/test_calendar_scale.py compares
the two) with Django's own escaping. _card.html stays the reference: change both together.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

register = template.Library()

_REPEATS = ('<svg class="cal-icon" viewBox="0 0 16 16" role="img" aria-label="repeats"><title>Repeats{}</title>'
            '<path d="M3 6a5 5 0 0 1 9-2M13 10a5 5 0 0 1-9 2" fill="none" stroke="currentColor" stroke-width="1.6"/>'
            '<path d="M12 1v3.5H8.5M4 15v-3.5h3.5" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>')
_DEFERRED = ('<svg class="cal-icon icon-warn" viewBox="0 0 16 16" role="img" aria-label="deferred: {0}"><title>Deferred: '
             '{0}</title><circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.6"/>'
             '<path d="M8 4.5V8l2.5 1.8" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>')
_FAILED = ('<svg class="cal-icon icon-err" viewBox="0 0 16 16" role="img" aria-label="failed"><title>Failed{}</title>'
           '<path d="M8 1.5 15 14H1z" fill="currentColor"/><path d="M8 6v4M8 11.5v1" stroke="#fff" stroke-width="1.6"/>'
           '</svg>')
_MANUAL = ('<svg class="cal-icon icon-warn" viewBox="0 0 16 16" role="img" aria-label="manual"><title>Needs a person '
           'to post it{}</title><circle cx="8" cy="4.5" r="2.6" fill="currentColor"/><path d="M2.5 15c0-3.5 2.5-5.5 '
           '5.5-5.5s5.5 2 5.5 5.5z" fill="currentColor"/></svg>')
_RECONNECT = ('<svg class="cal-icon icon-err" viewBox="0 0 16 16" role="img" aria-label="reconnect needed"><title>@{} '
              'must be reconnected before it can publish</title><path d="M6.5 9.5 4.8 11.2a2.3 2.3 0 0 1-3.2-3.2L3.3 '
              '6.3M9.5 6.5l1.7-1.7a2.3 2.3 0 0 1 3.2 3.2l-1.7 1.7M2 2l12 12" fill="none" stroke="currentColor" '
              'stroke-width="1.6"/></svg>')


_SERIES = 'data-series="1"'
_OCCURRENCE = ' data-occurrence="{}"'
_DRAGGABLE = 'draggable="true" data-movable="1"'


def _e(value: Any) -> str:
    return escape(value) if not isinstance(value, SafeString) else str(value)


@register.simple_tag(takes_context=True)
def cal_card(context: Any, entry: Any) -> SafeString:
    p = entry.post
    can_move = context.get("can_move")
    can_see_all = context.get("can_see_all")
    movable = bool(can_move and entry.movable)
    user = _e(p.account.username)
    hm, status, kind_label, status_label = _e(entry.hm), _e(entry.status), _e(entry.kind_label), _e(entry.status_label)
    flash = " flash" if context.get("flash_key") == entry.key and not context.get("flash_ok") else ""
    recurring = entry.recurring
    out = [
        f'<article class="cal-card status-{status}{" virtual" if entry.virtual else ""}{flash}"\n',
        f'  id="card-{_e(entry.key)}" data-key="{_e(entry.key)}" data-post="{p.pk}" data-version="{p.version}"\n',
        f'  data-local-date="{_e(entry.day)}" data-local-time="{_e(entry.clock)}" data-fold="{entry.fold}" '
        f'data-utc="{_e(entry.iso)}"\n',
        "  " + (_SERIES if recurring else "") + (_OCCURRENCE.format(entry.occ) if entry.virtual else "") + "\n",
        "  " + (_DRAGGABLE if movable else "") + "\n",
        f'  aria-label="{hm} @{user} {kind_label}, {status_label}{", repeats" if recurring else ""}">\n',
    ]
    if entry.thumb:
        out.append(f'  <img class="cal-thumb" src="{_e(entry.thumb)}" alt="" loading="lazy" decoding="async" '
                   f'width="32" height="32">\n')
    else:
        out.append(f'  <span class="cal-thumb cal-thumb-empty" aria-hidden="true">{_e(p.kind[:1].upper())}</span>\n')
    deferred = entry.deferred
    failed_title = f": {_e(Truncator(p.last_error).chars(200))}" if (can_see_all and p.last_error) else ""
    manual_title = f": {_e(p.get_manual_reason_display())}" if p.manual_reason else ""
    caption = _e(Truncator(str(p)).chars(60))
    out += [
        '  <span class="cal-body">\n',
        f'    <span class="cal-line1"><time class="cal-time" datetime="{_e(entry.iso)}" '
        f'title="{_e(entry.long)} {_e(context.get("tz", ""))}">{hm}</time>\n',
        f'      <span class="cal-kind">{kind_label}</span>\n',
        '      <span class="cal-icons">'
        + (_REPEATS.format(" — a future date drawn from the rule, not stored yet" if entry.virtual else "")
           if recurring else "") + "\n",
        "      " + (_DEFERRED.format(_e(deferred)) if deferred else "") + "\n",
        "      " + (_FAILED.format(failed_title) if entry.status == "failed" else "") + "\n",
        "      " + (_MANUAL.format(manual_title) if entry.manual else "") + "\n",
        "      " + (_RECONNECT.format(user) if (entry.reconnect and can_see_all) else "") + "</span>\n",
        "    </span>\n",
        f'    <span class="cal-account">@{user}</span>\n',
        f'    <span class="cal-status-text badge badge-{status}">{status_label}</span>\n',
        (f'    <a class="cal-open" href="{_e(context.get("detail_base", ""))}{p.pk}/">{caption}</a>\n' if can_see_all
         else f'    <span class="cal-caption">{caption}</span>\n'),
        (f'    <a class="cal-move" href="{_e(context.get("move_base", ""))}{p.pk}?{_e(context.get("query", ""))}'
         f'{f"&amp;occurrence={entry.occ}" if entry.virtual else ""}" aria-label="Move {hm} @{user}">Move</a>\n'
         if movable else "    \n"),
        "  </span>\n",
        "</article>\n",
    ]
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
