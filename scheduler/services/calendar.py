"""Calendar actions: move one date or a series from a date on, and the per-user iCalendar feed tokens.

Moving a stored date reuses ``post_reschedule`` (its version check and refusals); a date the engine has not
stored yet is cut out of the series (see ``series_move_date``). Moving "this and following" splits the series:
the old rule ends just before the moved date and a new series, with the rule shifted to the new weekday / time,
continues from the new time. Approval belongs to the series, so every piece keeps it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User, Workspace
from accounts.permissions import Action, require
from scheduler import instagram_rules, recurrence, rules
from scheduler.content import content_snapshot, hash_of, inherited_review
from scheduler.models import CalendarFeedToken, Post, PostMedia, ReviewEvent
from scheduler.rules import MOVABLE, TransitionError
from scheduler.services.lifecycle import ConflictError, cas, check_version, post_mark, write_event
from scheduler.services.timing import post_reschedule

S = Post.Status
A = ReviewEvent.Action
SCOPES = ("this", "following")


def _version_as_calendar_says(post: Post, expected_version: int | None) -> None:
    """lifecycle.check_version (the one version check), worded for the calendar."""
    check_version(post, expected_version, doing="looking at it",
                  then="The calendar now shows it as it is; move it again if you still want to.")


@transaction.atomic
def calendar_move(*, user: User, post: Post, publish_at: datetime, expected_version: int | None,
                  scope: str = "this", occurrence_utc: datetime | None = None) -> Post:
    """Move a card. `post` is the stored post, or the series root for a date not stored yet (`occurrence_utc`)."""
    require(user, Action.COMPOSE_POST, post.workspace)
    if scope not in SCOPES:
        raise ValidationError({"scope": ["Choose “this date only” or “this and following”."]})
    recurring = bool(post.rrule or post.series_root_id)
    if scope == "following" and recurring:
        return series_move_following(user=user, post=post, occurrence_utc=occurrence_utc or post.occurrence_at
                                     or post.publish_at, publish_at=publish_at, expected_version=expected_version)
    stored = occurrence_utc is None or (post.occurrence_at == occurrence_utc)
    if not stored:
        return series_move_date(user=user, post=post, occurrence_utc=occurrence_utc, publish_at=publish_at,
                                expected_version=expected_version)
    series_start = post.occurrence_at if (post.rrule and not post.series_root_id) else None
    moved = post_reschedule(user=user, post=post, publish_at=publish_at, expected_version=expected_version)
    if series_start is not None:
        # post_reschedule moves a root's series start with it; "this date only" keeps the rule where it was.
        Post.objects.filter(pk=moved.pk).update(occurrence_at=series_start)
        moved.occurrence_at = series_start
    return moved


@transaction.atomic
def series_move_following(*, user: User, post: Post, occurrence_utc: datetime, publish_at: datetime,
                          expected_version: int | None) -> Post:
    """Move a series from one of its dates on: later dates keep the new weekday and time of day.

    Returns the post that now starts the (continued) series.
    """
    require(user, Action.COMPOSE_POST, post.workspace)
    root = rules.series_root(post)
    if root is None:
        raise TransitionError("This post does not repeat; move it as a single post.")
    if rules.series_stopped(root):
        raise TransitionError("This series is stopped; it has no following dates to move.")
    ws = root.workspace
    errors = instagram_rules.publish_at_errors(publish_at, ws.timezone)
    if errors:
        raise ValidationError({"publish_at": errors})
    zone = ws.tzinfo
    start = root.occurrence_at or root.publish_at
    new_rule = recurrence.shift_rule(root.rrule, occurrence_utc.astimezone(zone), publish_at.astimezone(zone))
    count = recurrence.rule_count(root.rrule)
    if count is not None:
        done = len(recurrence.occurrences_between(rule=root.rrule, series_start_utc=start, tz=ws.timezone,
                                                  start_utc=start, end_utc=occurrence_utc, limit=1000))
        new_rule = recurrence.with_count(new_rule, max(1, count - done))
    try:
        new_rule = recurrence.validate_rule(new_rule, dtstart_utc=publish_at, tz=ws.timezone)
    except recurrence.RecurrenceError as exc:
        raise ValidationError({"publish_at": [f"The series can't move there: {exc}"]}) from None
    when = instagram_rules.local_text(publish_at, ws.timezone)

    if occurrence_utc == start:  # the first date: the whole series moves
        moved = post_reschedule(user=user, post=root, publish_at=publish_at, expected_version=expected_version)
        Post.objects.filter(pk=root.pk).update(rrule=new_rule, occurrence_at=publish_at)
        write_event(root, user, A.SERIES_MOVED, root.status, root.status, f"The series now starts {when}: {new_rule}.")
        moved.refresh_from_db()
        return moved

    stored = Post.objects.filter(series_root=root, occurrence_at=occurrence_utc).select_related(
        "workspace", "account").first()
    _version_as_calendar_says(stored or root, expected_version)
    post_mark(root.pk, rrule=recurrence.until_before(root.rrule, occurrence_utc))
    write_event(root, user, A.SERIES_SPLIT, root.status, root.status,
                f"The series ends before {instagram_rules.local_text(occurrence_utc, ws.timezone)}"
                f"; it continues from {when}.")
    if stored is not None:
        if stored.status not in MOVABLE:  # the transition table's "reschedule" statuses
            raise TransitionError(f"This date is {stored.get_status_display().lower()}; it can no longer move.")
        # Still waiting with the series' content: it keeps following the series' review rather than gaining one.
        waits = stored.status in (S.IN_REVIEW, S.DRAFT) and stored.content_hash == root.content_hash
        leader = (root.review_follows or root) if waits else stored.review_follows
        try:
            cas(stored, expected_version=stored.version, review_follows=leader,
                series_root=None, occurrence_index=0, rrule=new_rule, publish_at=publish_at, occurrence_at=publish_at,
                next_attempt_at=None, deferred_reason="", status=rules.status_after_new_time(stored))
        except ConflictError:
            raise ConflictError(
                "This date changed meanwhile (it may be publishing). The calendar now shows it as it is.") from None
        write_event(stored, user, A.SERIES_MOVED, stored.status, stored.status,
                    f"From this date on the series runs {when} onwards: {new_rule}.")
        return stored
    return _copy(root, user, publish_at=publish_at, rrule=new_rule, action=A.SERIES_CONTINUED,
                 note=f"Continues the series “{root}” (post {root.pk}) from {when}; its approval carries over.")


@transaction.atomic
def series_move_date(*, user: User, post: Post, occurrence_utc: datetime, publish_at: datetime,
                     expected_version: int | None) -> Post:
    """Move one date of a series that is not stored yet, and only that date.

    The engine stores one date of a series at a time, so a single later date cannot carry an exception. The
    series is cut around it instead: the rule ends just before that date, the date becomes a one-off post at its
    new time, and the same rule continues from the date after it (COUNT reduced by what already ran). Every
    piece keeps the series' content and approval. Returns the one-off post.
    """
    require(user, Action.COMPOSE_POST, post.workspace)
    root = rules.series_root(post)
    if root is None or rules.series_stopped(root):
        raise TransitionError("This date no longer belongs to a running series; reload the calendar.")
    _version_as_calendar_says(root, expected_version)
    ws = root.workspace
    errors = instagram_rules.publish_at_errors(publish_at, ws.timezone)
    if errors:
        raise ValidationError({"publish_at": errors})
    start = root.occurrence_at or root.publish_at
    dates = recurrence.occurrences_between(rule=root.rrule, series_start_utc=start, tz=ws.timezone,
                                           start_utc=start, end_utc=occurrence_utc + timedelta(seconds=1),
                                           limit=recurrence.MAX_OCCURRENCES)
    if not dates or dates[-1] != occurrence_utc:
        raise TransitionError("The series has no date at that time (its rule changed meanwhile); reload the calendar.")
    nxt = recurrence.next_occurrence(rule=root.rrule, series_start_utc=start, tz=ws.timezone,
                                     after_utc=occurrence_utc)
    count = recurrence.rule_count(root.rrule)
    rest_rule = root.rrule
    if count is not None:
        remaining = count - len(dates)
        rest_rule = recurrence.with_count(root.rrule, remaining) if remaining > 0 else ""
        if not rest_rule:
            nxt = None
    post_mark(root.pk, rrule=recurrence.until_before(root.rrule, occurrence_utc))
    was = instagram_rules.local_text(occurrence_utc, ws.timezone)
    when = instagram_rules.local_text(publish_at, ws.timezone)
    write_event(root, user, A.SERIES_DATE_MOVED, root.status, root.status,
                f"The date {was} moved to {when}; the series goes on after it.")
    single = _copy(root, user, publish_at=publish_at, rrule="", action=A.SERIES_DATE_MOVED,
                   note=f"The {was} date of the series “{root}” (post {root.pk}), moved to {when}.")
    if nxt is not None:
        rest_rule = recurrence.validate_rule(rest_rule, dtstart_utc=nxt, tz=ws.timezone)
        _copy(root, user, publish_at=nxt, rrule=rest_rule, action=A.SERIES_CONTINUED,
              note=f"Continues the series “{root}” (post {root.pk}) after the moved {was} date.")
    return single


def _copy(root: Post, user: Any, *, publish_at: datetime, rrule: str, action: str, note: str) -> Post:
    """A new post with the series' content and media; it inherits the series' review, never gains one."""
    items = list(PostMedia.objects.filter(post=root).order_by("position"))
    status, approved = inherited_review(root, items)
    # Waiting with the series: no review item of its own; the series' decision is its decision.
    leader = (root.review_follows if root.review_follows_id else root) if status != S.APPROVED else None
    copy = Post.objects.create(
        workspace=root.workspace, account=root.account, kind=root.kind, caption=root.caption,
        first_comment=root.first_comment, location_id=root.location_id,
        location_name=root.location_name, collaborators=root.collaborators,
        user_tags=root.user_tags, share_to_feed=root.share_to_feed, manual_reason=root.manual_reason,
        publish_at=publish_at, occurrence_at=publish_at if rrule else None, rrule=rrule, status=status,
        author=root.author, assignee=root.assignee, notify_on_publish=root.notify_on_publish,
        content_hash=hash_of(content_snapshot(root, items)), approved_hash=approved, review_follows=leader,
    )
    PostMedia.objects.bulk_create(
        PostMedia(post=copy, asset_id=i.asset_id, position=i.position, alt_text=i.alt_text) for i in items
    )
    write_event(copy, user, action, "", status, note)
    return copy


# --- iCalendar feed tokens -------------------------------------------------------------------------------------


@transaction.atomic
def feed_token_get_or_create(*, user: User, workspace: Workspace) -> CalendarFeedToken:
    require(user, Action.VIEW_CALENDAR, workspace)
    token = CalendarFeedToken.objects.filter(user=user, workspace=workspace, revoked_at__isnull=True).first()
    return token or CalendarFeedToken.objects.create(user=user, workspace=workspace)


@transaction.atomic
def feed_token_revoke(*, user: User, workspace: Workspace) -> int:
    """Every feed URL of this user in this workspace stops working (404)."""
    require(user, Action.VIEW_CALENDAR, workspace)
    return CalendarFeedToken.objects.filter(user=user, workspace=workspace, revoked_at__isnull=True).update(
        revoked_at=timezone.now())


@transaction.atomic
def feed_token_regenerate(*, user: User, workspace: Workspace) -> CalendarFeedToken:
    """A new secret; the old URLs answer 404 from now on."""
    feed_token_revoke(user=user, workspace=workspace)
    return CalendarFeedToken.objects.create(user=user, workspace=workspace)
