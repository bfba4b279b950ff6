"""The minutely tick: due profiles get their scheduled run (a full pass weekly), dead or waiting runs are resumed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from archive.models import ArchiveRun
from archive.services.schedule import archive_tick
from scheduler.periodic import SCHEDULES
from tests.archive.factories import make_profile, make_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    ids: list[int] = []
    monkeypatch.setattr("archive.services.runs.enqueue_run", ids.append)
    monkeypatch.setattr("archive.services.schedule.enqueue_run", ids.append)
    return ids


def test_the_tick_is_registered_every_minute():
    assert ("archive-tick", "archive.tasks.tick", 1) in SCHEDULES


def test_due_profiles_get_a_run_daily_and_a_full_pass_weekly(workspace, archive_settings, queued):
    now = timezone.now()
    daily = make_profile(workspace, username="daily_shop", posts=1)
    daily.next_due_at, daily.last_full_pass_at = now - timedelta(minutes=1), now - timedelta(days=2)
    daily.save()
    weekly = make_profile(workspace, username="stale_shop", posts=1)
    weekly.next_due_at, weekly.last_full_pass_at = now - timedelta(minutes=1), now - timedelta(days=8)
    weekly.save()
    later = make_profile(workspace, username="later_shop", posts=1)
    later.next_due_at = now + timedelta(hours=3)
    later.save()
    paused = make_profile(workspace, username="manual_shop", posts=1)
    paused.next_due_at, paused.refresh_interval_hours = now - timedelta(days=1), 0
    paused.save()
    assert archive_tick()["started"] == 2
    assert daily.runs.get().kind == "incremental" and weekly.runs.get().kind == "full"
    assert not later.runs.exists() and not paused.runs.exists()
    assert sorted(queued) == sorted([daily.runs.get().pk, weekly.runs.get().pk])
    assert archive_tick()["started"] == 0  # not due again while its run is active


def test_a_run_whose_worker_died_is_resumed_after_the_lease(workspace, archive_settings, queued):
    profile = make_profile(workspace, posts=1)
    run = make_run(profile, state=ArchiveRun.State.RUNNING)
    assert archive_tick()["resumed"] == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=archive_settings.ARCHIVE_LEASE_SECONDS + 5)):
        assert archive_tick()["resumed"] == 1
    assert queued == [run.pk]
