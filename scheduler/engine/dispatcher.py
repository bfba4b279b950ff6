"""The dispatcher: one django-q2 schedule run = maintenance passes, then claim-and-publish until done.

Posts are processed by a small thread pool (each thread: claim one, process, repeat) because the
work is waiting on Instagram, not the CPU; the run stops claiming after DISPATCH_BUDGET_SECONDS so
it always ends well inside the cluster's task timeout, and the next minute's run continues.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import InstagramAccount
from accounts.permissions import Role
from accounts.services.notifications import notify
from scheduler.engine.claims import CLAIMABLE_ACCOUNT, claim_one
from scheduler.engine.publish import publish_claimed
from scheduler.engine.series import series_materialize_next
from scheduler.models import Post, PublishAttempt
from scheduler.services.system import heartbeat_beat

log = logging.getLogger(__name__)

# Set when the process is asked to stop (runworker's signal handler): the publish threads claim nothing
# more, finish the post each holds, and the run returns; unclaimed posts stay approved for another cluster.
STOP = threading.Event()


def fail_expired_reconnect_waits(*, now=None) -> int:  # noqa: ANN001
    """Posts whose account was not reconnected within the grace window fail, saying so."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.PUBLISH_RECONNECT_GRACE_HOURS)
    stale = Post.objects.filter(
        status=Post.Status.APPROVED, publish_at__lt=cutoff, account__status=InstagramAccount.Status.RECONNECT
    ).select_related("account", "workspace")
    count = 0
    for post in stale:
        reason = (f"@{post.account.username} was not reconnected within {settings.PUBLISH_RECONNECT_GRACE_HOURS} h "
                  "of the scheduled time, so this post was not published.")
        if Post.objects.filter(pk=post.pk, status=Post.Status.APPROVED).update(
            status=Post.Status.FAILED, last_error=reason, last_error_code="190", deferred_reason=""
        ) != 1:
            continue
        PublishAttempt.objects.create(post=post, number=post.attempt_count + 1, started_at=now, finished_at=now,
                                      outcome=PublishAttempt.Outcome.FAILED, error_code="190", error_message=reason)
        notify(workspace=post.workspace, kind="post_failed", level="error", title=f"Post on @{post.account.username} failed",
               body=reason, roles=(Role.ADMIN, Role.SOCIAL))
        series_materialize_next(post=post)
        count += 1
    return count


def next_due_at(now):  # noqa: ANN001, ANN201
    """The earliest moment something becomes due (a post's time, a retry, a container check)."""
    from django.db.models import Min

    approved = Post.objects.filter(status=Post.Status.APPROVED, account__status__in=CLAIMABLE_ACCOUNT)
    times = [
        approved.filter(publish_at__gt=now, next_attempt_at__isnull=True).aggregate(t=Min("publish_at"))["t"],
        approved.filter(next_attempt_at__gt=now).aggregate(t=Min("next_attempt_at"))["t"],
        Post.objects.filter(status=Post.Status.PUBLISHING, claim_token="", next_check_at__gt=now)
        .aggregate(t=Min("next_check_at"))["t"],
    ]
    return min((t for t in times if t), default=None)


def _worker(deadline: float) -> Counter:
    """Claim one, process, repeat. When nothing is due but something becomes due before the run's
    deadline, wait for it (in short naps) so a post goes out seconds after its time, not at the
    next minute's run — the wait is for the clock, never for Instagram."""
    outcomes: Counter = Counter()
    try:
        while time.monotonic() < deadline and not STOP.is_set():
            claim = claim_one(now=timezone.now())
            if claim is not None:
                outcomes[publish_claimed(claim)] += 1
                continue
            upcoming = next_due_at(timezone.now())
            remaining = deadline - time.monotonic()
            if upcoming is None or (upcoming - timezone.now()).total_seconds() > remaining:
                break
            STOP.wait(min(2.0, max(0.05, (upcoming - timezone.now()).total_seconds())))
    finally:
        connection.close()  # threads get their own connections; never leak them
    return outcomes


def dispatch_run(*, budget_seconds: float | None = None, concurrency: int | None = None) -> dict[str, int]:
    """One dispatcher pass; returns counts per outcome (for logs and benches)."""
    heartbeat_beat(name="dispatcher")
    fail_expired_reconnect_waits()
    budget = settings.DISPATCH_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    workers = concurrency or settings.PUBLISH_CONCURRENCY
    deadline = time.monotonic() + budget
    total: Counter = Counter()
    if connection.in_atomic_block or "memory" in str(connection.settings_dict["NAME"]):
        # Other threads only see committed data (and in-memory SQLite not at all): run inline.
        total.update(_worker_inline(deadline))
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="publish") as pool:
            for result in pool.map(_worker, [deadline] * workers):
                total.update(result)
    if total:
        log.info("dispatcher: %s", dict(total))
    return dict(total)


def _worker_inline(deadline: float) -> Counter:
    outcomes: Counter = Counter()
    while time.monotonic() < deadline and not STOP.is_set():
        claim = claim_one(now=timezone.now())
        if claim is None:
            break
        outcomes[publish_claimed(claim)] += 1
    return outcomes
