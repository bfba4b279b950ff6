"""Recurring series: skip one date, stop the series."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from scheduler import rules
from scheduler.models import Post, ReviewEvent
from scheduler.rules import PENDING, Op
from scheduler.services.lifecycle import (
    ConflictError,
    S,
    _series_next,
    post_mark,
    transition,
    write_event,
)

A = ReviewEvent.Action


@transaction.atomic
def post_skip_occurrence(*, user: User, post: Post, note: str = "") -> Post | None:
    """Skip this date of a series: this occurrence is cancelled, the next one is created. Returns the next one."""
    rules.check(user, Op.SKIP, post)
    transition(post, user, action=A.SKIPPED, to=S.CANCELLED, note=note or "This date was skipped.",
                next_attempt_at=None, deferred_reason="")
    return _series_next(post)


@transaction.atomic
def series_stop(*, user: User, post: Post, note: str = "") -> Post:
    """Stop a series: no further occurrences are created and dates not yet posted are cancelled."""
    rules.check(user, Op.STOP_SERIES, post)
    root = post.series_root if post.series_root_id else post
    post_mark(root.pk, series_stopped=True)
    write_event(root, user, A.SERIES_STOPPED, root.status, root.status, note or "The series was stopped.")
    pending = Post.objects.filter(pk=root.pk) | Post.objects.filter(series_root=root)
    for occurrence in pending.filter(status__in=PENDING).select_related("workspace"):
        try:
            transition(occurrence, user, action=A.CANCELLED, to=S.CANCELLED, note="The series was stopped.",
                        next_attempt_at=None, deferred_reason="")
        except ConflictError:  # the dispatcher claimed it this instant; it goes out as the last one
            continue
    post.refresh_from_db()
    return post
