"""Issue 25: the calendar reads what it draws. The month and week grids pick their first cards per local day / hour
in SQL and count the rest; the agenda is keyset-paged with the series' drawn dates interleaved.

Every expectation is counted here, from the fixture's own list of local times, never from the calendar's code."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from scheduler.models import Post, PostingSlot
from tests.factories import InstagramAccountFactory
from tests.scheduler.calendar_support import local, post_at, series_at

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
S = Post.Status
# From the docs: what a month cell, a week hour cell and a week's day column show; free slot links an hour cell offers.
MONTH_CARDS, HOUR_CARDS, DAY_CARDS, SLOT_LINKS = 3, 2, 12, 4


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def page(c, ws, **query) -> str:  # noqa: ANN001, ANN003
    r = c.get(reverse("scheduler:calendar", kwargs={"ws": ws.slug}), query)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def month_cells(html: str) -> dict[str, tuple[list[str], int]]:
    """data-date → (card keys in order, the "+N more" number)."""
    out = {}
    for m in re.finditer(r'<td class="cal-day[^"]*" data-date="([\d-]+)"[^>]*>(.*?)</td>', html, re.S):
        more = re.search(r"\+(\d+) more", m.group(2))
        out[m.group(1)] = (re.findall(r'id="card-([^"]+)"', m.group(2)), int(more.group(1)) if more else 0)
    return out


def week_cells(html: str) -> dict[tuple[str, int], tuple[list[str], int]]:
    out = {}
    for m in re.finditer(r'<td class="cal-hour[^"]*" data-date="([\d-]+)" data-hour="(\d+)"[^>]*>(.*?)</td>', html, re.S):
        more = re.search(r"\+(\d+) more", m.group(3))
        out[(m.group(1), int(m.group(2)))] = (re.findall(r'id="card-([^"]+)"', m.group(3)),
                                              int(more.group(1)) if more else 0)
    return out


def occ(instant: datetime) -> str:
    return str(int(instant.timestamp()))


# ------------------------------------------------------------------------------------------------- month and week


def test_month_day_with_more_posts_than_fit_draws_the_same_cards_and_count(login, social, workspace):
    """28 March 2027 is 23 hours long in Berlin. Six posts that day (two at the same minute), one the evening before
    and one just after midnight, and a daily series that draws one date on the 28th at 12:00."""
    acct = InstagramAccountFactory(workspace=workspace)
    times = ["2027-03-28 00:30", "2027-03-28 01:15", "2027-03-28 03:30", "2027-03-28 10:00", "2027-03-28 10:00",
             "2027-03-28 23:45", "2027-03-27 23:30", "2027-03-29 00:10"]
    posts = [post_at(workspace, local(workspace, t), account=acct) for t in times]
    root = series_at(workspace, local(workspace, "2027-03-20 12:00"), rule="FREQ=DAILY", account=acct)
    html = page(login(social), workspace, view="month", date="2027-03-15")
    cells = month_cells(html)
    # the 28th: by time, then id: 00:30, 01:15, 03:30 drawn; 10:00 ×2, 12:00 (series), 23:45 hidden → "+4 more"
    assert cells["2027-03-28"] == ([f"p{posts[0].pk}", f"p{posts[1].pk}", f"p{posts[2].pk}"], 4)
    # the 27th: the series' 12:00 date then the 23:30 post, nothing hidden
    sat = local(workspace, "2027-03-27 12:00")
    assert cells["2027-03-27"] == ([f"s{root.pk}-{occ(sat)}", f"p{posts[6].pk}"], 0)
    assert cells["2027-03-29"] == ([f"p{posts[7].pk}", f"s{root.pk}-{occ(local(workspace, '2027-03-29 12:00'))}"], 0)
    # a day of the series alone, and the root's own day
    assert cells["2027-03-21"] == ([f"s{root.pk}-{occ(local(workspace, '2027-03-21 12:00'))}"], 0)
    assert cells["2027-03-20"] == ([f"p{root.pk}"], 0)


def test_series_dates_come_first_when_they_are_earlier(login, social, workspace):
    """The three drawn cards of a day may be series dates ahead of stored posts read from SQL."""
    acct = InstagramAccountFactory(workspace=workspace)
    roots = [series_at(workspace, local(workspace, f"2027-03-16 0{h}:00"), rule="FREQ=WEEKLY", account=acct)
             for h in (6, 7)]
    posts = [post_at(workspace, local(workspace, f"2027-03-23 {h}:00"), account=acct) for h in (5, 8, 9, 10)]
    cells = month_cells(page(login(social), workspace, view="month", date="2027-03-15"))
    assert cells["2027-03-23"] == ([f"p{posts[0].pk}", f"s{roots[0].pk}-{occ(local(workspace, '2027-03-23 06:00'))}",
                                    f"s{roots[1].pk}-{occ(local(workspace, '2027-03-23 07:00'))}"], 3)


def test_week_hour_cells_and_the_repeated_hour(login, social, workspace):
    """Week of 25 October 2027: Berlin's 02:00 hour happens twice on Sunday the 31st (CEST, then CET)."""
    acct = InstagramAccountFactory(workspace=workspace)
    busy = [post_at(workspace, local(workspace, f"2027-10-26 10:{m:02d}"), account=acct) for m in (50, 5, 20, 35)]
    first = datetime(2027, 10, 31, 0, 0, tzinfo=UTC)  # 02:00 CEST
    second = datetime(2027, 10, 31, 1, 0, tzinfo=UTC)  # 02:00 CET
    passes = [post_at(workspace, first + timedelta(minutes=m), account=acct) for m in (10, 20, 30)]
    passes += [post_at(workspace, second + timedelta(minutes=m), account=acct) for m in (5, 15)]
    cells = week_cells(page(login(social), workspace, view="week", date="2027-10-27"))
    by_time = sorted(busy, key=lambda p: p.publish_at)
    assert cells[("2027-10-26", 10)] == ([f"p{by_time[0].pk}", f"p{by_time[1].pk}"], 2)
    # the repeated hour is capped like any cell (its two passes share the cell's first cards) and counts five cards
    keys, more = cells[("2027-10-31", 2)]
    assert keys == [f"p{p.pk}" for p in passes[:HOUR_CARDS]] and more == 5 - HOUR_CARDS


def test_week_day_column_draws_its_first_cards_and_counts_the_rest(login, social, workspace):
    """Tuesday 16 March 2027: one post at :10 of each hour 00–15, two more at 03:20 and 03:30, and a weekly series
    (from the 9th) whose date falls at 01:30. In time order, at most HOUR_CARDS an hour, the day column draws its
    first DAY_CARDS: 00:10, 01:10, 01:30 (series), 02:10, 03:10, 03:20, 04:10 … 09:10 — twelve. 03:30 and the hours
    10–15 are counted, not drawn."""
    acct = InstagramAccountFactory(workspace=workspace)
    hourly = {h: post_at(workspace, local(workspace, f"2027-03-16 {h:02d}:10"), account=acct) for h in range(16)}
    extra = [post_at(workspace, local(workspace, f"2027-03-16 03:{m}"), account=acct) for m in (20, 30)]
    root = series_at(workspace, local(workspace, "2027-03-09 01:30"), rule="FREQ=WEEKLY", account=acct)
    cells = week_cells(page(login(social), workspace, view="week", date="2027-03-16"))
    day = "2027-03-16"
    assert cells[(day, 0)] == ([f"p{hourly[0].pk}"], 0)
    assert cells[(day, 1)] == ([f"p{hourly[1].pk}", f"s{root.pk}-{occ(local(workspace, '2027-03-16 01:30'))}"], 0)
    assert cells[(day, 2)] == ([f"p{hourly[2].pk}"], 0)
    assert cells[(day, 3)] == ([f"p{hourly[3].pk}", f"p{extra[0].pk}"], 1)  # 03:30: over the hour's two
    for h in range(4, 10):
        assert cells[(day, h)] == ([f"p{hourly[h].pk}"], 0), h
    for h in range(10, 16):  # the day's twelve are drawn: these hours show only their count
        assert cells[(day, h)] == ([], 1), h
    assert sum(len(keys) for (d, _), (keys, _) in cells.items() if d == day) == DAY_CARDS
    # The day view behind "+1 more" draws all nineteen.
    html = page(login(social), workspace, view="day", date=day)
    assert len(re.findall(r'id="card-', html)) == 16 + 2 + 1


def test_week_cell_offers_a_few_free_slots_and_counts_the_rest(login, social, workspace):
    """Six accounts with a free Tuesday 09:00 slot: the cell links SLOT_LINKS of them (by username) and counts 2."""
    accounts = [InstagramAccountFactory(workspace=workspace, username=f"slot_{i}") for i in range(6)]
    for acct in accounts:
        PostingSlot.objects.create(account=acct, weekday=1, time=datetime(2000, 1, 1, 9, 0).time())
    html = page(login(social), workspace, view="week", date="2027-03-16")
    cell = re.search(r'data-date="2027-03-16" data-hour="9"[^>]*>(.*?)</td>', html, re.S).group(1)
    assert re.findall(r'class="cal-slot"[^>]*>09:00 @(slot_\d)<', cell) == ["slot_0", "slot_1", "slot_2", "slot_3"]
    assert "+2 free slots" in cell


def test_a_slot_taken_by_a_post_beyond_the_cards_shown_is_not_offered(login, social, workspace):
    acct = InstagramAccountFactory(workspace=workspace)
    PostingSlot.objects.create(account=acct, weekday=1, time=datetime(2000, 1, 1, 9, 45).time())  # Tuesdays 09:45
    other = InstagramAccountFactory(workspace=workspace)
    PostingSlot.objects.create(account=other, weekday=1, time=datetime(2000, 1, 1, 9, 45).time())
    for m in (0, 10, 20):
        post_at(workspace, local(workspace, f"2027-03-16 09:{m:02d}"), account=other)
    post_at(workspace, local(workspace, "2027-03-16 09:45"), account=acct)  # third card of the hour: not drawn
    html = page(login(social), workspace, view="week", date="2027-03-16")
    cell = re.search(r'data-date="2027-03-16" data-hour="9"[^>]*>(.*?)</td>', html, re.S).group(1)
    assert "+2 more" in cell
    assert f"@{other.username}" in cell and f"09:45 @{acct.username}" not in cell


# ------------------------------------------------------------------------------------------------- the agenda


def _bulk(ws, acct, instants, statuses) -> list[Post]:  # noqa: ANN001
    Post.objects.bulk_create(Post(workspace=ws, account=acct, kind="feed", caption=f"Bulk {i}", publish_at=t,
                                  status=statuses[i % len(statuses)]) for i, t in enumerate(instants))
    return list(Post.objects.filter(workspace=ws, caption__startswith="Bulk ").order_by("publish_at", "id"))


def walk(c, ws, htmx: bool, **query) -> tuple[list[str], list[str]]:  # noqa: ANN001, ANN003
    """Every page of the agenda from its first, following "Load more" (its plain link, or the HTMX request)."""
    url = reverse("scheduler:calendar", kwargs={"ws": ws.slug}) + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    keys, statuses, pages = [], [], 0
    headers = {}
    while url:
        r = c.get(url.replace("&amp;", "&"), **headers)
        assert r.status_code == 200
        html = r.content.decode()
        keys += re.findall(r'id="card-([^"]+)"', html)
        statuses += re.findall(r'<article class="cal-card status-(\w+)', html)
        more = re.search(r'id="agenda-more"><a class="button" href="([^"]+)"', html)
        url = more.group(1) if more else ""
        pages += 1
        if htmx:
            headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "agenda-more"}
        assert pages < 50
    return keys, statuses


@pytest.mark.parametrize("htmx", [False, True])
def test_agenda_pages_cover_every_card_once_in_order_across_dst(login, social, workspace, htmx):
    """250 posts every 80 minutes from 22 March (Berlin springs forward on the 28th), plus a daily series: the
    pages, followed to the end, hold every card of the two weeks exactly once, in time order."""
    acct = InstagramAccountFactory(workspace=workspace)
    start = local(workspace, "2027-03-22 00:20")
    posts = _bulk(workspace, acct, [start + timedelta(minutes=80 * i) for i in range(250)], [S.APPROVED, S.DRAFT])
    root = series_at(workspace, local(workspace, "2027-03-21 09:20"), rule="FREQ=DAILY", account=acct)
    end = local(workspace, "2027-04-05 00:00")
    expected = [(p.publish_at, p.pk, 0, f"p{p.pk}") for p in posts if p.publish_at < end]
    day = datetime(2027, 3, 22, 9, 20)
    while True:  # the series at 09:20 local each day, by the wall clock (the 28th is 23 hours long)
        instant = local(workspace, day.strftime("%Y-%m-%d %H:%M"))
        if instant >= end:
            break
        expected.append((instant, root.pk, 1, f"s{root.pk}-{occ(instant)}"))
        day += timedelta(days=1)
    expected.sort()
    keys, _ = walk(login(social), workspace, htmx, view="agenda", date="2027-03-22")
    assert len(expected) > 200  # more than two pages
    assert keys == [k for *_, k in expected]
    assert len(set(keys)) == len(keys)


def test_agenda_cursor_survives_a_reload_and_keeps_filters(login, social, workspace):
    acct = InstagramAccountFactory(workspace=workspace)
    other = InstagramAccountFactory(workspace=workspace)
    start = local(workspace, "2027-03-22 08:00")
    _bulk(workspace, acct, [start + timedelta(minutes=30 * i) for i in range(150)], [S.APPROVED])
    _bulk(workspace, other, [start + timedelta(minutes=30 * i + 1) for i in range(150)], [S.APPROVED])
    c = login(social)
    html = page(c, workspace, view="agenda", date="2027-03-22", account=acct.pk)
    link = re.search(r'id="agenda-more"><a class="button" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f"account={acct.pk}" in link and "after=" in link
    again = c.get(link).content.decode()  # a reload of the pushed URL: the same second page
    assert re.findall(r'id="card-([^"]+)"', c.get(link).content.decode()) == re.findall(r'id="card-([^"]+)"', again)
    keys = re.findall(r'data-post="(\d+)"', again)
    assert len(keys) == 50 and set(map(int, keys)) <= set(Post.objects.filter(account=acct).values_list("pk", flat=True))
    assert "From the start" in again


def test_client_sees_only_approved_and_published_on_every_page(login, client_user, workspace):
    Membership.objects.get_or_create(user=client_user, workspace=workspace)
    acct = InstagramAccountFactory(workspace=workspace)
    start = local(workspace, "2027-03-22 00:10")
    statuses = [S.APPROVED, S.DRAFT, S.PUBLISHED, S.IN_REVIEW, S.FAILED, S.CANCELLED, S.MANUAL]
    posts = _bulk(workspace, acct, [start + timedelta(minutes=20 * i) for i in range(700)], statuses)
    series_at(workspace, local(workspace, "2027-03-21 09:00"), rule="FREQ=DAILY", account=acct, status=S.DRAFT)
    end = local(workspace, "2027-04-05 00:00")
    visible = [f"p{p.pk}" for p in posts if p.publish_at < end and p.status in (S.APPROVED, S.PUBLISHED)]
    keys, seen = walk(login(client_user), workspace, False, view="agenda", date="2027-03-22")
    assert keys == visible
    assert set(seen) <= {"approved", "published"}


def test_agenda_query_count_is_the_same_for_page_1_and_page_10(login, social, workspace):
    acct = InstagramAccountFactory(workspace=workspace)
    start = local(workspace, "2027-03-22 00:05")
    _bulk(workspace, acct, [start + timedelta(minutes=15 * i) for i in range(1200)], [S.APPROVED, S.DRAFT])
    series_at(workspace, local(workspace, "2027-03-21 09:00"), rule="FREQ=DAILY", account=acct)
    c = login(social)
    base = reverse("scheduler:calendar", kwargs={"ws": workspace.slug})
    url, counts = f"{base}?view=agenda&date=2027-03-22", []
    c.get(url)  # warm the session
    for n in range(10):
        with CaptureQueriesContext(connection) as ctx:
            html = c.get(url).content.decode()
        counts.append(len(ctx.captured_queries))
        assert html.count('id="card-') == 100, n
        url = re.search(r'id="agenda-more"><a class="button" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert counts[0] == counts[9] and len(set(counts)) == 1, counts
    assert counts[0] <= 10


# ------------------------------------------------------------------------------------------ cards made from plain rows


def test_a_card_post_made_from_its_row_is_the_post_the_orm_reads(social, workspace):
    """The grid reads plain rows and makes Post instances only for the cards it draws, without Model.__init__. The
    instance must be what the ORM's own `.only()` read gives: same loaded values, same deferred fields, the account
    loaded with it, and nothing running at init that would be skipped."""
    from django.db.models import signals

    from accounts.models import InstagramAccount
    from scheduler.selectors import calendar as cal

    for model in (Post, InstagramAccount):
        assert not signals.pre_init.has_listeners(model) and not signals.post_init.has_listeners(model)
    when = datetime(2027, 3, 12, 8, 15, tzinfo=UTC)
    post = post_at(workspace, when, caption="Flat white\nsecond line", status=S.FAILED, last_error="Media expired")
    lo, hi = when - timedelta(hours=1), when + timedelta(hours=1)
    qs = cal.calendar_posts(user=social, workspace=workspace, start_utc=lo, end_utc=hi, filters=cal.Filters())
    orm = qs.get(pk=post.pk)
    [row] = cal.card_rows(qs)
    entry = cal.make_card((row.publish_at, row.pk, 0, row, row.status, ""), workspace.tzinfo, {})
    made = entry.post
    assert made.get_deferred_fields() == orm.get_deferred_fields() and "caption" not in made.get_deferred_fields()
    for name in ("id", "caption", "status", "last_error", "publish_at", "version", "account_id", "rrule"):
        assert getattr(made, name) == getattr(orm, name), name
    assert (made.pk, made._state.adding, made._state.db) == (post.pk, False, "default")
    with CaptureQueriesContext(connection) as queries:
        assert made.account.username == post.account.username and made.account.status == post.account.status
        assert str(made) == "Flat white" and made.get_status_display() == "Failed"
    assert len(queries) == 0
    made.refresh_from_db(fields=["first_comment"])  # a deferred field still loads on demand, like the ORM's
    assert made.first_comment == post.first_comment
