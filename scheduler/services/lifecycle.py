"""The plumbing every post service shares: compare-and-set updates, review events, conflicts, telling the author.

The only module outside the publishing engine (engine/) that changes a post's status or version
(tests/test_one_source.py keeps it so).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.services.notifications import notify
from scheduler.content import content_diff, content_hash, review_hash, review_snapshot, snapshot_seen
from scheduler.models import Post, ReviewEvent

logger = logging.getLogger(__name__)

S = Post.Status

CONTENT_FIELDS = ("kind", "caption", "asset_ids", "first_comment", "location_id", "collaborators", "user_tags",
                  "share_to_feed", "alt_texts")
SCHEDULE_FIELDS = ("publish_at", "rrule")
OTHER_FIELDS = ("assignee", "manual_reason", "notify_on_publish", "location_name")



class ConflictError(Exception):
    """Someone changed the post since the caller read it (optimistic concurrency)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleReviewError(ConflictError):
    """A review decision sent from a page that showed another version of the post than the one stored now."""

    def __init__(self, message: str, diff: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.diff = diff


def _check_seen(post: Post, seen_hash: str | None) -> None:
    """A decision covers the version the reviewer saw: refuse it when the post's content or repeat changed since.
    ``None`` is for callers that show nothing (demo data, the shell); every page passes what it showed."""
    if seen_hash is None:
        return
    now = review_snapshot(post)
    if seen_hash == review_hash(post):
        return
    seen = snapshot_seen(post, seen_hash) if seen_hash else None
    diff = content_diff(seen, now, post.workspace.timezone, post.occurrence_at or post.publish_at) if seen else []
    what = ", ".join(d["label"].lower() for d in diff)
    raise StaleReviewError(
        "This post changed since you opened it — here is what changed"
        + (f" ({what})" if what else "") + ". Nothing was decided; look at the new version and decide again.",
        diff,
    )


def write_event(post: Post, user: Any, action: str, from_status: str, to_status: str, note: str = "") -> ReviewEvent:
    return ReviewEvent.objects.create(
        post=post, actor=user if getattr(user, "pk", None) else None, action=action,
        from_status=from_status, to_status=to_status, note=note,
    )


def cas(post: Post, *, expected_version: int | None = None, **changes: Any) -> Post:
    """Apply `changes` only if the post is still in the status (and version) the caller saw; bump the version."""
    rows = Post.objects.filter(pk=post.pk, status=post.status)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    won = rows.update(version=F("version") + 1, updated_at=timezone.now(), **changes)
    if won != 1:
        current = Post.objects.filter(pk=post.pk).values("status", "version").first() or {}
        if expected_version is not None and current.get("version") != expected_version:
            raise ConflictError(
                f"Someone else changed this post while you were editing it (you had version {expected_version}, "
                f"it is now version {current.get('version')}). Reload the post to see their changes, then apply "
                "yours again."
            )
        raise ConflictError(
            f"This post changed meanwhile: it is now {S(current.get('status', post.status)).label.lower()}. "
            "Reload it and try again."
        )
    post.refresh_from_db()
    return post


def post_mark(post_id: int, *, only_if: dict[str, Any] | None = None, **changes: Any) -> bool:
    """Set flags on a post without moving its status (series stopped, review expired) and bump its version.

    A compare-and-set: the row must still match `only_if`; True when it did (and was changed). Writes no event:
    the caller writes the one that says why.
    """
    changes.setdefault("updated_at", timezone.now())
    rows = Post.objects.filter(pk=post_id, **(only_if or {}))
    return rows.update(version=F("version") + 1, **changes) == 1


def transition(post: Post, user: Any, *, action: str, to: str, note: str = "",
                expected_version: int | None = None, **changes: Any) -> Post:
    before = post.status
    cas(post, expected_version=expected_version, status=to, **changes)
    write_event(post, user, action, before, to, note)
    return post


def check_version(post: Post, expected_version: int | None, *, doing: str = "editing it",
                  then: str = "Reload the post to see their changes, then apply yours again.") -> None:
    """The one version check: refuse when the post is no longer at the version the caller's page showed.
    ``doing`` and ``then`` let a page say it in its own words (the calendar: "looking at it", "move it again")."""
    if expected_version is not None and post.version != expected_version:
        raise ConflictError(
            f"Someone else changed this post while you were {doing} (you had version {expected_version}, "
            f"it is now version {post.version}). {then}"
        )


def _kick_dispatcher() -> None:
    """Ask the cluster for a dispatch pass now instead of at the next minute (best effort, after commit)."""
    try:
        tasks = importlib.import_module("scheduler.tasks")
    except ImportError:
        return
    if not hasattr(tasks, "dispatch_due"):
        return

    def enqueue() -> None:
        try:
            from django_q.tasks import async_task

            async_task("scheduler.tasks.dispatch_due")
        except Exception:  # the minute schedule picks the post up anyway
            logger.warning("could not enqueue an immediate dispatch pass", exc_info=True)

    transaction.on_commit(enqueue)


def _series_next(post: Post) -> Post | None:
    if not (post.rrule or post.series_root_id):
        return None
    from scheduler.engine.series import series_materialize_next

    return series_materialize_next(post=post)


def _note_required(note: str, verb: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [f"Say what needs to change: a note is required to {verb}."]})
    return note


def _tell_author(post: Post, reviewer: Any, title: str, note: str, level: str = "warning") -> None:
    if post.author_id and post.author_id != getattr(reviewer, "pk", None):
        notify(workspace=post.workspace, kind="post_review", level=level, title=title[:200],
               body=f"{reviewer}: {note}", users=[post.author], url=_post_url(post))


def _post_url(post: Post) -> str:
    from django.urls import reverse

    return reverse("scheduler:post_detail", kwargs={"ws": post.workspace.slug, "pk": post.pk})


def _store_hash(post: Post) -> None:
    post.content_hash = content_hash(post)
    Post.objects.filter(pk=post.pk).update(content_hash=post.content_hash)


def _followers_follow(leader: Post, user: Any, *, to: str, approved_hash: str = "", note: str,
                      from_status: str = S.IN_REVIEW) -> int:
    """Dates moved or split off a series (``review_follows``), and its stored dates, that still carry the series'
    content and wait with it, take the series' step: approved with it, back to draft with it, submitted with it."""
    from django.db.models import Q

    waiting = Post.objects.filter(Q(review_follows=leader) | Q(series_root=leader), status=from_status,
                                  content_hash=leader.content_hash).exclude(pk=leader.pk)
    done = 0
    for follower in waiting:
        changes: dict[str, Any] = {"first_approval_by": None, "first_approval_hash": ""}
        if to == S.APPROVED:
            changes["approved_hash"] = approved_hash
        try:
            transition(follower, user, action=ReviewEvent.Action.FOLLOWS_SERIES, to=to, note=note, **changes)
        except ConflictError:  # it changed this instant; it stays where it is, with its own review
            continue
        done += 1
    return done
