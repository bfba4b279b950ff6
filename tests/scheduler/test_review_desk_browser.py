"""The review desk in a real browser: an editor signs in to the admin, opens "In review", approves one post with a
comment; the author sees it approved in the calendar, with the comment in its history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduler.models import Post
from scheduler.services import approval as approval_svc
from scheduler.services import compose as compose_svc
from scheduler.services.media import media_upload
from tests.browser_support import screenshot, sign_in
from tests.factories import InstagramAccountFactory
from tests.scheduler.media_fixtures import image_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def compose(social, workspace, account, caption, color, hours):
    assets = [media_upload(user=social, workspace=workspace,
                           uploaded_file=upload(f"{caption[:8]}-{i}.jpg", image_bytes(1080, 1350, color=c))).asset
              for i, c in enumerate(color)]
    post = compose_svc.post_create(user=social, workspace=workspace, account=account,
                           kind="carousel" if len(assets) > 1 else "feed", caption=caption,
                           asset_ids=[a.pk for a in assets], alt_texts=[f"Photo {i + 1} of {caption[:20]}"
                                                                         for i in range(len(assets))],
                           publish_at=timezone.now() + timedelta(hours=hours))
    return approval_svc.post_submit(user=social, post=post)


def test_editor_approves_with_a_comment_and_the_author_sees_it(browser_page, live_server, client, editor, social,
                                                                workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    post = compose(social, workspace, account, "Our autumn menu is here 🍂 Which one first? #autumn #coffee",
                   [(196, 120, 60), (120, 70, 40), (230, 200, 150)], hours=27)
    compose(social, workspace, account, "Latte art Friday ☕ Tag a friend who needs one #latteart", [(90, 60, 40)],
            hours=6)
    page = browser_page

    # The editor signs in to the admin through its own form.
    page.goto("/admin/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "pw-for-tests-123")
    page.click("input[type=submit]")
    page.get_by_text("Awaiting your review (2)").click()
    page.locator("#result_list").wait_for()
    assert page.locator("#result_list tbody tr").count() == 2
    assert page.locator("#result_list .desk-thumb").count() == 4  # 3 of the carousel + 1
    screenshot(page, "review-desk-changelist")

    page.get_by_role("link", name="Our autumn menu is here").first.click()
    page.locator(".ig-preview").wait_for()
    assert page.locator(".ig-slide").count() == 3
    page.fill("#review-note", "Lovely. Tag @roastery in the first comment next time.")
    screenshot(page, "review-desk-review-page")
    page.get_by_role("button", name="Approve with comment").click()
    page.get_by_text("Approved; the author gets your comment.").wait_for()
    assert Post.objects.get(pk=post.pk).status == Post.Status.APPROVED

    # The author, in the calendar: the post is approved; its card opens the history with the comment.
    page.context.clear_cookies()
    sign_in(page, client, social, live_server.url)
    local_day = timezone.localtime(post.publish_at, workspace.tzinfo).date()
    page.goto(reverse("scheduler:calendar", kwargs={"ws": workspace.slug})
              + f"?view=agenda&date={local_day.isoformat()}")
    card = page.locator(f'.cal-card[data-post="{post.pk}"]').first
    card.wait_for()
    assert "status-approved" in card.get_attribute("class")
    assert card.locator(".cal-status-text").inner_text() == "Approved"
    screenshot(page, "review-desk-author-calendar")
    card.locator(".cal-open").click()
    history = page.locator(".history")
    history.get_by_text("Tag @roastery in the first comment").wait_for()
    assert "approved" in history.inner_text()
    assert page.locator("h1 .badge").inner_text() == "Approved"
    screenshot(page, "review-desk-author-sees-approval")


def test_a_stale_approve_is_refused_with_the_diff_then_the_new_version_is_approved(
        browser_page, live_server, editor, social, workspace, settings, tmp_path):
    """Issue 17: the editor's page shows one caption; the author changes it in another browser; the editor's
    Approve is refused with what changed, and the page then approves the version it now shows."""
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path / "media"
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    post = compose(social, workspace, account, "Pumpkin spice is back on Monday #autumn", [(196, 120, 60)], hours=30)
    desk = browser_page
    sign_in(desk, Client(), editor, live_server.url)
    console = []
    desk.on("console", lambda message: console.append(message.text))
    desk.goto(reverse("admin:scheduler_post_change", args=[post.pk]))
    desk.locator(".review-decide").wait_for()

    # The author, in a browser of their own, rewrites the caption in the composer; the post stays in review.
    other = desk.context.browser.new_context(viewport={"width": 1200, "height": 900}, base_url=live_server.url)
    try:
        author = other.new_page()
        author.set_default_timeout(15_000)
        sign_in(author, Client(), social, live_server.url)
        author.goto(reverse("scheduler:post_edit", kwargs={"ws": workspace.slug, "pk": post.pk}))
        author.fill("#id_caption", "Pumpkin spice is back on Tuesday #autumn")
        author.get_by_role("button", name="Save", exact=True).last.click()
        author.wait_for_url("**/posts/*/")
    finally:
        other.close()
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW and "Tuesday" in post.caption

    desk.get_by_role("button", name="Approve", exact=True).click()
    stale = desk.locator(".review-stale")
    stale.wait_for()
    assert "This post changed since you opened it" in stale.inner_text()
    assert "Pumpkin spice is back on Monday" in stale.locator(".diff-old").inner_text()
    assert "Pumpkin spice is back on Tuesday" in stale.locator(".diff-new").inner_text()
    assert Post.objects.get(pk=post.pk).status == Post.Status.IN_REVIEW
    screenshot(desk, "review-desk-stale-approve-refused")

    desk.get_by_role("button", name="Approve", exact=True).click()  # the page now shows (and sends) the new version
    desk.get_by_text("Approved. It is scheduled.").wait_for()
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED and "Tuesday" in post.caption
    assert not [line for line in console if "Content Security Policy" in line]


def test_reject_asks_in_a_dialog_first(browser_page, live_server, editor, social, workspace, settings, tmp_path):
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path / "media"
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    post = compose(social, workspace, account, "Off-brand filter #autumn", [(30, 30, 30)], hours=30)
    page = browser_page
    sign_in(page, Client(), editor, live_server.url)
    page.goto(reverse("admin:scheduler_post_change", args=[post.pk]))
    page.fill("#review-note", "The filter is off brand.")
    page.get_by_role("button", name="Reject").click()
    dialog = page.locator("dialog.confirm-dialog")
    dialog.wait_for()
    assert "Reject this post?" in dialog.inner_text()
    screenshot(page, "review-desk-reject-dialog")
    dialog.get_by_role("button", name="No, go back").click()
    assert Post.objects.get(pk=post.pk).status == Post.Status.IN_REVIEW
    page.get_by_role("button", name="Reject").click()
    dialog.get_by_role("button", name="Reject").click()
    page.get_by_text("Rejected; the author sees your note.").wait_for()
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT


def test_the_review_page_of_a_repeating_wide_photo(browser_page, live_server, editor, social, workspace, settings,
                                                   tmp_path):
    """Issue 17 point 5: the repeat in words with its next dates, times with their zone, the photo in its shape."""
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path / "media"
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    wide = media_upload(user=social, workspace=workspace,
                        uploaded_file=upload("wide.jpg", image_bytes(1600, 900, color=(40, 120, 180)))).asset
    start = timezone.now() + timedelta(days=2)
    post = compose_svc.post_create(user=social, workspace=workspace, account=account, kind="feed",
                                   caption="Panorama Monday #harbour", asset_ids=[wide.pk], publish_at=start,
                                   rrule="FREQ=WEEKLY;COUNT=8")
    approval_svc.post_submit(user=social, post=post)
    page = browser_page
    sign_in(page, Client(), editor, live_server.url)
    page.goto(reverse("admin:scheduler_post_change", args=[post.pk]))
    media = page.locator(".ig-media")
    media.wait_for()
    box = media.bounding_box()
    assert abs(box["width"] / box["height"] - 1600 / 900) < 0.02  # drawn 16:9, not in a portrait frame
    assert "8 times" in page.locator(".review-repeat").inner_text()
    assert "(Europe/Berlin)" in page.locator(".review-history").inner_text()
    page.locator("fieldset.collapse summary, fieldset.collapse h2").first.click()
    screenshot(page, "review-desk-repeating-wide-photo")
