"""runworker's dispatcher loop and the minute schedule: the schedule stays out of the way while a loop beats,
and a stop request makes the publish threads claim nothing more (scheduler/engine/cluster.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduler import tasks
from scheduler.engine import dispatcher
from scheduler.models import Heartbeat, Post

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def test_minute_schedule_skips_while_a_dispatcher_loop_beats(sandbox, make_due_post, settings):
    settings.DISPATCHER_LOOP_STALE_SECONDS = 30
    post = make_due_post()
    Heartbeat.objects.create(name="dispatcher-loop", beat_at=timezone.now() - timedelta(seconds=5))
    assert tasks.dispatch_due() == {"skipped": 1}
    assert Post.objects.get(pk=post.pk).status == Post.Status.APPROVED and sandbox.ledger() == []


def test_minute_schedule_publishes_when_the_loop_went_quiet(sandbox, make_due_post, settings):
    settings.DISPATCHER_LOOP_STALE_SECONDS = 30
    post = make_due_post()
    Heartbeat.objects.create(name="dispatcher-loop", beat_at=timezone.now() - timedelta(seconds=31))
    assert tasks.dispatch_due() == {"published": 1}
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHED and len(sandbox.ledger()) == 1


def test_a_stop_request_claims_nothing_more(sandbox, make_due_post):
    post = make_due_post()
    dispatcher.STOP.set()
    try:
        assert dispatcher.dispatch_run(budget_seconds=30) == {}
    finally:
        dispatcher.STOP.clear()
    assert Post.objects.get(pk=post.pk).status == Post.Status.APPROVED and sandbox.ledger() == []
    assert dispatcher.dispatch_run(budget_seconds=30) == {"published": 1}


def test_the_idle_loop_sees_exactly_what_a_claim_would_take(sandbox, make_due_post):
    from scheduler.engine.claims import anything_claimable, claim_one

    later = make_due_post(publish_at=timezone.now() + timedelta(minutes=5))
    assert anything_claimable(timezone.now()) is False and claim_one(now=timezone.now()) is None
    Post.objects.filter(pk=later.pk).update(publish_at=timezone.now() - timedelta(seconds=1))
    assert anything_claimable(timezone.now()) is True
    assert claim_one(now=timezone.now()).post_id == later.pk
