"""Archive runs: claim, read pages (rate-limit aware), download media, finish — resumable at every step.

A run is advanced by `run_advance` in short steps (one task execution each): it claims the run with a
compare-and-set UPDATE, works until ARCHIVE_STEP_SECONDS, commits its cursor after every page and each
media row as soon as its file is stored, and hands the rest to the next step. A worker killed at any
point leaves a run whose heartbeat goes stale; the next step takes it over and continues from the stored
cursor, downloading only media not yet stored. Rate limits never put a worker to sleep for long: the run
is parked as "waiting" until Meta's estimated_time_to_regain_access and picked up again by the tick.
"""

from __future__ import annotations

import logging
import secrets
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from archive import conf
from archive.models import ArchivedMedia, ArchivedProfile, ArchiveRun, ProfileSnapshot
from archive.services import files
from archive.services.cdn import cdn_session
from archive.services.instagram import InstagramGateway, RunWait
from archive.services.listing import flag_deleted, store_page
from instagram.errors import GraphAPIError

log = logging.getLogger("archive.runs")
MB = 1024 * 1024
MAX_TRANSIENT_WAITS = 8
FLUSH_EVERY = 25


class RunFailed(Exception):
    pass


def enqueue_run(run_id: int) -> None:
    """Hand a run to the task cluster once the current transaction commits."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task("archive.tasks.run_advance", run_id, group="archive"))


def run_start(*, profile: ArchivedProfile, kind: str = ArchiveRun.Kind.INCREMENTAL, user: Any = None,
              enqueue: bool = True) -> ArchiveRun:
    """Queue a run of `profile`; an already active run is returned instead of starting a second one."""
    active = profile.runs.filter(state__in=ArchiveRun.ACTIVE_STATES).first()
    if active:
        if kind == ArchiveRun.Kind.FULL and active.kind != kind and active.state == ArchiveRun.State.QUEUED:
            ArchiveRun.objects.filter(pk=active.pk).update(kind=kind)
            active.kind = kind
        return active
    try:
        with transaction.atomic():
            run = ArchiveRun.objects.create(profile=profile, kind=kind, requested_by=user if user and user.pk else None)
    except IntegrityError:  # another request started one at the same moment
        return profile.runs.get(state__in=ArchiveRun.ACTIVE_STATES)
    if enqueue:
        enqueue_run(run.pk)
    return run


def _claim(run_id: int) -> str | None:
    now = timezone.now()
    stale = now - timedelta(seconds=conf.get("ARCHIVE_LEASE_SECONDS"))
    token = secrets.token_hex(8)
    claimed = ArchiveRun.objects.filter(pk=run_id).filter(
        Q(state=ArchiveRun.State.QUEUED)
        | Q(state=ArchiveRun.State.WAITING, wait_until__lte=now)
        | Q(state=ArchiveRun.State.RUNNING, heartbeat_at__lt=stale)
    ).update(state=ArchiveRun.State.RUNNING, lease_token=token, heartbeat_at=now, wait_until=None)
    return token if claimed == 1 else None


def _beat(run: ArchiveRun, **fields: Any) -> None:
    """Persist progress, guarded by the lease: a run taken over by another worker is not ours to write."""
    fields["heartbeat_at"] = timezone.now()
    if not ArchiveRun.objects.filter(pk=run.pk, lease_token=run.lease_token).update(**fields):
        raise RunFailed("lease lost")
    for k, v in fields.items():
        setattr(run, k, v)


def _note(run: ArchiveRun, message: str) -> None:
    run.errors = [*run.errors[-49:], {"at": timezone.now().isoformat(), "message": message}]
    _beat(run, errors=run.errors)


def run_advance(*, run_id: int, budget_seconds: float | None = None) -> str:
    """One step of a run. Returns "continue" (call again), "waiting", "done", "failed" or "busy"."""
    token = _claim(run_id)
    if token is None:
        return "busy"
    run = ArchiveRun.objects.select_related("profile", "profile__account", "profile__workspace").get(pk=run_id)
    if run.started_at is None:
        run.started_at = timezone.now()
        ArchiveRun.objects.filter(pk=run.pk).update(started_at=run.started_at)
    files.cleanup_temp(run_id=run.pk)  # partial files of a worker that died mid-download
    budget = conf.get("ARCHIVE_STEP_SECONDS") if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    profile = run.profile
    try:
        gateway = InstagramGateway(profile, run)
        while not run.listing_done:
            _list_one_page(run, profile, gateway)  # at least one page per step: every step makes progress
            if not run.listing_done and time.monotonic() > deadline:
                return _yield(run)
        if run.phase == ArchiveRun.Phase.LISTING:
            _beat(run, phase=ArchiveRun.Phase.DOWNLOADING)
        if not _download(run, profile, deadline):
            return _yield(run)
        _finish(run, profile, gateway)
        return "done"
    except RunWait as wait:
        return _wait(run, wait.seconds, wait.reason)
    except RunFailed as exc:
        if str(exc) == "lease lost":
            return "busy"
        return _fail(run, profile, str(exc))
    except GraphAPIError as exc:
        return _fail(run, profile, exc.user_message or str(exc))


def _yield(run: ArchiveRun) -> str:
    _beat(run, state=ArchiveRun.State.QUEUED, lease_token="")
    return "continue"


def _wait(run: ArchiveRun, seconds: float, reason: str) -> str:
    until = timezone.now() + timedelta(seconds=max(1.0, seconds))
    if reason.startswith("transient") and run.waits >= MAX_TRANSIENT_WAITS:
        return _fail(run, run.profile, "Instagram kept failing; the run gave up after several retries.")
    local = timezone.localtime(until, run.profile.workspace.tzinfo)
    _note(run, f"{reason.split(':', 1)[-1].strip()} Waiting until {local:%H:%M:%S}.")
    _beat(run, state=ArchiveRun.State.WAITING, wait_until=until, waits=run.waits + 1, lease_token="")
    _schedule_resume(run.pk, until)
    return "waiting"


def _schedule_resume(run_id: int, when: Any) -> None:
    """A one-off schedule at the wait's end (the minutely tick also resumes it, should this be lost)."""
    from django_q.models import Schedule

    Schedule.objects.create(func="archive.tasks.run_advance", args=repr(run_id), schedule_type=Schedule.ONCE,
                            next_run=when, name=f"archive-run-{run_id}-{int(when.timestamp())}"[:100])


def _fail(run: ArchiveRun, profile: ArchivedProfile, message: str) -> str:
    _note(run, message)
    _beat(run, state=ArchiveRun.State.FAILED, finished_at=timezone.now(), lease_token="")
    ArchivedProfile.objects.filter(pk=profile.pk).update(last_error=message)
    return "failed"


def _list_one_page(run: ArchiveRun, profile: ArchivedProfile, gateway: InstagramGateway) -> None:
    page = gateway.media_page(after=run.cursor or None, limit=conf.get("ARCHIVE_PAGE_SIZE"))
    with transaction.atomic():
        if run.pages == 0:
            _update_profile(profile, page.profile)
        stop = store_page(run=run, profile=profile, items=page.items)
        done = stop or not page.after
        _beat(run, cursor=page.after or "", listing_done=done, pages=run.pages + 1, position=run.position,
              posts_seen=run.posts_seen, posts_new=run.posts_new, oldest_seen_at=run.oldest_seen_at,
              api_calls=gateway.calls)


def _update_profile(profile: ArchivedProfile, data: dict[str, Any]) -> None:
    if not data:
        return
    now = timezone.now()
    username = data.get("username") or profile.username
    if username != profile.username:
        profile.previous_usernames = [*profile.previous_usernames, profile.username][-20:]
        profile.username = username
    for field, key in (("name", "name"), ("biography", "biography"), ("website", "website"),
                       ("picture_url", "profile_picture_url"), ("followers_count", "followers_count"),
                       ("follows_count", "follows_count"), ("media_count", "media_count")):
        if data.get(key) is not None:
            setattr(profile, field, data[key])
    profile.status = ArchivedProfile.Status.ACTIVE if profile.status != ArchivedProfile.Status.PAUSED else profile.status
    profile.last_error = ""
    profile.save()
    ProfileSnapshot.objects.create(profile=profile, taken_at=now, followers_count=profile.followers_count,
                                   follows_count=profile.follows_count, media_count=profile.media_count)


def _remaining(run: ArchiveRun, profile: ArchivedProfile):  # noqa: ANN202
    """Media still to fetch in this run: not stored yet, and not already tried (and failed) in this run."""
    return (ArchivedMedia.objects.filter(post__profile=profile)
            .filter(Q(state=ArchivedMedia.State.PENDING)
                    | (Q(state=ArchivedMedia.State.FAILED) & (Q(last_attempt_run__isnull=True) | ~Q(last_attempt_run=run.pk)))))


def _download(run: ArchiveRun, profile: ArchivedProfile, deadline: float) -> bool:
    """Keep ARCHIVE_DOWNLOAD_CONCURRENCY downloads in flight until none remain; False when the step's time is up.

    Results are committed in small batches (every FLUSH_EVERY results or half a second): a crash loses at most
    that many finished downloads' bookkeeping, and those files are found in storage by their hash when redone.
    """
    concurrency = max(1, int(conf.get("ARCHIVE_DOWNLOAD_CONCURRENCY")))
    max_bytes = int(conf.get("ARCHIVE_MAX_FILE_MB")) * MB
    timeout = float(conf.get("ARCHIVE_DOWNLOAD_TIMEOUT"))
    covers_size = max(1, int(conf.get("ARCHIVE_COVER_CONCURRENCY")))
    session = cdn_session(concurrency + covers_size)
    remaining = _remaining(run, profile)
    total = run.media_done + run.media_failed + remaining.count()
    if total != run.media_total:
        _beat(run, media_total=total)
    last_pk, exhausted, in_flight, done, started = 0, False, set(), [], False
    flushed_at = time.monotonic()
    try:
        with ThreadPoolExecutor(concurrency, thread_name_prefix="archive-dl") as pool, \
                ThreadPoolExecutor(covers_size, thread_name_prefix="archive-cover") as covers:
            while True:
                # One batch even past the deadline: every step must make progress, however short its budget.
                while not exhausted and len(in_flight) < concurrency * 2 and (time.monotonic() <= deadline
                                                                               or not started):
                    rows = list(remaining.filter(pk__gt=last_pk).order_by("pk").values(
                        "pk", "kind", "source_url", "thumbnail_source_url")[: concurrency * 8])
                    if not rows:
                        exhausted = True
                        break
                    last_pk, started = rows[-1]["pk"], True
                    for m in rows:
                        job = files.MediaJob(m["pk"], profile.workspace_id, m["kind"], m["source_url"],
                                             m["thumbnail_source_url"], run.pk)
                        in_flight.add(pool.submit(files.fetch_media, job, session, max_bytes=max_bytes,
                                                  timeout=timeout, covers=covers))
                if not in_flight:
                    break
                finished, in_flight = wait(in_flight, timeout=0.5, return_when=FIRST_COMPLETED)
                done.extend(f.result() for f in finished)
                if len(done) >= FLUSH_EVERY or (done and time.monotonic() - flushed_at > 0.5):
                    _record(run, done)
                    done, flushed_at = [], time.monotonic()
            if done:
                _record(run, done)
    finally:
        session.close()
    return exhausted


def _record(run: ArchiveRun, results: list[files.MediaResult]) -> None:
    now = timezone.now()
    ok = [r for r in results if r.ok]
    bad = [r for r in results if not r.ok]
    with transaction.atomic():
        for r in ok:
            ArchivedMedia.objects.filter(pk=r.media_id).update(
                attempts=F("attempts") + 1, last_attempt_run=run.pk, error="", state=ArchivedMedia.State.DONE,
                file=r.file, thumbnail=r.thumbnail, sha256=r.sha256, crc32=r.crc32, size_bytes=r.size,
                mime_type=r.mime_type, downloaded_at=now)
        for r in bad:
            extra = {"thumbnail": r.thumbnail} if r.thumbnail else {}
            ArchivedMedia.objects.filter(pk=r.media_id).update(
                attempts=F("attempts") + 1, last_attempt_run=run.pk, error=r.error, state=ArchivedMedia.State.FAILED,
                **extra)
        errors = run.errors
        for r in bad[: max(0, 50 - len(errors))]:
            errors = [*errors, {"at": now.isoformat(), "media": r.media_id, "message": r.error}]
        _beat(run, media_done=run.media_done + len(ok), media_failed=run.media_failed + len(bad),
              bytes_downloaded=run.bytes_downloaded + sum(r.size or 0 for r in ok), errors=errors)


def _finish(run: ArchiveRun, profile: ArchivedProfile, gateway: InstagramGateway) -> None:
    _beat(run, phase=ArchiveRun.Phase.FINISHING)
    now = timezone.now()
    deleted = flag_deleted(run=run, profile=profile) if run.kind == ArchiveRun.Kind.FULL else 0
    # The picture is fetched on full passes (weekly) or when missing: its CDN URL changes on every answer.
    picture = _store_picture(profile, run) if run.kind == ArchiveRun.Kind.FULL or not profile.picture else ""
    with transaction.atomic():
        interval = profile.refresh_interval_hours
        updates: dict[str, Any] = {"last_fetched_at": now,
                                   "next_due_at": now + timedelta(hours=interval) if interval else None}
        if run.kind == ArchiveRun.Kind.FULL:
            updates["last_full_pass_at"] = now
        if picture:
            updates["picture"] = picture
        ArchivedProfile.objects.filter(pk=profile.pk).update(**updates)
        _beat(run, state=ArchiveRun.State.DONE, phase=ArchiveRun.Phase.DONE, finished_at=now, posts_deleted=deleted,
              api_calls=gateway.calls, lease_token="")


def _store_picture(profile: ArchivedProfile, run: ArchiveRun) -> str:
    if not profile.picture_url:
        return ""
    session = cdn_session(1)
    try:
        return files.fetch_picture(profile.picture_url, workspace_id=profile.workspace_id, run_id=run.pk,
                                   session=session)
    finally:
        session.close()
