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


def test_account_days_once_a_day_without_calls_when_nothing_changed(sandbox, ig_account):
    """At noon UTC: the sandbox's days are UTC days, over at midnight UTC, so just after the workspace's local midnight
    east of UTC "yesterday" has no figures yet (the data lag the refresh retries for) and this test would see none."""
    from datetime import UTC, datetime, time

    noon = datetime.combine(timezone.now().date(), time(12), tzinfo=UTC)
    with time_machine.travel(noon, tick=True):
        _account_days_once_a_day(sandbox, ig_account)


def _account_days_once_a_day(sandbox, ig_account):  # noqa: ANN001, ANN202
    from datetime import datetime, timedelta

    from scheduler.engine.metrics import account_days_refresh
    from scheduler.models import AccountDay

    sandbox.reset_calls()
    assert account_days_refresh() == 1
    row = AccountDay.objects.get(account=ig_account)
    local_today = timezone.localdate(timezone=ig_account.workspace.tzinfo)
    assert row.day == local_today - timedelta(days=1)  # yesterday in the workspace's zone
    assert row.followers_count and row.reach and row.views and row.accounts_engaged and row.total_interactions
    assert sandbox.api_calls() == 2  # the profile's counts and the day's insights
    assert account_days_refresh() == 0 and sandbox.api_calls() == 2  # the next hours: no call at all
    tomorrow = datetime.combine(local_today + timedelta(days=1), datetime.min.time(),
                                tzinfo=ig_account.workspace.tzinfo) + timedelta(hours=1)
    with time_machine.travel(tomorrow, tick=False):
        assert account_days_refresh() == 1
    assert AccountDay.objects.filter(account=ig_account).count() == 2 and sandbox.api_calls() == 4
