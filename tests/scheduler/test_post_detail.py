"""Post detail: the whole history (review notes, publish attempts with Instagram's error), the metrics chart, the
preview, a constant query count however long the history and however many snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduler.models import MetricSnapshot, Post, PublishAttempt, ReviewEvent
from tests.factories import InstagramAccountFactory
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory

S = Post.Status
T0 = datetime(2027, 5, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def published(workspace, social):
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    post = PostFactory(workspace=workspace, account=account, kind=Post.Kind.CAROUSEL, status=S.PUBLISHED,
                       caption="Three roasts #coffee", publish_at=T0, published_at=T0, author=social,
                       permalink="https://www.instagram.com/p/Cabc123/",
                       media=[MediaAssetFactory(workspace=workspace) for _ in range(3)])
    return post


def _history(post, events: int, attempts: int, start: int = 0) -> None:
    ReviewEvent.objects.bulk_create(
        ReviewEvent(post=post, actor=post.author, action="edited", from_status="draft", to_status="draft",
                    note=f"note {start + i}") for i in range(events))
    PublishAttempt.objects.bulk_create(
        PublishAttempt(post=post, number=start + i + 1, started_at=T0 + timedelta(minutes=i), outcome="retry",
                       error_code="2", error_message=f"Service temporarily unavailable {start + i}")
        for i in range(attempts))


def _snapshots(post, n: int, start: int = 0) -> None:
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(post=post, taken_at=T0 + timedelta(hours=start + i), likes=10 * (start + i), comments=start + i,
                       views=100 * (start + i), reach=80 * (start + i)) for i in range(n))


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_same_for_short_and_long_history_and_many_snapshots(login, social, workspace, published):
    client = login(social)
    url = reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": published.pk})
    _history(published, events=1, attempts=1)  # + the factory-less "created"? none: 2 rows of history in all
    _snapshots(published, 2)
    client.get(url)  # warm per-session lookups
    few = _queries(client, url)
    _history(published, events=24, attempts=24, start=1)  # 50 history rows
    assert _queries(client, url) == few
    _snapshots(published, 198, start=2)  # 200 snapshots
    body = client.get(url).content.decode()
    assert _queries(client, url) == few
    assert body.count('class="attempt') == 25 and body.count('class="event"') == 25
    assert body.count("<polyline") == 4  # likes, comments, views, reach


def test_history_shows_notes_and_instagrams_error_in_time_order(login, editor, workspace, published):
    ReviewEvent.objects.create(post=published, actor=editor, action="changes_requested", from_status="in_review",
                               to_status="draft", note="Use the brighter photo first")
    earlier = datetime(2025, 1, 1, tzinfo=UTC)  # the review event is stamped now (auto_now_add)
    PublishAttempt.objects.create(post=published, number=1, started_at=earlier, outcome="failed", error_code="9004",
                                  error_subcode="2207052", error_message="The media could not be fetched from this URI")
    body = login(editor).get(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": published.pk}))
    html = body.content.decode()
    assert "Use the brighter photo first" in html
    assert "Instagram said: The media could not be fetched from this URI (code 9004/2207052)" in html
    assert html.index("publishing attempt 1") < html.index("Use the brighter photo first")


def test_metrics_chart_plots_each_series_oldest_first(login, client_user, workspace, published):
    _snapshots(published, 3, start=1)  # likes 10, 20, 30
    html = login(client_user).get(
        reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": published.pk})).content.decode()
    likes = html.split('data-metric="likes"')[1].split("</figure>")[0]
    points = likes.split('points="')[1].split('"')[0].split()
    ys = [float(p.split(",")[1]) for p in points]
    assert len(points) == 3 and ys[0] > ys[1] > ys[2]  # rising line: SVG y grows downwards
    assert "Likes: 30 at" in likes and "<strong>30</strong>" in html


def test_preview_shows_the_carousel_in_order(login, social, workspace, published):
    html = login(social).get(
        reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": published.pk})).content.decode()
    ids = list(published.items.order_by("position").values_list("asset_id", flat=True))
    preview = html.split('id="preview"')[1]
    assert [int(x.split('"')[0]) for x in preview.split('data-asset="')[1:4]] == ids
    assert preview.count("<i") >= 3 and "1/3" in preview


def test_no_metrics_yet_says_so(login, social, workspace, published):
    html = login(social).get(
        reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": published.pk})).content.decode()
    assert "Insights appear here within an hour of publishing." in html and "<polyline" not in html


def test_a_series_shows_its_summary_and_next_dates(login, social, workspace):
    account = InstagramAccountFactory(workspace=workspace)
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED, publish_at=T0, occurrence_at=T0,
                       rrule="FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=10;BYMINUTE=0;COUNT=20")
    html = login(social).get(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk})).content.decode()
    assert "Every Monday and Thursday at 10:00, 20 times" in html
    assert "Next dates: " in html and "Mon 3 May, 10:00" in html and "Thu 13 May, 10:00" in html


def test_clients_see_results_but_not_the_teams_review_notes(login, client_user, editor, workspace, published):
    ReviewEvent.objects.create(post=published, actor=editor, action="approved", from_status="in_review",
                               to_status="approved", note="Internal: client asked for fewer emojis")
    _snapshots(published, 2)
    html = login(client_user).get(
        reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": published.pk})).content.decode()
    assert "Internal: client asked" not in html and "<polyline" in html and 'id="preview"' in html
