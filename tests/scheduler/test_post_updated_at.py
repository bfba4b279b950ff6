"""Every write to a post moves its `updated_at`, whichever way it is written: the calendar feed's ETag reads the
workspace's latest writes from it (scheduler/ical.py), so a write that kept the old time would leave calendar apps on
a stale feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from scheduler.models import Post
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def post(workspace):  # noqa: ANN001, ANN201
    with time_machine.travel(T0, tick=False):
        return PostFactory(workspace=workspace, caption="First")


def _later(post, write) -> datetime:  # noqa: ANN001
    with time_machine.travel(T0 + timedelta(minutes=7), tick=False):
        write()
    return Post.objects.get(pk=post.pk).updated_at


def test_a_queryset_update_moves_updated_at(post):  # noqa: ANN001
    assert post.updated_at == T0
    moved = _later(post, lambda: Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHING))
    assert moved == T0 + timedelta(minutes=7)


def test_an_explicit_updated_at_is_kept(post):  # noqa: ANN001
    chosen = T0 + timedelta(seconds=5)
    assert _later(post, lambda: Post.objects.filter(pk=post.pk).update(caption="x", updated_at=chosen)) == chosen


def test_save_with_update_fields_moves_updated_at(post):  # noqa: ANN001
    post.caption = "Second"
    moved = _later(post, lambda: post.save(update_fields=["caption"]))
    assert moved == T0 + timedelta(minutes=7)
    assert Post.objects.get(pk=post.pk).caption == "Second"


def test_bulk_update_moves_updated_at(post):  # noqa: ANN001
    post.caption = "Third"
    moved = _later(post, lambda: Post.objects.bulk_update([post], ["caption"]))
    assert moved == T0 + timedelta(minutes=7)


def test_deletes_are_counted_on_the_workspace(workspace):  # noqa: ANN001
    """A deletion moves no post's updated_at: the workspace counts it instead (the feed's ETag reads the count)."""
    posts = [PostFactory(workspace=workspace) for _ in range(3)]
    Post.objects.filter(pk__in=[posts[0].pk, posts[1].pk]).delete()
    workspace.refresh_from_db()
    assert workspace.posts_deleted == 2
    posts[2].delete()
    workspace.refresh_from_db()
    assert workspace.posts_deleted == 3
