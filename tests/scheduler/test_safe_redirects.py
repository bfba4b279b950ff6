"""A `next` parameter never sends anyone off the site (notification dismiss, post actions)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Notification
from scheduler.models import Post
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db
S = Post.Status


@pytest.mark.parametrize("target", ["https://elsewhere.example/", "//elsewhere.example/x", "javascript:alert(1)"])
def test_dismiss_does_not_redirect_off_site(login, social, workspace, target):
    note = Notification.objects.create(user=social, workspace=workspace, kind="x", title="Hi")
    response = login(social).post(reverse("accounts:notification_dismiss", args=[note.pk]), {"next": target})
    assert response.status_code == 302 and "elsewhere" not in response["Location"]
    assert not response["Location"].startswith(("http", "//", "javascript"))
    ok = login(social).post(reverse("accounts:notification_dismiss", args=[note.pk]), {"next": "/w/acme/posts/"})
    assert ok["Location"] == "/w/acme/posts/"


def test_post_actions_do_not_redirect_off_site(login, social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.DRAFT)
    url = reverse("scheduler:post_cancel", kwargs={"ws": workspace.slug, "pk": post.pk})
    response = login(social).post(url, {"next": "https://elsewhere.example/", "confirmed": "1"})
    assert response["Location"] == reverse("scheduler:post_detail", kwargs={"ws": workspace.slug, "pk": post.pk})
