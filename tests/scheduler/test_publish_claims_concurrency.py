"""Two dispatcher threads race for the same due post on PostgreSQL: exactly one claim wins.

Under READ COMMITTED the losing UPDATE waits for the winner's row lock, then re-checks its WHERE against the
new row version. Found by bench/dispatch.py: when the account condition made Django write the claim as
`WHERE id IN (SELECT … JOIN account …)`, the re-check used the subquery's old snapshot (still `approved`)
and both claims succeeded. Needs real concurrent transactions, so it runs on PostgreSQL only.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from scheduler.engine.claims import claim_one
from scheduler.models import Post
from tests.factories import InstagramAccountFactory
from tests.scheduler.post_factories import PostFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cur.fetchone()
    return bool(row and row[0] == "Lock")


@pytest.mark.django_db(transaction=True)
def test_a_claim_waiting_on_the_winners_lock_does_not_also_win(workspace):
    account = InstagramAccountFactory(workspace=workspace)
    post = PostFactory(workspace=workspace, account=account, status=Post.Status.APPROVED,
                       publish_at=timezone.now() - timedelta(seconds=5))
    now = timezone.now()
    results: dict[str, object] = {}
    first_claimed, release_first, second_pid = threading.Event(), threading.Event(), []

    def first() -> None:
        try:
            with transaction.atomic():  # the claim stays uncommitted (row locked) until released
                results["first"] = claim_one(now=now)
                first_claimed.set()
                release_first.wait(timeout=30)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_claimed.wait(timeout=30)
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                second_pid.append(cur.fetchone()[0])
            results["second"] = claim_one(now=now)  # sees `approved`, then blocks on the row lock
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert first_claimed.wait(timeout=30)
    # Release the winner only once the second claim is queued behind its lock (or already done).
    for _ in range(600):
        if not threads[1].is_alive() or (second_pid and _waiting_on_a_lock(second_pid[0])):
            break
        threading.Event().wait(0.05)
    release_first.set()
    for t in threads:
        t.join(timeout=30)

    assert results["first"] is not None and results["first"].post_id == post.pk
    assert results["second"] is None
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHING
    assert post.claim_token == results["first"].token
    assert post.attempt_count == 1
