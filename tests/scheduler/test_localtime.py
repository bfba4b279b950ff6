"""Issue 18: one local-time policy through every path.

Three zones × {normal, nonexistent, ambiguous-first, ambiguous-second} × {composer, composer edit of the caption only,
Move dialog, drag in the month and in the week, post page reschedule, review desk new time, week "+" prefill, iCal},
each asserting the stored instant, the time the calendar shows and the message. Expected instants come from zoneinfo
here (the shown wall time with fold=0/1), never from accounts.localtime; expected texts are literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from scheduler.models import Post
from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services.calendar import feed_token_get_or_create
from tests.factories import InstagramAccountFactory
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory

pytestmark = pytest.mark.django_db
S = Post.Status


@dataclass(frozen=True)
class Case:
    tz: str
    kind: str
    typed: str  # what the user types or drags to (local wall clock)
    fold: int  # the pass chosen for a time that happens twice
    shown: str  # the wall time the stored instant reads in the zone
    display: str  # what a calendar card shows
    message: str  # what the pages say ("" for an ordinary time)
    plus: tuple[tuple[str, int], ...]  # the week's "+" links of the typed time's hour row: (at, fold)

    @property
    def expected(self) -> datetime:
        wall = datetime.strptime(self.shown, "%Y-%m-%dT%H:%M")
        return wall.replace(tzinfo=ZoneInfo(self.tz), fold=self.fold).astimezone(UTC)

    @property
    def day(self) -> str:
        return self.typed[:10]

    def __str__(self) -> str:
        return f"{self.tz.split('/')[1]}-{self.kind}"


def _twice(tz: str, hm: str, day: str, first: str, second: str, pick: int) -> str:
    return (f"{hm} happens twice on {day} in {tz} ({hm} {first} (first) / {hm} {second} (second)); "
            f"it will publish at {hm} {(first, second)[pick]} ({('first', 'second')[pick]}).")


BER, NYC, LHI = "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"
CASES = [
    Case(BER, "normal", "2027-06-15T10:30", 0, "2027-06-15T10:30", "10:30", "", (("2027-06-15T10:00", 0),)),
    Case(BER, "nonexistent", "2027-03-28T02:30", 0, "2027-03-28T03:30", "03:30",
         "02:30 does not exist on 28 March in Europe/Berlin; it will publish at 03:30.", ()),
    Case(BER, "ambiguous-first", "2027-10-31T02:30", 0, "2027-10-31T02:30", "02:30 CEST",
         _twice(BER, "02:30", "31 October", "CEST", "CET", 0), (("2027-10-31T02:00", 0), ("2027-10-31T02:00", 1))),
    Case(BER, "ambiguous-second", "2027-10-31T02:30", 1, "2027-10-31T02:30", "02:30 CET",
         _twice(BER, "02:30", "31 October", "CEST", "CET", 1), (("2027-10-31T02:00", 0), ("2027-10-31T02:00", 1))),
    Case(NYC, "normal", "2027-06-15T10:30", 0, "2027-06-15T10:30", "10:30", "", (("2027-06-15T10:00", 0),)),
    Case(NYC, "nonexistent", "2027-03-14T02:30", 0, "2027-03-14T03:30", "03:30",
         "02:30 does not exist on 14 March in America/New_York; it will publish at 03:30.", ()),
    Case(NYC, "ambiguous-first", "2027-11-07T01:30", 0, "2027-11-07T01:30", "01:30 EDT",
         _twice(NYC, "01:30", "7 November", "EDT", "EST", 0), (("2027-11-07T01:00", 0), ("2027-11-07T01:00", 1))),
    Case(NYC, "ambiguous-second", "2027-11-07T01:30", 1, "2027-11-07T01:30", "01:30 EST",
         _twice(NYC, "01:30", "7 November", "EDT", "EST", 1), (("2027-11-07T01:00", 0), ("2027-11-07T01:00", 1))),
    Case(LHI, "normal", "2027-06-15T10:30", 0, "2027-06-15T10:30", "10:30", "", (("2027-06-15T10:00", 0),)),
    # Lord Howe moves its clocks by half an hour: 02:00–02:29 does not exist, 01:30–01:59 happens twice.
    Case(LHI, "nonexistent", "2027-10-03T02:15", 0, "2027-10-03T02:45", "02:45",
         "02:15 does not exist on 3 October in Australia/Lord_Howe; it will publish at 02:45.",
         (("2027-10-03T02:30", 0),)),
    Case(LHI, "ambiguous-first", "2027-04-04T01:45", 0, "2027-04-04T01:45", "01:45 UTC+11",
         _twice(LHI, "01:45", "4 April", "UTC+11", "UTC+10:30", 0), (("2027-04-04T01:00", 0), ("2027-04-04T01:30", 1))),
    Case(LHI, "ambiguous-second", "2027-04-04T01:45", 1, "2027-04-04T01:45", "01:45 UTC+10:30",
         _twice(LHI, "01:45", "4 April", "UTC+11", "UTC+10:30", 1), (("2027-04-04T01:00", 0), ("2027-04-04T01:30", 1))),
]


def test_expected_instants_are_what_zoneinfo_says():
    """The table itself, against a few instants written out by hand."""
    got = {str(c): c.expected for c in CASES}
    assert got["Berlin-nonexistent"] == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert got["New_York-ambiguous-first"] == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
    assert got["New_York-ambiguous-second"] == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    assert got["Lord_Howe-ambiguous-second"] - got["Lord_Howe-ambiguous-first"] == timedelta(minutes=30)


@pytest.fixture(params=CASES, ids=str)
def case(request, workspace):
    c: Case = request.param
    workspace.timezone = c.tz
    workspace.save(update_fields=["timezone"])
    with time_machine.travel(c.expected - timedelta(days=5), tick=False):
        yield c


@pytest.fixture
def account(workspace):
    return InstagramAccountFactory(workspace=workspace, username="acmecoffee")


# --------------------------------------------------------------------------------------------------- page readers


def text_of(response) -> str:  # noqa: ANN001
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def shown_on_calendar(client, ws, post: Post) -> str:  # noqa: ANN001
    """The time on the post's card in the calendar's day view of its local date."""
    day = post.publish_at.astimezone(ZoneInfo(ws.timezone)).date().isoformat()
    html = client.get(reverse("scheduler:calendar", kwargs={"ws": ws.slug}), {"view": "day", "date": day})
    m = re.search(rf'id="card-p{post.pk}".*?<time class="cal-time"[^>]*>([^<]+)</time>', html.content.decode(), re.S)
    assert m, f"no card for post {post.pk} on {day}"
    return m.group(1)


def prefilled(html: str, name: str, fold_name: str) -> dict[str, str]:
    """A form's prefilled local time and, where it happens twice, the checked pass."""
    value = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(rf'value="([^"]*)"[^>]*name="{name}"',
                                                                                   html)
    assert value, f"no {name} input"
    data = {name: value.group(1)}
    checked = re.search(rf'name="{fold_name}" value="(\d)" checked', html)
    if checked:
        data[fold_name] = checked.group(1)
    return data


def assert_done(client, ws, post: Post, case: Case, page: str) -> None:  # noqa: ANN001
    post.refresh_from_db()
    assert post.publish_at == case.expected
    assert shown_on_calendar(client, ws, post) == case.display
    if case.message:
        assert case.message in page
    else:
        assert "does not exist" not in page and "happens twice" not in page


def composer_data(account, asset, case: Case, **extra) -> dict:  # noqa: ANN001, ANN003
    return {"account": account.pk, "kind": "feed", "caption": "Local time #coffee", "when": "at",
            "publish_at": case.typed, "publish_at_fold": str(case.fold), "item_asset": [asset.pk],
            "item_alt": ["A cup"], "intent": "draft", **extra}


# --------------------------------------------------------------------------------------------------- the paths


def test_composer(login, social, workspace, account, case):
    client = login(social)
    asset = MediaAssetFactory(workspace=workspace)
    data = composer_data(account, asset, case)
    live = client.post(reverse("scheduler:compose_check", kwargs={"ws": workspace.slug}), data, HTTP_HX_REQUEST="true")
    live_text = text_of(live)
    assert live.status_code == 200 and (case.message in live_text if case.message else "time-msg" not in live_text)
    if case.kind.startswith("ambiguous"):  # the choice, with the pass that was sent checked (round trip)
        assert f'name="publish_at_fold" value="{case.fold}" checked' in live.content.decode()
    r = client.post(reverse("scheduler:post_create", kwargs={"ws": workspace.slug}), data, follow=True)
    assert r.status_code == 200, text_of(r)[:2000]
    assert_done(client, workspace, Post.objects.get(caption="Local time #coffee"), case, text_of(r))


def test_composer_edit_of_the_caption_only_keeps_the_time(login, social, workspace, account, case):
    post = PostFactory(workspace=workspace, account=account, author=social, publish_at=case.expected)
    client = login(social)
    edit = reverse("scheduler:post_edit", kwargs={"ws": workspace.slug, "pk": post.pk})
    page = client.get(edit)
    html = page.content.decode()
    form = prefilled(html, "publish_at", "publish_at_fold")
    assert form["publish_at"] == case.shown
    if case.kind.startswith("ambiguous"):
        assert form["publish_at_fold"] == str(case.fold) and case.message in text_of(page)
    item = post.items.get()
    data = {"account": account.pk, "kind": "feed", "caption": "Only the caption changed", "when": "at",
            "item_asset": [item.asset_id], "item_alt": [""], "expected_version": post.version, **form}
    r = client.post(edit, data)
    assert r.status_code == 302, text_of(r)[:2000]
    post.refresh_from_db()
    assert post.caption == "Only the caption changed" and post.publish_at == case.expected
    assert shown_on_calendar(client, workspace, post) == case.display


def test_move_dialog_and_its_unchanged_submit(login, social, workspace, account, case):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED,
                       publish_at=case.expected - timedelta(days=2))
    client = login(social)
    move = reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": post.pk})
    r = client.post(move, {"at": case.typed, "fold": case.fold, "version": post.version}, follow=True)
    assert_done(client, workspace, post, case, text_of(r))
    dialog = client.get(move)
    form = prefilled(dialog.content.decode(), "at", "fold")  # the dialog carries the pass of the time it shows
    assert form["at"] == case.shown
    client.post(move, {**form, "version": post.version})
    post.refresh_from_db()
    assert post.publish_at == case.expected and post.version == 3  # moved twice: the second move went nowhere


def test_drag_in_the_month_keeps_the_time_of_day(login, social, workspace, account, case):
    wall = datetime.strptime(case.typed, "%Y-%m-%dT%H:%M") - timedelta(days=1)  # same time, the day before
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED,
                       publish_at=wall.replace(tzinfo=ZoneInfo(case.tz)).astimezone(UTC))
    client = login(social)
    grid = client.get(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}), {"view": "month",
                                                                                   "date": case.day})
    card = re.search(rf'id="card-p{post.pk}"[^>]*data-local-time="([^"]+)" data-fold="(\d)"', grid.content.decode())
    assert card, "the card says its local time of day and pass"
    # What calendar.js sends for a drop on another day: that date, the card's time of day, the card's pass (a card
    # that is itself the second of two equal times carries data-fold="1"; the day before has only one).
    at = f"{case.day}T{card.group(1)}"
    assert at == case.typed and card.group(2) == "0"
    r = client.post(reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": post.pk}),
                    {"at": at, "fold": case.fold, "version": post.version, "view": "month", "date": case.day},
                    HTTP_X_CALENDAR="1", HTTP_HX_REQUEST="true")
    assert r.status_code == 200, text_of(r)[:500]
    assert_done(client, workspace, post, case, text_of(r))
    if case.kind == "ambiguous-second":
        grid = client.get(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}), {"view": "month",
                                                                                       "date": case.day})
        assert re.search(rf'id="card-p{post.pk}"[^>]*data-fold="1"', grid.content.decode())


def test_drag_in_the_week_keeps_the_cards_minutes(login, social, workspace, account, case):
    minutes = case.typed[14:16]
    # Later the same day (a Sunday's week view begins that Sunday, so the day before may not be on the page).
    wall = datetime.strptime(f"{case.day} 10:{minutes}", "%Y-%m-%d %H:%M")
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED,
                       publish_at=wall.replace(tzinfo=ZoneInfo(case.tz)).astimezone(UTC))
    client = login(social)
    week = client.get(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}), {"view": "week",
                                                                                    "date": case.day}).content.decode()
    hour = int(case.typed[11:13])
    cell = re.search(rf'<td class="cal-hour([^"]*)" data-date="{case.day}" data-hour="{hour}"(.*?)</td>', week, re.S)
    assert cell, "the hour row is there"
    if case.kind.startswith("ambiguous"):  # the repeated hour: one drop zone per pass
        assert f'class="cal-fold" data-fold="{case.fold}"' in cell.group(2)
    if case.kind == "nonexistent" and not case.plus:
        assert "cal-gap" in cell.group(1)
    card = re.search(rf'id="card-p{post.pk}"[^>]*data-local-time="([^"]+)"', week)
    at = f"{case.day}T{hour:02d}:{card.group(1)[3:5]}"  # what calendar.js sends: the row's hour, the card's minutes
    assert at == case.typed
    r = client.post(reverse("scheduler:calendar_move", kwargs={"ws": workspace.slug, "pk": post.pk}),
                    {"at": at, "fold": case.fold, "version": post.version, "view": "week", "date": case.day},
                    HTTP_X_CALENDAR="1", HTTP_HX_REQUEST="true")
    assert r.status_code == 200, text_of(r)[:500]
    assert_done(client, workspace, post, case, text_of(r))


def test_post_page_reschedule_and_its_unchanged_submit(login, social, workspace, account, case):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED,
                       publish_at=case.expected - timedelta(days=2))
    client = login(social)
    action = reverse("scheduler:post_reschedule", kwargs={"ws": workspace.slug, "pk": post.pk})
    r = client.post(action, {"publish_at": case.typed, "publish_at_fold": case.fold,
                             "expected_version": post.version}, follow=True)
    assert_done(client, workspace, post, case, text_of(r))
    page = client.get(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}))
    form = prefilled(page.content.decode(), "publish_at", "publish_at_fold")
    assert form["publish_at"] == case.shown
    version = post.version
    client.post(action, {**form, "expected_version": version})
    post.refresh_from_db()
    assert post.publish_at == case.expected


def test_post_page_reschedule_says_why_a_time_is_refused(login, social, workspace, account, case):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED,
                       publish_at=case.expected - timedelta(days=2))
    action = reverse("scheduler:post_reschedule", kwargs={"ws": workspace.slug, "pk": post.pk})
    r = login(social).post(action, {"publish_at": "next tuesday", "expected_version": post.version}, follow=True)
    assert "“next tuesday” is not a date and time" in text_of(r)


def test_review_desk_new_time(login, social, editor, workspace, account, case):
    asset = MediaAssetFactory(workspace=workspace)
    post = compose_svc.post_create(user=social, workspace=workspace, account=account, kind="feed", caption="Desk",
                                   asset_ids=[asset.pk], publish_at=case.expected - timedelta(days=4))
    approval_svc.post_submit(user=social, post=post)
    Post.objects.filter(pk=post.pk).update(publish_at=case.expected - timedelta(days=6))  # its time has passed
    client = login(editor)
    page = client.get(reverse("admin:scheduler_post_change", args=[post.pk]))
    assert 'name="publish_at"' in page.content.decode()  # approving needs a new time
    seen = re.search(r'name="seen_hash" value="([^"]+)"', page.content.decode()).group(1)  # the version on screen
    r = client.post(reverse("admin:scheduler_post_review", args=[post.pk]),
                    {"decision": "approve", "publish_at": case.typed, "publish_at_fold": case.fold,
                     "seen_hash": seen}, follow=True)
    post.refresh_from_db()
    assert post.status == S.APPROVED, text_of(r)[:3000]
    assert_done(client, workspace, post, case, text_of(r))


def test_week_plus_offers_only_times_that_exist(login, social, workspace, account, case):
    client = login(social)
    week = client.get(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}), {"view": "week",
                                                                                    "date": case.day}).content.decode()
    hour = int(case.typed[11:13])
    cell = re.search(rf'data-date="{case.day}" data-hour="{hour}"(.*?)</td>', week, re.S).group(1)
    links = [(at, int(fold or 0)) for at, fold in re.findall(r'class="cal-add cal-add-hour"[^>]*href="[^"?]*\?at=([^"&]+)'
                                                              r'(?:&amp;fold=(\d))?"', cell)]
    assert tuple(links) == case.plus
    if not links:
        return  # the hour does not exist: nothing to compose there
    at, fold = links[-1] if case.fold else links[0]
    composer = client.get(reverse("scheduler:post_create", kwargs={"ws": workspace.slug}), {"at": at, "fold": fold})
    form = prefilled(composer.content.decode(), "publish_at", "publish_at_fold")
    assert form["publish_at"] == at and form.get("publish_at_fold", "0") == str(fold)
    asset = MediaAssetFactory(workspace=workspace)
    data = {**composer_data(account, asset, case), **form}
    data.setdefault("publish_at_fold", "")
    r = client.post(reverse("scheduler:post_create", kwargs={"ws": workspace.slug}), data)
    assert r.status_code == 302, text_of(r)[:2000]
    wall = datetime.strptime(at, "%Y-%m-%dT%H:%M")
    assert Post.objects.get(caption="Local time #coffee").publish_at == wall.replace(
        tzinfo=ZoneInfo(case.tz), fold=fold).astimezone(UTC)


def test_ical_dtstart_and_dtend_are_the_instant(client, social, workspace, account, case):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED, publish_at=case.expected)
    token = feed_token_get_or_create(user=social, workspace=workspace)
    answer = client.get(reverse("scheduler:calendar_feed", kwargs={"token": token.token}))
    body = b"".join(answer.streaming_content).decode()  # the feed is streamed
    event = body.split(f"UID:post-{post.pk}@")[1].split("END:VEVENT")[0]
    start, end = case.expected, case.expected + timedelta(minutes=15)
    assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\n" in event and f"DTEND:{end:%Y%m%dT%H%M%SZ}\r\n" in event
    assert "TZID" not in body
