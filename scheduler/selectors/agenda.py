"""The agenda of the calendar, paged: 100 cards at a time, keyset on (instant, post id, drawn date?)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Q

from accounts.models import Workspace
from scheduler.models import Post
from scheduler.selectors.calendar import (
    Calendar,
    Entry,
    Filters,
    calendar_posts,
    candidates,
    card_rows,
    make_card,
    window,
    window_posts,
)

AGENDA_PAGE = 100  # cards per page of the agenda
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """Where a page of the agenda begins: after the card (instant, post id, drawn date?) — the cards' one order,
    which stored posts and the dates series draw from their rules share, so both page by the same key."""

    at: datetime
    pk: int
    virtual: int = 0

    def text(self) -> str:
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}_{self.pk}_{self.virtual}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        parts = (text or "").strip().split("_")
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or parts[2] not in ("0", "1"):
            return None
        try:
            return cls(_EPOCH + timedelta(microseconds=int(parts[0])), int(parts[1]), int(parts[2]))
        except OverflowError:
            return None

    def before(self, entry: Entry) -> bool:
        return (self.at, self.pk, self.virtual) < (entry.at, entry.post.pk, int(entry.virtual))


@dataclass
class AgendaPage:
    calendar: Calendar
    after: Cursor | None  # where this page began (None: the first page)
    next: Cursor | None  # where the next one begins (None: this is the last)


def agenda_page(*, user: Any, workspace: Workspace, anchor: date, filters: Filters, after: Cursor | None = None,
                size: int = AGENDA_PAGE) -> AgendaPage:
    """One page of the agenda: the next `size` cards after `after` in the window, stored posts keyset-paged on
    (publish_at, id) in SQL and series dates projected from the cursor's instant on, merged in the same order."""
    zone = workspace.tzinfo
    win = window("agenda", anchor)
    lo, hi = win.bounds_utc(zone)
    if after is not None and not lo <= after.at < hi:
        after = None
    page = window_posts(user=user, workspace=workspace, lo=lo, hi=hi, filters=filters)
    if after is not None:
        page = page.filter(Q(publish_at__gt=after.at) | Q(publish_at=after.at, id__gt=after.pk))
    ids = list(page.order_by("publish_at", "id").values_list("id", flat=True)[: size + 1])
    posts = card_rows(calendar_posts(user=user, workspace=workspace, start_utc=lo, end_utc=hi, filters=filters, ids=ids))
    found = candidates(posts, workspace=workspace, lo=lo, hi=hi, filters=filters, stored=set(ids),
                        vlo=after.at if after else None)
    if after is not None:  # the candidates' key (instant, post id, drawn date?) is the cursor's
        key = (after.at, after.pk, after.virtual)
        found = [c for c in found if key < c[:3]]
    more = len(found) > size
    made: dict[int, Post] = {}
    entries = [make_card(c, zone, made) for c in found[:size]]  # only the page's cards are made (a card's strings cost most)
    by_day: dict[Any, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_day[entry.at.date()].append(entry)
    last = entries[-1] if entries else None
    nxt = Cursor(last.occurrence_utc if last.virtual else last.post.publish_at, last.post.pk, int(last.virtual)) \
        if (more and last) else None
    return AgendaPage(Calendar(window=win, zone=zone, entries=entries, by_day=dict(by_day)), after, nxt)


