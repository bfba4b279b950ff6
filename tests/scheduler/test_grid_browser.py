"""The grid planner in headless Chromium: drag one planned tile onto another, and the keyboard's Earlier button;
after a reload the order and both times are swapped in the database. Screenshots at 1400 and 390 px."""

from __future__ import annotations

from datetime import timedelta
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
from tests.browser_support import sign_in
from tests.factories import InstagramAccountFactory
from tests.scheduler.media_fixtures import image_bytes, upload
from tests.scheduler.post_factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Post.Status
SHOTS = Path("/work/wt/screens/i21")
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
    PostFactory(workspace=workspace, account=account, status=S.DRAFT, media=[assets[4]], caption="Autumn menu draft")
    profile = make_profile(workspace, username="northwind_coffee", posts=8)
    profile.account = account
    profile.save(update_fields=["account"])
    ArchivedPost.objects.filter(profile=profile, ig_id__endswith="0001").update(pinned=True)
    return account, posts


def grid_url(workspace, account) -> str:  # noqa: ANN001
    return reverse("scheduler:grid", kwargs={"ws": workspace.slug, "account": account.pk})


def test_drag_swaps_two_planned_tiles_and_the_keyboard_does_the_same(browser_page, live_server, social, workspace,
                                                                      media_settings):
    account, posts = _world(workspace, social)
    a, b, c, d = posts
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
    page.reload()
    order = [i for i in page.locator(".tile-planned").evaluate_all("els => els.map(e => e.id)")]
    assert order == [f"tile-p{a.pk}", f"tile-p{c.pk}", f"tile-p{d.pk}", f"tile-p{b.pk}"]
    b.refresh_from_db()
    d.refresh_from_db()
    assert (b.publish_at, d.publish_at) == (times[a.pk], times[b.pk])

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "grid-1400.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=str(SHOTS / "grid-390.png"), full_page=True)


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
