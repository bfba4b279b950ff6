"""The post lifecycle: compose, edit, review, schedule, cancel, publish-now, the manual lane, recurring series.

Every function is keyword-only, atomic, asks the policy module first and writes a ReviewEvent. State changes are
compare-and-set UPDATEs on (pk, status[, version]) so a concurrent edit, a reviewer and the dispatcher's claim
cannot both win: the loser gets a ConflictError / TransitionError with a sentence to show.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import InstagramAccount, User, Workspace
from accounts.permissions import Action, Role, require
from accounts.services.notifications import notify
from scheduler import rules
from scheduler.content import content_hash, content_snapshot, hash_of
from scheduler.models import Post, PostingSlot, PostMedia, ReviewEvent
from scheduler.rules import EDITABLE, PENDING, Op, TransitionError
from scheduler.services import validation
from scheduler.services.review import editors_of
from scheduler.slots import SlotError, next_free_slot, validate_slot_times

logger = logging.getLogger(__name__)

S = Post.Status

CONTENT_FIELDS = ("kind", "caption", "asset_ids", "first_comment", "location_id", "collaborators", "user_tags",
                  "share_to_feed", "alt_texts")
SCHEDULE_FIELDS = ("publish_at", "rrule")
OTHER_FIELDS = ("assignee", "manual_reason", "notify_on_publish")
# EDITABLE / PENDING and the allowed transitions live in scheduler.rules (re-exported here for callers).
__all__ = ["EDITABLE", "PENDING", "ConflictError", "TransitionError"]


class ConflictError(Exception):
    """Someone changed the post since the caller read it (optimistic concurrency)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- helpers ---------------------------------------------------------------------------------------------------


def _event(post: Post, user: Any, action: str, from_status: str, to_status: str, note: str = "") -> ReviewEvent:
    return ReviewEvent.objects.create(
        post=post, actor=user if getattr(user, "pk", None) else None, action=action,
        from_status=from_status, to_status=to_status, note=note,
    )


def _cas(post: Post, *, expected_version: int | None = None, **changes: Any) -> Post:
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


def _transition(post: Post, user: Any, *, action: str, to: str, note: str = "",
                expected_version: int | None = None, **changes: Any) -> Post:
    before = post.status
    _cas(post, expected_version=expected_version, status=to, **changes)
    _event(post, user, action, before, to, note)
    return post


def _check_version(post: Post, expected_version: int | None) -> None:
    if expected_version is not None and post.version != expected_version:
        raise ConflictError(
            f"Someone else changed this post while you were editing it (you had version {expected_version}, "
            f"it is now version {post.version}). Reload the post to see their changes, then apply yours again."
        )


def _set_media(post: Post, assets: Sequence[Any], alt_texts: Sequence[str] | None = None) -> None:
    PostMedia.objects.filter(post=post).delete()
    alts = list(alt_texts or [])
    PostMedia.objects.bulk_create(
        PostMedia(post=post, asset=a, position=i, alt_text=(alts[i] if i < len(alts) else "") or a.alt_text)
        for i, a in enumerate(assets)
    )


def _clean_names(values: Iterable[str]) -> list[str]:
    return [v.strip().lstrip("@") for v in values if v and v.strip()]


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


# --- compose and edit ------------------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    user: User,
    workspace: Workspace,
    account: InstagramAccount,
    kind: str,
    caption: str,
    asset_ids: Sequence[int],
    publish_at: datetime | None = None,
    rrule: str = "",
    first_comment: str = "",
    location_id: str = "",
    collaborators: Sequence[str] = (),
    user_tags: Sequence[dict] = (),
    manual_reason: str = "",
    assignee: User | None = None,
    alt_texts: Sequence[str] | None = None,
    share_to_feed: bool = True,
) -> Post:
    """A new draft, checked against Instagram's rules now rather than at publish time."""
    require(user, Action.COMPOSE_POST, workspace)
    caption = caption or ""
    rrule = (rrule or "").strip()
    collaborators = _clean_names(collaborators)
    assets, asset_errors = validation.resolve_assets(workspace.pk, asset_ids)
    validation.check_post(
        workspace=workspace, account=account, kind=kind, caption=caption, assets=assets, asset_errors=asset_errors,
        publish_at=publish_at, check_publish_at=True, rrule=rrule, collaborators=collaborators,
        user_tags=list(user_tags), alt_texts=list(alt_texts or []), location_id=location_id or "",
        first_comment=first_comment or "",
    )
    if manual_reason and manual_reason not in Post.ManualReason.values:
        raise ValidationError({"manual_reason": [f"“{manual_reason}” is not a manual reason."]})
    post = Post.objects.create(
        workspace=workspace, account=account, kind=kind, caption=caption, first_comment=first_comment or "",
        location_id=location_id or "", collaborators=collaborators, user_tags=list(user_tags),
        share_to_feed=share_to_feed, publish_at=publish_at, rrule=rrule,
        occurrence_at=publish_at if rrule else None, manual_reason=manual_reason or "",
        author=user, assignee=assignee, status=S.DRAFT,
    )
    _set_media(post, assets, alt_texts)
    _store_hash(post)
    _event(post, user, "created", "", S.DRAFT)
    return post


@transaction.atomic
def post_update(*, user: User, post: Post, expected_version: int, **fields: Any) -> Post:
    """Edit a post. Changing content of an approved (or failed) post sends it back to review; moving its time
    does not. A stale ``expected_version`` raises ConflictError, so of two concurrent edits only one wins."""
    unknown = set(fields) - set(CONTENT_FIELDS + SCHEDULE_FIELDS + OTHER_FIELDS)
    if unknown:
        raise TypeError(f"post_update got unknown fields: {', '.join(sorted(unknown))}")
    workspace = post.workspace
    require(user, Action.VIEW_ALL_POSTS, workspace)
    _check_version(post, expected_version)
    rules.check_status(Op.EDIT, post)

    current_ids = list(post.items.order_by("position").values_list("asset_id", flat=True))
    current = {
        "kind": post.kind, "caption": post.caption, "asset_ids": current_ids, "first_comment": post.first_comment,
        "location_id": post.location_id, "collaborators": list(post.collaborators),
        "user_tags": list(post.user_tags), "share_to_feed": post.share_to_feed,
        "alt_texts": list(post.items.order_by("position").values_list("alt_text", flat=True)),
        "publish_at": post.publish_at, "rrule": post.rrule, "assignee": post.assignee,
        "manual_reason": post.manual_reason, "notify_on_publish": post.notify_on_publish,
    }
    if "collaborators" in fields:
        fields["collaborators"] = _clean_names(fields["collaborators"])
    if "asset_ids" in fields:
        fields["asset_ids"] = [int(i) for i in fields["asset_ids"]]
    if "rrule" in fields:
        fields["rrule"] = (fields["rrule"] or "").strip()
    changed = {k: v for k, v in fields.items() if v != current[k]}
    if not changed:
        return post

    # Editors may fix captions; everything else is composing.
    rules.check(user, Op.EDIT_CAPTION if set(changed) <= {"caption"} else Op.EDIT, post)

    new = {**current, **changed}
    assets, asset_errors = validation.resolve_assets(workspace.pk, new["asset_ids"])
    validation.check_post(
        workspace=workspace, account=post.account, kind=new["kind"], caption=new["caption"] or "", assets=assets,
        asset_errors=asset_errors, publish_at=new["publish_at"], check_publish_at="publish_at" in changed,
        rrule=new["rrule"] if ("rrule" in changed or "publish_at" in changed) else "",
        collaborators=new["collaborators"], user_tags=new["user_tags"], alt_texts=new["alt_texts"],
        location_id=new["location_id"], first_comment=new["first_comment"],
    )
    content_changed = bool(set(changed) & set(CONTENT_FIELDS))
    to = post.status
    if content_changed and post.status in (S.APPROVED, S.FAILED):
        to = S.IN_REVIEW
    updates: dict[str, Any] = {
        k: changed[k] for k in changed
        if k in ("kind", "caption", "first_comment", "location_id", "collaborators", "user_tags", "share_to_feed",
                 "publish_at", "rrule", "assignee", "manual_reason", "notify_on_publish")
    }
    if "publish_at" in changed:
        updates.update(next_attempt_at=None, deferred_reason="", review_expired_at=None)
        if new["rrule"] and not post.series_root_id:
            updates["occurrence_at"] = changed["publish_at"]
    if "rrule" in changed and not post.series_root_id:
        updates["occurrence_at"] = new["publish_at"] if new["rrule"] else None
    before = post.status
    _cas(post, expected_version=expected_version, status=to, **updates)
    if "asset_ids" in changed or "alt_texts" in changed:
        _set_media(post, assets, new["alt_texts"])
    if content_changed:
        _store_hash(post)
    what = ", ".join(sorted(k.replace("_", " ") for k in changed))
    note = f"Changed {what}."
    if to != before:
        note += " Content changed after approval, so it needs review again."
    _event(post, user, "edited" if content_changed else "moved" if "publish_at" in changed else "edited",
           before, to, note)
    if content_changed:  # an editor's caption fix (or anyone's edit) is shown to the author
        _tell_author(post, user, f"{user} edited your post: {post}", note, level="info")
    return post


# --- review -----------------------------------------------------------------------------------------------------


@transaction.atomic
def post_submit(*, user: User, post: Post, note: str = "") -> Post:
    rules.check(user, Op.SUBMIT, post)
    assets, asset_errors = validation.resolve_assets(
        post.workspace_id, post.items.order_by("position").values_list("asset_id", flat=True)
    )
    validation.check_post(
        workspace=post.workspace, account=post.account, kind=post.kind, caption=post.caption, assets=assets,
        asset_errors=asset_errors, publish_at=post.publish_at, check_publish_at=False, rrule="",
        collaborators=post.collaborators, user_tags=post.user_tags,
    )
    return _transition(post, user, action="submitted", to=S.IN_REVIEW, note=note)


@transaction.atomic
def post_approve(*, user: User, post: Post, note: str = "", publish_at: datetime | None = None) -> Post:
    """Approve what the post shows now: the approval records its content (hash and snapshot), so a later content
    edit sends it back. A post whose time passed while in review needs a new `publish_at` to be approved."""
    changes: dict[str, Any] = {}
    if publish_at is not None:
        if errors := validation.publish_at_errors(publish_at, post.workspace.timezone):
            raise ValidationError({"publish_at": errors})
        post.publish_at = publish_at  # the rule "time not passed" is asked about the new time
        changes.update(publish_at=publish_at, next_attempt_at=None, deferred_reason="", review_expired_at=None)
        if post.rrule and not post.series_root_id:
            changes["occurrence_at"] = publish_at
    rules.check(user, Op.APPROVE, post)
    note = (note or "").strip()
    snapshot = content_snapshot(post)
    digest = hash_of(snapshot)
    if post.workspace.required_approvals >= 2 and not rules.first_approval_valid(post):
        return _first_approval(post, user, note=note, snapshot=snapshot, digest=digest, changes=changes)
    _cas(post, status=S.APPROVED, content_hash=digest, approved_hash=digest, first_approval_by=None,
         first_approval_hash="", **changes)
    event = _event(post, user, "approved", S.IN_REVIEW, S.APPROVED, note)
    ReviewEvent.objects.filter(pk=event.pk).update(content=snapshot)
    title = f"Approved with a comment: {post}" if note else f"Approved: {post}"
    _tell_author(post, user, title, note or "Approved as it is.", level="success")
    return post


def _first_approval(post: Post, user: Any, *, note: str, snapshot: dict, digest: str, changes: dict) -> Post:
    """Two-approval workspaces: record the first approval of this content; the post stays in review."""
    _cas(post, content_hash=digest, first_approval_by=user, first_approval_hash=digest, **changes)
    event = _event(post, user, "approved_first", S.IN_REVIEW, S.IN_REVIEW,
                   note or "First approval; a second editor has to approve it too.")
    ReviewEvent.objects.filter(pk=event.pk).update(content=snapshot)
    others = [u for u in editors_of(post) if u.pk != user.pk and u.pk != post.author_id]
    if others:
        notify(workspace=post.workspace, kind="post_review", title=f"Second approval needed: {post}"[:200],
               body=f"{user} approved “{post}”; it needs a second editor's approval.", url=_post_url(post),
               users=others)
    _tell_author(post, user, f"First approval: {post}", note or "Approved once; waiting for a second editor.",
                 level="info")
    return post


def _note_required(note: str, verb: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [f"Say what needs to change: a note is required to {verb}."]})
    return note


@transaction.atomic
def post_reject(*, user: User, post: Post, note: str) -> Post:
    rules.check(user, Op.REJECT, post)
    note = _note_required(note, "reject a post")
    _transition(post, user, action="rejected", to=S.DRAFT, note=note, first_approval_by=None, first_approval_hash="")
    _tell_author(post, user, f"Rejected: {post}", note)
    return post


@transaction.atomic
def post_request_changes(*, user: User, post: Post, note: str) -> Post:
    rules.check(user, Op.REQUEST_CHANGES, post)
    note = _note_required(note, "request changes")
    _transition(post, user, action="changes_requested", to=S.DRAFT, note=note, first_approval_by=None,
                first_approval_hash="")
    _tell_author(post, user, f"Changes requested: {post}", note)
    return post


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


# --- scheduling -------------------------------------------------------------------------------------------------


def _move(post: Post, user: Any, *, publish_at: datetime, expected_version: int | None, action: str,
          note: str = "") -> Post:
    errors = validation.publish_at_errors(publish_at, post.workspace.timezone)
    if errors:
        raise ValidationError({"publish_at": errors})
    # A failed post with a new time gets another chance; its content was approved and has not changed.
    to = S.APPROVED if post.status == S.FAILED else post.status
    changes: dict[str, Any] = {"publish_at": publish_at, "next_attempt_at": None, "deferred_reason": "",
                               "review_expired_at": None}
    if to != post.status:
        changes.update(retry_count=0, next_check_at=None)
    if post.rrule and not post.series_root_id:
        changes["occurrence_at"] = publish_at
    before = post.status
    _cas(post, expected_version=expected_version, status=to, **changes)
    _event(post, user, action, before, to,
           note or f"Scheduled for {validation.local_text(publish_at, post.workspace.timezone)}.")
    return post


@transaction.atomic
def post_reschedule(*, user: User, post: Post, publish_at: datetime, expected_version: int | None = None) -> Post:
    """Move a post's time (drag on the calendar). Approved stays approved; a failed post is retried then."""
    rules.check(user, Op.RESCHEDULE, post)
    _check_version(post, expected_version)
    return _move(post, user, publish_at=publish_at, expected_version=expected_version, action="rescheduled")


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
    return _move(post, user, publish_at=slot, expected_version=None, action="queued",
                 note=f"Queued into the next free slot, {validation.local_text(slot, post.workspace.timezone)}.")


@transaction.atomic
def posting_slots_set(*, user: User, account: InstagramAccount, weekday: int, times: Sequence[time]) -> list[PostingSlot]:
    """Replace one weekday's posting slots of an account (local wall-clock times, ≤ 25)."""
    require(user, Action.COMPOSE_POST, account.workspace)
    if not 0 <= int(weekday) <= 6:
        raise ValidationError({"weekday": ["Weekday must be 0 (Monday) to 6 (Sunday)."]})
    try:
        normalized = validate_slot_times(list(times))
    except SlotError as exc:
        raise ValidationError({"times": [exc.message]}) from None
    PostingSlot.objects.filter(account=account, weekday=weekday).delete()
    return PostingSlot.objects.bulk_create(PostingSlot(account=account, weekday=weekday, time=t) for t in normalized)


@transaction.atomic
def post_cancel(*, user: User, post: Post, note: str = "") -> Post:
    """Cancel a post that has not gone out. For a recurring post the series carries on with its next date."""
    rules.check(user, Op.CANCEL, post)
    _transition(post, user, action="cancelled", to=S.CANCELLED, note=note, next_attempt_at=None, deferred_reason="")
    _series_next(post)
    return post


@transaction.atomic
def post_publish_now(*, user: User, post: Post) -> Post:
    """Due now: the dispatcher claims it on its next pass (and a pass is requested right after commit)."""
    rules.check(user, Op.PUBLISH_NOW, post)
    now = timezone.now()
    _transition(post, user, action="publish_now", to=S.APPROVED, publish_at=now, next_attempt_at=None,
                note="Publish now requested.")
    _kick_dispatcher()
    return post


# --- the manual lane --------------------------------------------------------------------------------------------


def _media_links(post: Post) -> list[str]:
    links = []
    for item in post.items.select_related("asset").order_by("position"):
        try:
            links.append(item.asset.file.url)
        except Exception:  # a storage without URLs: the queue page still links the download view
            continue
    return links


@transaction.atomic
def post_mark_manual(*, user: User, post: Post, reason: str, note: str = "") -> Post:
    """Flag a post as needing a human (stickers, music, product tags…).

    A draft or in-review post only records the reason (it still goes through review; at its time the engine
    routes it to the manual queue). An approved or failed post goes to the manual queue now and its assignee
    (or the workspace's social managers) is told, with the caption and media links.
    """
    rules.check(user, Op.MARK_MANUAL, post)
    if reason not in Post.ManualReason.values or not reason:
        raise ValidationError({"reason": [f"“{reason}” is not a manual reason."]})
    label = Post.ManualReason(reason).label
    if post.status in (S.DRAFT, S.IN_REVIEW):
        return _transition(post, user, action="marked_manual", to=post.status, manual_reason=reason,
                           note=note or f"Needs a person to post it: {label}.")
    _transition(post, user, action="marked_manual", to=S.MANUAL, manual_reason=reason, next_attempt_at=None,
                note=note or f"Needs a person to post it: {label}.")
    when = validation.local_text(post.publish_at, post.workspace.timezone) if post.publish_at else "as soon as you can"
    body = "\n".join([f"Post to @{post.account.username} {when}.", "", post.caption, "", *_media_links(post)])
    notify(
        workspace=post.workspace, kind="manual_due", level="warning",
        title=f"Post by hand on @{post.account.username}: {label}", body=body,
        users=[post.assignee] if post.assignee_id else None, roles=(Role.SOCIAL,),
    )
    return post


def _check_permalink(permalink: str) -> str:
    permalink = (permalink or "").strip()
    parsed = urlparse(permalink)
    host = (parsed.hostname or "").lower()
    if parsed.scheme != "https" or host not in ("instagram.com", "www.instagram.com") or len(parsed.path) < 3:
        raise ValidationError(
            {"permalink": ["Paste the post's Instagram link, like https://www.instagram.com/p/Cxyz123/."]}
        )
    return permalink


@transaction.atomic
def post_mark_posted_manually(*, user: User, post: Post, permalink: str) -> Post:
    """A person posted it: record the permalink, mark it published, continue a series."""
    rules.check(user, Op.MARK_POSTED, post)
    permalink = _check_permalink(permalink)
    _transition(post, user, action="posted_manually", to=S.PUBLISHED, permalink=permalink,
                published_at=timezone.now(), next_attempt_at=None, next_check_at=None, claim_token="",
                note=f"Posted by hand: {permalink}")
    _series_next(post)
    return post


# --- recurring series -------------------------------------------------------------------------------------------


@transaction.atomic
def post_skip_occurrence(*, user: User, post: Post, note: str = "") -> Post | None:
    """Skip this date of a series: this occurrence is cancelled, the next one is created. Returns the next one."""
    rules.check(user, Op.SKIP, post)
    _transition(post, user, action="skipped", to=S.CANCELLED, note=note or "This date was skipped.",
                next_attempt_at=None, deferred_reason="")
    return _series_next(post)


@transaction.atomic
def series_stop(*, user: User, post: Post, note: str = "") -> Post:
    """Stop a series: no further occurrences are created and dates not yet posted are cancelled."""
    rules.check(user, Op.STOP_SERIES, post)
    root = post.series_root if post.series_root_id else post
    Post.objects.filter(pk=root.pk).update(series_stopped=True, version=F("version") + 1, updated_at=timezone.now())
    _event(root, user, "series_stopped", root.status, root.status, note or "The series was stopped.")
    pending = Post.objects.filter(pk=root.pk) | Post.objects.filter(series_root=root)
    for occurrence in pending.filter(status__in=PENDING).select_related("workspace"):
        try:
            _transition(occurrence, user, action="cancelled", to=S.CANCELLED, note="The series was stopped.",
                        next_attempt_at=None, deferred_reason="")
        except ConflictError:  # the dispatcher claimed it this instant; it goes out as the last one
            continue
    post.refresh_from_db()
    return post
