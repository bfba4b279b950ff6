"""Issue 23, "Small things": dashboard notifications, attention count and New post; clients stay inside their
navigation; the history says "publish now" once; breadcrumbs end with the page; the feeds page has Copy buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.services.notifications import notify
from scheduler.models import Post
from scheduler.services import approval as approval_svc
from scheduler.services import timing as timing_svc
from tests.archive.factories import make_profile
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db


def test_dashboard_counts_changes_requested_and_offers_a_new_post(login, social, editor, workspace):
    sent_back = PostFactory(workspace=workspace, status=Post.Status.IN_REVIEW, author=social, caption="Sent back",
                            publish_at=timezone.now() + timedelta(days=3))
    approval_svc.post_request_changes(user=editor, post=sent_back, note="Shorter caption please.")
    PostFactory(workspace=workspace, status=Post.Status.FAILED, author=social, caption="Broke")
    PostFactory(workspace=workspace, status=Post.Status.DRAFT, author=social, caption="Just a draft")
    html = login(social).get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})).content.decode()
    assert "Needs your attention (2)" in html  # the failed post and the one sent back; not the plain draft
    detail = reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": sent_back.pk})
    assert f'<a href="{detail}">Sent back</a>' in html
    assert f'href="{reverse("scheduler:post_create", kwargs={"ws": workspace.slug})}">New post</a>' in html


def test_notifications_link_to_their_subject_and_can_be_marked_read(login, social, workspace):
    [note] = notify(workspace=workspace, kind="post_review", title="Changes requested: Autumn", url="/w/acme/posts/7/",
                    users=[social])
    c = login(social)
    dashboard = reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})
    html = c.get(dashboard).content.decode()
    assert '<a href="/w/acme/posts/7/"><strong>Changes requested: Autumn</strong></a>' in html
    assert reverse("accounts:notification_dismiss", kwargs={"pk": note.pk}) in html and "Mark read" in html
    r = c.post(reverse("accounts:notification_dismiss", kwargs={"pk": note.pk}), {"next": dashboard})
    assert r.status_code == 302 and r["Location"] == dashboard
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert "Mark read" not in c.get(dashboard).content.decode()


def test_a_client_opens_calendar_cards_and_goes_back_to_the_calendar(login, client_user, workspace):
    post = PostFactory(workspace=workspace, status=Post.Status.APPROVED, caption="Approved for the client",
                       publish_at=timezone.now() + timedelta(days=1))
    c = login(client_user)
    html = c.get(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}), {"view": "agenda"}).content.decode()
    detail = reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk})
    assert f'<a class="cal-open" href="{detail}">' in html
    page = c.get(detail).content.decode()
    assert reverse("scheduler:post_list", kwargs={"ws": workspace.slug}) not in page  # not in a client's menu
    assert f'<a href="{reverse("scheduler:calendar", kwargs={"ws": workspace.slug})}">← Calendar</a>' in page


def test_the_history_says_publish_now_once(login, admin_user, workspace):
    post = PostFactory(workspace=workspace, status=Post.Status.APPROVED, author=admin_user,
                       publish_at=timezone.now() + timedelta(days=1))
    timing_svc.post_publish_now(user=admin_user, post=post)
    html = login(admin_user).get(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}))
    body = html.content.decode()
    assert "asked to publish it now" in body and "Publish now requested." not in body


def test_breadcrumbs_end_with_the_page_not_a_separator(login, client_user, workspace, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    profile = make_profile(workspace, posts=1)
    c = login(client_user)
    for url in (reverse("archive:profile", kwargs={"ws": workspace.slug, "pk": profile.pk}),
                reverse("archive:gallery", kwargs={"ws": workspace.slug, "pk": profile.pk}),
                reverse("archive:post_detail", kwargs={"ws": workspace.slug, "pk": profile.posts.get().pk})):
        html = c.get(url).content.decode()
        crumbs = html.split('class="crumbs"')[1].split("</nav>")[0]
        assert not crumbs.rstrip().endswith("›") and 'aria-current="page"' in crumbs, url


def test_the_feeds_page_has_copy_buttons(login, social, workspace):
    c = login(social)
    feeds = reverse("scheduler:calendar_feeds", kwargs={"ws": workspace.slug})
    c.post(feeds, {"action": "regenerate"})
    html = c.get(feeds).content.decode()
    assert 'data-copy="feed-workspace"' in html and "js/copy.js" in html


def test_a_published_card_says_why_it_cannot_be_dragged(login, social, workspace):
    post = PostFactory(workspace=workspace, status=Post.Status.PUBLISHED, publish_at=timezone.now() - timedelta(days=1),
                       published_at=timezone.now() - timedelta(days=1))
    day = (timezone.now() - timedelta(days=1)).astimezone(workspace.tzinfo).date()
    html = login(social).get(reverse("scheduler:calendar", kwargs={"ws": workspace.slug}),
                             {"view": "agenda", "date": f"{day:%Y-%m-%d}"}).content.decode()
    card = html.split(f'id="card-p{post.pk}"')[1].split(">")[0]
    assert 'data-locked="This post is already published on Instagram, so it cannot move."' in card
    assert "data-movable" not in card
