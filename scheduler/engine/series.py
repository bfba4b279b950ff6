"""Recurring posts: the next occurrence is materialized when one is published, skipped or cancelled."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from scheduler import recurrence
from scheduler.content import content_snapshot, hash_of, inherited_review
from scheduler.models import Post, PostMedia, ReviewEvent

A = ReviewEvent.Action


def series_root(post: Post) -> Post | None:
    if post.series_root_id:
        return post.series_root
    return post if post.rrule else None


def series_materialize_next(*, post: Post) -> Post | None:
    """Create the occurrence after `post` (idempotent; None when the series is over or stopped).

    Occurrences inherit review, never gain it: the new one is approved only when the series' content was
    approved and has not changed since (its hash is the approved hash); otherwise it is created in review
    (series in review) or as a draft and goes through the desk. The root's own status — cancelled, skipped,
    published — has no say. Caption and media both come from the series root.
    """
    root = series_root(post)
    if root is None or root.series_stopped or not root.rrule or root.publish_at is None:
        return None
    series_start = root.occurrence_at or root.publish_at
    after = post.occurrence_at or post.publish_at
    nxt = recurrence.next_occurrence(
        rule=root.rrule, series_start_utc=series_start, tz=root.workspace.timezone, after_utc=after
    )
    if nxt is None:
        return None
    index = post.occurrence_index + 1
    existing = Post.objects.filter(series_root=root, occurrence_index=index).first()
    if existing:
        return existing
    root_items = list(PostMedia.objects.filter(post=root).order_by("position"))
    status, approved = inherited_review(root, root_items)
    digest = hash_of(content_snapshot(root, root_items))
    try:
        with transaction.atomic():
            occurrence = Post.objects.create(
                workspace=root.workspace,
                account=root.account,
                kind=root.kind,
                caption=root.caption,
                first_comment=root.first_comment,
                location_id=root.location_id,
                location_name=root.location_name,
                collaborators=root.collaborators,
                user_tags=root.user_tags,
                share_to_feed=root.share_to_feed,
                manual_reason=root.manual_reason,
                publish_at=nxt,
                occurrence_at=nxt,
                status=status,
                series_root=root,
                occurrence_index=index,
                author=root.author,
                assignee=root.assignee,
                notify_on_publish=root.notify_on_publish,
                content_hash=digest,
                approved_hash=approved,
            )
            PostMedia.objects.bulk_create(
                PostMedia(post=occurrence, asset_id=item.asset_id, position=item.position, alt_text=item.alt_text)
                for item in root_items
            )
            ReviewEvent.objects.create(
                post=occurrence, actor=None, action=A.OCCURRENCE_CREATED, from_status="", to_status=status,
                note=f"Occurrence {index + 1} of the series “{root}”.",
            )
    except IntegrityError:  # another worker materialized it first
        return Post.objects.filter(series_root=root, occurrence_index=index).first()
    return occurrence
