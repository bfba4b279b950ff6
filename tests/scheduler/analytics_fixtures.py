"""A small hand-computed analytics fixture (Acme, Europe/Berlin; time frozen at NOW = Monday 3 May 2027, 10:00).

Default period: the last 30 complete local days, 3 Apr – 2 May 2027; the previous one 4 Mar – 2 Apr.

| post | kind | published (Berlin) | reach | likes | comments | saves | shares | interactions | rate |
|---|---|---|---|---|---|---|---|---|---|
| p1 | feed | Mon 5 Apr 09:00 | 1000 | 40 | 5 | 3 | 2 | 50 | 0.05 |
| p2 | reel | Mon 12 Apr 09:30 | 2000 | 150 | 20 | 20 | 10 | 200 | 0.10 |
| p3 | carousel | Mon 19 Apr 09:10 | 500 | 10 | 2 | 2 | 1 | 15 | 0.03 |
| p4 | story | Tue 20 Apr 18:00 | 400 | – | – | – | 4 | 4 | 0.01 |
| p5 (previous period) | feed | Sat 20 Mar 12:00 | 1000 | 20 | 0 | 0 | 0 | 20 | 0.02 |

Account days: 3 Apr … 2 May followers 1000 + 3·i (i = 0…29; last 1087), reach 100 a day (Σ 3000);
the previous period followers 950, reach 50 a day (Σ 1500).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.models import AccountDay, MetricSnapshot, Post, ReviewEvent
from tests.scheduler.post_factories import PostFactory

BERLIN = ZoneInfo("Europe/Berlin")
POSTS = {  # name: (kind, local published, reach, likes, comments, saved, shares)
    "p1": (Post.Kind.FEED, datetime(2027, 4, 5, 9, 0), 1000, 40, 5, 3, 2),
    "p2": (Post.Kind.REEL, datetime(2027, 4, 12, 9, 30), 2000, 150, 20, 20, 10),
    "p3": (Post.Kind.CAROUSEL, datetime(2027, 4, 19, 9, 10), 500, 10, 2, 2, 1),
    "p4": (Post.Kind.STORY, datetime(2027, 4, 20, 18, 0), 400, None, None, None, 4),
    "p5": (Post.Kind.FEED, datetime(2027, 3, 20, 12, 0), 1000, 20, 0, 0, 0),
}


@pytest.fixture
def analytics_data(workspace, account, editor):
    posts = {}
    for name, (kind, local, reach, likes, comments, saved, shares) in POSTS.items():
        at = local.replace(tzinfo=BERLIN)
        post = PostFactory(workspace=workspace, account=account, kind=kind, status=Post.Status.PUBLISHED,
                           publish_at=at, published_at=at, caption=f"Post {name} #coffee",
                           permalink=f"https://instagram.example/p/{name}")
        # An older, smaller snapshot first: the latest one counts.
        MetricSnapshot.objects.create(post=post, taken_at=at + timedelta(hours=1), reach=10, likes=1)
        MetricSnapshot.objects.create(post=post, taken_at=at + timedelta(days=2), reach=reach, likes=likes,
                                      comments=comments, saved=saved, shares=shares, views=reach * 2)
        posts[name] = post
    # Never in analytics or the report: a draft in the period, and the team's review note on a published post.
    posts["draft"] = PostFactory(workspace=workspace, account=account, status=Post.Status.DRAFT,
                                 publish_at=datetime(2027, 4, 10, 9, tzinfo=BERLIN), caption="SECRET DRAFT caption")
    ReviewEvent.objects.create(post=posts["p1"], actor=editor, action="approved", from_status="in_review",
                               to_status="approved", note="Internal: the client hates emojis")
    first = date(2027, 4, 3)
    AccountDay.objects.bulk_create(
        [AccountDay(account=account, day=first + timedelta(days=i), followers_count=1000 + 3 * i, reach=100,
                    views=300, accounts_engaged=10, total_interactions=12, fetched_at=datetime(2027, 5, 3, tzinfo=BERLIN))
         for i in range(30)]
        + [AccountDay(account=account, day=first - timedelta(days=i), followers_count=950, reach=50, views=100,
                      accounts_engaged=5, total_interactions=6, fetched_at=datetime(2027, 5, 3, tzinfo=BERLIN))
           for i in range(1, 31)])
    return posts
