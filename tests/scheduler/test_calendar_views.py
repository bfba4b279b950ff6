"""The calendar's pages through Django's full stack: views, filters, roles, series dates, moves, query counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import InstagramAccount
from scheduler.models import Post, PostingSlot
from tests.factories import InstagramAccountFactory
from tests.scheduler.calendar_support import local, post_at, series_at
from tests.scheduler.post_factories import PostFactory

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
S = Post.Status


pytestmark = pytest.mark.usefixtures("frozen_at_module_now")  # tests/scheduler/calendar_support.py


def url(ws, **query):  # noqa: ANN001, ANN003
    base = reverse("scheduler:calendar", kwargs={"ws": ws.slug})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def cards(response) -> list[str]:  # noqa: ANN001
    return [c for c in response.content.decode().split('id="card-')[1:]]


def test_month_shows_posts_in_workspace_time_with_icons(login, social, workspace):
    acct = InstagramAccountFactory(workspace=workspace, username="roastery", status=InstagramAccount.Status.RECONNECT)
    post_at(workspace, local(workspace, "2027-03-12 23:30"), account=acct, caption="Late night latte")
    post_at(workspace, local(workspace, "2027-03-15 10:00"), status=S.FAILED, last_error="(#9004) bad media")
    post_at(workspace, local(workspace, "2027-03-16 10:00"), deferred_reason="Daily cap reached")
    post_at(workspace, local(workspace, "2027-03-17 10:00"), status=S.MANUAL, manual_reason="music")
    r = login(social).get(url(workspace, view="month", date="2027-03-01"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "March 2027" in html
    # 23:30 Berlin is 22:30Z: it belongs on the 12th, drawn at 23:30.
    assert 'data-date="2027-03-12"' in html and ">23:30</time>" in html
    assert 'aria-label="reconnect needed"' in html and 'aria-label="failed"' in html
    assert "Deferred: Daily cap reached" in html and 'aria-label="manual"' in html
    assert html.count('data-movable="1"') == 3  # a manual post is not moved by drag (the service refuses it)
    assert html.count("data-locked=") == html.count('draggable="true"') - 3  # the others say why (issue 23)
    assert 'class="cal-day past' in html  # days before 10 March are drawn as past


def test_week_and_agenda_and_day_views(login, social, workspace):
    acct = InstagramAccountFactory(workspace=workspace, username="beans")
    post_at(workspace, local(workspace, "2027-03-16 14:20"), account=acct)
    PostingSlot.objects.create(account=acct, weekday=2, time=datetime(2000, 1, 1, 9, 30).time())  # Wednesdays
    c = login(social)
    week = c.get(url(workspace, view="week", date="2027-03-17")).content.decode()
    assert "15 Mar – 21 Mar 2027" in week
    assert 'data-date="2027-03-16" data-hour="14"' in week
    assert 'class="cal-slot" data-at="2027-03-17T09:30"' in week  # a free slot as an empty target
    assert f"account={acct.pk}" in week
    agenda = c.get(url(workspace, view="agenda", date="2027-03-10")).content.decode()
    assert "Tuesday 16 March" in agenda and "14:20" in agenda
    day = c.get(url(workspace, view="day", date="2027-03-16")).content.decode()
    assert "Tuesday 16 March 2027" in day and "14:20" in day


def test_busy_day_shows_more_link_that_opens_the_day(login, social, workspace):
    for h in range(8, 20):
        post_at(workspace, local(workspace, f"2027-03-20 {h:02d}:00"))
    html = login(social).get(url(workspace, view="month", date="2027-03-01")).content.decode()
    assert "+9 more" in html
    assert "view=day&amp;date=2027-03-20" in html


def test_future_dates_of_a_series_are_drawn_not_stored(login, social, workspace):
    series_at(workspace, local(workspace, "2027-03-11 10:00"), rule="FREQ=WEEKLY")
    before = Post.objects.count()
    html = login(social).get(url(workspace, view="month", date="2027-04-01")).content.decode()
    # Thursdays in the April grid (29 Mar .. 2 May), all at 10:00 Berlin time, across the 28 March DST change.
    for day in ("2027-04-01", "2027-04-08", "2027-04-15", "2027-04-22", "2027-04-29"):
        assert f'datetime="{day}T10:00:00+02:00"' in html
    assert html.count("cal-card status-approved virtual") == 5
    assert Post.objects.count() == before


def test_filters_narrow_the_cards(login, social, editor, workspace):
    a1 = InstagramAccountFactory(workspace=workspace, username="one")
    a2 = InstagramAccountFactory(workspace=workspace, username="two")
    post_at(workspace, local(workspace, "2027-03-20 10:00"), account=a1, kind=Post.Kind.REEL, author=social)
    post_at(workspace, local(workspace, "2027-03-21 10:00"), account=a2, status=S.DRAFT, author=editor)
    c = login(social)
    assert len(cards(c.get(url(workspace, date="2027-03-01")))) == 2
    assert len(cards(c.get(url(workspace, date="2027-03-01", account=a1.pk)))) == 1
    assert len(cards(c.get(url(workspace, date="2027-03-01", status="draft")))) == 1
    assert len(cards(c.get(url(workspace, date="2027-03-01", kind="reel")))) == 1
    assert len(cards(c.get(url(workspace, date="2027-03-01", author=editor.pk)))) == 1


def test_client_sees_read_only_approved_and_published_only(login, client_user, workspace):
    post_at(workspace, local(workspace, "2027-03-20 10:00"), caption="Approved launch")
    post_at(workspace, local(workspace, "2027-03-21 10:00"), status=S.DRAFT, caption="Secret draft")
    post_at(workspace, local(workspace, "2027-03-22 10:00"), status=S.IN_REVIEW, caption="Under review")
    post_at(workspace, local(workspace, "2027-03-05 10:00"), status=S.PUBLISHED, caption="Went out")
    html = login(client_user).get(url(workspace, date="2027-03-01")).content.decode()
    assert "Approved launch" in html and "Went out" in html
    assert "Secret draft" not in html and "Under review" not in html
    assert 'draggable="true"' not in html and "cal-move" not in html and 'name="status"' not in html


def test_outsider_gets_404_and_anonymous_goes_to_login(client, login, outsider, workspace):
    assert client.get(url(workspace)).status_code == 302
    assert login(outsider).get(url(workspace)).status_code == 404


@pytest.mark.parametrize("view", ["month", "week", "agenda"])
def test_query_count_does_not_grow_with_posts(login, social, workspace, view):
    accounts = [InstagramAccountFactory(workspace=workspace) for _ in range(3)]
    for acct in accounts:
        PostingSlot.objects.create(account=acct, weekday=3, time=datetime(2000, 1, 1, 9, 0).time())
    series_at(workspace, local(workspace, "2027-03-11 08:00"), account=accounts[0])
    c = login(social)

    def count(n_total: int) -> int:
        start = local(workspace, "2027-03-15 00:00")
        have = Post.objects.filter(series_root__isnull=True, rrule="").count()
        for i in range(have, n_total):
            PostFactory(workspace=workspace, account=accounts[i % 3], status=list(S)[i % 5],
                        publish_at=start + timedelta(minutes=37 * i), author=social)
        c.get(url(workspace, view=view, date="2027-03-15"))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url(workspace, view=view, date="2027-03-15"))
        assert r.status_code == 200
        return len(ctx.captured_queries)

    few, many = count(10), count(200)
    assert few == many, (few, many)
    print(view, "queries", many)
    assert many <= 12


def test_move_without_javascript_redirects_with_message(login, social, workspace):
    post = post_at(workspace, local(workspace, "2027-03-20 10:00"))
    c = login(social)
    move = reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": post.pk})
    page = c.get(move, {"view": "month", "date": "2027-03-01"})
    assert page.status_code == 200 and 'type="datetime-local"' in page.content.decode()
    assert 'value="2027-03-20T10:00"' in page.content.decode()
    r = c.post(move, {"at": "2027-03-29T10:00", "version": post.version, "view": "month", "date": "2027-03-01"},
               follow=True)
    post.refresh_from_db()
    assert post.publish_at == local(workspace, "2027-03-29 10:00") == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    assert "Moved to Mon 29 Mar 2027, 10:00" in r.content.decode()


def test_refused_and_conflicting_moves_answer_the_grid_with_the_reason(login, social, workspace):
    post = post_at(workspace, local(workspace, "2027-03-20 10:00"))
    c = login(social)
    move = reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": post.pk})
    hx = {"HTTP_HX_REQUEST": "true", "HTTP_X_CALENDAR": "1"}
    past = c.post(move, {"at": "2027-03-01T10:00", "version": post.version, "date": "2027-03-01"}, **hx)
    assert past.status_code == 422 and "is in the past" in past.content.decode()
    assert 'id="calendar-body"' in past.content.decode()
    ok = c.post(move, {"at": "2027-03-25T10:00", "version": post.version, "date": "2027-03-01"}, **hx)
    assert ok.status_code == 200
    stale = c.post(move, {"at": "2027-03-26T10:00", "version": post.version, "date": "2027-03-01"}, **hx)
    html = stale.content.decode()
    assert stale.status_code == 409 and "Someone else changed this post" in html
    assert f'id="card-p{post.pk}"' in html and 'data-date="2027-03-25"' in html  # the fresh card, where it is now
    post.refresh_from_db()
    assert post.publish_at == local(workspace, "2027-03-25 10:00")
    published = post_at(workspace, local(workspace, "2027-03-09 10:00"), status=S.PUBLISHED)
    r = c.post(reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": published.pk}),
               {"at": "2027-03-28T10:00", "version": published.version}, **hx)
    assert r.status_code == 422 and "published" in r.content.decode()


def test_roles_that_may_not_move(login, editor, client_user, workspace):
    post = post_at(workspace, local(workspace, "2027-03-20 10:00"))
    move = reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": post.pk})
    assert login(editor).post(move, {"at": "2027-03-21T10:00", "version": 1}).status_code == 403
    assert login(client_user).post(move, {"at": "2027-03-21T10:00", "version": 1}).status_code == 403


def test_slots_page_saves_the_weekly_grid(login, social, workspace):
    acct = InstagramAccountFactory(workspace=workspace, username="grid")
    page = reverse("scheduler:posting_slots", kwargs={"ws": workspace.slug, "pk": acct.pk})
    c = login(social)
    assert c.get(page).status_code == 200
    r = c.post(page, {"day0": "09:00, 12:30 18:00", "day4": "7:15", "day6": ""}, follow=True)
    assert "Saved 4 weekly posting slots" in r.content.decode()
    assert sorted((s.weekday, s.time.strftime("%H:%M")) for s in PostingSlot.objects.filter(account=acct)) == [
        (0, "09:00"), (0, "12:30"), (0, "18:00"), (4, "07:15")]
    too_many = ", ".join(f"{h:02d}:{m:02d}" for h in range(13) for m in (0, 30))  # 26 times
    bad = c.post(page, {"day1": too_many, "day2": "noon"})
    assert bad.status_code == 422
    assert "at most 25" in bad.content.decode() and "“noon” is not a time of day" in bad.content.decode()
    assert PostingSlot.objects.filter(account=acct).count() == 4  # nothing half-saved
    other = InstagramAccountFactory()
    assert c.get(reverse("scheduler:posting_slots", kwargs={"ws": workspace.slug, "pk": other.pk})).status_code == 404


@pytest.mark.parametrize("bad", ["9999-12-31", "0001-01-01", "2027-02-30", "yesterday"])
def test_nonsense_dates_show_today(login, social, workspace, bad):
    r = login(social).get(url(workspace, view="month", date=bad))
    assert r.status_code == 200 and "March 2027" in r.content.decode()
