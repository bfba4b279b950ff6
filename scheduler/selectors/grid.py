"""Reads of the grid planner: an account's profile grid as it will look once the planned posts are out.

Order, top to bottom (newest first, as Instagram draws a profile): pinned live posts (they stay on top), then the
planned posts that will land on the grid and the account's next free posting slots, latest time first, then the
posts already live. Stories never reach the grid, nor do reels with "share to feed" off. What is live comes from
the account's own archive (settings.GRID_LIVE_SOURCE; the archive knows which posts are pinned) and from this
app's publish history (posts published here that the archive has not seen yet). Every tile is drawn at 3:4, the
profile grid's shape (about 1013×1350): a wider cover is cropped to its middle, and a landscape one says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import InstagramAccount, Workspace
from scheduler import rules
from scheduler.models import Post, PostingSlot
from scheduler.selectors.posts import visible_posts, with_first_item
from scheduler.slots import next_free_slot

S = Post.Status
K = Post.Kind
PAGE = 60  # tiles per page (20 rows of three)
FREE_SLOTS = 6  # empty tiles: the account's next free posting slots
PINNED_MAX = 3  # Instagram pins at most three posts
GRID_RATIO = 3 / 4  # width / height of a profile-grid tile
# Posts that still go out: the transition table's pending statuses, and those being published right now.
PLANNED = (*rules.PENDING, S.PUBLISHING)

_FIELDS = ("id", "workspace_id", "account_id", "kind", "caption", "publish_at", "published_at", "status", "version",
           "rrule", "series_root_id", "share_to_feed", "permalink", "ig_media_id", "deferred_reason")


def on_grid() -> Q:
    """Posts that appear on the profile grid: feed photos, carousels, and reels shared to the feed."""
    return Q(kind__in=(K.FEED, K.CAROUSEL)) | Q(kind=K.REEL, share_to_feed=True)


def crop_note(width: int | None, height: int | None) -> str:
    """What the 3:4 grid tile hides of a cover this shape ('' when little or nothing: portrait covers)."""
    if not width or not height:
        return ""
    ratio = width / height
    if ratio <= 1:
        return ""
    shown = GRID_RATIO / ratio
    return f"Landscape {ratio:.2f}:1 — the grid shows only the middle {shown:.0%} of its width."


@dataclass
class LiveItem:
    """A post already on the profile, as a live source reports it."""

    key: str
    at: datetime  # when it went live (UTC)
    media: str  # "feed", "carousel" or "reel"
    thumb: str = ""  # URL of the cover
    pinned: bool = False
    permalink: str = ""
    ig_id: str = ""
    caption: str = ""


@dataclass
class Tile:
    state: str  # "planned", "live", "slot" or "preview"
    at: datetime  # local time (workspace zone)
    media: str = ""
    thumb: str = ""
    post: Post | None = None
    status: str = ""
    pinned: bool = False
    crop: str = ""
    permalink: str = ""
    caption: str = ""
    key: str = ""
    replaces: str = ""  # in a swap's answer: the key of the tile this one takes the place of
    later: Tile | None = field(default=None, repr=False)  # the planned neighbour above (publishes after it)
    earlier: Tile | None = field(default=None, repr=False)  # the planned neighbour below (publishes before it)

    def __post_init__(self) -> None:
        self.long = self.at.strftime("%a %-d %b %Y, %H:%M")
        self.short = self.at.strftime("%-d %b, %H:%M") if self.state != "live" else self.at.strftime("%-d %b %Y")
        self.local_value = self.at.strftime("%Y-%m-%dT%H:%M")
        self.iso = self.at.isoformat()

    @property
    def status_label(self) -> str:
        return S(self.status).label if self.status else ""

    @property
    def movable(self) -> bool:
        return (self.state == "planned" and self.status in rules.MOVABLE and self.post is not None
                and not (self.post.rrule or self.post.series_root_id))

    @property
    def media_label(self) -> str:
        return {"feed": "Photo", "carousel": "Carousel", "reel": "Reel"}.get(self.media, self.media)


@dataclass
class Grid:
    account: InstagramAccount
    zone: ZoneInfo
    tiles: list[Tile]  # this page
    page: int
    has_more: bool
    planned_count: int
    drafts: list[Post] = field(default_factory=list)
    live_source: str = ""


def _prefix(workspace: Workspace) -> str:
    url = reverse("scheduler:asset_file", kwargs={"ws": workspace.slug, "pk": 0, "variant": "thumb"})
    return url[: -len("0/thumb")] + "{}/thumb"


def _with_cover(qs: QuerySet[Post]) -> QuerySet[Post]:
    """The first item's asset: its thumbnail — a video's is its poster frame, the reel's cover — and its shape."""
    return with_first_item(qs.only(*_FIELDS)).annotate(
        cover_id=F("first__asset_id"), cover_thumb=F("first__asset__thumbnail"), cover_w=F("first__asset__width"),
        cover_h=F("first__asset__height"))


def _media_of(post: Post) -> str:
    return str(post.kind)


@lru_cache(maxsize=4)
def _source(path: str) -> Callable[..., list[LiveItem]] | None:
    return import_string(path) if path else None


def live_source() -> Callable[..., list[LiveItem]] | None:
    return _source(getattr(settings, "GRID_LIVE_SOURCE", "") or "")


def _history_top(account: InstagramAccount, limit: int) -> Q:
    """Posts published from here, newest first, as a condition on the grid's one post query (no query of its own)."""
    top = (Post.objects.filter(on_grid(), account_id=account.pk, status=S.PUBLISHED)
           .order_by("-published_at", "-publish_at", "-id").values("pk")[:limit])
    return Q(pk__in=Subquery(top))


def live_items(*, account: InstagramAccount, published: list[Post], limit: int) -> list[LiveItem]:
    """What is on the profile now, pinned first then newest first: the archive, plus posts published here that the
    archive has not seen (yet). `published`: this app's published posts of the account, newest first."""
    source = live_source()
    archived = source(account=account, limit=limit) if source else []
    seen = {item.ig_id for item in archived if item.ig_id}
    history = [LiveItem(key=f"p{p.pk}", at=p.published_at or p.publish_at, media=_media_of(p), thumb=p.thumb,
                        permalink=p.permalink, ig_id=p.ig_media_id, caption=p.caption)
               for p in published if not (p.ig_media_id and p.ig_media_id in seen) and (p.published_at or p.publish_at)]
    items = archived + history
    items.sort(key=lambda i: (not i.pinned, -i.at.timestamp()))
    return items[:limit]


def _free_slots(account: InstagramAccount, taken: set[datetime], count: int) -> list[datetime]:
    grid: dict[int, list[time]] = {}
    for weekday, t in PostingSlot.objects.filter(account_id=account.pk).values_list("weekday", "time"):
        grid.setdefault(weekday, []).append(t)
    out: list[datetime] = []
    after = timezone.now()
    taken = set(taken)
    while grid and len(out) < count:
        slot = next_free_slot(slots=grid, tz=account.workspace.timezone, after_utc=after, taken_utc=taken)
        if slot is None:
            break
        out.append(slot)
        taken.add(slot)
        after = slot
    return out


def _planned(user: Any, account: InstagramAccount) -> QuerySet[Post]:
    """The account's posts that will land on its grid, as this user may see them."""
    return visible_posts(user=user, workspace=account.workspace).filter(
        on_grid(), account=account, status__in=PLANNED, publish_at__isnull=False)


def _planned_tile(post: Post, zone: ZoneInfo) -> Tile:
    """A planned post (read through _with_cover, its `thumb` set) as a tile."""
    return Tile(state="planned", at=post.publish_at.astimezone(zone), media=_media_of(post), thumb=post.thumb,
                post=post, status=post.status, crop=crop_note(post.cover_w, post.cover_h), caption=post.caption,
                key=f"p{post.pk}")


def _link(planned: list[Tile]) -> None:
    """Each planned tile's neighbours in publishing order (the grid lists latest first)."""
    for n, tile in enumerate(planned):
        tile.later = planned[n - 1] if n > 0 else None
        tile.earlier = planned[n + 1] if n + 1 < len(planned) else None


def account_grid(*, user: Any, account: InstagramAccount, page: int = 1, with_slots: bool = True,
                 with_drafts: bool = True, preview: Tile | None = None, exclude_pk: int | None = None) -> Grid:
    """The account's grid, one page of PAGE tiles; constant queries (posts, slots, archive, history)."""
    ws = account.workspace
    zone = ws.tzinfo
    prefix = _prefix(ws)
    page = max(1, page)
    # One query for every post the page may draw: planned, the newest published (live), drafts for the rail.
    live_limit = (9 if preview is not None else page * PAGE) + PINNED_MAX + 1
    wanted_q = on_grid() & Q(status__in=PLANNED, publish_at__isnull=False) | _history_top(account, live_limit)
    if with_drafts:
        wanted_q |= Q(status=S.DRAFT, publish_at__isnull=True)
    qs = visible_posts(user=user, workspace=ws).filter(wanted_q, account=account)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    planned: list[Tile] = []
    drafts: list[Post] = []
    published: list[Post] = []
    for post in _with_cover(qs).order_by("-publish_at", "-id"):
        post.thumb = prefix.format(post.cover_id) if post.cover_thumb else ""
        if post.status == S.PUBLISHED:
            published.append(post)
            continue
        if post.publish_at is None:
            if post.cover_id and post.kind != K.STORY and (post.kind != K.REEL or post.share_to_feed):
                drafts.append(post)
            continue
        planned.append(_planned_tile(post, zone))
    _link(planned)
    upcoming: list[Tile] = list(planned)
    if with_slots:
        taken = {t.at.astimezone(UTC) for t in planned}
        upcoming += [Tile(state="slot", at=s.astimezone(zone), key=f"s{int(s.timestamp())}")
                     for s in _free_slots(account, taken, FREE_SLOTS)]
    if preview is not None:
        upcoming.append(preview)
    upcoming.sort(key=lambda t: -t.at.timestamp())
    # Only as many live posts as this page can reach past the upcoming tiles (+ the pinned, + one for "more").
    wanted = 9 if preview is not None else max(0, page * PAGE - len(upcoming))
    published.sort(key=lambda p: (p.published_at or p.publish_at, p.pk), reverse=True)
    live = live_items(account=account, published=published, limit=wanted + PINNED_MAX + 1)
    pinned = [Tile(state="live", at=i.at.astimezone(zone), media=i.media, thumb=i.thumb, pinned=True,
                   permalink=i.permalink, caption=i.caption, key=i.key) for i in live if i.pinned]
    rest = [Tile(state="live", at=i.at.astimezone(zone), media=i.media, thumb=i.thumb, permalink=i.permalink,
                 caption=i.caption, key=i.key) for i in live if not i.pinned]
    tiles = pinned + upcoming + rest
    start, size = (0, len(tiles)) if preview is not None else ((page - 1) * PAGE, PAGE)
    return Grid(account=account, zone=zone, tiles=tiles[start:start + size], page=page,
                has_more=len(tiles) > start + size, planned_count=len(planned), drafts=drafts,
                live_source="archive" if live_source() else "history")


def tiles_around(*, user: Any, account: InstagramAccount, posts: list[Post], reach: int = 1) -> list[Tile]:
    """The planned tiles of `posts` and of their `reach` nearest planned neighbours on each side, linked to their own
    neighbours as on the full grid, latest first; one query. What a swap redraws: the two posts that traded times
    and the tiles next to them, whose Earlier / Later buttons name them (and their versions)."""
    base = _planned(user, account)
    wanted = Q(pk__in=[p.pk for p in posts])
    for p in posts:
        if p.publish_at is None:
            continue
        # One step further than `reach`, so each tile drawn knows both of its neighbours.
        later = base.filter(Q(publish_at__gt=p.publish_at) | Q(publish_at=p.publish_at, pk__gt=p.pk))
        earlier = base.filter(Q(publish_at__lt=p.publish_at) | Q(publish_at=p.publish_at, pk__lt=p.pk))
        wanted |= Q(pk__in=Subquery(later.order_by("publish_at", "id").values("pk")[:reach + 1]))
        wanted |= Q(pk__in=Subquery(earlier.order_by("-publish_at", "-id").values("pk")[:reach + 1]))
    zone = account.workspace.tzinfo
    prefix = _prefix(account.workspace)
    window = []
    for post in _with_cover(base.filter(wanted)).order_by("-publish_at", "-id"):
        post.thumb = prefix.format(post.cover_id) if post.cover_thumb else ""
        window.append(_planned_tile(post, zone))
    _link(window)
    keys = {f"p{p.pk}" for p in posts}
    centres = [n for n, t in enumerate(window) if t.key in keys]
    near = sorted({m for n in centres for m in range(n - reach, n + reach + 1) if 0 <= m < len(window)})
    return [window[m] for m in near]


def grid_accounts(*, workspace: Workspace) -> list[InstagramAccount]:
    """The workspace's accounts (for the switcher); each carries the workspace already loaded."""
    accounts = list(InstagramAccount.objects.filter(workspace=workspace).only(
        "id", "username", "workspace_id", "status").order_by("username"))
    for account in accounts:
        account.workspace = workspace  # already loaded by workspace_view: no second query
    return accounts


def grid_account(*, workspace: Workspace, pk: int) -> InstagramAccount | None:
    return next((a for a in grid_accounts(workspace=workspace) if a.pk == pk), None)


def preview_window(grid: Grid, rows: int = 3) -> list[Tile]:
    """The preview tile among its neighbours: its row, the rows just above and below."""
    index = next((n for n, t in enumerate(grid.tiles) if t.state == "preview"), 0)
    row = index // 3
    lo = max(0, row - (rows // 2)) * 3
    return grid.tiles[lo:lo + rows * 3]
