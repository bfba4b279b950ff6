"""Analytics reads: published posts with their latest insights, accounts' daily figures, the best-time heatmap.

A fixed handful of queries whatever the number of posts: the latest snapshot of each post is read by correlated
subqueries on the (post, taken_at) index, thumbnails only for the rows shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import InstagramAccount, Workspace
from scheduler.analytics import figures
from scheduler.analytics.periods import Period
from scheduler.models import AccountDay, MetricSnapshot, Post, PostMedia

METRIC_FIELDS = ("reach", "views", "likes", "comments", "saved", "shares")
SORTS = {"title": "title", "date": "published_at", "reach": "reach", "likes": "likes", "comments": "comments", "saves": "saved",
         "shares": "shares", "rate": "rate", "kind": "kind"}


@dataclass
class PostRow:
    pk: int
    account_id: int
    account: str
    kind: str
    kind_label: str
    caption: str
    permalink: str
    published_at: datetime
    reach: int | None
    views: int | None
    likes: int | None
    comments: int | None
    saved: int | None
    shares: int | None
    thumb_asset: int | None = None

    @property
    def interactions(self) -> int | None:
        return figures.interactions(likes=self.likes, comments=self.comments, saved=self.saved, shares=self.shares)

    @property
    def rate(self) -> float | None:
        return figures.engagement_rate(self.interactions, self.reach)

    @property
    def title(self) -> str:
        first = self.caption.strip().splitlines()[0][:70] if self.caption.strip() else ""
        return first or f"{self.kind_label} #{self.pk}"


def _published(*, workspace: Workspace, start: datetime, end: datetime, account: InstagramAccount | None) -> QuerySet:
    qs = Post.objects.filter(workspace=workspace, status=Post.Status.PUBLISHED, published_at__gte=start,
                             published_at__lt=end)
    return qs.filter(account=account) if account is not None else qs


def _with_latest_metrics(qs: QuerySet) -> QuerySet:
    latest = MetricSnapshot.objects.filter(post=OuterRef("pk")).order_by("-taken_at")
    return qs.annotate(**{f"m_{name}": Subquery(latest.values(name)[:1]) for name in METRIC_FIELDS})


_ROW_VALUES = ("pk", "account_id", "account__username", "kind", "caption", "permalink", "published_at",
               *(f"m_{m}" for m in METRIC_FIELDS))
_KINDS = dict(Post.Kind.choices)


def _row(values: Sequence[Any]) -> PostRow:
    pk, account_id, username, kind, caption, permalink, published_at, *metrics = values
    return PostRow(pk, account_id, username, kind, _KINDS.get(kind, kind), caption, permalink, published_at,
                   *dict(zip(METRIC_FIELDS, metrics, strict=True)).values())


def post_rows(*, workspace: Workspace, start: datetime, end: datetime,
              account: InstagramAccount | None = None) -> list[PostRow]:
    """Every published post in [start, end) with its latest insights: one query."""
    qs = _with_latest_metrics(_published(workspace=workspace, start=start, end=end, account=account))
    return [_row(v) for v in qs.order_by("published_at", "pk").values_list(*_ROW_VALUES)]


def post_rows_iter(*, workspace: Workspace, start: datetime, end: datetime,
                   account: InstagramAccount | None = None, chunk_size: int = 500) -> Iterator[PostRow]:
    """The same rows, streamed from the database in chunks (the CSV download of a year)."""
    qs = _with_latest_metrics(_published(workspace=workspace, start=start, end=end, account=account))
    for values in qs.order_by("published_at", "pk").values_list(*_ROW_VALUES).iterator(chunk_size=chunk_size):
        yield _row(values)


def attach_thumbnails(rows: Sequence[PostRow]) -> None:
    """Each shown row's first item that has a thumbnail: one query for all of them."""
    by_post = {r.pk: r for r in rows}
    if not by_post:
        return
    items = (PostMedia.objects.filter(post_id__in=list(by_post)).exclude(asset__thumbnail="")
             .order_by("post_id", "position").values_list("post_id", "asset_id"))
    for post_id, asset_id in items:
        if by_post[post_id].thumb_asset is None:
            by_post[post_id].thumb_asset = asset_id


def sort_rows(rows: list[PostRow], key: str, descending: bool) -> list[PostRow]:
    """Sort by a column; rows without the value go last either way."""
    attr = SORTS.get(key, "published_at")
    present = [r for r in rows if getattr(r, attr) is not None]
    missing = [r for r in rows if getattr(r, attr) is None]
    present.sort(key=lambda r: (getattr(r, attr), r.pk), reverse=descending)
    return present + missing


def account_days(*, workspace: Workspace, first: date, last: date,
                 account: InstagramAccount | None = None) -> dict[date, dict[str, int | None]]:
    """Per local day, the figures summed over the chosen accounts (None where no account had data): one query."""
    qs = AccountDay.objects.filter(account__workspace=workspace, day__gte=first, day__lte=last)
    if account is not None:
        qs = qs.filter(account=account)
    names = ("followers_count", "media_count", "reach", "views", "accounts_engaged", "total_interactions")
    out: dict[date, dict[str, int | None]] = defaultdict(lambda: dict.fromkeys(names))
    for day, *values in qs.order_by("day").values_list("day", *names):
        row = out[day]
        for name, value in zip(names, values, strict=True):
            if value is not None:
                row[name] = (row[name] or 0) + value
    return dict(out)


def workspace_accounts(*, workspace: Workspace) -> list[InstagramAccount]:
    return list(InstagramAccount.objects.filter(workspace=workspace).only("id", "username", "workspace_id")
                .order_by("username"))


def heatmap_posts(*, account: InstagramAccount, period: Period) -> list[tuple[datetime, float | None]]:
    """(published_at, engagement rate) of the account's published posts in the period: one query."""
    qs = _with_latest_metrics(Post.objects.filter(account=account, status=Post.Status.PUBLISHED,
                                                  published_at__gte=period.start, published_at__lt=period.end))
    wanted = ("published_at", "m_reach", "m_likes", "m_comments", "m_saved", "m_shares")
    return [(at, figures.engagement_rate(figures.interactions(likes=li, comments=co, saved=sa, shares=sh), reach))
            for at, reach, li, co, sa, sh in qs.order_by().values_list(*wanted)]


@dataclass
class Kpi:
    label: str
    value: float | None
    previous: float | None
    percent: bool = False  # a rate, shown as 4.2 %

    @property
    def change(self) -> float | None:
        return figures.change(self.value, self.previous)


@dataclass
class KindRow:
    kind: str
    label: str
    posts: int
    reach: int
    interactions: int
    rate: float | None

    @property
    def avg_reach(self) -> float | None:
        return self.reach / self.posts if self.posts else None


def _sum(days: dict[date, dict[str, int | None]], dates: list[date], name: str) -> int | None:
    values = [days[d][name] for d in dates if d in days and days[d][name] is not None]
    return sum(values) if values else None


def _last(days: dict[date, dict[str, int | None]], dates: list[date], name: str) -> int | None:
    for d in reversed(dates):
        if d in days and days[d][name] is not None:
            return days[d][name]
    return None


def by_kind(rows: Sequence[PostRow]) -> list[KindRow]:
    out = []
    for kind, label in Post.Kind.choices:
        mine = [r for r in rows if r.kind == kind]
        reach = sum(r.reach or 0 for r in mine)
        inter = sum(r.interactions or 0 for r in mine)
        out.append(KindRow(kind, label, len(mine), reach, inter, figures.period_engagement_rate(mine)))
    return out


def analytics_overview(*, workspace: Workspace, period: Period, account: InstagramAccount | None) -> dict[str, Any]:
    """Everything the analytics page and the report show for a period and the one before it: three queries."""
    prev = period.previous()
    days = account_days(workspace=workspace, first=prev.first, last=period.last, account=account)
    rows_all = post_rows(workspace=workspace, start=prev.start, end=period.end, account=account)
    start = period.start
    rows = [r for r in rows_all if r.published_at >= start]
    prev_rows = [r for r in rows_all if r.published_at < start]
    cur_dates, prev_dates = period.dates(), prev.dates()
    ranked = sorted([r for r in rows if r.rate is not None], key=lambda r: (-r.rate, r.pk))
    kpis = [
        Kpi("Followers", _last(days, cur_dates, "followers_count"), _last(days, prev_dates, "followers_count")),
        Kpi("Reach", _sum(days, cur_dates, "reach"), _sum(days, prev_dates, "reach")),
        Kpi("Views", _sum(days, cur_dates, "views"), _sum(days, prev_dates, "views")),
        Kpi("Accounts engaged", _sum(days, cur_dates, "accounts_engaged"), _sum(days, prev_dates, "accounts_engaged")),
        Kpi("Posts published", len(rows), len(prev_rows)),
        Kpi("Engagement rate", figures.period_engagement_rate(rows), figures.period_engagement_rate(prev_rows),
            percent=True),
    ]
    return {
        "period": period, "previous": prev, "days": days, "rows": rows, "kpis": kpis,
        "top": ranked[:5], "bottom": list(reversed(ranked[-5:])) if len(ranked) > 5 else [],
        "by_kind": by_kind(rows),
    }
