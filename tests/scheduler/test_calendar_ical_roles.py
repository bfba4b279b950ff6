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


def test_the_cached_feed_changes_with_the_role(editor, workspace, posts):
    token = feed_token_get_or_create(user=editor, workspace=workspace)

    def fetch() -> str:  # as the feed view does: the user as stored now
        return summaries(ical.cached_feed(token=token.token, user=User.objects.get(pk=editor.pk), workspace=workspace,
                                          base_url="http://testserver/"))

    as_editor = fetch()
    assert "Secret draft" in as_editor and "Waiting review" in as_editor and "Approved launch" in as_editor
    Membership.objects.filter(user=editor, workspace=workspace).update(role=Role.CLIENT.value)
    as_client = fetch()
    assert "Approved launch" in as_client
    assert "Secret draft" not in as_client and "Waiting review" not in as_client


def test_a_subscribed_feed_shows_no_drafts_on_the_next_fetch_after_the_role_changes(client, editor, workspace, posts):
    url = reverse("scheduler:calendar_feed", kwargs={"token": feed_token_get_or_create(user=editor,
                                                                                       workspace=workspace).token})
    first = client.get(url)
    assert first.status_code == 200 and "Secret draft" in summaries(first.content)
    Membership.objects.filter(user=editor, workspace=workspace).update(role=Role.CLIENT.value)
    second = client.get(url)  # same token, same hour, same posts: only the role changed
    assert second.status_code == 200
    assert "Approved launch" in summaries(second.content)
    assert "Secret draft" not in summaries(second.content) and "Waiting review" not in summaries(second.content)
    Membership.objects.filter(user=editor, workspace=workspace).update(role=Role.EDITOR.value)
    assert "Secret draft" in summaries(client.get(url).content)
    Membership.objects.filter(user=editor, workspace=workspace).update(role="")  # no role: no feed at all
    assert client.get(url).status_code == 404
