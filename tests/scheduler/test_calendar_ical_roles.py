"""Issue 17.7: the iCal feed follows the owner's role at once — the cached body is keyed by what they may see."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Membership, User
from accounts.permissions import Role
from scheduler import ical
from scheduler.models import Post
from scheduler.services.calendar import feed_token_get_or_create
from tests.scheduler.calendar_support import local, post_at

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_and_cold_cache():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def posts(workspace):
    post_at(workspace, local(workspace, "2027-03-20 10:00"), caption="Approved launch")
    post_at(workspace, local(workspace, "2027-03-21 10:00"), status=Post.Status.DRAFT, caption="Secret draft")
    post_at(workspace, local(workspace, "2027-03-22 10:00"), status=Post.Status.IN_REVIEW, caption="Waiting review")


def summaries(body: bytes) -> str:
    return " ".join(str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_the_feed_tag_changes_with_the_role(editor, workspace, posts):
    """The feed's ETag includes what its owner may see: a calendar app holding a manager's tag gets a fresh body, not
    a 304, once the owner is a Client (issue 17: the cache key lacked the visibility level)."""
    def tag() -> str:  # as the feed view does: the user as stored now
        return ical.etag(user=User.objects.get(pk=editor.pk), workspace=workspace, base_url="http://testserver/")

    def body() -> str:
        return summaries(b"".join(ical.stream(user=User.objects.get(pk=editor.pk), workspace=workspace,
                                              base_url="http://testserver/")))

    as_editor, editor_tag = body(), tag()
    assert "Secret draft" in as_editor and "Waiting review" in as_editor and "Approved launch" in as_editor
    Membership.objects.filter(user=editor, workspace=workspace).update(role=Role.CLIENT.value)
    as_client = body()
    assert tag() != editor_tag
    assert "Approved launch" in as_client
    assert "Secret draft" not in as_client and "Waiting review" not in as_client


def test_a_subscribed_feed_shows_no_drafts_on_the_next_fetch_after_the_role_changes(client, editor, workspace, posts):
    url = reverse("scheduler:calendar_feed", kwargs={"token": feed_token_get_or_create(user=editor,
                                                                                       workspace=workspace).token})
    def body(response) -> str:  # noqa: ANN001 - the feed is streamed
        return summaries(b"".join(response.streaming_content))

    first = client.get(url)
    assert first.status_code == 200 and "Secret draft" in body(first)
    Membership.objects.filter(user=editor, workspace=workspace).update(role=Role.CLIENT.value)
    # The calendar app asks again with the tag it holds: same token, same posts, only the role changed.
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    shown = body(second)
    assert "Approved launch" in shown
    assert "Secret draft" not in shown and "Waiting review" not in shown
    Membership.objects.filter(user=editor, workspace=workspace).update(role=Role.EDITOR.value)
    assert "Secret draft" in body(client.get(url))
    Membership.objects.filter(user=editor, workspace=workspace).update(role="")  # no role: no feed at all
    assert client.get(url).status_code == 404
