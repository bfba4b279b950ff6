"""Reads of the editorial calendar: the window of a view, its posts and the unstored future dates of series."""

from __future__ import annotations

import calendar as pycal
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts import localtime
from accounts.models import InstagramAccount, User, Workspace
from scheduler import recurrence
from scheduler.content import projected_status
from scheduler.models import Post, PostingSlot, PostMedia
from scheduler.rules import MOVABLE  # what may be moved: the one transition table
from scheduler.selectors.posts import visible_posts

S = Post.Status
VIEWS = ("month", "week", "agenda", "day")
AGENDA_DAYS = 14
MONTH_CARDS = 3  # cards a month cell shows before "+N more"
HOUR_CARDS = 2  # cards an hour cell of the week shows before "+N more"
# Statuses a drag may move (the reschedule service refuses the others; the card is not draggable then).

_CARD_FIELDS = (
    "id", "workspace_id", "account_id", "kind", "caption", "publish_at", "status", "manual_reason", "rrule",
    "series_root_id", "occurrence_index", "occurrence_at", "series_stopped", "last_error", "deferred_reason",
    "author_id", "version", "account__id", "account__username", "account__status", "content_hash", "approved_hash",
)


@dataclass
class Filters:
    account: int | None = None
    status: str = ""
    author: int | None = None
    kind: str = ""

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        def num(name: str) -> int | None:
            value = (query.get(name) or "").strip()
            return int(value) if value.isdigit() else None

        status = query.get("status") or ""
        kind = query.get("kind") or ""
        return cls(account=num("account"), author=num("author"),
                   status=status if status in S.values else "", kind=kind if kind in Post.Kind.values else "")

    def as_query(self) -> dict[str, str]:
        return {k: str(v) for k, v in (("account", self.account), ("status", self.status), ("author", self.author),
                                       ("kind", self.kind)) if v}

    @property
    def active(self) -> bool:
        return bool(self.as_query())


@dataclass
class Window:
    view: str
    anchor: date
    start: date  # first local day shown
    end: date  # first local day not shown
    prev: date
    next: date
    title: str

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]

    def bounds_utc(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return localtime.span_bounds(self.start, self.end, zone)


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, pycal.monthrange(year, month)[1]))


def window(view: str, anchor: date) -> Window:
    """The local days a view shows around `anchor`, and where previous / next go."""
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=7)
        if anchor.weekday() == 6:  # a Sunday: that day and the coming week, not a week that is over (issue 23)
            start, end = anchor, anchor + timedelta(days=8)
        last = end - timedelta(days=1)
        title = f"{start:%-d %b} – {last:%-d %b %Y}" if start.year == last.year else f"{start:%-d %b %Y} – {last:%-d %b %Y}"
        return Window(view, anchor, start, end, anchor - timedelta(days=7), anchor + timedelta(days=7), title)
    if view == "agenda":
        end = anchor + timedelta(days=AGENDA_DAYS)
        title = f"{anchor:%-d %b} – {end - timedelta(days=1):%-d %b %Y}"
        return Window(view, anchor, anchor, end, anchor - timedelta(days=AGENDA_DAYS), end, title)
    if view == "day":
        return Window(view, anchor, anchor, anchor + timedelta(days=1), anchor - timedelta(days=1),
                      anchor + timedelta(days=1), f"{anchor:%A %-d %B %Y}")
    first = anchor.replace(day=1)
    start = first - timedelta(days=first.weekday())
    last = first.replace(day=pycal.monthrange(first.year, first.month)[1])
    end = last + timedelta(days=7 - last.weekday())
    return Window("month", anchor, start, end, _add_months(first, -1), _add_months(first, 1), f"{first:%B %Y}")


_KIND_SHORT = {"feed": "Feed", "carousel": "Carousel", "reel": "Reel", "story": "Story"}


@dataclass
class Entry:
    """One card: a stored post, or a future date of a series drawn from its rule (virtual, not stored)."""

    post: Post
    at: datetime  # local (workspace timezone)
    status: str
    virtual: bool = False
    occurrence_utc: datetime | None = None  # the rule's own instant of this date (series only)
    thumb: str = ""

    def __post_init__(self) -> None:
        # Strings the card shows, made once here: template date filters on each card cost more than the rest.
        # On a fall-back night two cards read the same "01:30": those carry the zone's abbreviation ("01:30 EDT").
        twice = localtime.is_ambiguous(self.at)
        abbr = f" {localtime.abbreviation(self.at)}" if twice else ""
        self.hm = self.at.strftime("%H:%M") + abbr
        self.clock = self.at.strftime("%H:%M")  # what a drag keeps: the local time of day
        self.fold = self.at.fold if twice else 0
        self.day = self.at.strftime("%Y-%m-%d")
        self.iso = self.at.isoformat()
        self.long = self.at.strftime("%a %-d %b %Y, %H:%M") + abbr
        self.occ = int(self.occurrence_utc.timestamp()) if self.virtual else 0
        self.key = f"s{self.post.pk}-{self.occ}" if self.virtual else f"p{self.post.pk}"
        self.kind_label = _KIND_SHORT.get(self.post.kind, self.post.kind)

    @property
    def recurring(self) -> bool:
        return self.virtual or bool(self.post.rrule or self.post.series_root_id)

    @property
    def movable(self) -> bool:
        return self.status in MOVABLE

    @property
    def status_label(self) -> str:
        return S(self.status).label

    @property
    def deferred(self) -> str:
        return self.post.deferred_reason if not self.virtual and self.status == S.APPROVED else ""

    @property
    def reconnect(self) -> bool:
        return self.post.account.status == InstagramAccount.Status.RECONNECT

    @property
    def manual(self) -> bool:
        return self.status == S.MANUAL or bool(self.post.manual_reason)


@dataclass
class Calendar:
    window: Window
    zone: ZoneInfo
    entries: list[Entry]
    by_day: dict[date, list[Entry]] = field(default_factory=dict)
    slots: dict[date, list[tuple[datetime, InstagramAccount]]] = field(default_factory=dict)


def _thumb_prefix(workspace: Workspace) -> str:
    from django.urls import reverse

    url = reverse("scheduler:asset_file", kwargs={"ws": workspace.slug, "pk": 0, "variant": "thumb"})
    return url[: -len("0/thumb")] + "{}/thumb"


def calendar_posts(*, user: Any, workspace: Workspace, start_utc: datetime, end_utc: datetime,
                   filters: Filters, with_media: bool = True) -> QuerySet[Post]:
    """Posts the user may see with publish_at in [start, end), plus live series roots that may draw dates there."""
    in_window = Q(publish_at__gte=start_utc, publish_at__lt=end_utc)
    if filters.status:
        in_window &= Q(status=filters.status)
    live_root = Q(series_stopped=False, publish_at__lt=end_utc) & ~Q(rrule="")
    qs = visible_posts(user=user, workspace=workspace).filter(in_window | live_root)
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.author:
        qs = qs.filter(author_id=filters.author)
    last = Post.objects.filter(series_root=OuterRef("pk")).order_by("-occurrence_index").values("occurrence_at")[:1]
    qs = qs.select_related("account").only(*_CARD_FIELDS).annotate(last_occurrence_at=Subquery(last))
    if with_media:  # only the first item's thumbnail: a card shows one picture
        first = PostMedia.objects.filter(post=OuterRef("pk")).order_by("position")
        qs = qs.annotate(first_asset_id=Subquery(first.values("asset_id")[:1]),
                         first_thumb=Subquery(first.values("asset__thumbnail")[:1]))
    return qs.order_by("publish_at", "id")


def virtual_dates(root: Post, tz: str, lo: datetime, hi: datetime) -> list[datetime]:
    start = root.occurrence_at or root.publish_at
    last = max(filter(None, [start, root.last_occurrence_at]))
    rule = root.rrule
    try:
        found = recurrence.occurrences_between(rule=rule, series_start_utc=start, tz=tz,
                                               start_utc=max(lo, last), end_utc=hi, limit=400)
    except recurrence.RecurrenceError:
        return []
    return [t for t in found if t > last]


def build(*, user: Any, workspace: Workspace, view: str, anchor: date, filters: Filters,
          with_slots: bool = False) -> Calendar:
    """Everything one calendar view draws, in a number of queries that does not depend on how many posts."""
    zone = workspace.tzinfo
    win = window(view, anchor)
    lo, hi = win.bounds_utc(zone)
    prefix = _thumb_prefix(workspace)
    entries: list[Entry] = []
    for post in calendar_posts(user=user, workspace=workspace, start_utc=lo, end_utc=hi, filters=filters):
        thumb = prefix.format(post.first_asset_id) if post.first_thumb else ""
        if post.publish_at and lo <= post.publish_at < hi and (not filters.status or post.status == filters.status):
            entries.append(Entry(post=post, at=post.publish_at.astimezone(zone), status=post.status, thumb=thumb,
                                 occurrence_utc=post.occurrence_at))
        if post.rrule and not post.series_stopped and post.publish_at:
            status = projected_status(post)  # future dates inherit the series' review, never gain one
            if filters.status and status != filters.status:
                continue
            for instant in virtual_dates(post, workspace.timezone, lo, hi):
                entries.append(Entry(post=post, at=instant.astimezone(zone), status=status, virtual=True,
                                     occurrence_utc=instant, thumb=thumb))
    entries.sort(key=lambda e: (e.at, e.post.pk))
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_day[entry.at.date()].append(entry)
    cal = Calendar(window=win, zone=zone, entries=entries, by_day=dict(by_day))
    if with_slots:
        cal.slots = free_slots(workspace=workspace, win=win, entries=entries, account_id=filters.account)
    return cal


def free_slots(*, workspace: Workspace, win: Window, entries: list[Entry],
               account_id: int | None = None) -> dict[date, list[tuple[datetime, InstagramAccount]]]:
    """Posting slots in the window that no shown post of that account occupies, as (local instant, account)."""
    qs = PostingSlot.objects.filter(account__workspace=workspace).select_related("account").only(
        "weekday", "time", "account__id", "account__username", "account__status")
    if account_id:
        qs = qs.filter(account_id=account_id)
    grid: dict[int, list[PostingSlot]] = defaultdict(list)
    for slot in qs:
        grid[slot.weekday].append(slot)
    taken = {(e.post.account_id, e.at.astimezone(UTC).replace(second=0, microsecond=0)) for e in entries}
    out: dict[date, list[tuple[datetime, InstagramAccount]]] = {}
    zone = workspace.tzinfo
    for day in win.days():
        for slot in grid.get(day.weekday(), ()):
            instant = localtime.to_instant(datetime.combine(day, slot.time), zone)
            local = instant.astimezone(zone)
            if (slot.account_id, instant) not in taken:
                out.setdefault(day, []).append((local, slot.account))
    for values in out.values():
        values.sort(key=lambda pair: (pair[0], pair[1].username))
    return out


def filter_choices(*, workspace: Workspace) -> dict[str, Any]:
    """Accounts and authors for the filter bar (one query each)."""
    accounts = list(InstagramAccount.objects.filter(workspace=workspace).only("id", "username").order_by("username"))
    authors = list(User.objects.filter(memberships__workspace=workspace).only("id", "username", "first_name",
                                                                                "last_name").order_by("username"))
    return {"accounts": accounts, "authors": authors, "statuses": S.choices, "kinds": Post.Kind.choices}


def series_date_post(*, workspace: Workspace, root_id: int, occurrence_utc: datetime) -> Post | None:
    """The stored post of one date of a series, if that date has been materialized."""
    return Post.objects.filter(Q(pk=root_id, occurrence_at=occurrence_utc) | Q(series_root_id=root_id,
                                                                               occurrence_at=occurrence_utc),
                               workspace=workspace).select_related("workspace", "account").first()
