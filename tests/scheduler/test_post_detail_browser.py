"""A published post's detail page in headless Chromium: preview, history, metrics chart (screenshot looked at)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduler.models import MetricSnapshot, Post, PostMedia, PublishAttempt, ReviewEvent
from scheduler.services import media as media_services
from tests.browser_support import screenshot, sign_in
from tests.factories import InstagramAccountFactory
from tests.scheduler.media_fixtures import image_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_published_post_detail_with_metrics_chart(browser_page, live_server, client, settings, tmp_path, workspace,
                                                   social, editor):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    published = timezone.now() - timedelta(days=3)
    post = Post.objects.create(
        workspace=workspace, account=account, kind=Post.Kind.CAROUSEL, status=Post.Status.PUBLISHED, author=social,
        caption="Three roasts, one morning. Which one is yours? #coffee #roastery @acmecoffee",
        publish_at=published, published_at=published, permalink="https://www.instagram.com/p/Cabc123/")
    for i, color in enumerate([(120, 70, 40), (200, 150, 90), (60, 40, 30)]):
        asset = media_services.media_upload(user=social, workspace=workspace,
                                            uploaded_file=upload(f"roast-{i}.jpg", image_bytes(1080, 1350, color=color))).asset
        PostMedia.objects.create(post=post, asset=asset, position=i, alt_text=f"Roast {i + 1} in a glass jar")
    for hours, actor, action, before, after, note in (
            (50, social, "created", "", "draft", ""), (49, social, "submitted", "draft", "in_review", ""),
            (30, editor, "approved", "in_review", "approved", "Lovely light. Go.")):
        event = ReviewEvent.objects.create(post=post, actor=actor, action=action, from_status=before, to_status=after,
                                           note=note)
        ReviewEvent.objects.filter(pk=event.pk).update(created_at=published - timedelta(hours=hours))
    PublishAttempt.objects.create(post=post, number=1, started_at=published - timedelta(minutes=3), outcome="retry",
                                  error_code="2", error_message="An unexpected error has occurred. Please retry.")
    PublishAttempt.objects.create(post=post, number=2, started_at=published, outcome="published")
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(post=post, taken_at=published + timedelta(hours=h), likes=int(40 * h ** 0.6), comments=h // 3,
                       views=int(900 * h ** 0.5), reach=int(700 * h ** 0.5)) for h in range(1, 72, 3))

    page = browser_page
    sign_in(page, client, social, live_server.url)
    page.goto(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}))
    page.locator("#metrics").wait_for()
    assert page.locator(".metric-chart polyline").count() == 4
    assert page.locator("#preview .ig-track img").count() == 3 and page.locator("#preview .ig-dots i").count() == 3
    assert "Instagram said: An unexpected error has occurred. Please retry." in page.locator(".timeline").inner_text()
    assert "Lovely light. Go." in page.locator(".timeline").inner_text()
    screenshot(page, "post-detail-published")


def test_in_review_post_detail_for_an_editor(browser_page, live_server, client, settings, tmp_path, workspace, social,
                                             editor):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = InstagramAccountFactory(workspace=workspace, username="acmecoffee")
    post = Post.objects.create(workspace=workspace, account=account, kind=Post.Kind.STORY, status=Post.Status.IN_REVIEW,
                               author=social, caption="", publish_at=timezone.now() + timedelta(days=2))
    asset = media_services.media_upload(user=social, workspace=workspace,
                                        uploaded_file=upload("story.jpg", image_bytes(1080, 1920, color=(90, 60, 160)))).asset
    PostMedia.objects.create(post=post, asset=asset, position=0)
    ReviewEvent.objects.create(post=post, actor=social, action="submitted", from_status="draft", to_status="in_review",
                               note="Story for Friday's tasting.")
    page = browser_page
    sign_in(page, client, editor, live_server.url)
    page.goto(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}))
    page.locator("#preview .ig-phone.ig-story").wait_for()
    assert page.get_by_role("button", name="Approve").is_visible()
    assert page.get_by_role("button", name="Cancel post").count() == 0  # the table says editors do not cancel
    screenshot(page, "post-detail-in-review-editor")
