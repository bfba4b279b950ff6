"""A post action's message shows once: in the htmx fragment, or after the plain POST's redirect — never twice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db


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
