"""Review decisions: submit, approve (bound to the content it approved), reject, request changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.services.notifications import notify
from scheduler import instagram_rules, rules
from scheduler.content import content_snapshot, hash_of, review_snapshot
from scheduler.models import Post, ReviewEvent
from scheduler.rules import Op
from scheduler.services.lifecycle import (
    S,
    _check_seen,
    _followers_follow,
    _note_required,
    _post_url,
    _tell_author,
    cas,
    transition,
    write_event,
)
from scheduler.services.review_expiry import editors_of

A = ReviewEvent.Action


@transaction.atomic
def post_submit(*, user: User, post: Post, note: str = "") -> Post:
    rules.check(user, Op.SUBMIT, post)
    assets, asset_errors = instagram_rules.resolve_assets(
        post.workspace_id, post.items.order_by("position").values_list("asset_id", flat=True)
    )
    instagram_rules.check_post(
        workspace=post.workspace, account=post.account, kind=post.kind, caption=post.caption, assets=assets,
        asset_errors=asset_errors, publish_at=post.publish_at, check_publish_at=False, rrule="",
        collaborators=post.collaborators, user_tags=post.user_tags,
    )
    transition(post, user, action=A.SUBMITTED, to=S.IN_REVIEW, note=note)
    _followers_follow(post, user, to=S.IN_REVIEW, from_status=S.DRAFT,
                      note=f"Submitted with its series “{post}” (post {post.pk}).")
    return post


@transaction.atomic
def post_approve(*, user: User, post: Post, note: str = "", publish_at: datetime | None = None,
                 seen_hash: str | None = None) -> Post:
    """Approve what the reviewer saw: ``seen_hash`` is the post's ``review_hash`` on their page, and a post that
    changed since is refused (StaleReviewError, with the diff). The approval records its content (hash and
    snapshot, repeat rule included), so a later content edit or a longer repeat sends it back. Dates that follow
    the series' review are approved with it. A post whose time passed while in review needs a new `publish_at`."""
    changes: dict[str, Any] = {}
    if publish_at is not None:
        if errors := instagram_rules.publish_at_errors(publish_at, post.workspace.timezone):
            raise ValidationError({"publish_at": errors})
        post.publish_at = publish_at  # the rule "time not passed" is asked about the new time
        changes.update(publish_at=publish_at, next_attempt_at=None, deferred_reason="", review_expired_at=None)
        if post.rrule and not post.series_root_id:
            changes["occurrence_at"] = publish_at
    rules.check(user, Op.APPROVE, post)
    _check_seen(post, seen_hash)
    note = (note or "").strip()
    digest = hash_of(content_snapshot(post))
    snapshot = review_snapshot(post)
    if post.workspace.required_approvals >= 2 and not rules.first_approval_valid(post):
        return _first_approval(post, user, note=note, snapshot=snapshot, digest=digest, changes=changes)
    cas(post, status=S.APPROVED, content_hash=digest, approved_hash=digest, first_approval_by=None,
         first_approval_hash="", review_follows=None, **changes)
    event = write_event(post, user, A.APPROVED, S.IN_REVIEW, S.APPROVED, note)
    ReviewEvent.objects.filter(pk=event.pk).update(content=snapshot)
    _followers_follow(post, user, to=S.APPROVED, approved_hash=digest,
                      note=f"Approved with its series “{post}” (post {post.pk}).")
    title = f"Approved with a comment: {post}" if note else f"Approved: {post}"
    _tell_author(post, user, title, note or "Approved as it is.", level="success")
    return post


def _first_approval(post: Post, user: Any, *, note: str, snapshot: dict, digest: str, changes: dict) -> Post:
    """Two-approval workspaces: record the first approval of this content; the post stays in review."""
    cas(post, content_hash=digest, first_approval_by=user, first_approval_hash=digest, **changes)
    event = write_event(post, user, A.APPROVED_FIRST, S.IN_REVIEW, S.IN_REVIEW,
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


@transaction.atomic
def post_reject(*, user: User, post: Post, note: str, seen_hash: str | None = None) -> Post:
    rules.check(user, Op.REJECT, post)
    _check_seen(post, seen_hash)
    note = _note_required(note, "reject a post")
    transition(post, user, action=A.REJECTED, to=S.DRAFT, note=note, first_approval_by=None, first_approval_hash="")
    _followers_follow(post, user, to=S.DRAFT, note=f"Rejected with its series “{post}” (post {post.pk}).")
    _tell_author(post, user, f"Rejected: {post}", note)
    return post


@transaction.atomic
def post_request_changes(*, user: User, post: Post, note: str, seen_hash: str | None = None) -> Post:
    rules.check(user, Op.REQUEST_CHANGES, post)
    _check_seen(post, seen_hash)
    note = _note_required(note, "request changes")
    transition(post, user, action=A.CHANGES_REQUESTED, to=S.DRAFT, note=note, first_approval_by=None,
                first_approval_hash="")
    _followers_follow(post, user, to=S.DRAFT, note=f"Sent back with its series “{post}” (post {post.pk}).")
    _tell_author(post, user, f"Changes requested: {post}", note)
    return post
