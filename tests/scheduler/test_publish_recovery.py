"""Never twice, never silently not: crashes and lost answers at every step, proven by the sandbox ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Notification
from scheduler.engine import publish
from scheduler.engine.claims import claim_one
from scheduler.engine.dispatcher import dispatch_run
from scheduler.models import Post, PublishAttempt

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


class Crash(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing in the engine can catch and tidy it up."""


def run():
    return dispatch_run(budget_seconds=30)


def after_lease(settings):
    return time_machine.travel(timezone.now() + timedelta(seconds=settings.PUBLISH_LEASE_SECONDS + 5), tick=True)


def test_crash_after_publish_is_reconciled_not_republished(sandbox, make_due_post, monkeypatch, settings):
    post = make_due_post()
    real = publish.Publisher._record_published

    def crash_after_instagram_published(self, **kwargs):
        raise Crash()

    monkeypatch.setattr(publish.Publisher, "_record_published", crash_after_instagram_published)
    with pytest.raises(Crash):
        run()
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHING and post.publish_started_at and post.claim_token
    assert len(sandbox.ledger()) == 1  # it did go out
    monkeypatch.setattr(publish.Publisher, "_record_published", real)
    assert run() == {}  # the lease is still held: nobody touches it yet
    with after_lease(settings):
        assert run() == {"published": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.ig_media_id == sandbox.ledger()[0]["media_id"]  # found through /media
    assert len(sandbox.ledger()) == 1
    assert post.attempts.last().outcome == PublishAttempt.Outcome.RECONCILED


def test_crash_after_containers_before_the_mark_publishes_the_same_container(sandbox, make_due_post, monkeypatch, settings):
    # A video has this window (its container is committed, then its status is read); an image has not: its
    # container ids and the mark are one write (next test).
    sandbox.configure(video_processing_seconds=0)
    post = make_due_post(kind=Post.Kind.REEL, video=True)
    real = publish.Publisher._publish
    monkeypatch.setattr(publish.Publisher, "_publish", lambda self, container, now: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        run()
    post.refresh_from_db()
    container = post.container_ids[-1]
    assert post.publish_started_at is None and sandbox.ledger() == []
    monkeypatch.setattr(publish.Publisher, "_publish", real)
    with after_lease(settings):
        assert run() == {"published": 1}
    assert [e["container_id"] for e in sandbox.ledger()] == [container]


def test_an_image_commits_its_container_and_the_mark_together_before_media_publish(sandbox, make_due_post, monkeypatch):
    post = make_due_post()
    real_publish = publish.GraphClient.media_publish
    seen = []

    def media_publish(client, ig_user_id, container):
        row = Post.objects.get(pk=post.pk)  # what a crash at this moment would leave behind
        seen.append((list(row.container_ids), container, row.publish_started_at is not None, bool(row.claim_token)))
        return real_publish(client, ig_user_id, container)

    monkeypatch.setattr(publish.GraphClient, "media_publish", media_publish)
    assert run() == {"published": 1}
    container = sandbox.ledger()[0]["container_id"]
    assert seen == [([container], container, True, True)]
    assert sandbox.calls()["by_endpoint"].get("container_status", 0) == 0  # a fresh image is not asked about


def test_crash_after_the_mark_before_media_publish_publishes_once(sandbox, make_due_post, monkeypatch, settings):
    post = make_due_post()
    real_publish = publish.GraphClient.media_publish
    monkeypatch.setattr(publish.GraphClient, "media_publish", lambda *a, **k: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        run()
    post.refresh_from_db()
    assert post.publish_started_at and sandbox.ledger() == []
    monkeypatch.setattr(publish.GraphClient, "media_publish", real_publish)
    with after_lease(settings):
        assert run() == {"published": 1}  # container still FINISHED: publishing it again is safe
    assert len(sandbox.ledger()) == 1


def test_lost_answer_of_media_publish_is_reconciled(sandbox, make_due_post):
    post = make_due_post()
    sandbox.inject_fault("media_publish", http_status=502, phase="after", once=True)
    assert run() == {"reconcile": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHING and post.next_check_at and post.claim_token == ""
    with time_machine.travel(post.next_check_at + timedelta(seconds=1), tick=True):
        assert run() == {"published": 1}
    post.refresh_from_db()
    assert len(sandbox.ledger()) == 1
    assert post.ig_media_id == sandbox.ledger()[0]["media_id"]


def test_unclear_outcome_goes_to_needs_review_and_alerts(sandbox, make_due_post, settings, admin_user):
    settings.RECONCILE_MAX_ATTEMPTS = 2
    post = make_due_post()
    sandbox.inject_fault("media_publish", http_status=502, phase="after", once=True)
    sandbox.inject_fault("container_status", http_status=503, times=10)
    assert run() == {"reconcile": 1}
    for expected in ("reconcile", "needs_review"):
        post.refresh_from_db()
        with time_machine.travel(post.next_check_at + timedelta(seconds=1), tick=True):
            assert run() == {expected: 1}
    post.refresh_from_db()
    assert post.status == Post.Status.NEEDS_REVIEW
    assert Notification.objects.filter(user=admin_user, kind="post_needs_review").exists()
    assert len(sandbox.ledger()) == 1  # it was published; a human confirms, nothing publishes again


def test_expired_container_before_publishing_gets_a_new_one(sandbox, make_due_post, monkeypatch, settings):
    post = make_due_post()
    # The crash comes before Instagram publishes (an image's container and the mark are one write).
    monkeypatch.setattr(publish.GraphClient, "media_publish", lambda *a, **k: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        run()
    monkeypatch.undo()
    import scheduler.engine.publish as p2

    monkeypatch.setattr(p2, "_media_url", lambda item, rendition: sandbox.image_url())
    sandbox.advance_clock(2 * 24 * 3600)  # Instagram's side: the container expired
    with after_lease(settings):
        assert run() == {"retry": 1}
        post.refresh_from_db()
        assert post.container_ids == []
    with time_machine.travel(post.next_attempt_at + timedelta(seconds=1), tick=True):
        assert run() == {"published": 1}
    assert len(sandbox.ledger()) == 1


def test_a_claim_is_exclusive(sandbox, make_due_post):
    make_due_post()
    now = timezone.now()
    first = claim_one(now=now)
    assert first is not None
    assert claim_one(now=now) is None  # the only due post is taken
    # A worker whose claim was taken over cannot write: the token guard refuses it.
    Post.objects.filter(pk=first.post_id).update(claim_token="someone-else")
    assert publish.publish_claimed(first) == "lost"
    assert sandbox.ledger() == []
