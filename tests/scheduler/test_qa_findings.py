"""Findings of the QA walk through the demo (each failed before its fix): labels and the admin's console."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from scheduler.models import Post
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db


def test_the_needs_a_person_reason_has_a_label(login, social, workspace):
    """The reason picker stood alone as a bare "Stickers" dropdown: no label, nothing for a screen reader."""
    post = PostFactory(workspace=workspace, status=Post.Status.APPROVED, author=social)
    page = login(social).get(reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk}))
    body = page.content.decode()
    assert re.search(r'<label>Why a person must post it <select name="reason"[^>]*>', body)


@pytest.mark.parametrize("path", ["/admin/", "/admin/scheduler/post/", "/admin/accounts/workspace/"])
def test_admin_pages_declare_an_icon_so_the_browser_asks_for_no_favicon(login, admin_user, path):
    """Every admin page logged "Failed to load resource: 404" for /favicon.ico in the browser console."""
    body = login(admin_user).get(path).content.decode()
    assert '<link rel="icon" href="data:,">' in body
    assert "Pressroom review desk" in body  # the override keeps the site header


@pytest.mark.parametrize("persona", ["admin", "editor", "social", "client"], indirect=True)
def test_dashboard_rows_open_their_post(login, persona, workspace, social):
    """The dashboard listed posts (needs attention, waiting for review, next 7 days) that could not be opened."""
    from datetime import timedelta

    from django.utils import timezone

    upcoming = PostFactory(workspace=workspace, status=Post.Status.APPROVED, author=social, caption="Soon on the feed",
                           publish_at=timezone.now() + timedelta(days=2))
    c = login(persona)
    body = c.get(reverse("scheduler:dashboard", kwargs={"ws": workspace.slug})).content.decode()
    detail = reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": upcoming.pk})
    assert f'<a href="{detail}">Soon on the feed</a>' in body
    assert c.get(detail).status_code == 200  # every role that sees the row may open it


def test_an_htmx_post_action_says_its_message_once(login, social, workspace):
    """"Publishing now; …" showed in the post panel, then again on the next page opened (the manual queue)."""
    post = PostFactory(workspace=workspace, caption="Ready for review", author=social)
    c = login(social)
    answer = c.post(reverse("scheduler:post_submit", kwargs={"ws": workspace.slug, "pk": post.pk}), HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "Submitted for review." in answer.content.decode()
    later = c.get(reverse("scheduler:manual_queue", kwargs={"ws": workspace.slug})).content.decode()
    assert "Submitted for review." not in later
    # Without JavaScript the message travels through the redirect, as before.
    post.refresh_from_db()
    plain = c.post(reverse("scheduler:post_cancel", kwargs={"ws": workspace.slug, "pk": post.pk}), {"confirmed": "1"},
                   follow=True)
    assert plain.redirect_chain and any(str(m) for m in plain.context["messages"])


def test_a_manual_queue_card_opens_its_post(login, social, workspace):
    """A card in the manual queue had no way to the post's page (its history, preview, other actions)."""
    post = PostFactory(workspace=workspace, status=Post.Status.MANUAL, author=social, manual_reason="stickers")
    body = login(social).get(reverse("scheduler:manual_queue", kwargs={"ws": workspace.slug})).content.decode()
    assert f'<a href="{reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk})}">' in body
