"""When a post goes out: reschedule, add to the queue (next free slot), cancel, publish now."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import InstagramAccount, User
from scheduler import instagram_rules, rules
from scheduler.models import Post, PostingSlot, ReviewEvent
from scheduler.rules import Op
from scheduler.services.lifecycle import (
    S,
    _kick_dispatcher,
    _series_next,
    cas,
    check_version,
    transition,
    write_event,
)
from scheduler.slots import next_free_slot

A = ReviewEvent.Action


def _move(post: Post, user: Any, *, publish_at: datetime, expected_version: int | None, action: str,
          note: str = "") -> Post:
    errors = instagram_rules.publish_at_errors(publish_at, post.workspace.timezone)
    if errors:
        raise ValidationError({"publish_at": errors})
    to = rules.status_after_new_time(post)
    zone = post.workspace.timezone  # read before cas: its refresh_from_db drops the cached workspace
    changes: dict[str, Any] = {"publish_at": publish_at, "next_attempt_at": None, "deferred_reason": "",
                               "review_expired_at": None}
    if to != post.status:
        changes.update(retry_count=0, next_check_at=None)
    if post.rrule and not post.series_root_id:
        changes["occurrence_at"] = publish_at
    before = post.status
    cas(post, expected_version=expected_version, status=to, **changes)
    write_event(post, user, action, before, to, note or f"Scheduled for {instagram_rules.local_text(publish_at, zone)}.")
    return post


def post_reschedule(*, user: User, post: Post, publish_at: datetime, expected_version: int | None = None,
                    savepoint: bool = True) -> Post:
    """Move a post's time (drag on the calendar). Approved stays approved; a failed post is retried then.

    ``savepoint=False`` is for a caller that moves several posts in its own transaction and gives up on the first
    refusal (the grid's swap): no savepoint round trips, and a refusal rolls the caller's whole transaction back."""
    with transaction.atomic(savepoint=savepoint):
        rules.check(user, Op.RESCHEDULE, post)
        check_version(post, expected_version)
        return _move(post, user, publish_at=publish_at, expected_version=expected_version, action=A.RESCHEDULED)


def queue_slot(*, account: InstagramAccount, exclude_pk: int | None = None) -> datetime:
    """The account's next free posting slot after now; a ValidationError on publish_at names why there is none.
    The composer shows it before saving and post_add_to_queue takes it, so both agree."""
    grid: dict[int, list[time]] = {}
    for weekday, t in PostingSlot.objects.filter(account_id=account.pk).values_list("weekday", "time"):
        grid.setdefault(weekday, []).append(t)
    if not grid:
        raise ValidationError({"publish_at": [f"@{account.username} has no posting slots yet; set them first."]})
    taken = set(
        Post.objects.filter(
            account_id=account.pk, status__in=[S.APPROVED, S.IN_REVIEW, S.PUBLISHING],
            publish_at__isnull=False,
        ).exclude(pk=exclude_pk).values_list("publish_at", flat=True)
    )
    slot = next_free_slot(slots=grid, tz=account.workspace.timezone, after_utc=timezone.now(), taken_utc=taken)
    if slot is None:
        raise ValidationError(
            {"publish_at": [f"Every posting slot of @{account.username} in the next 60 days is taken."]}
        )
    return slot


@transaction.atomic
def post_add_to_queue(*, user: User, post: Post) -> Post:
    """Put the post into its account's next free posting slot after now."""
    rules.check(user, Op.QUEUE, post)
    slot = queue_slot(account=post.account, exclude_pk=post.pk)
    return _move(post, user, publish_at=slot, expected_version=None, action=A.QUEUED,
                 note=f"Queued into the next free slot, {instagram_rules.local_text(slot, post.workspace.timezone)}.")


@transaction.atomic
def post_cancel(*, user: User, post: Post, note: str = "") -> Post:
    """Cancel a post that has not gone out. For a recurring post the series carries on with its next date."""
    rules.check(user, Op.CANCEL, post)
    transition(post, user, action=A.CANCELLED, to=S.CANCELLED, note=note, next_attempt_at=None, deferred_reason="")
    _series_next(post)
    return post


@transaction.atomic
def post_publish_now(*, user: User, post: Post) -> Post:
    """Due now: the dispatcher claims it on its next pass (and a pass is requested right after commit)."""
    rules.check(user, Op.PUBLISH_NOW, post)
    now = timezone.now()
    # No note: the history's verb ("asked to publish it now") already says it (issue 23).
    transition(post, user, action=A.PUBLISH_NOW, to=S.APPROVED, publish_at=now, next_attempt_at=None)
    _kick_dispatcher()
    return post
