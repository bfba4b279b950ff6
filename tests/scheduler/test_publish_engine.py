"""The engine against the live sandbox over HTTP: every outcome and error class (DESIGN §4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import InstagramAccount, Notification
from scheduler.engine.dispatcher import dispatch_run
from scheduler.models import Post, PublishAttempt

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def run():
    return dispatch_run(budget_seconds=30)


def test_due_post_is_published_once_with_permalink_and_first_comment(sandbox, make_due_post, ig_account):
    post = make_due_post(first_comment="More at the link in bio")
    assert run() == {"published": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert post.ig_media_id and post.permalink.startswith("http")
    comments = sandbox.sandbox.find_media(post.ig_media_id)["comments"]  # the comment really is on Instagram
    assert [(c["id"], c["text"]) for c in comments] == [(post.first_comment_id, "More at the link in bio")]
    ledger = sandbox.ledger(ig_account.ig_user_id)
    assert [e["media_id"] for e in ledger] == [post.ig_media_id]
    assert list(post.attempts.values_list("outcome", flat=True)) == [PublishAttempt.Outcome.PUBLISHED]
    assert run() == {}  # nothing left: a second pass publishes nothing


def test_not_yet_due_and_unapproved_posts_are_left_alone(sandbox, make_due_post):
    later = make_due_post(publish_at=timezone.now() + timedelta(minutes=10))
    draft = make_due_post()
    Post.objects.filter(pk=draft.pk).update(status=Post.Status.IN_REVIEW)
    assert run() == {}
    assert Post.objects.get(pk=later.pk).status == Post.Status.APPROVED
    assert sandbox.ledger() == []


def test_carousel_publishes_children_then_parent(sandbox, make_due_post):
    post = make_due_post(kind=Post.Kind.CAROUSEL, items=3)
    assert run() == {"published": 1}
    post.refresh_from_db()
    assert len(post.container_ids) == 4
    assert sandbox.ledger()[0]["media_type"] == "CAROUSEL_ALBUM"


def test_reel_waits_for_processing_without_sleeping(sandbox, make_due_post):
    sandbox.configure(video_processing_seconds=2)
    post = make_due_post(kind=Post.Kind.REEL, video=True)
    assert run() == {"waiting": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHING and post.claim_token == "" and post.next_check_at
    assert run() == {}  # not due for a check yet: no worker waits on it
    with time_machine.travel(post.next_check_at + timedelta(seconds=1), tick=True):
        import time

        time.sleep(2)  # the sandbox's own clock is real time: let its processing finish
        assert run() == {"published": 1}
    assert len(sandbox.ledger()) == 1


def test_transient_error_retries_with_backoff_then_publishes(sandbox, make_due_post):
    post = make_due_post()
    sandbox.inject_fault("create_container", http_status=500, once=True)
    start = timezone.now()
    assert run() == {"retry": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED and post.retry_count == 1
    assert timedelta(seconds=40) <= post.next_attempt_at - start <= timedelta(seconds=80)  # ≈ 1 minute
    assert "temporary problem" in post.last_error  # the plain-words reason the team sees
    with time_machine.travel(post.next_attempt_at + timedelta(seconds=1), tick=True):
        assert run() == {"published": 1}
    assert len(sandbox.ledger()) == 1
    outcomes = list(post.attempts.values_list("outcome", "error_code"))
    assert outcomes[0][0] == PublishAttempt.Outcome.RETRY and outcomes[1][0] == PublishAttempt.Outcome.PUBLISHED


@pytest.mark.parametrize(("code", "subcode"), [(1, None), (2, None), (4, None), (17, None), (-1, 2207001), (-2, 2207003)])
def test_every_transient_class_is_retried(sandbox, make_due_post, code, subcode):
    post = make_due_post()
    sandbox.inject_fault("create_container", code=code, subcode=subcode, once=True)
    assert run() == {"retry": 1}
    assert Post.objects.get(pk=post.pk).retry_count == 1


def test_backoff_grows_and_gives_up_after_max_retries(sandbox, make_due_post, workspace, admin_user,
                                                     django_capture_on_commit_callbacks):
    admin_user.email = "alice@example.test"
    admin_user.save()
    post = make_due_post()
    sandbox.inject_fault("create_container", http_status=503, times=10)
    delays = []
    for _ in range(workspace.max_publish_retries):
        before = timezone.now()
        with time_machine.travel(post.next_attempt_at or before, tick=True):
            assert run() == {"retry": 1}
            post.refresh_from_db()
            delays.append((post.next_attempt_at - timezone.now()).total_seconds() / 60)
    assert 0.7 < delays[0] < 1.3 and 2.3 < delays[1] < 3.7 and 5.5 < delays[2] < 8.5  # ≈ 1, 3, 7 minutes
    with time_machine.travel(post.next_attempt_at + timedelta(seconds=1), tick=True), \
            django_capture_on_commit_callbacks(execute=True):
        assert run() == {"failed": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.FAILED
    assert "Gave up after 3 retries" in post.last_error
    assert Notification.objects.filter(kind="post_failed", user=admin_user).exists()
    assert any("failed" in m.subject for m in mail.outbox)


def test_permanent_error_fails_at_once_with_instagrams_message(sandbox, make_due_post):
    post = make_due_post()
    sandbox.inject_fault("create_container", code=36003, subcode=2207009, once=True,
                         user_msg="The aspect ratio is not supported.")
    assert run() == {"failed": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.FAILED
    assert post.last_error == "The aspect ratio is not supported."
    assert post.last_error_code == "36003/2207009"
    assert post.retry_count == 0


def test_sandbox_rejects_a_non_jpeg_and_the_post_fails_with_the_reason(sandbox, make_due_post, monkeypatch):
    import scheduler.engine.publish as publish

    monkeypatch.setattr(publish, "_media_url", lambda item, rendition: sandbox.image_url(fmt="PNG"))
    post = make_due_post()
    assert run() == {"failed": 1}
    post.refresh_from_db()
    assert post.last_error_code.startswith("36001")


def test_needs_new_container_builds_a_new_one(sandbox, make_due_post):
    post = make_due_post()
    sandbox.inject_fault("media_publish", code=-1, subcode=2207032, once=True)
    assert run() == {"retry": 1}
    post.refresh_from_db()
    assert post.container_ids == [] and post.publish_started_at is None
    with time_machine.travel(post.next_attempt_at + timedelta(seconds=1), tick=True):
        assert run() == {"published": 1}
    post.refresh_from_db()
    assert len(sandbox.ledger()) == 1
    assert sandbox.ledger()[0]["container_id"] == post.container_ids[-1]


def test_token_invalid_marks_reconnect_and_posts_wait_then_publish(sandbox, make_due_post, ig_account, admin_user):
    post = make_due_post()
    sandbox.inject_fault("create_container", code=190, subcode=463, once=True)
    assert run() == {"waiting_reconnect": 1}
    ig_account.refresh_from_db()
    post.refresh_from_db()
    assert ig_account.status == InstagramAccount.Status.RECONNECT
    assert post.status == Post.Status.APPROVED and "reconnected" in post.deferred_reason
    assert Notification.objects.filter(user=admin_user, is_banner=True).exists()
    assert run() == {}  # its posts wait while the account is broken
    InstagramAccount.objects.filter(pk=ig_account.pk).update(status=InstagramAccount.Status.ACTIVE)
    assert run() == {"published": 1}


def test_reconnect_wait_past_grace_window_fails_with_that_reason(sandbox, make_due_post, ig_account, settings):
    post = make_due_post(publish_at=timezone.now() - timedelta(hours=settings.PUBLISH_RECONNECT_GRACE_HOURS + 1))
    InstagramAccount.objects.filter(pk=ig_account.pk).update(status=InstagramAccount.Status.RECONNECT)
    run()
    post.refresh_from_db()
    assert post.status == Post.Status.FAILED
    assert "was not reconnected within" in post.last_error
    assert sandbox.ledger() == []


def test_manual_lane_post_goes_to_the_queue_and_notifies(sandbox, make_due_post, social):
    post = make_due_post(manual_reason=Post.ManualReason.MUSIC, assignee=social)
    assert run() == {"manual": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.MANUAL
    note = Notification.objects.get(user=social, kind="manual_due")
    assert post.caption in note.body and "http" in note.body
    assert sandbox.ledger() == []


def test_disconnected_account_routes_to_manual_lane(sandbox, make_due_post, ig_account):
    post = make_due_post()
    InstagramAccount.objects.filter(pk=ig_account.pk).update(status=InstagramAccount.Status.DISCONNECTED)
    assert run() == {"manual": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.MANUAL and post.manual_reason == Post.ManualReason.ACCOUNT
