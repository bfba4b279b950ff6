"""Recurring posts: the next occurrence appears when one is published or fails, at the same local time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.engine.dispatcher import dispatch_run
from scheduler.engine.series import series_materialize_next
from scheduler.models import Post

pytestmark = [pytest.mark.django_db, pytest.mark.sandbox]
BERLIN = ZoneInfo("Europe/Berlin")


def test_publishing_materializes_the_next_weekly_occurrence_across_dst(sandbox, make_due_post, workspace):
    # Monday 2027-03-22 10:00 Berlin (CET); the next Monday is after the spring change (CEST).
    first_at = datetime(2027, 3, 22, 10, 0, tzinfo=BERLIN)
    root = make_due_post(publish_at=first_at, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=3")
    nxt = series_materialize_next(post=root)
    assert nxt is not None
    assert nxt.publish_at.astimezone(BERLIN) == datetime(2027, 3, 29, 10, 0, tzinfo=BERLIN)
    assert nxt.publish_at.utcoffset() == timedelta(0) and nxt.publish_at.hour == 8  # 08:00Z in summer
    assert nxt.status == Post.Status.APPROVED and nxt.items.count() == 1 and nxt.caption == root.caption
    assert series_materialize_next(post=root) == nxt  # idempotent
    third = series_materialize_next(post=nxt)
    assert series_materialize_next(post=third) is None  # COUNT=3 reached


def test_dispatch_publishes_and_creates_the_next_occurrence(sandbox, make_due_post):
    root = make_due_post(rrule="FREQ=DAILY;COUNT=2")
    assert dispatch_run(budget_seconds=30) == {"published": 1}
    occurrences = list(Post.objects.filter(series_root=root))
    assert len(occurrences) == 1
    # Occurrences keep the series' wall-clock time to the second.
    assert occurrences[0].publish_at - root.publish_at.replace(microsecond=0) == timedelta(days=1)
    assert occurrences[0].status == Post.Status.APPROVED


def test_failed_occurrence_still_moves_the_series_on(sandbox, make_due_post):
    root = make_due_post(rrule="FREQ=DAILY;COUNT=5")
    sandbox.inject_fault("create_container", code=36003, subcode=2207009, once=True)
    assert dispatch_run(budget_seconds=30) == {"failed": 1}
    assert Post.objects.filter(series_root=root).count() == 1


def test_stopped_series_materializes_nothing(sandbox, make_due_post):
    root = make_due_post(rrule="FREQ=DAILY")
    Post.objects.filter(pk=root.pk).update(series_stopped=True)
    root.refresh_from_db()
    assert series_materialize_next(post=root) is None
