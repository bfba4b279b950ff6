"""The archive in a real browser: a client opens a gallery archived from the sandbox, filters it, walks the
lightbox with the arrow keys, downloads an export and finds the expected files and CSV columns in the ZIP."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from archive.models import ArchivedPost, ProfileSnapshot
from archive.services.profiles import profile_add
from tests.archive.conftest import drive
from tests.archive.factories import make_run
from tests.browser_support import SCREENSHOTS, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def archived(ig, asker, social, workspace):
    profile, _ = profile_add(user=social, workspace=workspace, username="northwind_coffee")
    assert drive(profile.runs.get()) == "done"
    # A few weeks of history for the chart (one fetch per day).
    now = timezone.now()
    for day, (followers, media) in enumerate([(11200, 30), (11450, 31), (11800, 32), (12100, 33), (12400, 35)]):
        ProfileSnapshot.objects.create(profile=profile, taken_at=now - timedelta(days=6 - day), followers_count=followers,
                                       follows_count=310, media_count=media)
    gone = profile.posts.order_by("-taken_at")[4]
    ArchivedPost.objects.filter(pk=gone.pk).update(deleted_on_instagram=True, deleted_detected_at=now)
    return profile


def test_client_browses_filters_lightbox_and_exports(browser_page, live_server, client, client_user, workspace,
                                                      archived, tmp_path):
    page = browser_page
    sign_in(page, client, client_user, live_server.url)
    page.goto(reverse("archive:index", kwargs={"ws": workspace.slug}))
    page.get_by_role("link", name="Gallery").first.click()
    tiles = page.locator("#tile-grid .tile-link")
    tiles.first.wait_for()
    assert tiles.count() == 36
    page.mouse.wheel(0, 3000)  # thumbnails load lazily as they come into view
    page.wait_for_function("() => [...document.querySelectorAll('#tile-grid img')].every(i => i.complete && i.naturalWidth > 0)")
    page.mouse.wheel(0, -3000)
    screenshot(page, "archive-gallery")

    # Filter by type: only videos remain (htmx swaps the results, the URL follows).
    page.select_option("select[name=type]", "VIDEO")
    page.wait_for_function("() => document.querySelector('#gallery-count').textContent.includes('match')")
    videos = ArchivedPost.objects.filter(profile=archived, media_type="VIDEO").count()
    assert tiles.count() == videos > 0 and "type=VIDEO" in page.url
    page.select_option("select[name=type]", "")
    page.wait_for_function("n => document.querySelectorAll('#tile-grid .tile-link').length === n", arg=36)

    # Lightbox: open the first post, move with the arrow keys.
    tiles.first.click()
    dialog = page.locator("#lightbox")
    dialog.wait_for(state="visible")
    newest = ArchivedPost.objects.filter(profile=archived).order_by("-taken_at", "-id")
    first_caption = page.locator("#lb-caption").inner_text()
    assert first_caption == newest[0].caption
    assert "View on Instagram" in page.locator("#lb-links").inner_text()
    assert "Download" in page.locator("#lb-links").inner_text()
    page.keyboard.press("ArrowRight")
    assert page.locator("#lb-caption").inner_text() == newest[1].caption
    page.keyboard.press("ArrowRight")
    assert page.locator("#lb-caption").inner_text() == newest[2].caption
    page.keyboard.press("ArrowLeft")
    assert page.locator("#lb-caption").inner_text() == newest[1].caption
    assert "likes" in page.locator("#lb-counts").inner_text()
    assert newest[1].media_type == "CAROUSEL_ALBUM"  # the sandbox's seed: the second newest post is a carousel
    page.get_by_role("button", name="Next item").click()
    assert page.locator("#lb-item-count").inner_text().startswith("2 / ")
    assert "Download item 2" in page.locator("#lb-links").inner_text()
    page.get_by_role("button", name="Previous item").click()
    page.wait_for_function("() => { const m = document.querySelector('#lb-stage .lb-media'); return m && (m.tagName === 'VIDEO' || (m.complete && m.naturalWidth > 0)); }")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "archive-lightbox.png"))  # the viewport: the modal as seen
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    # Export the (filtered) gallery: a ZIP with media, metadata.json and posts.csv.
    page.select_option("select[name=type]", "CAROUSEL_ALBUM")
    page.wait_for_function("() => document.querySelector('#export-link').textContent.includes('these')")
    with page.expect_download() as download_info:
        page.click("#export-link")
    path = tmp_path / "export.zip"
    download_info.value.save_as(path)
    carousels = ArchivedPost.objects.filter(profile=archived, media_type="CAROUSEL_ALBUM")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert "metadata.json" in names and "posts.csv" in names
        media_names = [n for n in names if n.startswith("media/")]
        assert len(media_names) == sum(p.media.count() for p in carousels) and all(n.endswith(".jpg") or n.endswith(".mp4") for n in media_names)
        rows = list(csv.reader(io.StringIO(archive.read("posts.csv").decode("utf-8-sig"))))
    assert rows[0][:6] == ["shortcode", "instagram_id", "taken_at_utc", "type", "product_type", "caption"]
    assert len(rows) == carousels.count() + 1 and {r[3] for r in rows[1:]} == {"CAROUSEL_ALBUM"}


def test_profile_chart_and_running_progress_bar(browser_page, live_server, client, social, workspace, archived):
    page = browser_page
    sign_in(page, client, social, live_server.url)
    make_run(archived, state="running", phase="downloading", posts_seen=36, posts_new=3, media_total=7, media_done=4,
             media_failed=0, api_calls=1)
    page.goto(reverse("archive:profile", kwargs={"ws": workspace.slug, "pk": archived.pk}))
    page.locator("svg.growth-chart polyline").first.wait_for()
    assert page.locator("svg.growth-chart circle").count() >= 10
    assert "Gone since" in page.locator(".deleted-list").inner_text()
    bar = page.locator(".run-running .bar span")
    assert bar.get_attribute("style").startswith("width: ")
    screenshot(page, "archive-profile")
    page.goto(reverse("archive:index", kwargs={"ws": workspace.slug}))
    page.locator(".run-running").wait_for()
    screenshot(page, "archive-progress")
    # Adding a personal account answers in the form, without leaving the page.
    page.fill("#add-username", "quiet_person")
    page.get_by_role("button", name="Add and archive").click()
    page.locator("#add-error").wait_for()
    assert "personal account" in page.locator("#add-error").inner_text()
    # The bar is live: progress written by the worker appears without a reload.
    archived.runs.filter(state="running").update(media_done=6)
    page.wait_for_function("() => document.querySelector('.run-running .run-figures').textContent.includes('6 / 7')",
                           timeout=8000)
