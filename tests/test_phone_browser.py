"""Issue 23, "Phone (390 × 844)": the main journeys in headless Chromium on a phone-sized touch screen.

Each journey checks the database result, and that the page is no wider than the phone
(`document.documentElement.scrollWidth <= 390`). The screenshots test saves every main page at 390 px and 1400 px
wide (into $PRESSROOM_SCREENS, else var/screenshots/phone/) and checks the same width rule on the phones' pages.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from scheduler.models import Post
from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services.media import media_upload
from tests.archive.factories import make_profile
from tests.browser_support import SCREENSHOTS, sign_in
from tests.factories import InstagramAccountFactory
from tests.scheduler.calendar_support import local, post_at
from tests.scheduler.media_fixtures import image_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
DESKTOP = {"viewport": {"width": 1400, "height": 1000}}
S = Post.Status


def phone(browser_page, live_server, user, **options):  # noqa: ANN001, ANN003
    """A new browser context the size of a phone, with touch, signed in as `user`."""
    context = browser_page.context.browser.new_context(base_url=live_server.url, **{**PHONE, **options})
    page = context.new_page()
    page.set_default_timeout(15_000)
    if user is not None:
        sign_in(page, Client(), user, live_server.url)
    return page


def page_width(page) -> int:  # noqa: ANN001
    return page.evaluate("() => document.documentElement.scrollWidth")


def assert_fits(page, width: int = 390) -> None:  # noqa: ANN001
    assert page_width(page) <= width, f"{page.url} is {page_width(page)} px wide on a {width} px screen"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def photo(social, workspace, name: str, color: tuple[int, int, int]):  # noqa: ANN201
    return media_upload(user=social, workspace=workspace,
                        uploaded_file=upload(f"{name}.jpg", image_bytes(1080, 1350, color=color))).asset


def in_review(social, workspace, account, caption: str, hours: int) -> Post:
    asset = photo(social, workspace, caption[:8], (196, 120, 60))
    post = compose_svc.post_create(user=social, workspace=workspace, account=account, kind="feed", caption=caption,
                                   asset_ids=[asset.pk], alt_texts=["A cup of coffee"],
                                   publish_at=timezone.now() + timedelta(hours=hours))
    return approval_svc.post_submit(user=social, post=post)


def cal_url(ws, view: str, day: str) -> str:  # noqa: ANN001
    return reverse("scheduler:calendar", kwargs={"ws": ws.slug}) + f"?view={view}&date={day}"


def test_move_a_post_on_the_calendar_by_touch(browser_page, live_server, social, workspace):
    post = post_at(workspace, local(workspace, "2027-02-10 10:00"), caption="Moved from a phone")
    page = phone(browser_page, live_server, social, timezone_id="Europe/Berlin")  # no time-zone note above the grid
    page.goto(cal_url(workspace, "month", "2027-02-01"))
    assert_fits(page)
    card = page.locator(f"#card-p{post.pk}")
    expect(card).to_be_visible()
    top = page.locator(".cal-month, .cal-agenda").first.bounding_box()["y"]
    assert top < 400, f"the calendar starts {top} px down"  # the filters fold behind one button (it was 489 px)
    move = card.locator(".cal-move")
    expect(move).to_be_visible()  # no hover on a touch screen: the Move link shows without it
    assert float(move.evaluate("el => getComputedStyle(el).opacity")) == 1
    move.tap()
    field = page.get_by_label("New date and time (Europe/Berlin)")
    field.fill("2027-02-12T18:30")
    assert_fits(page)
    page.get_by_role("button", name="Move").tap()
    expect(page.locator(".messages")).to_contain_text("Moved to Fri 12 Feb 2027, 18:30")
    post.refresh_from_db()
    assert post.publish_at == local(workspace, "2027-02-12 18:30")
    expect(page.locator(f'[data-date="2027-02-12"] #card-p{post.pk}')).to_be_visible()
    for view in ("agenda", "week"):
        page.goto(cal_url(workspace, view, "2027-02-12"))
        assert_fits(page)
        expect(page.locator(f"#card-p{post.pk} .cal-move")).to_be_visible()
        box = page.locator(f"#card-p{post.pk} .cal-move").bounding_box()
        if view == "agenda":
            assert 0 <= box["x"] and box["x"] + box["width"] <= 390  # on screen, not off to the right
    page.context.close()


def test_compose_and_submit_a_post_on_a_phone(browser_page, live_server, social, workspace, media_root):
    InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    asset = photo(social, workspace, "alpha", (200, 80, 60))
    page = phone(browser_page, live_server, social)
    page.goto(reverse("scheduler:post_create", kwargs={"ws": workspace.slug}))
    page.locator("#composer").wait_for()
    assert_fits(page)
    page.locator(f"#pick-{asset.pk}").tap()
    page.get_by_label("Caption").fill("Fresh beans from a phone #coffee")
    preview = page.locator("#preview")
    expect(preview).to_be_hidden()  # behind its toggle on a narrow screen
    page.get_by_text("Preview", exact=True).first.tap()
    expect(preview).to_be_visible()
    expect(page.locator("#preview .ig-caption")).to_contain_text("Fresh beans")
    assert_fits(page)
    when = (timezone.now() + timedelta(days=3)).astimezone(workspace.tzinfo).replace(hour=11, minute=0, second=0,
                                                                                      microsecond=0)
    page.locator(".when-option", has_text="On a date").tap()
    page.locator("#id_publish_at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Submit for review").tap()
    page.wait_for_url("**/posts/*/")
    assert_fits(page)
    post = Post.objects.get()
    assert post.status == S.IN_REVIEW and post.caption == "Fresh beans from a phone #coffee"
    assert post.publish_at == when and list(post.items.values_list("asset_id", flat=True)) == [asset.pk]
    page.context.close()


def test_approve_in_the_review_desk_on_a_phone(browser_page, live_server, editor, social, workspace, media_root):
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    post = in_review(social, workspace, account, "Autumn menu is here #autumn", hours=30)
    page = phone(browser_page, live_server, editor)
    page.goto(reverse("admin:scheduler_post_changelist") + "?status__exact=in_review")
    page.locator("#result_list").wait_for()
    assert_fits(page)
    page.get_by_role("link", name="Autumn menu is here").first.tap()
    page.locator(".ig-preview").wait_for()
    assert_fits(page)
    approve = page.get_by_role("button", name="Approve", exact=True)
    approve.scroll_into_view_if_needed()
    box = approve.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= 390  # reachable without scrolling sideways
    approve.tap()
    page.get_by_text("Approved. It is scheduled.").wait_for()
    post.refresh_from_db()
    assert post.status == S.APPROVED
    page.context.close()


def test_client_opens_a_gallery_and_the_lightbox_on_a_phone(browser_page, live_server, client_user, workspace,
                                                             media_root):
    profile = make_profile(workspace, posts=9)
    page = phone(browser_page, live_server, client_user)
    page.goto(reverse("archive:gallery", kwargs={"ws": workspace.slug, "pk": profile.pk}))
    tiles = page.locator("#tile-grid .tile-link")
    tiles.first.wait_for()
    assert tiles.count() == profile.posts.count() == 9
    assert_fits(page)
    tiles.first.tap()
    dialog = page.locator("#lightbox")
    dialog.wait_for(state="visible")
    newest = profile.posts.order_by("-taken_at", "-id").first()
    assert page.locator("#lb-caption").inner_text() == newest.caption
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    if os.environ.get("PRESSROOM_SCREENS"):
        page.screenshot(path=str(Path(os.environ["PRESSROOM_SCREENS"]) / "archive-lightbox-390.png"))
    assert_fits(page)
    page.get_by_role("button", name="Close").first.tap()
    dialog.wait_for(state="hidden")
    page.context.close()


def _scene(workspace, social, editor):  # noqa: ANN001, ANN202
    main = InstagramAccountFactory(workspace=workspace, username="acme.coffee")
    shop = InstagramAccountFactory(workspace=workspace, username="acme.shop")
    assets = [photo(social, workspace, f"p{i}", c) for i, c in enumerate([(214, 120, 60), (60, 130, 200),
                                                                          (90, 170, 110)])]
    today = timezone.now().astimezone(workspace.tzinfo).date()
    captions = ["New autumn blend is here", "Latte art Friday", "Meet our roaster", "Behind the bar"]
    statuses = [S.APPROVED, S.DRAFT, S.IN_REVIEW, S.APPROVED]
    for i in range(-3, 12):
        day = today + timedelta(days=i)
        for k in range(i % 3 + 1):
            post_at(workspace, local(workspace, f"{day.isoformat()} {9 + 3 * k:02d}:{15 * (k % 2):02d}"),
                    account=main if k % 2 == 0 else shop, caption=captions[(i + k) % 4],
                    status=statuses[(i + k) % 4] if day >= today else S.PUBLISHED,
                    kind=[Post.Kind.FEED, Post.Kind.REEL, Post.Kind.CAROUSEL][k % 3],
                    media=[assets[(i + k) % 3]], author=social)
    review = in_review(social, workspace, main, "Our autumn menu is here 🍂 Which one first? #autumn #coffee", 27)
    profile = make_profile(workspace, posts=12)
    return today, review, profile


def test_screenshots_at_390_and_1400(browser_page, live_server, admin_user, editor, social, client_user, workspace,
                                     media_root):
    today, review, profile = _scene(workspace, social, editor)
    folder = Path(os.environ.get("PRESSROOM_SCREENS") or SCREENSHOTS / "phone")
    folder.mkdir(parents=True, exist_ok=True)
    ws = {"ws": workspace.slug}
    pages = [
        ("signin", None, reverse("accounts:login")),
        ("dashboard", admin_user, reverse("scheduler:dashboard", kwargs=ws)),
        ("calendar-month", admin_user, cal_url(workspace, "month", today.isoformat())),
        ("calendar-week", admin_user, cal_url(workspace, "week", today.isoformat())),
        ("calendar-agenda", admin_user, cal_url(workspace, "agenda", today.isoformat())),
        ("composer", social, reverse("scheduler:post_create", kwargs=ws)),
        ("post", social, reverse("scheduler:post_detail", kwargs={**ws, "pk": review.pk})),
        ("library", social, reverse("scheduler:library", kwargs=ws)),
        ("archive-gallery", client_user, reverse("archive:gallery", kwargs={**ws, "pk": profile.pk})),
        ("review-changelist", editor, reverse("admin:scheduler_post_changelist") + "?status__exact=in_review"),
        ("review-page", editor, reverse("admin:scheduler_post_change", args=[review.pk])),
    ]
    too_wide = []
    for width, options in ((390, PHONE), (1400, DESKTOP)):
        pages_by_user = {}
        for name, user, url in pages:
            if user not in pages_by_user:
                pages_by_user[user] = phone(browser_page, live_server, user, **options)
            page = pages_by_user[user]
            page.goto(url)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
            if width == 390 and page_width(page) > 390:
                too_wide.append(f"{name}: {page_width(page)} px")
        for page in pages_by_user.values():
            page.context.close()
    assert not too_wide, too_wide


def test_navigation_is_one_line_on_a_desktop_and_a_menu_on_a_phone(browser_page, live_server, admin_user, workspace):
    dashboard = reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})
    desk = phone(browser_page, live_server, admin_user, **DESKTOP)
    desk.goto(dashboard)
    links = desk.locator(".mainnav > ul > li > a")
    # On the bar: Dashboard, Calendar, Posts, Manual queue, Media library, Archive, Analytics, Report, Review desk;
    # Instagram accounts, Team and Settings fold into the "Workspace" menu beside them.
    assert links.count() == 9
    assert desk.locator(".mainnav summary", has_text="Workspace").is_visible()
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count()))}
    assert len(tops) == 1, "the navigation wraps to a second line at 1400 px"
    sign_out = desk.get_by_role("button", name="Sign out")
    box, first = sign_out.bounding_box(), links.nth(0).bounding_box()
    # on the same line too: the button's middle lies within the links' line
    assert first["y"] <= box["y"] + box["height"] / 2 <= first["y"] + first["height"] + 8
    assert page_width(desk) <= 1400
    desk.context.close()

    page = phone(browser_page, live_server, admin_user)
    page.goto(dashboard)
    review_desk = page.get_by_role("link", name="Review desk")
    expect(review_desk).to_be_hidden()  # folded behind the Menu button
    assert page.locator(".topbar").bounding_box()["height"] < 80
    page.get_by_text("Menu", exact=True).tap()
    expect(review_desk).to_be_visible()
    assert_fits(page)
    page.get_by_role("link", name="Calendar").tap()
    page.wait_for_url("**/calendar/**")
    expect(page.locator("#calendar-body")).to_be_visible()
    page.context.close()


def test_without_javascript_the_wide_screen_shows_what_folds(browser_page, live_server, admin_user, workspace):
    page = phone(browser_page, live_server, admin_user, java_script_enabled=False, **DESKTOP)
    page.goto(cal_url(workspace, "month", "2027-02-01"))
    expect(page.get_by_role("link", name="Review desk")).to_be_visible()
    expect(page.locator("#calendar-filters select[name=account]")).to_be_visible()
    expect(page.locator("#calendar-filter-fold > summary")).to_be_hidden()
    page.context.close()
