"""Demo history for `seed_demo`: 90 days of published posts with insights and daily account figures per demo account,
so the calendar's past, the dashboard, a post's charts, analytics and the report show data on a fresh install.

Deterministic (a seeded random per workspace) and plausible: a few posts a week at each brand's usual hours, reels
reaching further than feed images, weekends and the brand's best hours doing a little better. Published posts cannot
go through the publishing engine after the fact, so they are written as rows, like an import; they carry no
Instagram media id, so the hourly insights task leaves them alone. Idempotent: an account with daily figures already
has its history.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts import localtime
from accounts.models import InstagramAccount, User, Workspace
from demo.content import content_for
from scheduler.analytics.periods import day_bounds
from scheduler.models import AccountDay, MediaAsset, MetricSnapshot, Post, PostMedia

HISTORY_DAYS = 90
# Per content set: usual posting hours (local) with how well each does, followers 90 days ago, captions by kind.
BRANDS = {
    "acme": {
        "hours": {7: 1.15, 8: 1.25, 12: 1.0, 15: 0.85, 17: 1.05},
        "followers": 4200,
        "captions": {
            "feed": ["Fresh from the roaster this morning ☕ #coffee", "Our single origin from Huila is back #specialtycoffee",
                     "Flat white weather. #coffeetime", "The first pour of the day never gets old ☀️",
                     "Decaf that tastes like coffee. Really. #decaf", "Oat, almond or whole? Tell us below 👇"],
            "carousel": ["From bean to cup in five steps ➡️ #roasting", "Three ways to brew at home: V60, AeroPress, moka",
                         "This week's pastries, all baked next door 🥐", "Our baristas' favourite cups this month"],
            "reel": ["60 seconds of latte art practice ✨ #latteart", "How we roast: a morning in the roastery 🔥",
                     "Pouring the perfect rosetta (slow motion)", "Cold brew, start to finish"],
            "story": ["Today's special on the board", "Poll: iced or hot today?", "Behind the bar at 7 a.m."],
        },
    },
    "bluebird": {
        "hours": {9: 0.9, 11: 1.1, 13: 1.0, 19: 1.3, 20: 1.2},
        "followers": 2600,
        "captions": {
            "feed": ["New on the front table: this week's hardbacks 📚 #newbooks", "A quiet corner and a good book. #bookshop",
                     "Staff pick: a debut novel we can't stop recommending", "Rainy Saturday? We're open till six. #readmore",
                     "Signed copies just arrived ✍️ #signedbooks", "Poetry shelf, freshly restocked"],
            "carousel": ["Five books for a long weekend ➡️ #tbr", "Our booksellers' picks for the month",
                         "Inside last night's reading with the author", "Children's corner: new picture books"],
            "reel": ["Unboxing this week's delivery 📦 #booktok", "A minute in the shop before opening",
                     "Wrapping a gift the Bluebird way 🎁", "Three sentences from our favourite opening pages"],
            "story": ["Thursday: reading night at 7", "Question box: what should we stock next?", "Shelf of the day"],
        },
    },
}
KIND_WEIGHTS = [(Post.Kind.FEED, 45), (Post.Kind.CAROUSEL, 25), (Post.Kind.REEL, 20), (Post.Kind.STORY, 10)]
KIND_REACH = {Post.Kind.FEED: 1.0, Post.Kind.CAROUSEL: 1.2, Post.Kind.REEL: 1.9, Post.Kind.STORY: 0.45}
# Snapshot ages and how much of the lifetime figures each has reached.
SNAPSHOTS = [(timedelta(hours=1), 0.25), (timedelta(hours=6), 0.55), (timedelta(hours=24), 0.8),
             (timedelta(days=3), 0.95), (timedelta(days=7), 1.0)]


def _metrics(rng: random.Random, kind: str, followers: int, boost: float) -> dict[str, int | None]:
    reach = int(followers * rng.uniform(0.18, 0.42) * KIND_REACH[kind] * boost)
    likes = int(reach * rng.uniform(0.03, 0.08) * boost)
    out = {"reach": reach, "views": int(reach * rng.uniform(1.3, 2.4)), "likes": likes,
           "comments": int(likes * rng.uniform(0.04, 0.14)),
           "saved": int(likes * rng.uniform(0.08, 0.25) * (1.6 if kind == Post.Kind.CAROUSEL else 1)),
           "shares": int(likes * rng.uniform(0.04, 0.18) * (1.5 if kind == Post.Kind.REEL else 1))}
    if kind == Post.Kind.STORY:  # stories have no likes, comments or saves
        out.update(likes=None, comments=None, saved=None, shares=int(reach * rng.uniform(0.002, 0.01)))
    return out


def _pick_kind(rng: random.Random) -> str:
    return rng.choices([k for k, _ in KIND_WEIGHTS], weights=[w for _, w in KIND_WEIGHTS])[0]


@transaction.atomic
def history_create(*, account: InstagramAccount, author: User | None, assets: list[MediaAsset],
                   today: date) -> int:
    """90 days before ``today`` (local): posts, their snapshots and one AccountDay per day. Returns posts made."""
    ws = account.workspace
    tz = ws.tzinfo
    brand = BRANDS[content_for(ws)]
    rng = random.Random(f"pressroom-demo-history:{ws.slug}:{account.username}")
    now = timezone.now()
    first = today - timedelta(days=HISTORY_DAYS)
    followers = brand["followers"]
    posts, plans, days = [], [], []
    for i in range(HISTORY_DAYS):
        day = first + timedelta(days=i)
        weekend = day.weekday() >= 5
        day_reach = 0
        for _slot in range(2):  # about four or five posts a week
            if rng.random() > 0.33:
                continue
            hour = rng.choice(list(brand["hours"]))
            at = localtime.to_instant(datetime.combine(day, time(hour, rng.choice((0, 0, 15, 30, 45)))), tz)
            if at >= now:
                continue
            kind = _pick_kind(rng)
            boost = brand["hours"][hour] * (1.15 if weekend else 1.0)
            metrics = _metrics(rng, kind, followers, boost)
            caption = rng.choice(brand["captions"][kind])
            posts.append(Post(workspace=ws, account=account, kind=kind, caption=caption, status=Post.Status.PUBLISHED,
                              publish_at=at, published_at=at, author=author))
            plans.append((kind, at, metrics))
            day_reach += metrics["reach"]
        followers += rng.randint(1, 9) + (3 if day_reach else 0)
        account_reach = int(followers * rng.uniform(0.12, 0.2) + day_reach * 0.6)
        engaged = int(account_reach * rng.uniform(0.03, 0.06))
        start, end = day_bounds(day, tz)
        days.append(AccountDay(account=account, day=day, followers_count=followers, media_count=None,
                               reach=account_reach, views=int(account_reach * rng.uniform(1.5, 2.2)),
                               accounts_engaged=engaged, total_interactions=int(engaged * rng.uniform(1.2, 1.8)),
                               fetched_at=end + timedelta(minutes=7)))
    created = Post.objects.bulk_create(posts)
    items, snaps = [], []
    stills = [a for a in assets if a.kind != MediaAsset.Kind.VIDEO] or assets
    for post, (kind, at, metrics) in zip(created, plans, strict=True):
        count = 3 if kind == Post.Kind.CAROUSEL else 1
        offset = rng.randrange(len(stills))
        for position in range(count):
            items.append(PostMedia(post=post, asset=stills[(offset + position) % len(stills)], position=position))
        for age, share in SNAPSHOTS:
            if at + age > now:
                break
            snaps.append(MetricSnapshot(post=post, taken_at=at + age, **{
                k: (None if v is None else int(v * share)) for k, v in metrics.items()}))
    PostMedia.objects.bulk_create(items)
    MetricSnapshot.objects.bulk_create(snaps)
    AccountDay.objects.bulk_create(days, ignore_conflicts=True)
    return len(created)


def seed_demo_history(command, workspaces: dict[str, Workspace]) -> None:  # noqa: ANN001
    author = User.objects.filter(username="social").first()
    for ws in workspaces.values():
        assets = list(MediaAsset.objects.filter(workspace=ws).order_by("pk"))
        for account in InstagramAccount.objects.filter(workspace=ws).select_related("workspace"):
            if AccountDay.objects.filter(account=account).exists() or not assets:
                continue
            today = timezone.localdate(timezone=ws.tzinfo)
            made = history_create(account=account, author=author, assets=assets, today=today)
            command.stdout.write(f"  {ws.name}: {HISTORY_DAYS} days of history for @{account.username} "
                                 f"({made} published posts with insights)")
