"""A stale save on the review desk's change form conflicts and keeps the newer data."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from scheduler.models import Post
from scheduler.services import compose as compose_svc
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db
S = Post.Status


def test_stale_admin_save_shows_a_conflict_and_keeps_the_newer_caption(login, editor, social, workspace, account):
    post = PostFactory(workspace=workspace, account=account, status=S.IN_REVIEW, caption="Original")
    change = reverse("admin:scheduler_post_change", args=[post.pk])
    client = login(editor)
    html = client.get(change).content.decode()
    loaded = int(re.search(r'name="expected_version" value="(\d+)"', html).group(1))
    assert loaded == 1
    compose_svc.post_update(user=social, post=Post.objects.get(pk=post.pk), expected_version=1, caption="Newer by Sam")
    hidden = dict(re.findall(r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d*)"', html))
    response = client.post(change, {"caption": "Stale edit", "expected_version": loaded, **hidden}, follow=True)
    body = response.content.decode()
    assert "Someone else changed this post" in body and "changed successfully" not in body
    post.refresh_from_db()
    assert (post.caption, post.version) == ("Newer by Sam", 2)
    assert "Newer by Sam" in body  # the form shows the newer data
