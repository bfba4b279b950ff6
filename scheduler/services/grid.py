"""The grid planner's writes: swap the publish times of two planned posts, put a draft into a free slot.

Nothing here compares and sets by itself: each post moves through ``post_reschedule`` (the calendar's move — the
transition table's RESCHEDULE rule, the version check and conflict message, the compare-and-set in
``lifecycle.cas``), twice in one transaction, so a refusal of the second post undoes the first. The swap asks for
no savepoint per move (``savepoint=False``): the whole swap is the unit that succeeds or is rolled back.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from accounts.models import User
from scheduler.models import Post
from scheduler.rules import TransitionError
from scheduler.services.timing import post_reschedule


@transaction.atomic
def grid_swap(*, user: User, first: Post, second: Post, first_version: int | None,
              second_version: int | None) -> tuple[Post, Post]:
    """`first` takes `second`'s publish time and the other way round; statuses (approved stays approved) stay."""
    if first.pk == second.pk:
        raise TransitionError("Drop the post on another planned post to swap their times.")
    if first.account_id != second.account_id:
        raise TransitionError("Both posts must belong to the same Instagram account to swap places on its grid.")
    if first.publish_at is None or second.publish_at is None:
        raise TransitionError("Only posts that have a time can swap places; put a draft into a free slot instead.")
    if first.rrule or first.series_root_id or second.rrule or second.series_root_id:
        raise TransitionError("A date of a repeating post moves on the calendar (this date only or the series), "
                              "not by swapping on the grid.")
    at_first, at_second = first.publish_at, second.publish_at
    moved_first = post_reschedule(user=user, post=first, publish_at=at_second, expected_version=first_version,
                                  savepoint=False)
    moved_second = post_reschedule(user=user, post=second, publish_at=at_first, expected_version=second_version,
                                   savepoint=False)
    return moved_first, moved_second


@transaction.atomic
def grid_place(*, user: User, post: Post, publish_at: datetime, expected_version: int | None) -> Post:
    """A draft dropped on an empty slot takes that slot's time (it stays a draft until someone submits it)."""
    if post.publish_at is not None:
        raise TransitionError("This post already has a time; swap it with another tile instead.")
    return post_reschedule(user=user, post=post, publish_at=publish_at, expected_version=expected_version)
