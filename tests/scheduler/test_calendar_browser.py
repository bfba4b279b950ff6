"""The calendar in headless Chromium: native drag and drop, refusals, conflicts, series, keyboard and no-JS moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import InstagramAccount
from scheduler.models import Post, PostingSlot
from tests.browser_support import screenshot, sign_in
from tests.factories import InstagramAccountFactory
from tests.scheduler.calendar_support import local, post_at, series_at
from tests.scheduler.media_fixtures import image_bytes
from tests.scheduler.post_factories import MediaAssetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Post.Status


def cal_url(ws, view: str = "month", day: str = "") -> str:  # noqa: ANN001
    return reverse("scheduler:calendar", kwargs={"ws": ws.slug}) + f"?view={view}" + (f"&date={day}" if day else "")


def new_page(page, live_server, client, user, **options):  # noqa: ANN001, ANN003
    """Another browser context (own cookies, timezone, scripting) signed in as `user`."""
    context = page.context.browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url,
                                               **options)
    other = context.new_page()
    other.set_default_timeout(15_000)
    sign_in(other, Client(), user, live_server.url)  # a session of its own: logging in again would end the first
    return other


def flash(page):  # noqa: ANN001
    return page.locator("#calendar-flash")


def test_month_drag_keeps_local_time_across_dst_in_another_browser_zone(browser_page, live_server, client, social,
                                                                         workspace):
    post = post_at(workspace, local(workspace, "2027-03-26 10:00"), caption="Friday roast")  # CET, 09:00Z
    page = new_page(browser_page, live_server, client, social, timezone_id="America/New_York")
    page.goto(cal_url(workspace, "month", "2027-03-01"))
    note = page.locator("#tz-note")
    expect(note).to_be_visible()
    assert "Europe/Berlin" in note.inner_text() and "America/New_York" in note.inner_text()
    title = page.locator(f"#card-p{post.pk} time").get_attribute("title")
    assert "10:00 Europe/Berlin" in title.replace(",", "") and "05:00" in title  # both times on hover

    page.drag_and_drop(f"#card-p{post.pk}", 'td[data-date="2027-03-30"]')  # after the 28 March change
    expect(flash(page)).to_contain_text("Moved to Tue 30 Mar 2027, 10:00")
    post.refresh_from_db()
    assert post.publish_at == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)  # 10:00 CEST
    card = page.locator(f'td[data-date="2027-03-30"] #card-p{post.pk}')
    expect(card).to_be_visible()  # the grid came back from the server with the card there
    assert card.get_attribute("data-version") == str(post.version)

    # The view and date live in the address: previous / next swap the grid and the back button returns.
    page.get_by_role("link", name="Previous month").click()
    expect(page.locator("#cal-title")).to_have_text("February 2027")
    assert "date=2027-02-01" in page.url and "view=month" in page.url
    page.get_by_role("link", name="Week").click()
    expect(page.locator("#cal-title")).to_have_text("1 Feb – 7 Feb 2027")
    assert page.locator("#calendar-filters input[name=view]").input_value() == "week"
    page.go_back()
    expect(page.locator("#cal-title")).to_have_text("February 2027")
    page.go_back()
    expect(page.locator("#cal-title")).to_have_text("March 2027")
    page.context.close()


def test_week_drag_to_another_hour_row(browser_page, live_server, client, social, workspace):
    post = post_at(workspace, local(workspace, "2027-01-13 09:40"))
    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(cal_url(workspace, "week", "2027-01-13"))
    page.drag_and_drop(f"#card-p{post.pk}", 'td[data-date="2027-01-14"][data-hour="16"]')
    expect(flash(page)).to_contain_text("Moved to Thu 14 Jan 2027, 16:40")  # the row's hour, the card's minutes
    post.refresh_from_db()
    assert post.publish_at.astimezone(workspace.tzinfo).strftime("%Y-%m-%d %H:%M") == "2027-01-14 16:40"
    expect(page.locator(f'td[data-date="2027-01-14"][data-hour="16"] #card-p{post.pk}')).to_be_visible()


def test_drag_into_the_past_snaps_back_with_the_reason(browser_page, live_server, client, social, workspace):
    today = timezone.now().astimezone(workspace.tzinfo).date()
    yesterday = today - timedelta(days=1)
    tomorrow = today + timedelta(days=1)
    if today.day == 1 and today.weekday() == 0:
        pytest.skip("the month grid starts today; no past day to drop on")
    when = local(workspace, f"{tomorrow.isoformat()} 11:00")
    post = post_at(workspace, when)
    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(cal_url(workspace, "month", today.isoformat()))
    source = page.locator(f"#card-p{post.pk}")
    origin = source.evaluate("c => c.closest('td').dataset.date")
    page.drag_and_drop(f"#card-p{post.pk}", f'td[data-date="{yesterday.isoformat()}"]')
    expect(flash(page)).to_contain_text("is in the past")
    expect(page.locator(f'td[data-date="{origin}"] #card-p{post.pk}')).to_be_visible()  # back where it was
    post.refresh_from_db()
    assert post.publish_at == when


def test_two_people_move_the_same_post_the_second_sees_the_conflict(browser_page, live_server, client, social,
                                                                      admin_user, workspace):
    post = post_at(workspace, local(workspace, "2027-02-10 10:00"), caption="Contested")
    first = browser_page
    sign_in(first, client, social, live_server.url)
    second = new_page(first, live_server, client, admin_user)
    for p in (first, second):
        p.goto(cal_url(workspace, "month", "2027-02-01"))
        expect(p.locator(f"#card-p{post.pk}")).to_be_visible()
    first.drag_and_drop(f"#card-p{post.pk}", 'td[data-date="2027-02-12"]')
    expect(flash(first)).to_contain_text("Moved to Fri 12 Feb 2027, 10:00")
    second.drag_and_drop(f"#card-p{post.pk}", 'td[data-date="2027-02-17"]')
    expect(flash(second)).to_contain_text("Someone else changed this post")
    fresh = second.locator(f'td[data-date="2027-02-12"] #card-p{post.pk}')
    expect(fresh).to_be_visible()  # the fresh card, where the first mover put it
    assert "flash" in fresh.get_attribute("class")
    post.refresh_from_db()
    assert post.publish_at == local(workspace, "2027-02-12 10:00")
    assert fresh.get_attribute("data-version") == str(post.version)
    second.context.close()


def test_series_this_date_only_and_this_and_following(browser_page, live_server, client, social, workspace):
    root = series_at(workspace, local(workspace, "2027-02-02 10:00"), rule="FREQ=WEEKLY", caption="Tuesday tip")
    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(cal_url(workspace, "month", "2027-02-01"))
    # The first date (stored) moves alone; the rule stays.
    page.drag_and_drop(f"#card-p{root.pk}", 'td[data-date="2027-02-03"]')
    page.get_by_role("button", name="This date only").click()
    expect(flash(page)).to_contain_text("Moved to Wed 3 Feb 2027, 10:00")
    root.refresh_from_db()
    assert root.publish_at == local(workspace, "2027-02-03 10:00")
    assert root.occurrence_at == local(workspace, "2027-02-02 10:00") and root.rrule == "FREQ=WEEKLY"
    expect(page.locator('td[data-date="2027-02-09"] .cal-card.virtual')).to_have_count(1)

    # A later date (drawn from the rule) moves with everything after it.
    stamp = int(local(workspace, "2027-02-16 10:00").timestamp())
    page.drag_and_drop(f"#card-s{root.pk}-{stamp}", 'td[data-date="2027-02-18"]')
    page.get_by_role("button", name="This and following").click()
    expect(flash(page)).to_contain_text("The series moved from this date on")
    root.refresh_from_db()
    assert "UNTIL=20270216T085959Z" in root.rrule
    cont = Post.objects.exclude(pk=root.pk).get(caption="Tuesday tip")
    assert cont.publish_at == local(workspace, "2027-02-18 10:00") and cont.rrule == "FREQ=WEEKLY"
    expect(page.locator('td[data-date="2027-02-16"] .cal-card')).to_have_count(0)
    expect(page.locator('td[data-date="2027-02-25"] .cal-card.virtual')).to_have_count(1)
    expect(page.locator('td[data-date="2027-02-23"] .cal-card')).to_have_count(0)

    # One later date alone (not stored yet): it becomes a one-off post, the series goes on around it.
    stamp = int(local(workspace, "2027-02-25 10:00").timestamp())
    page.drag_and_drop(f"#card-s{cont.pk}-{stamp}", 'td[data-date="2027-02-26"]')
    page.get_by_role("button", name="This date only").click()
    expect(flash(page)).to_contain_text("Moved to Fri 26 Feb 2027, 10:00")
    single = Post.objects.get(caption="Tuesday tip", rrule="", publish_at=local(workspace, "2027-02-26 10:00"))
    expect(page.locator(f'td[data-date="2027-02-26"] #card-p{single.pk}')).to_be_visible()
    expect(page.locator('td[data-date="2027-02-25"] .cal-card')).to_have_count(0)
    rest = Post.objects.get(caption="Tuesday tip", publish_at=local(workspace, "2027-03-04 10:00"))
    assert rest.rrule == "FREQ=WEEKLY"


def test_move_with_the_keyboard_only(browser_page, live_server, client, social, workspace):
    post = post_at(workspace, local(workspace, "2027-02-10 10:00"))
    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(cal_url(workspace, "month", "2027-02-01"))
    link = page.locator(f"#card-p{post.pk} .cal-move")
    # Issue 23: the grid is one tab stop (roving focus), reached in a few presses rather than ~60.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('#calendar-grid')"):
            break
    else:
        pytest.fail("the calendar grid is not reachable in 30 Tab presses")
    for _ in range(40):  # arrow keys between days, to the card's
        if page.evaluate("() => document.activeElement.dataset.date") == "2027-02-10":
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # to the day's first post
    page.keyboard.press("Enter")  # its actions: focus on Move
    assert link.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    field = page.get_by_label("New date and time (Europe/Berlin)")
    expect(field).to_be_focused()
    field.fill("2027-02-11T07:45")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Moved to Thu 11 Feb 2027, 07:45")
    post.refresh_from_db()
    assert post.publish_at == local(workspace, "2027-02-11 07:45")
    expect(page.locator(f'td[data-date="2027-02-11"] #card-p{post.pk}')).to_be_visible()


def test_move_with_javascript_disabled(browser_page, live_server, client, social, workspace):
    root = series_at(workspace, local(workspace, "2027-02-02 10:00"), rule="FREQ=WEEKLY", caption="Series")
    page = new_page(browser_page, live_server, client, social, java_script_enabled=False)
    page.goto(cal_url(workspace, "month", "2027-02-01"))
    page.locator(f"#card-p{root.pk} .cal-move").click()
    page.get_by_label("New date and time (Europe/Berlin)").fill("2027-02-04T12:00")
    page.get_by_label("this and following dates").check()
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".messages")).to_contain_text("The series moved from this date on")
    root.refresh_from_db()
    assert root.publish_at == local(workspace, "2027-02-04 12:00") and root.occurrence_at == root.publish_at
    assert "view=month" in page.url and "date=2027-02-01" in page.url
    expect(page.locator('td[data-date="2027-02-11"] .cal-card.virtual')).to_have_count(1)
    page.context.close()


def _thumbs(workspace, settings, tmp_path, n: int = 4):  # noqa: ANN001, ANN202
    settings.MEDIA_ROOT = tmp_path / "media"
    colors = [(214, 120, 60), (60, 130, 200), (90, 170, 110), (200, 80, 140)]
    assets = []
    for i in range(n):
        asset = MediaAssetFactory(workspace=workspace)
        name = f"workspaces/{workspace.pk}/derived/thumb-{i}.jpg"
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(image_bytes(200, 200, "JPEG", color=colors[i % len(colors)]))
        asset.thumbnail = name
        asset.save(update_fields=["thumbnail"])
        assets.append(asset)
    return assets


def test_screenshots_of_every_view(browser_page, live_server, client, social, client_user, workspace, settings,
                                   tmp_path):
    assets = _thumbs(workspace, settings, tmp_path)
    main = InstagramAccountFactory(workspace=workspace, username="acme.coffee")
    shop = InstagramAccountFactory(workspace=workspace, username="acme.shop", status=InstagramAccount.Status.RECONNECT)
    today = timezone.now().astimezone(workspace.tzinfo).date()
    monday = today - timedelta(days=today.weekday())
    statuses = [S.APPROVED, S.DRAFT, S.IN_REVIEW, S.APPROVED, S.APPROVED, S.FAILED, S.MANUAL]
    captions = ["New autumn blend is here", "Latte art Friday", "Meet our roaster", "Behind the bar",
                "Weekend brunch menu", "Giveaway winners", "Story: shop opening"]
    for i in range(-10, 24):
        day = today + timedelta(days=i)
        for k in range((i % 3) + 1 if i != 4 else 6):
            status = statuses[(i + k) % 7] if day >= today else S.PUBLISHED
            post_at(workspace, local(workspace, f"{day.isoformat()} {8 + 2 * k:02d}:{15 * (k % 2):02d}"),
                    account=main if k % 2 == 0 else shop, status=status, caption=captions[(i + k) % 7],
                    kind=[Post.Kind.FEED, Post.Kind.REEL, Post.Kind.CAROUSEL, Post.Kind.STORY][k % 4],
                    media=[assets[(i + k) % len(assets)]], author=social,
                    deferred_reason="Daily cap reached" if (i, k) == (2, 0) else "",
                    manual_reason="music" if status == S.MANUAL else "")
    series_at(workspace, local(workspace, f"{(monday + timedelta(days=1)).isoformat()} 08:00"), account=main,
              caption="Tuesday tip", media=[assets[0]])
    for weekday in range(5):
        PostingSlot.objects.create(account=main, weekday=weekday, time=datetime(2000, 1, 1, 17, 30).time())
    page = browser_page
    sign_in(page, client, social, live_server.url)
    for view in ("month", "week", "agenda"):
        page.goto(cal_url(workspace, view, today.isoformat()))
        expect(page.locator(".cal-card").first).to_be_visible()
        if view == "week":
            page.locator("#hour-8").scroll_into_view_if_needed()
        screenshot(page, f"calendar-{view}")
    assert page.locator(".cal-card.virtual").count() >= 1
    viewer = new_page(page, live_server, client, client_user)
    viewer.goto(cal_url(workspace, "month", today.isoformat()))
    expect(viewer.locator(".cal-card").first).to_be_visible()
    assert viewer.locator('.cal-card[draggable="true"]').count() == 0
    assert viewer.locator(".status-draft, .status-in_review").count() == 0
    screenshot(viewer, "calendar-client")
    viewer.context.close()
