"""Reads of the editorial calendar: the window of a view, its posts and the unstored future dates of series."""

from __future__ import annotations

import calendar as pycal
from bisect import bisect_right
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, DateTimeField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.base import ModelState

from accounts import localtime
from accounts.models import InstagramAccount, User, Workspace
from scheduler import recurrence
from scheduler.content import projected_status
from scheduler.models import Post
from scheduler.rules import MOVABLE  # what may be moved: the one transition table
from scheduler.selectors.calendar_cells import grid_cells, grid_read
from scheduler.selectors.posts import visible_posts, with_first_item

S = Post.Status
VIEWS = ("month", "week", "agenda", "day")
AGENDA_DAYS = 14
MONTH_CARDS = 3  # cards a month cell shows before "+N more"
HOUR_CARDS = 2  # cards an hour cell of the week shows before "+N more"
# Cards a day column of the week shows in all (its first ones in time, at most HOUR_CARDS an hour): later hours of a
# full day show only their "+N more". A busy agency week then draws what a person can read, not 2 x 168 cards.
DAY_CARDS = 12
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
        # Numbers the card writes, as text: a number in a template goes through localization (most of a card's
        # cost once there are a hundred cards); these are identifiers, never localized.
        self.pid, self.ver, self.fold_text, self.occ_text = (str(self.post.pk), str(self.post.version),
                                                             str(self.fold), str(self.occ))
        self.title = str(self.post)  # at most 60 characters (Post.__str__)
        self.kind_label = _KIND_SHORT.get(self.post.kind, self.post.kind)
        # What the card's template asks, as plain attributes (a property or an enum lookup per use costs more in
        # Django's variable resolution than the value itself; an entry is made once and never changed).
        post = self.post
        self.recurring = self.virtual or bool(post.rrule or post.series_root_id)
        self.movable = self.status in MOVABLE
        self.status_label = _STATUS_LABELS.get(self.status, self.status)
        self.deferred = post.deferred_reason if not self.virtual and self.status == S.APPROVED else ""
        self.username = post.account.username
        self.reconnect = post.account.status == InstagramAccount.Status.RECONNECT
        self.manual = self.status == S.MANUAL or bool(post.manual_reason)
        # The card's sentences (plain text, escaped by the template): one variable each instead of four or five.
        self.aria = (f"{self.hm} @{self.username} {self.kind_label}, {self.status_label}"
                     + (", repeats" if self.recurring else ""))
        self.when = f"{self.long} {getattr(self.at.tzinfo, 'key', '')}".rstrip()  # "…, 09:00 Europe/Berlin"
        self.move_label = f"Move {self.hm} @{self.username}"


_STATUS_LABELS = dict(S.choices)


@dataclass
class Calendar:
    window: Window
    zone: ZoneInfo
    entries: list[Entry]
    by_day: dict[date, list[Entry]] = field(default_factory=dict)
    # How many cards each cell holds in all (drawn or not): a date (month, day, agenda) or (date, hour) (week).
    totals: dict[Any, int] = field(default_factory=dict)
    slots: dict[date, list[tuple[datetime, InstagramAccount]]] = field(default_factory=dict)
    accounts: list[InstagramAccount] | None = None  # the workspace's accounts, when read along with the slots


def _thumb_prefix(workspace: Workspace) -> str:
    from django.urls import reverse

    url = reverse("scheduler:asset_file", kwargs={"ws": workspace.slug, "pk": 0, "variant": "thumb"})
    return url[: -len("0/thumb")] + "{}/thumb"


def calendar_posts(*, user: Any, workspace: Workspace, start_utc: datetime, end_utc: datetime,
                   filters: Filters, with_media: bool = True, ids: list[int] | None = None) -> QuerySet[Post]:
    """Posts the user may see with publish_at in [start, end), plus live series roots that may draw dates there.

    With `ids`, only those of the window's posts (the cards a grid draws, chosen by `grid_read`) plus the roots."""
    if ids is not None:
        in_window = Q(pk__in=ids)
    else:
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
    # A series' last stored date, read for series only (a CASE: the other rows skip the subquery).
    last = Post.objects.filter(series_root=OuterRef("pk")).order_by("-occurrence_index").values("occurrence_at")[:1]
    qs = qs.select_related("account").only(*_CARD_FIELDS).annotate(last_occurrence_at=Case(
        When(rrule="", then=Value(None)), default=Subquery(last), output_field=DateTimeField()))
    if with_media:  # only the first item's thumbnail: a card shows one picture
        qs = with_first_item(qs).annotate(first_asset_id=F("first__asset_id"), first_thumb=F("first__asset__thumbnail"))
    return qs.order_by("publish_at", "id")


# A post as the grid and the agenda read it, before it is drawn: plain values. A model instance costs about 30 µs
# and an agency's month reads a few hundred rows (its live series roots among them) to draw about a hundred cards,
# so only the posts that become cards are made into Post instances (`_materialize`), the way Django's own queryset
# would have made them (same deferred fields, the account as if select_related).
_POST_ATTNAMES = tuple(f.attname for f in Post._meta.concrete_fields
                       if f.attname in {name for name in _CARD_FIELDS if "__" not in name})
_ROW_NAMES = _POST_ATTNAMES + ("account__username", "account__status", "last_occurrence_at", "first_asset_id",
                               "first_thumb")


class CardRow(namedtuple("CardRow", _ROW_NAMES)):
    __slots__ = ()

    @property
    def pk(self) -> int:
        return self.id


def card_rows(posts: QuerySet[Post]) -> list[CardRow]:
    """`calendar_posts(...)` (with media) as plain rows, in its order."""
    return [CardRow._make(row) for row in posts.values_list(*_ROW_NAMES)]


def _loaded(model: type, values: dict[str, Any]) -> Any:
    """An instance as read from the database with only `values` loaded (the others deferred, as `.only()` leaves
    them): what `Model.from_db` makes, without running `Model.__init__` over every field of the model (a tenth of
    the cost). The calendar's models have no pre_init / post_init receivers (tests/scheduler check it)."""
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS
    instance.__dict__.update(values)
    return instance


def _materialize(row: CardRow) -> Post:
    n = len(_POST_ATTNAMES)
    post = _loaded(Post, dict(zip(_POST_ATTNAMES, row[:n], strict=True)))
    account = _loaded(InstagramAccount, {"id": row.account_id, "username": row.account__username,
                                         "status": row.account__status})
    Post.account.field.set_cached_value(post, account)
    post.last_occurrence_at, post.first_asset_id, post.first_thumb = row[n + 2:]
    return post


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


def window_posts(*, user: Any, workspace: Workspace, lo: datetime, hi: datetime, filters: Filters) -> QuerySet[Post]:
    """The stored cards of [lo, hi) the user may see with these filters (no series roots before the window)."""
    return filtered_posts(user=user, workspace=workspace, filters=filters).filter(publish_at__gte=lo, publish_at__lt=hi)


def filtered_posts(*, user: Any, workspace: Workspace, filters: Filters) -> QuerySet[Post]:
    """The stored posts the user may see with these filters, at any time (a grid bounds each cell itself)."""
    qs = visible_posts(user=user, workspace=workspace)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.author:
        qs = qs.filter(author_id=filters.author)
    return qs


_Candidate = tuple  # (instant UTC, post id, drawn date 0/1, post, status, thumb): a card before it is made


def candidates(posts: Any, *, workspace: Workspace, lo: datetime, hi: datetime, filters: Filters,
                stored: Any = None, vlo: datetime | None = None) -> list[_Candidate]:
    """The cards of the stored posts (in [lo, hi), or those whose id is in `stored`) and the future dates of the
    live series among `posts`, projected for [vlo or lo, hi) only; sorted in the cards' one order, not yet made."""
    prefix = _thumb_prefix(workspace)
    out: list[_Candidate] = []
    for post in posts:
        thumb = prefix.format(post.first_asset_id) if post.first_thumb else ""
        shown = (post.pk in stored) if stored is not None else (
            post.publish_at and lo <= post.publish_at < hi and (not filters.status or post.status == filters.status))
        if shown:
            out.append((post.publish_at, post.pk, 0, post, post.status, thumb))
        if post.rrule and not post.series_stopped and post.publish_at:
            status = projected_status(post)  # future dates inherit the series' review, never gain one
            if filters.status and status != filters.status:
                continue
            out += [(instant, post.pk, 1, post, status, thumb)
                    for instant in virtual_dates(post, workspace.timezone, vlo or lo, hi)]
    out.sort(key=lambda c: c[:3])
    return out


def make_card(c: _Candidate, zone: ZoneInfo, made: dict[int, Post]) -> Entry:
    """The card of a candidate; `made` keeps one Post per id across a page's cards (a series' dates share it)."""
    instant, _, virtual, row, status, thumb = c
    post = made.get(row.pk)
    if post is None:
        post = made[row.pk] = _materialize(row)
    if virtual:
        return Entry(post=post, at=instant.astimezone(zone), status=status, virtual=True, occurrence_utc=instant,
                     thumb=thumb)
    return Entry(post=post, at=instant.astimezone(zone), status=status, thumb=thumb,
                 occurrence_utc=post.occurrence_at)


def window_entries(posts: Any, *, workspace: Workspace, zone: ZoneInfo, lo: datetime, hi: datetime, filters: Filters,
             stored: Any = None, vlo: datetime | None = None) -> list[Entry]:
    made: dict[int, Post] = {}
    return [make_card(c, zone, made) for c in candidates(posts, workspace=workspace, lo=lo, hi=hi, filters=filters,
                                                       stored=stored, vlo=vlo)]


def _order(entry: Entry) -> tuple[datetime, int, int]:
    """The calendar's one order of cards: instant, then post id (a series' drawn date after a stored card)."""
    return (entry.at, entry.post.pk, int(entry.virtual))


def build(*, user: Any, workspace: Workspace, view: str, anchor: date, filters: Filters,
          with_slots: bool = False) -> Calendar:
    """Everything one calendar view draws, in a number of queries that does not depend on how many posts.

    The month and week grids read only what they draw: the first MONTH_CARDS posts of each local day (HOUR_CARDS
    of each local hour, DAY_CARDS of each day column of the week) and one count per cell for "+N more"
    (`Calendar.totals`): see `grid_read` in selectors/calendar_cells.py. The day view (and the agenda's pages,
    `agenda_page`) draw every card."""
    zone = workspace.tzinfo
    win = window(view, anchor)
    lo, hi = win.bounds_utc(zone)
    if view not in ("month", "week"):
        posts = card_rows(calendar_posts(user=user, workspace=workspace, start_utc=lo, end_utc=hi, filters=filters))
        entries = window_entries(posts, workspace=workspace, zone=zone, lo=lo, hi=hi, filters=filters)
        by_day: dict[Any, list[Entry]] = defaultdict(list)
        for entry in entries:
            by_day[entry.at.date()].append(entry)
        return Calendar(window=win, zone=zone, entries=entries, by_day=dict(by_day),
                        totals={day: len(cards) for day, cards in by_day.items()})
    cells = grid_cells(view, win, zone)
    keys = [key for key, _ in cells]
    starts = [start for _, start in cells]
    cap = HOUR_CARDS if view == "week" else MONTH_CARDS
    day_cap = DAY_CARDS if view == "week" else None
    slot_list: list[tuple[date, datetime, Any]] = []
    accounts = None
    if with_slots:
        slot_list, accounts = _slot_instants(workspace=workspace, win=win, account_id=filters.account)
    drawn = grid_read(filtered_posts(user=user, workspace=workspace, filters=filters), lo, starts, hi, cap, day_cap,
                   slot_minutes=sorted({instant for _, instant, _ in slot_list}),
                   slot_accounts={slot.account_id for _, _, slot in slot_list})
    posts = card_rows(calendar_posts(user=user, workspace=workspace, start_utc=lo, end_utc=hi, filters=filters,
                                     ids=drawn.ids))
    found = candidates(posts, workspace=workspace, lo=lo, hi=hi, filters=filters, stored=set(drawn.ids))
    # Per cell: the stored cards read are its first `cap` (or all); a series' dates join them in the same order and
    # the first `cap` of the two are drawn. Only those become cards (a card's strings cost more than the rest).
    # An agency's month projects a thousand series dates or more: this loop does the least it can for each.
    counts = [0] * len(keys)
    per_cell: dict[int, list[_Candidate]] = defaultdict(list)
    virtual_taken: set[tuple[int, datetime]] = set()
    for c in found:
        index = bisect_right(starts, c[0]) - 1
        cell = per_cell[index]
        if len(cell) < cap:
            cell.append(c)
        if c[2]:
            counts[index] += 1
            if with_slots:
                virtual_taken.add((c[3].account_id, c[0].replace(second=0, microsecond=0)))
    totals: dict[Any, int] = {keys[i]: n for i, n in drawn.totals.items()}
    for i, n in enumerate(counts):
        if n:
            totals[keys[i]] = totals.get(keys[i], 0) + n
    # The week's day column draws its first DAY_CARDS of those, in time order; the rest of each cell is "+N more".
    chosen: list[_Candidate] = []
    day_used: dict[int, int] = defaultdict(int)
    for index in sorted(per_cell):
        take = per_cell[index][:cap]
        if day_cap is not None:
            take = take[: max(0, day_cap - day_used[index // 24])]
            day_used[index // 24] += len(take)
        chosen += take
    made: dict[int, Post] = {}
    shown = [make_card(c, zone, made) for c in chosen]
    by_day = defaultdict(list)
    for entry in shown:
        by_day[entry.at.date()].append(entry)
    cal = Calendar(window=win, zone=zone, entries=shown, by_day=dict(by_day), totals=totals, accounts=accounts)
    if with_slots:
        taken = drawn.taken | virtual_taken
        cal.slots = _free(slot_list, taken, zone)
    return cal


# --------------------------------------------------------------------------------------------------- posting slots


def _slot_instants(*, workspace: Workspace, win: Window, account_id: int | None = None,
                   ) -> tuple[list[tuple[date, datetime, Any]], list[InstagramAccount]]:
    """Every posting slot of the window as (local day, instant, slot), from the accounts' weekly grids, and the
    workspace's accounts (the filter bar's list): one query, accounts left-joined to their slots."""
    rows = InstagramAccount.objects.filter(workspace=workspace).order_by("username", "id").values_list(
        "id", "username", "status", "slots__weekday", "slots__time")
    accounts: dict[int, InstagramAccount] = {}
    grid: dict[int, list[Any]] = defaultdict(list)
    for pk, username, status, weekday, at in rows:
        account = accounts.get(pk)
        if account is None:
            account = accounts[pk] = _loaded(InstagramAccount, {"id": pk, "username": username, "status": status,
                                                                 "workspace_id": workspace.pk})
        if weekday is not None and (not account_id or pk == account_id):
            grid[weekday].append(_Slot(pk, at, account))
    for slots in grid.values():
        slots.sort(key=lambda slot: (slot.account_id, slot.time))
    zone = workspace.tzinfo
    instants: dict[tuple[date, time], datetime] = {}  # accounts share their slot times: one conversion each

    def instant(day: date, at: time) -> datetime:
        got = instants.get((day, at))
        if got is None:
            got = instants[(day, at)] = localtime.to_instant(datetime.combine(day, at), zone)
        return got

    found = [(day, instant(day, slot.time), slot) for day in win.days() for slot in grid.get(day.weekday(), ())]
    return found, list(accounts.values())


@dataclass(frozen=True)
class _Slot:
    account_id: int
    time: time
    account: InstagramAccount


def _free(slot_list: list[tuple[date, datetime, Any]], taken: set[tuple[int, datetime]],
          zone: ZoneInfo) -> dict[date, list[tuple[datetime, InstagramAccount]]]:
    out: dict[date, list[tuple[datetime, InstagramAccount]]] = {}
    for day, instant, slot in slot_list:
        if (slot.account_id, instant) not in taken:
            out.setdefault(day, []).append((instant.astimezone(zone), slot.account))
    for values in out.values():
        values.sort(key=lambda pair: (pair[0], pair[1].username))
    return out


def filter_choices(*, workspace: Workspace, accounts: list[InstagramAccount] | None = None) -> dict[str, Any]:
    """Accounts and authors for the filter bar (one query each; `accounts` when the page has read them already)."""
    if accounts is None:
        accounts = list(InstagramAccount.objects.filter(workspace=workspace).only("id", "username").order_by("username"))
    authors = list(User.objects.filter(memberships__workspace=workspace).only("id", "username", "first_name",
                                                                                "last_name").order_by("username"))
    return {"accounts": accounts, "authors": authors, "statuses": S.choices, "kinds": Post.Kind.choices}


def series_date_post(*, workspace: Workspace, root_id: int, occurrence_utc: datetime) -> Post | None:
    """The stored post of one date of a series, if that date has been materialized."""
    return Post.objects.filter(Q(pk=root_id, occurrence_at=occurrence_utc) | Q(series_root_id=root_id,
                                                                               occurrence_at=occurrence_utc),
                               workspace=workspace).select_related("workspace", "account").first()
