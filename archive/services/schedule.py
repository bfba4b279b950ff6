"""The minutely archive tick: resumes runs whose worker died or whose rate-limit wait ended, starts due refreshes."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from archive import conf
from archive.models import ArchivedProfile, ArchiveRun
from archive.services import files
from archive.services.runs import enqueue_run, run_start


def archive_tick() -> dict[str, int]:
    now = timezone.now()
    stale = now - timedelta(seconds=conf.get("ARCHIVE_LEASE_SECONDS"))
    lost = now - timedelta(minutes=2)
    resumable = ArchiveRun.objects.filter(
        Q(state=ArchiveRun.State.WAITING, wait_until__lte=now)
        | Q(state=ArchiveRun.State.RUNNING, heartbeat_at__lt=stale)
        | Q(state=ArchiveRun.State.QUEUED, created_at__lt=lost) & (Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=lost))
    ).values_list("pk", flat=True)
    resumed = 0
    for run_id in resumable:
        enqueue_run(run_id)
        resumed += 1
    full_after = now - timedelta(days=conf.get("ARCHIVE_FULL_PASS_DAYS"))
    started = 0
    due = (ArchivedProfile.objects.filter(status=ArchivedProfile.Status.ACTIVE, refresh_interval_hours__gt=0,
                                          next_due_at__lte=now)
           .exclude(runs__state__in=ArchiveRun.ACTIVE_STATES).order_by("next_due_at")[:50])
    for profile in due:
        full = profile.last_full_pass_at is None or profile.last_full_pass_at < full_after
        run_start(profile=profile, kind=ArchiveRun.Kind.FULL if full else ArchiveRun.Kind.INCREMENTAL)
        # Not due again until this run finishes and sets the next time.
        ArchivedProfile.objects.filter(pk=profile.pk).update(
            next_due_at=now + timedelta(hours=profile.refresh_interval_hours))
        started += 1
    files.cleanup_temp()
    return {"resumed": resumed, "started": started}
