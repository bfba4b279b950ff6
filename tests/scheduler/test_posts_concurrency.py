"""Two people save the same post at the same moment: the compare-and-set UPDATE lets exactly one win.

Needs real concurrent transactions, so it runs on PostgreSQL (SQLite serializes writers anyway).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from scheduler.models import Post, ReviewEvent
from scheduler.services import compose as compose_svc
from scheduler.services import lifecycle as lifecycle_svc
from tests.factories import InstagramAccountFactory
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_edits_only_one_wins(workspace, social):
    account = InstagramAccountFactory(workspace=workspace)
    post = PostFactory(workspace=workspace, account=account, status=Post.Status.APPROVED)
    copies = [Post.objects.get(pk=post.pk) for _ in range(2)]  # both editors opened version 1
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(copy: Post, caption: str) -> None:
        try:
            barrier.wait(timeout=10)
            compose_svc.post_update(user=social, post=copy, expected_version=1, caption=caption)
            outcomes.append("saved")
        except lifecycle_svc.ConflictError:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(c, f"Edit {i}")) for i, c in enumerate(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    post.refresh_from_db()
    assert post.version == 2 and post.status == Post.Status.IN_REVIEW
    assert ReviewEvent.objects.filter(post=post, action="edited").count() == 1
