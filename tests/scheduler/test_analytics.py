"""Analytics: metric definitions on the hand-computed fixture (analytics_fixtures.py), the pages, query counts,
best time to post and "Use as posting slots" (nothing changes until confirmed)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.urls import reverse
from pytest_django.asserts import assertNumQueries  # noqa: F401

from scheduler.analytics import figures
from scheduler.models import MetricSnapshot, Post, PostingSlot
from tests.scheduler.analytics_fixtures import *  # noqa: F403 (the analytics_data fixture)
from tests.scheduler.post_factories import PostFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def url(name, workspace, **query):
    base = reverse(f"scheduler:{name}", kwargs={"ws": workspace.slug})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# ------------------------------------------------------------------------------------------ pure definitions
def test_engagement_rate_is_interactions_over_reach():
    assert figures.interactions(likes=40, comments=5, saved=3, shares=2) == 50
    assert figures.engagement_rate(50, 1000) == 0.05
    assert figures.interactions(likes=None, comments=None, saved=None, shares=4) == 4  # a story: shares only
    assert figures.interactions(likes=None, comments=None, saved=None, shares=None) is None
    assert figures.engagement_rate(50, 0) is None and figures.engagement_rate(None, 10) is None


def test_medians_odd_and_even():
    assert figures.median([0.05, 0.10, 0.03]) == 0.05
    assert figures.median([0.02, 0.04, 0.06, 0.10]) == pytest.approx(0.05)
    assert figures.median([]) is None


def test_heatmap_threshold_greys_cells_with_too_few_posts():
    berlin = __import__("zoneinfo").ZoneInfo("Europe/Berlin")
    mon9 = [datetime(2027, 4, d, 7, m, tzinfo=UTC) for d, m in ((5, 0), (12, 30), (19, 10))]  # Mondays 09:xx Berlin
    tue18 = [datetime(2027, 4, 20, 16, 0, tzinfo=UTC), datetime(2027, 4, 27, 16, 5, tzinfo=UTC)]
    heat = figures.heatmap(list(zip(mon9, [0.05, 0.10, 0.03], strict=True))
                           + list(zip(tue18, [0.50, 0.70], strict=True)) + [(mon9[0], None)], berlin, min_posts=3)
    monday, tuesday = heat.rows[0][1], heat.rows[1][1]
    assert (monday[9].count, monday[9].median, monday[9].enough) == (3, 0.05, True)
    assert (tuesday[18].count, tuesday[18].median, tuesday[18].enough) == (2, 0.60, False)  # better, but only 2 posts
    assert heat.posts == 5  # the post without a rate is not counted
    assert [(c.weekday, c.hour) for c in heat.top(3)] == [(0, 9)]  # greyed cells are never proposed


# ------------------------------------------------------------------------------------------ the analytics page
def test_analytics_page_figures(login, social, workspace, analytics_data):
    html = login(social).get(url("analytics", workspace)).content.decode()
    assert "3 Apr 2027 – 2 May 2027" in html and "4 Mar – 2 Apr 2027" in html
    kpi = {k: html.split(f'data-kpi="{k}"')[1].split("</div>")[0] for k in
           ("followers", "reach", "posts-published", "engagement-rate")}
    assert "<strong>1,087</strong>" in kpi["followers"] and "before: 950" in kpi["followers"]
    assert "+14.4 %" in kpi["followers"]  # (1087 − 950) ÷ 950
    assert "<strong>3,000</strong>" in kpi["reach"] and "+100.0 %" in kpi["reach"]
    assert "<strong>4</strong>" in kpi["posts-published"] and "before: 1" in kpi["posts-published"]
    # 269 interactions ÷ 3,900 reach = 6.9 %; the month before 20 ÷ 1,000 = 2.0 %.
    assert "<strong>6.9 %</strong>" in kpi["engagement-rate"] and "before: 2.0 %" in kpi["engagement-rate"]
    assert "Engagement rate</strong> = interactions ÷ reach" in html
    top = html.split('class="plain ranked top-posts"')[1].split("</ol>")[0]
    assert top.index("Post p2") < top.index("Post p1") < top.index("Post p3") < top.index("Post p4")
    kinds = {k: html.split(f'data-kind="{k}"')[1].split("</tr>")[0] for k in ("feed", "reel", "carousel", "story")}
    assert "<td class=\"n\">1</td>" in kinds["feed"] and "5.0 %" in kinds["feed"] and "10.0 %" in kinds["reel"]
    assert "SECRET DRAFT" not in html and "Post p5" not in html.split('id="posts"')[1]
    assert "<polyline" in html and "followers-chart" in html
    assert "12 Apr 2027, 09:30" in html  # in the workspace's zone (07:30 UTC)


def test_analytics_table_sorts_and_filters(login, social, workspace, account, analytics_data):
    c = login(social)
    html = c.get(url("analytics", workspace, sort="reach", dir="asc")).content.decode()
    table = html.split('id="posts"')[1]
    assert table.index("Post p4") < table.index("Post p3") < table.index("Post p1") < table.index("Post p2")
    html = c.get(url("analytics", workspace, start="2027-04-10", end="2027-04-19")).content.decode()
    table = html.split('id="posts"')[1]
    assert "Post p2" in table and "Post p3" in table and "Post p1" not in table
    bad = c.get(url("analytics", workspace, start="2027-04-19", end="2027-04-10")).content.decode()
    assert "The end date is before the start date." in bad and 'value="2027-04-19"' in bad  # nothing lost


def test_analytics_query_count_does_not_grow_with_posts(login, social, workspace, account, analytics_data,
                                                        django_assert_max_num_queries):
    c = login(social)
    c.get(url("analytics", workspace))  # the first page of a session stores the workspace in it
    for n in range(30):
        post = PostFactory(workspace=workspace, account=account, status=Post.Status.PUBLISHED,
                           published_at=datetime(2027, 4, 21, 8, n, tzinfo=UTC), kind=Post.Kind.FEED)
        MetricSnapshot.objects.create(post=post, taken_at=datetime(2027, 4, 22, tzinfo=UTC), reach=100 + n, likes=n)
    with django_assert_max_num_queries(12):
        assert c.get(url("analytics", workspace)).status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get(url("report", workspace, month="2027-04")).status_code == 200


# ------------------------------------------------------------------------------------------ best time to post
def test_best_time_heatmap_shows_median_and_count(login, social, workspace, account, analytics_data):
    html = login(social).get(url("best_time", workspace, account=account.pk)).content.decode()
    mon9 = html.split('data-cell="0:9"')[1].split("</td>")[0]
    assert 'data-count="3"' in mon9 and "lvl" in html.split('data-cell="0:9"')[0].rsplit("<td", 1)[1]
    assert '<span class="rate">5 %</span><span class="count">3</span>' in mon9
    tue18 = html.split('data-cell="1:18"')[0].rsplit("<td", 1)[1]
    assert 'class="few"' in tue18  # one post: greyed
    assert "Use as posting slots" in html


def test_use_as_posting_slots_changes_nothing_until_confirmed(login, social, workspace, account, analytics_data):
    PostingSlot.objects.create(account=account, weekday=4, time=time(15, 0))
    c = login(social)
    page = c.get(url("best_time_slots", workspace, account=account.pk, n=3)).content.decode()
    assert "Monday 09:00" in page and "Friday 15:00" in page  # the proposal beside the current grid
    assert list(PostingSlot.objects.values_list("weekday", "time")) == [(4, time(15, 0))]  # unchanged by the GET
    response = c.post(reverse("scheduler:best_time_slots", kwargs={"ws": workspace.slug}),
                      {"account": account.pk, "cell": ["0:9"]})
    assert response.status_code == 302
    assert list(PostingSlot.objects.values_list("weekday", "time")) == [(0, time(9, 0))]


def test_clients_may_look_but_not_set_slots(login, client_user, workspace, account, analytics_data):
    c = login(client_user)
    html = c.get(url("best_time", workspace, account=account.pk)).content.decode()
    assert "Use as posting slots" not in html
    assert c.get(url("best_time_slots", workspace, account=account.pk)).status_code == 403
    assert c.post(reverse("scheduler:best_time_slots", kwargs={"ws": workspace.slug}),
                  {"account": account.pk, "cell": ["0:9"]}).status_code == 403
    assert not PostingSlot.objects.exists()
