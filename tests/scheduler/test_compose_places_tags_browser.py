"""Issue 23 in headless Chromium, at 390 × 844 (touch) and 1400 px: the composer's place search (a combobox used by
keyboard), people tags placed by clicking the preview's photo (and by keyboard: Enter on the photo, arrow keys on a
tag, Delete), then saved — checked in the database; axe finds nothing serious or critical with these controls open.
Also the feeds page's Copy button (clipboard content and the "Copied" feedback). Screenshots go to
$PRESSROOM_SCREENS (else var/screenshots/j23/)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import InstagramAccount
from instagram.sandbox.places import place_rows
from scheduler.models import Post
from scheduler.services.calendar import feed_token_get_or_create
from scheduler.services.media import media_upload
from tests.browser_support import SCREENSHOTS, sign_in
from tests.scheduler.media_fixtures import image_bytes, upload
from tests.test_axe_browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1},
    "desktop": {"viewport": {"width": 1400, "height": 1000}},
}
SCREENS = Path(os.environ.get("PRESSROOM_SCREENS") or SCREENSHOTS / "j23")
TOWER_BRIDGE = next(r["id"] for r in place_rows() if r["name"] == "Tower Bridge")


def open_page(browser_page, live_server, user, size, **options):  # noqa: ANN001, ANN003, ANN201
    context = browser_page.context.browser.new_context(base_url=live_server.url, **{**SIZES[size], **options})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, Client(), user, live_server.url)
    return page


def shot(page, name: str) -> None:  # noqa: ANN001
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def connected(sandbox, workspace, *, login: str, username: str) -> InstagramAccount:
    remote = sandbox.create_account(username, login=login)
    return InstagramAccount.objects.create(
        workspace=workspace, ig_user_id=remote["ig_user_id"], username=remote["username"], login_api=login,
        access_token=remote["access_token"], expires_at=timezone.now() + timedelta(days=60), scopes=remote["scopes"])


def click_at(page, locator, fx: float, fy: float) -> None:  # noqa: ANN001
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_place_search_and_tags_on_the_photo_end_in_the_database(browser_page, live_server, sandbox, settings, tmp_path,
                                                                social, workspace, size):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = connected(sandbox, workspace, login="facebook", username="fb_brand")
    asset = media_upload(user=social, workspace=workspace,
                         uploaded_file=upload("beans.jpg", image_bytes(1080, 1080, color=(180, 110, 60)))).asset
    page = open_page(browser_page, live_server, social, size)
    page.goto(reverse("scheduler:post_create", kwargs={"ws": workspace.slug}))
    page.locator("#composer").wait_for()
    page.locator(f"#pick-{asset.pk}").click()
    page.get_by_label("Caption").fill("Beans by the river")

    # The place search: type, arrow down, Enter.
    search = page.get_by_role("combobox", name="Search a place")
    expect(search).to_be_visible()
    expect(page.locator("#place-unavailable")).to_be_hidden()
    search.fill("tower")
    expect(page.locator("#place-results [role=option]")).to_have_count(2)
    expect(search).to_have_attribute("aria-expanded", "true")
    problems = axe_violations(page)  # with the listbox open
    search.press("ArrowDown")
    expect(search).to_have_attribute("aria-activedescendant", "place-opt-0")
    expect(page.locator("#place-opt-0")).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    expect(page.locator("#place-chosen-name")).to_have_text("Tower Bridge")
    expect(page.locator("#id_location_id")).to_have_value(TOWER_BRIDGE)
    expect(search).to_have_attribute("aria-expanded", "false")
    assert Post.objects.count() == 0  # Enter in the search never saved the post

    # The preview (behind its toggle on a phone) shows the place; click the photo to tag someone there.
    if size == "phone":
        page.get_by_text("Preview", exact=True).first.click()
    expect(page.locator("#preview .ig-place")).to_have_text("Tower Bridge")
    surface = page.locator("#tag-surface")
    surface.scroll_into_view_if_needed()
    click_at(page, surface, 0.25, 0.75)
    expect(page.locator("#tag-editor")).to_be_visible()
    expect(page.locator("#tag-x")).to_have_value("25")
    expect(page.locator("#tag-y")).to_have_value("75")
    page.locator("#tag-username").fill("@ana.b")
    page.get_by_role("button", name="Save tag").click()
    ana = page.locator('.tag-mark[data-tag-user="ana.b"]')
    expect(ana).to_be_visible()
    expect(page.locator("#id_user_tags")).to_have_value("ana.b")

    # By keyboard: Enter on the photo tags someone in the middle; the per-cent fields set the place.
    surface.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#tag-username")).to_be_focused()
    page.keyboard.type("ben_c")
    page.locator("#tag-x").fill("80")
    page.locator("#tag-x").press("Enter")
    ben = page.locator('.tag-mark[data-tag-user="ben_c"]')
    expect(ben).to_be_visible()
    expect(ben).to_be_focused()  # focus comes back to the new tag once the server's preview arrives
    problems += axe_violations(page)

    # Move ana: open her tag, click elsewhere on the photo, save. Nudge ben with the arrow keys, then remove him.
    ana.click()
    expect(page.get_by_role("button", name="Remove tag")).to_be_visible()
    click_at(page, surface, 0.4, 0.3)
    expect(page.locator("#tag-x")).to_have_value("40")
    problems += axe_violations(page)  # with the editor open
    shot(page, f"composer-tags-places-{size}")
    page.get_by_role("button", name="Save tag").click()
    expect(page.locator('.tag-mark[data-tag-user="ana.b"]')).to_have_attribute("data-x", "40.0")
    ben.focus()
    page.keyboard.press("ArrowUp")
    expect(page.locator('.tag-mark[data-tag-user="ben_c"]')).to_have_attribute("data-y", "48.0")
    page.locator('.tag-mark[data-tag-user="ben_c"]').focus()
    page.keyboard.press("Delete")
    expect(page.locator('.tag-mark[data-tag-user="ben_c"]')).to_have_count(0)
    expect(page.locator("#id_user_tags")).to_have_value("ana.b")
    assert problems == []

    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/posts/*/")
    post = Post.objects.get()
    assert (post.account_id, post.location_id, post.location_name) == (account.pk, TOWER_BRIDGE, "Tower Bridge")
    (tag,) = post.user_tags
    assert tag["username"] == "ana.b"
    assert abs(tag["x"] - 0.4) < 0.02 and abs(tag["y"] - 0.3) < 0.02
    expect(page.locator(".post-place")).to_have_text("Tower Bridge")
    expect(page.locator('#preview .tag-mark[data-tag-user="ana.b"]')).to_be_disabled()  # shown, not editable
    assert axe_violations(page) == []
    shot(page, f"post-place-and-tags-{size}")
    if size == "phone":
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.context.close()


def test_instagram_login_falls_back_to_the_page_id_with_a_clear_message(browser_page, live_server, sandbox, settings,
                                                                         tmp_path, social, workspace):
    settings.MEDIA_ROOT = tmp_path / "media"
    connected(sandbox, workspace, login="instagram", username="ig_brand")
    asset = media_upload(user=social, workspace=workspace,
                         uploaded_file=upload("cup.jpg", image_bytes(1080, 1350, color=(60, 110, 180)))).asset
    page = open_page(browser_page, live_server, social, "phone")
    page.goto(reverse("scheduler:post_create", kwargs={"ws": workspace.slug}))
    page.locator(f"#pick-{asset.pk}").click()
    page.get_by_label("Caption").fill("A cup for the road")
    expect(page.locator("#place-search")).to_be_hidden()
    expect(page.locator("#place-unavailable")).to_contain_text("Instagram Login")
    page.get_by_label("Facebook Page id").fill("Tower Bridge")
    expect(page.locator("#msgs-location_id")).to_contain_text("is not a Facebook Page id")
    expect(page.locator("#place-chosen")).to_be_hidden()
    assert axe_violations(page) == []
    shot(page, "composer-page-id-fallback-phone")
    page.get_by_label("Facebook Page id").fill("123456789")
    expect(page.locator("#msgs-location_id")).to_be_empty()
    expect(page.locator("#place-chosen-name")).to_have_text("Page 123456789")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/posts/*/")
    post = Post.objects.get()
    assert (post.location_id, post.location_name, post.caption) == ("123456789", "", "A cup for the road")
    expect(page.get_by_text("Facebook Page 123456789")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_feeds_copy_button_puts_the_address_on_the_clipboard(browser_page, live_server, social, workspace, size):
    token = feed_token_get_or_create(user=social, workspace=workspace)
    page = open_page(browser_page, live_server, social, size)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(reverse("scheduler:calendar_feeds", kwargs={"ws": workspace.slug}))
    field = page.locator("#feed-workspace")
    address = field.input_value()
    assert f"/calendar/feed/{token.token}.ics" in address and address.startswith("http")
    button = page.locator('button[data-copy="feed-workspace"]')
    expect(button).to_have_text("Copy")
    button.click()
    expect(button).to_have_text("Copied")
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == address
    expect(button).to_have_text("Copy", timeout=5000)  # the label comes back
    page.context.close()
