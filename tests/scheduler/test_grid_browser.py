"""The grid planner in headless Chromium: drag one planned tile onto another, and the keyboard's Earlier button;
after a reload the order and both times are swapped in the database. A draft from the side rail dropped on a free
slot takes that slot's time and stays a draft. Screenshots at 1400 and 390 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from archive.models import ArchivedPost
from scheduler.models import Post, PostingSlot
from scheduler.services.media import media_upload
from tests.archive.factories import make_profile
from tests.browser_support import SCREENSHOTS, sign_in
from tests.factories import InstagramAccountFactory
from tests.scheduler.media_fixtures import image_bytes, upload
from tests.scheduler.post_factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Post.Status
SHOTS = Path("/work/wt/screens/j21") if Path("/work/wt/screens").is_dir() else SCREENSHOTS
COLORS = [(214, 120, 60), (60, 120, 200), (90, 170, 110), (200, 180, 60), (150, 80, 170), (80, 160, 170)]


def _world(workspace, social):  # noqa: ANN001
    account = InstagramAccountFactory(workspace=workspace, username="northwind_coffee")
    PostingSlot.objects.create(account=account, weekday=(timezone.now() + timedelta(days=9)).weekday(), time="09:00")
    assets = [media_upload(user=social, workspace=workspace,
                           uploaded_file=upload(f"p{n}.jpg", image_bytes(1910 if n == 2 else 1080,
                                                                         1000 if n == 2 else 1350, color=c))).asset
              for n, c in enumerate(COLORS)]
    now = timezone.now().replace(second=0, microsecond=0)
    posts = [PostFactory(workspace=workspace, account=account, status=s, media=[assets[n]],
                         publish_at=now + timedelta(days=n + 1, hours=2), caption=f"Planned {n + 1}",
                         kind=Post.Kind.CAROUSEL if n == 2 else Post.Kind.FEED)
             for n, s in enumerate([S.APPROVED, S.APPROVED, S.IN_REVIEW, S.APPROVED])]
    draft = PostFactory(workspace=workspace, account=account, status=S.DRAFT, media=[assets[4]],
                        caption="Autumn menu draft")
    profile = make_profile(workspace, username="northwind_coffee", posts=8)
    profile.account = account
    profile.save(update_fields=["account"])
    ArchivedPost.objects.filter(profile=profile, ig_id__endswith="0001").update(pinned=True)
    return account, posts + [draft]


def grid_url(workspace, account) -> str:  # noqa: ANN001
    return reverse("scheduler:grid", kwargs={"ws": workspace.slug, "account": account.pk})


def test_drag_swaps_two_planned_tiles_and_the_keyboard_does_the_same(browser_page, live_server, social, workspace,
                                                                      media_settings):
    account, posts = _world(workspace, social)
    a, b, c, d, _draft = posts
    times = {p.pk: p.publish_at for p in posts}
    page = browser_page
    sign_in(page, Client(), social, live_server.url)
    page.goto(grid_url(workspace, account))
    expect(page.locator(f"#tile-p{d.pk}")).to_be_visible()
    order = page.locator(".tile").evaluate_all("els => els.map(e => e.id)")
    assert order.index(f"tile-p{d.pk}") < order.index(f"tile-p{a.pk}")  # latest first

    page.drag_and_drop(f"#tile-p{a.pk} .tile-media", f"#tile-p{d.pk} .tile-media")
    expect(page.locator("#grid-flash")).to_contain_text("Swapped")
    page.reload()
    order = [i for i in page.locator(".tile-planned").evaluate_all("els => els.map(e => e.id)")]
    assert order == [f"tile-p{a.pk}", f"tile-p{c.pk}", f"tile-p{b.pk}", f"tile-p{d.pk}"]
    a.refresh_from_db()
    d.refresh_from_db()
    assert (a.publish_at, d.publish_at) == (times[d.pk], times[a.pk])
    assert a.status == d.status == S.APPROVED

    # Keyboard: Tab to b's "Earlier" button and press Enter: b swaps with the post below it (d, now the earliest).
    button = page.locator(f"#tile-p{b.pk} button[data-move=earlier]")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#grid-flash")).to_contain_text("Swapped")
    # Without a reload the page already shows the new order, and the keyboard stays on the post that moved.
    order = page.locator(".tile-planned").evaluate_all("els => els.map(e => e.id)")
    assert order == [f"tile-p{a.pk}", f"tile-p{c.pk}", f"tile-p{d.pk}", f"tile-p{b.pk}"]
    expect(page.locator(f"#tile-p{b.pk} button[data-move=later]")).to_be_focused()
    page.reload()
    order = [i for i in page.locator(".tile-planned").evaluate_all("els => els.map(e => e.id)")]
    assert order == [f"tile-p{a.pk}", f"tile-p{c.pk}", f"tile-p{d.pk}", f"tile-p{b.pk}"]
    b.refresh_from_db()
    d.refresh_from_db()
    assert (b.publish_at, d.publish_at) == (times[a.pk], times[b.pk])

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the rail is sticky: a full-page shot draws it where the view was
    page.screenshot(path=str(SHOTS / "grid-1400.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "grid-390.png"), full_page=True)
    # Nothing wider than the phone's screen (no sideways scrolling).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_draft_dropped_from_the_rail_on_a_free_slot_takes_its_time(browser_page, live_server, social, workspace,
                                                                      media_settings):
    account, posts = _world(workspace, social)
    draft = posts[-1]
    page = browser_page
    sign_in(page, Client(), social, live_server.url)
    page.goto(grid_url(workspace, account))
    rail = page.locator(f"#draft-p{draft.pk}")
    expect(rail).to_contain_text("Autumn menu draft")
    slot = page.locator(".tile-slot").last  # the earliest free slot (the grid lists latest first)
    at = datetime.fromtimestamp(int(slot.get_attribute("data-slot")), tz=UTC)
    # The slots come from the one posting slot of _world: 09:00 Europe/Berlin (the workspace's zone) on one weekday.
    assert at.astimezone(workspace.tzinfo).strftime("%H:%M") == "09:00"
    assert at.astimezone(workspace.tzinfo).weekday() == (timezone.now() + timedelta(days=9)).weekday()

    # The slot first, so nothing scrolls while the mouse is down (the rail is sticky: it stays in view).
    slot.scroll_into_view_if_needed()
    page.drag_and_drop(f"#draft-p{draft.pk} .rail-thumb", f"#{slot.get_attribute('id')} .tile-media")
    expect(page.locator("#grid-flash")).to_contain_text("still a draft")
    draft.refresh_from_db()
    assert draft.publish_at == at and draft.status == S.DRAFT
    page.reload()
    # It left the rail and stands on the grid where the slot was, as a planned draft.
    expect(page.locator(f"#draft-p{draft.pk}")).to_have_count(0)
    tile = page.locator(f"#tile-p{draft.pk}")
    expect(tile).to_have_class(re.compile(r"\btile-planned\b"))
    expect(tile.locator("time")).to_have_attribute("datetime", at.astimezone(workspace.tzinfo).isoformat())
    expect(page.locator(f'.tile-slot[data-slot="{int(at.timestamp())}"]')).to_have_count(0)


def test_show_in_grid_in_the_composer_draws_the_post_among_its_neighbours(browser_page, live_server, social,
                                                                          workspace, media_settings):
    account, posts = _world(workspace, social)
    page = browser_page
    sign_in(page, Client(), social, live_server.url)
    page.goto(reverse("scheduler:post_edit", kwargs={"ws": workspace.slug, "pk": posts[1].pk}))
    page.get_by_role("button", name="Show in grid").click()
    preview = page.locator("#grid-preview")
    expect(preview.locator(".tile-preview")).to_be_visible()
    keys = preview.locator(".tile").evaluate_all("els => els.map(e => e.id)")
    # The post being edited is drawn once, as "This post", between its planned neighbours.
    assert f"tile-p{posts[1].pk}" not in keys
    assert keys.index(f"tile-p{posts[2].pk}") < keys.index("tile-preview") < keys.index(f"tile-p{posts[0].pk}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    preview.screenshot(path=str(SHOTS / "composer-show-in-grid.png"))
