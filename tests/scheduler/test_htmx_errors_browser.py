"""A refusal answered with 409/422 reaches the page under htmx 2 (which swaps no 4xx by default): base.html's htmx-config."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scheduler.models import MediaAsset, Post
from tests.browser_support import screenshot, sign_in
from tests.scheduler.post_factories import MediaAssetFactory, PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_library_delete_of_an_asset_in_use_shows_the_refusal_in_the_panel(browser_page, live_server, client, social,
                                                                          workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    asset = MediaAssetFactory(workspace=workspace, title="Latte art", original_name="latte-art.jpg")
    PostFactory(workspace=workspace, media=[asset], caption="Pumpkin spice is back", status=Post.Status.APPROVED)
    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(reverse("scheduler:library", kwargs={"ws": workspace.slug}))
    page.locator(".asset-card", has_text="Latte art").locator(".asset-open").click()
    panel = page.locator("#panel")
    panel.get_by_label("Alt text").wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.url.endswith("/delete")) as answer:
        panel.get_by_role("button", name="Delete").click()
    assert answer.value.status == 409
    panel.get_by_text("not published yet").wait_for()  # swapped in: before the htmx-config, nothing changed
    assert "Pumpkin spice is back" in panel.inner_text()
    assert MediaAsset.objects.filter(pk=asset.pk).exists()
    screenshot(page, "htmx-409-library-delete-in-use")


def test_post_action_refused_with_422_shows_why_in_the_post_panel(browser_page, live_server, client, social,
                                                                  workspace):
    post = PostFactory(workspace=workspace, media=[], caption="No photo yet", author=social)
    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}))
    with page.expect_response(lambda r: r.url.endswith("/submit")) as answer:
        page.get_by_role("button", name="Submit for review").click()
    assert answer.value.status == 422
    flash = page.locator("#post-panel .msg-error")
    flash.wait_for()  # swapped in: before the htmx-config, the click seemed to do nothing
    assert flash.inner_text().strip()
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    screenshot(page, "htmx-422-post-submit-refused")
