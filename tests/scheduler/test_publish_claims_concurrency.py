"""Dispatcher threads racing for due posts: exactly one claim wins each post, a claim passes over posts other
claims hold, and a thread that loses a race keeps claiming while posts are due.

Found by bench/dispatch.py: when the account condition made Django write the claim as
`WHERE id IN (SELECT … JOIN account …)`, a claim that had waited for the winner's row lock re-checked only the
subquery's old snapshot (still `approved`) and both claims succeeded. The claim is now one
`UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)` (scheduler/engine/claims.py). The tests that need real
concurrent transactions run on PostgreSQL only.
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


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_passes_over_a_post_another_claim_holds_and_takes_the_next(workspace):
    """Claimers do not queue behind each other: while one claim holds the first due post (uncommitted), another
    claim takes the second one at once — and neither returns "nothing claimable" while posts are due."""
    account = InstagramAccountFactory(workspace=workspace)
    due = timezone.now() - timedelta(minutes=1)
    first_post, second_post = (PostFactory(workspace=workspace, account=account, status=Post.Status.APPROVED,
                                           publish_at=due + timedelta(seconds=i)) for i in range(2))
    results: dict[str, object] = {}
    first_claimed, release_first = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = claim_one(now=timezone.now())
                first_claimed.set()
                release_first.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=first)
    holder.start()
    try:
        assert first_claimed.wait(timeout=30)
        other = threading.Thread(target=lambda: (results.update(second=claim_one(now=timezone.now())),
                                                 connection.close()))
        other.start()
        other.join(timeout=30)
        assert not other.is_alive()  # it did not wait for the first claim's lock
    finally:
        release_first.set()
        holder.join(timeout=30)
    assert results["first"].post_id == first_post.pk
    assert results["second"].post_id == second_post.pk
    assert results["first"].token != results["second"].token


class _OthersClaimFirst:
    """Stands in for the other dispatcher threads: just before this worker's claim statement runs, the five
    most overdue posts are claimed by someone else (the race each thread of a run faces when many are due)."""

    def __init__(self) -> None:
        self.stolen: list[int] = []
        self.done = False

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        if not self.done and sql.lstrip().upper().startswith("UPDATE") and Post.Status.APPROVED in (params or ()):
            self.done = True
            self.stolen = list(Post.objects.filter(status=Post.Status.APPROVED).order_by("publish_at", "pk")
                               .values_list("pk", flat=True)[:5])
            Post.objects.filter(pk__in=self.stolen).update(status=Post.Status.PUBLISHING, claim_token="other-thread")
        return execute(sql, params, many, context)


@pytest.mark.django_db
def test_posts_claimed_by_others_first_are_passed_over_for_the_next_due_post(workspace):
    """A dispatcher thread quits when claim_one finds nothing: losing the first posts to other threads must not
    look like "nothing due" while more posts are due (found by bench/dispatch.py), nor take a post twice."""
    account = InstagramAccountFactory(workspace=workspace)
    due = timezone.now() - timedelta(minutes=1)
    posts = [PostFactory(workspace=workspace, account=account, status=Post.Status.APPROVED,
                         publish_at=due + timedelta(seconds=i)) for i in range(7)]
    race = _OthersClaimFirst()
    with connection.execute_wrapper(race):
        claim = claim_one(now=timezone.now())
    assert race.stolen == [p.pk for p in posts[:5]]
    assert claim is not None and claim.post_id == posts[5].pk
    assert set(Post.objects.filter(claim_token="other-thread").values_list("pk", flat=True)) == set(race.stolen)
