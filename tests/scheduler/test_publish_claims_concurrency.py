"""Dispatcher threads racing for due posts: exactly one claim wins each post, and a thread that loses a
race keeps claiming while posts are due.

Under READ COMMITTED the losing UPDATE waits for the winner's row lock, then re-checks its WHERE against the
new row version. Found by bench/dispatch.py: when the account condition made Django write the claim as
`WHERE id IN (SELECT … JOIN account …)`, the re-check used the subquery's old snapshot (still `approved`)
and both claims succeeded. That test needs real concurrent transactions, so it runs on PostgreSQL only.
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

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cur.fetchone()
    return bool(row and row[0] == "Lock")


@needs_postgres
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


class _OthersClaimTheFirstBatch:
    """Stands in for the other dispatcher threads: right after this worker read its candidates, every one
    of them is claimed by someone else (the race each thread of a run faces when many posts are due)."""

    def __init__(self) -> None:
        self.stolen: list[int] = []
        self.done = False

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        result = execute(sql, params, many, context)
        if not self.done and sql.lstrip().upper().startswith("SELECT") and Post.Status.APPROVED in (params or ()):
            self.done = True
            self.stolen = list(Post.objects.filter(status=Post.Status.APPROVED).order_by("publish_at", "pk")
                               .values_list("pk", flat=True)[:5])
            Post.objects.filter(pk__in=self.stolen).update(status=Post.Status.PUBLISHING, claim_token="other-thread")
        return result


@pytest.mark.django_db
def test_losing_every_candidate_of_a_batch_still_claims_the_next_due_post(workspace):
    """A dispatcher thread quits when claim_one finds nothing: losing the first candidates to other threads
    must not look like "nothing due" while more posts are due (found by bench/dispatch.py)."""
    account = InstagramAccountFactory(workspace=workspace)
    due = timezone.now() - timedelta(minutes=1)
    posts = [PostFactory(workspace=workspace, account=account, status=Post.Status.APPROVED,
                         publish_at=due + timedelta(seconds=i)) for i in range(7)]
    race = _OthersClaimTheFirstBatch()
    with connection.execute_wrapper(race):
        claim = claim_one(now=timezone.now())
    assert race.stolen == [p.pk for p in posts[:5]]
    assert claim is not None and claim.post_id == posts[5].pk
