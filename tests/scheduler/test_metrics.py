from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from scheduler.engine.dispatcher import dispatch_run
from scheduler.engine.metrics import metrics_refresh
from scheduler.models import MetricSnapshot, Post

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]


def test_metrics_snapshots_recent_posts_and_respects_the_cadence(sandbox, make_due_post):
    post = make_due_post()
    dispatch_run(budget_seconds=30)
    assert metrics_refresh() == 1
    snap = MetricSnapshot.objects.get(post=post)
    assert snap.reach is not None and snap.likes is not None
    assert metrics_refresh() == 0  # refreshed less than an hour ago
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1), tick=True):
        assert metrics_refresh() == 1
    assert post.metrics.count() == 2


def test_missing_data_is_stored_as_none_not_zero(sandbox, make_due_post):
    sandbox.configure(insights_lag=3600)
    post = make_due_post()
    dispatch_run(budget_seconds=30)
    metrics_refresh()
    snap = MetricSnapshot.objects.get(post=post)
    assert snap.reach is None and snap.views is None


def test_posts_older_than_the_window_are_not_refreshed(sandbox, make_due_post, settings):
    post = make_due_post()
    dispatch_run(budget_seconds=30)
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(days=settings.METRICS_DAYS + 1))
    assert metrics_refresh() == 0
