"""What goes wrong on the way: CDN faults, withheld files, rate limits — recorded, waited out, retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from archive.models import ArchivedMedia, ArchiveRun
from archive.services.profiles import profile_add, profile_refresh
from archive.services.schedule import archive_tick
from tests.archive.conftest import drive

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]


def singles(ig, summary, kind="IMAGE") -> list[str]:
    """Posts of one file (their media id is the post id), in listing order."""
    return [m for m in summary["media_ids"] if ig.control("GET", f"media/{m}").get("media_type") == kind]


def test_404_and_corrupt_files_are_recorded_while_the_rest_completes_and_retried_next_run(ig, asker, social, workspace):
    summary = ig.add_profile("faulty_co", posts=30, licensed_audio=0)
    ids = singles(ig, summary)
    ig.cdn_fault("404", media_ids=[ids[1]])
    ig.cdn_fault("corrupt", media_ids=[ids[2]])
    ig.cdn_fault("truncate", media_ids=[ids[3]])
    profile, _ = profile_add(user=social, workspace=workspace, username="faulty_co")
    run = profile.runs.get()
    assert drive(run) == "done"
    failed = {m.post.ig_id: m for m in ArchivedMedia.objects.filter(state="failed").select_related("post")}
    assert set(failed) == {ids[1], ids[2], ids[3]} and run.media_failed == 3
    assert "404" in failed[ids[1]].error
    assert "corrupt" in failed[ids[2]].error and not failed[ids[2]].file
    assert "stopped early" in failed[ids[3]].error
    assert run.media_done == run.media_total - 3 and len(run.errors) == 3
    # Fixed on the CDN: the next (incremental) run tries them again and stores them.
    ig.clear_cdn_faults()
    run = profile_refresh(user=social, profile=profile)
    assert drive(run) == "done"
    assert run.media_total == 3 and run.media_done == 3
    assert not ArchivedMedia.objects.filter(state="failed").exists()
    assert ArchivedMedia.objects.get(post__ig_id=ids[1], order=0).attempts == 2


def test_withheld_video_file_keeps_its_cover_and_says_why(ig, asker, social, workspace):
    summary = ig.add_profile("music_co", posts=12, licensed_audio=0)
    video = singles(ig, summary, "VIDEO")[0]
    ig.patch_media(video, media_url_withheld=True)
    profile, _ = profile_add(user=social, workspace=workspace, username="music_co")
    run = profile.runs.get()
    assert drive(run) == "done"
    media = ArchivedMedia.objects.get(post__ig_id=video)
    assert media.state == "failed" and "licensed music" in media.error and media.thumbnail and not media.file
    assert run.media_failed == 1 and run.media_done == run.media_total - 1


def test_rate_limit_makes_the_run_wait_then_resume(ig, asker, social, workspace, monkeypatch):
    ig.add_profile("busy_co", posts=120, licensed_audio=0)
    profile, _ = profile_add(user=social, workspace=workspace, username="busy_co")
    run = profile.runs.get()
    # The third page is refused with Meta's throttling error and a 7-minute regain estimate.
    from archive.services.runs import run_advance

    assert run_advance(run_id=run.pk, budget_seconds=0.0) == "continue"  # one page, then yields
    assert run_advance(run_id=run.pk, budget_seconds=0.0) == "continue"
    ig.inject_fault("business_discovery", code=4, regain_minutes=7, once=True)
    assert drive(run) == "waiting"
    assert run.state == ArchiveRun.State.WAITING and run.pages == 2 and run.cursor
    assert timedelta(minutes=6) < run.wait_until - timezone.now() <= timedelta(minutes=7, seconds=5)
    assert "rate limiting" in run.errors[-1]["message"] and "Waiting until" in run.errors[-1]["message"]
    ig.reset_calls()
    assert run_advance(run_id=run.pk) == "busy"  # too early: not claimed, no call made
    assert ig.api_calls() == 0
    queued: list[int] = []
    monkeypatch.setattr("archive.services.schedule.enqueue_run", queued.append)
    with time_machine.travel(run.wait_until + timedelta(seconds=1)):
        assert archive_tick()["resumed"] == 1 and queued == [run.pk]
        assert drive(run) == "done", run.errors
    assert run.posts_seen == 120 and run.media_done == run.media_total and run.waits == 1


def test_usage_near_the_limit_pauses_before_being_refused(ig, asker, social, workspace, settings):
    ig.add_profile("calm_co", posts=60, licensed_audio=0)
    profile, _ = profile_add(user=social, workspace=workspace, username="calm_co")
    run = profile.runs.get()
    budget = ig.usage()["accounts"].get(asker.ig_user_id, {}).get("budget") or 2000
    ig.fill_usage(int(budget * 0.97), account_id=asker.ig_user_id)
    assert drive(run) == "waiting"
    # The page whose answer showed 97 % was kept; the run paused before asking for the next one.
    assert "% of the limit" in run.errors[-1]["message"] and run.pages == 1 and run.posts_seen == 25
    ig.reset_usage()
    with time_machine.travel(run.wait_until + timedelta(seconds=1)):
        assert drive(run) == "done"


def test_a_storage_failure_fails_that_file_not_the_run(ig, asker, social, workspace, monkeypatch):
    ig.add_profile("storage_co", posts=6, licensed_audio=0)
    profile, _ = profile_add(user=social, workspace=workspace, username="storage_co")
    import archive.services.files as files

    real = files.store_file
    calls = {"n": 0}

    def flaky(temp, name):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("No space left on device")
        return real(temp, name)

    monkeypatch.setattr(files, "store_file", flaky)
    run = profile.runs.get()
    assert drive(run) == "done"
    failed = ArchivedMedia.objects.get(state="failed")
    assert "could not be stored (OSError)" in failed.error and run.media_failed == 1
    assert run.media_done == run.media_total - 1
