"""The manual lane: mark manual, the queue page, mark posted with the permalink."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from scheduler.models import Post, ReviewEvent
from scheduler.services import manual as manual_svc
from tests.scheduler.post_factories import PostFactory

S = Post.Status


def test_mark_manual_on_approved_post_queues_it_and_tells_the_assignee(social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED, assignee=social,
                       caption="Story with a poll sticker", publish_at=timezone.now() + timedelta(hours=2))
    manual_svc.post_mark_manual(user=social, post=post, reason=Post.ManualReason.STICKERS)
    post.refresh_from_db()
    assert (post.status, post.manual_reason) == (S.MANUAL, "stickers")
    ev = ReviewEvent.objects.filter(post=post).latest("id")
    assert (ev.action, ev.from_status, ev.to_status) == ("marked_manual", S.APPROVED, S.MANUAL)
    note = Notification.objects.get(user=social, kind="manual_due")
    assert "Story with a poll sticker" in note.body and "@acmecoffee" in note.title
    assert ".jpg" in note.body  # the media download link


def test_mark_manual_on_a_draft_only_records_the_reason(social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.DRAFT)
    manual_svc.post_mark_manual(user=social, post=post, reason=Post.ManualReason.MUSIC)
    post.refresh_from_db()
    assert (post.status, post.manual_reason) == (S.DRAFT, "music")


def test_mark_manual_needs_a_known_reason(social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.APPROVED)
    with pytest.raises(ValidationError, match="not a manual reason"):
        manual_svc.post_mark_manual(user=social, post=post, reason="")


def test_mark_posted_records_permalink(social, workspace, account, frozen_now):
    post = PostFactory(workspace=workspace, account=account, status=S.MANUAL, manual_reason="stickers")
    link = "https://www.instagram.com/p/Cabc123/"
    manual_svc.post_mark_posted_manually(user=social, post=post, permalink=link)
    post.refresh_from_db()
    assert (post.status, post.permalink, post.published_at) == (S.PUBLISHED, link, frozen_now)
    ev = ReviewEvent.objects.filter(post=post).latest("id")
    assert (ev.action, ev.from_status, ev.to_status) == ("posted_manually", S.MANUAL, S.PUBLISHED)


@pytest.mark.parametrize("bad", ["", "not a url", "http://www.instagram.com/p/x/", "https://evil.example/p/x/",
                                 "https://instagram.com.evil.example/p/abc/", "https://www.instagram.com/"])
def test_bad_permalink_refused(social, workspace, account, bad):
    post = PostFactory(workspace=workspace, account=account, status=S.MANUAL)
    with pytest.raises(ValidationError, match="Paste the post's Instagram link"):
        manual_svc.post_mark_posted_manually(user=social, post=post, permalink=bad)
    assert Post.objects.get(pk=post.pk).status == S.MANUAL


def test_mark_posted_from_needs_review_and_failed(social, workspace, account):
    for status in (S.NEEDS_REVIEW, S.FAILED):
        post = PostFactory(workspace=workspace, account=account, status=status)
        manual_svc.post_mark_posted_manually(user=social, post=post, permalink="https://instagram.com/reel/Cxyz/")
        assert Post.objects.get(pk=post.pk).status == S.PUBLISHED


def test_editor_may_not_handle_manual_posts(editor, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.MANUAL)
    with pytest.raises(PermissionDenied):
        manual_svc.post_mark_posted_manually(user=editor, post=post, permalink="https://instagram.com/p/Cxyz/")


def test_manual_queue_page_and_mark_posted_form(login, social, workspace, account, django_assert_max_num_queries):
    posts = [PostFactory(workspace=workspace, account=account, status=S.MANUAL, manual_reason="music",
                         caption=f"Reel with music {i}") for i in range(4)]
    PostFactory(workspace=workspace, account=account, status=S.APPROVED, caption="Not manual")
    client = login(social)
    url = reverse("scheduler:manual_queue", kwargs={"ws": workspace.slug})
    with django_assert_max_num_queries(12):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Reel with music 3" in body and "Not manual" not in body and "download" in body
    assert reverse("scheduler:post_mark_posted", kwargs={"ws": workspace.slug, "pk": posts[0].pk}) in body

    response = client.post(reverse("scheduler:post_mark_posted", kwargs={"ws": workspace.slug, "pk": posts[0].pk}),
                           {"permalink": "https://www.instagram.com/p/Cdone/", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert Post.objects.get(pk=posts[0].pk).status == S.PUBLISHED

    response = client.post(reverse("scheduler:post_mark_posted", kwargs={"ws": workspace.slug, "pk": posts[1].pk}),
                           {"permalink": "https://example.com/x", "next": url}, follow=True)
    assert "Paste the post&#x27;s Instagram link" in response.content.decode()
    assert Post.objects.get(pk=posts[1].pk).status == S.MANUAL


def test_a_refused_link_comes_back_in_its_field_with_the_reason_beside_it(login, social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.MANUAL, manual_reason="music")
    other = PostFactory(workspace=workspace, account=account, status=S.MANUAL, manual_reason="stickers")
    client = login(social)
    url = reverse("scheduler:manual_queue", kwargs={"ws": workspace.slug})
    page = client.post(reverse("scheduler:post_mark_posted", kwargs={"ws": workspace.slug, "pk": post.pk}),
                       {"permalink": "https://example.com/typed-by-hand", "next": url}, follow=True).content.decode()
    field = re.search(rf'<input[^>]*aria-describedby="permalink-error-{post.pk}"[^>]*>', page)
    assert field and 'value="https://example.com/typed-by-hand"' in field.group(0)
    assert re.search(rf'id="permalink-error-{post.pk}">[^<]*Instagram link', page)
    assert f'permalink-error-{other.pk}' not in page  # only the card that was refused
    # Shown once: opening the queue again gives empty fields.
    assert "typed-by-hand" not in client.get(url).content.decode()


def test_manual_queue_access(login, client_user, outsider, workspace):
    url = reverse("scheduler:manual_queue", kwargs={"ws": workspace.slug})
    assert login(client_user).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
