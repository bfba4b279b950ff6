"""Daily cap (workspace's local day) and Instagram's moving 24-hour quota: defer, say why, go out later."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scheduler.engine.dispatcher import dispatch_run
from scheduler.models import Post, PublishAttempt

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]
BERLIN = ZoneInfo("Europe/Berlin")


def run():
    return dispatch_run(budget_seconds=30)


def test_daily_cap_defers_to_the_next_local_day(sandbox, make_due_post, workspace):
    workspace.daily_post_cap = 2
    workspace.save()
    # 23:10 in Berlin: the cap resets at local midnight, 50 minutes later — not at UTC midnight.
    with time_machine.travel(datetime(2026, 12, 10, 23, 10, tzinfo=BERLIN), tick=True):
        posts = [make_due_post() for _ in range(3)]
        assert run() == {"published": 2, "deferred": 1}
        deferred = Post.objects.get(pk__in=[p.pk for p in posts], status=Post.Status.APPROVED)
        assert deferred.next_attempt_at == datetime(2026, 12, 11, 0, 0, tzinfo=BERLIN)
        assert "daily cap 2" in deferred.deferred_reason and "Europe/Berlin" in deferred.deferred_reason
        assert deferred.attempts.get().outcome == PublishAttempt.Outcome.DEFERRED
        assert run() == {}  # still waiting, and still saying why
    with time_machine.travel(datetime(2026, 12, 11, 0, 0, 30, tzinfo=BERLIN), tick=True):
        assert run() == {"published": 1}
    deferred.refresh_from_db()
    assert deferred.status == Post.Status.PUBLISHED and deferred.deferred_reason == ""
    assert len(sandbox.ledger()) == 3


def test_account_override_of_the_daily_cap(sandbox, make_due_post, ig_account):
    ig_account.daily_post_cap = 1
    ig_account.save()
    make_due_post()
    make_due_post()
    assert run() == {"published": 1, "deferred": 1}


def test_quota_from_content_publishing_limit_defers_until_the_window_frees(sandbox, make_due_post):
    sandbox.configure(quota_total=2)
    for _ in range(3):
        make_due_post()
    assert run() == {"published": 2, "deferred": 1}
    waiting = Post.objects.get(status=Post.Status.APPROVED)
    assert "publishing limit" in waiting.deferred_reason and "2 of 2" in waiting.deferred_reason
    oldest = Post.objects.filter(status=Post.Status.PUBLISHED).order_by("published_at").first().published_at
    assert waiting.next_attempt_at >= oldest + timedelta(hours=24)
    with time_machine.travel(waiting.next_attempt_at + timedelta(seconds=1), tick=True):
        sandbox.advance_clock(24 * 3600 + 120)  # Instagram's window moves on too
        assert run() == {"published": 1}
    assert len(sandbox.ledger()) == 3


def test_publishing_limit_error_at_publish_time_defers_instead_of_failing(sandbox, make_due_post):
    post = make_due_post()
    sandbox.inject_fault("media_publish", code=9, subcode=2207042, once=True)
    assert run() == {"deferred": 1}
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED and post.retry_count == 0 and post.deferred_reason
    assert sandbox.ledger() == []
