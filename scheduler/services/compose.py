"""Composing and editing posts: drafts checked against Instagram's rules; content edits send approved posts back to review."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import InstagramAccount, User, Workspace
from accounts.permissions import Action, require
from scheduler import instagram_rules, recurrence, rules
from scheduler.content import review_snapshot
from scheduler.models import Post, PostMedia, ReviewEvent
from scheduler.rules import Op
from scheduler.services.lifecycle import (
    CONTENT_FIELDS,
    OTHER_FIELDS,
    SCHEDULE_FIELDS,
    S,
    _store_hash,
    _tell_author,
    cas,
    check_version,
    write_event,
)

A = ReviewEvent.Action


def _set_media(post: Post, assets: Sequence[Any], alt_texts: Sequence[str] | None = None) -> None:
    PostMedia.objects.filter(post=post).delete()
    alts = list(alt_texts or [])
    PostMedia.objects.bulk_create(
        PostMedia(post=post, asset=a, position=i, alt_text=(alts[i] if i < len(alts) else "") or a.alt_text)
        for i, a in enumerate(assets)
    )


def _clean_names(values: Iterable[str]) -> list[str]:
    return [v.strip().lstrip("@") for v in values if v and v.strip()]


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
    location_name: str = "",
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
    assets, asset_errors = instagram_rules.resolve_assets(workspace.pk, asset_ids)
    instagram_rules.check_post(
        workspace=workspace, account=account, kind=kind, caption=caption, assets=assets, asset_errors=asset_errors,
        publish_at=publish_at, check_publish_at=True, rrule=rrule, collaborators=collaborators,
        user_tags=list(user_tags), alt_texts=list(alt_texts or []), location_id=location_id or "",
        first_comment=first_comment or "",
    )
    if manual_reason and manual_reason not in Post.ManualReason.values:
        raise ValidationError({"manual_reason": [f"“{manual_reason}” is not a manual reason."]})
    post = Post.objects.create(
        workspace=workspace, account=account, kind=kind, caption=caption, first_comment=first_comment or "",
        location_id=location_id or "", location_name=(location_name or "")[:200] if location_id else "",
        collaborators=collaborators, user_tags=list(user_tags),
        share_to_feed=share_to_feed, publish_at=publish_at, rrule=rrule,
        occurrence_at=publish_at if rrule else None, manual_reason=manual_reason or "",
        author=user, assignee=assignee, status=S.DRAFT,
    )
    _set_media(post, assets, alt_texts)
    _store_hash(post)
    _record(write_event(post, user, A.CREATED, "", S.DRAFT), post)
    return post


def _record(event: Any, post: Post) -> None:
    """Keep the reviewable version this event produced, so a stale review can show what changed since."""
    type(event).objects.filter(pk=event.pk).update(content=review_snapshot(post))


def repeat_extended(post: Post, *, rrule: str, publish_at: datetime | None) -> bool:
    """Whether giving `post` this rule (from this start) adds dates its approval did not cover."""
    old_start = post.occurrence_at or post.publish_at
    try:
        return recurrence.is_extension(old_rule=post.rrule, new_rule=rrule, old_start_utc=old_start,
                                       new_start_utc=publish_at, tz=post.workspace.timezone)
    except recurrence.RecurrenceError:
        return True


@transaction.atomic
def post_update(*, user: User, post: Post, expected_version: int, **fields: Any) -> Post:
    """Edit a post. Changing content of an approved (or failed) post sends it back to review; moving its time
    does not. A stale ``expected_version`` raises ConflictError, so of two concurrent edits only one wins."""
    unknown = set(fields) - set(CONTENT_FIELDS + SCHEDULE_FIELDS + OTHER_FIELDS)
    if unknown:
        raise TypeError(f"post_update got unknown fields: {', '.join(sorted(unknown))}")
    workspace = post.workspace
    require(user, Action.VIEW_ALL_POSTS, workspace)
    check_version(post, expected_version)
    rules.check_status(Op.EDIT, post)

    current_ids = list(post.items.order_by("position").values_list("asset_id", flat=True))
    current = {
        "kind": post.kind, "caption": post.caption, "asset_ids": current_ids, "first_comment": post.first_comment,
        "location_id": post.location_id, "collaborators": list(post.collaborators),
        "user_tags": list(post.user_tags), "share_to_feed": post.share_to_feed,
        "alt_texts": list(post.items.order_by("position").values_list("alt_text", flat=True)),
        "publish_at": post.publish_at, "rrule": post.rrule, "assignee": post.assignee,
        "manual_reason": post.manual_reason, "notify_on_publish": post.notify_on_publish,
        "location_name": post.location_name,
    }
    if "collaborators" in fields:
        fields["collaborators"] = _clean_names(fields["collaborators"])
    if "asset_ids" in fields:
        fields["asset_ids"] = [int(i) for i in fields["asset_ids"]]
    if "rrule" in fields:
        fields["rrule"] = (fields["rrule"] or "").strip()
    if "location_name" in fields:  # a name only names a place that is set
        fields["location_name"] = (fields["location_name"] or "")[:200] if fields.get("location_id", post.location_id) else ""
    changed = {k: v for k, v in fields.items() if v != current[k]}
    if not changed:
        return post

    # Editors may fix captions; everything else is composing.
    rules.check(user, Op.EDIT_CAPTION if set(changed) <= {"caption"} else Op.EDIT, post)

    new = {**current, **changed}
    assets, asset_errors = instagram_rules.resolve_assets(workspace.pk, new["asset_ids"])
    instagram_rules.check_post(
        workspace=workspace, account=post.account, kind=new["kind"], caption=new["caption"] or "", assets=assets,
        asset_errors=asset_errors, publish_at=new["publish_at"], check_publish_at="publish_at" in changed,
        rrule=new["rrule"] if ("rrule" in changed or "publish_at" in changed) else "",
        collaborators=new["collaborators"], user_tags=new["user_tags"], alt_texts=new["alt_texts"],
        location_id=new["location_id"], first_comment=new["first_comment"],
    )
    content_changed = bool(set(changed) & set(CONTENT_FIELDS))
    # The repeat is part of what was approved: more dates, a later end or a denser rule need review again;
    # shortening or stopping it does not. (An occurrence's rule is its series', not its own.)
    extended = "rrule" in changed and not post.series_root_id and repeat_extended(
        post, rrule=new["rrule"], publish_at=new["publish_at"])
    to = post.status
    if (content_changed or extended) and post.status in (S.APPROVED, S.FAILED):
        to = S.IN_REVIEW
    updates: dict[str, Any] = {
        k: changed[k] for k in changed
        if k in ("kind", "caption", "first_comment", "location_id", "collaborators", "user_tags", "share_to_feed",
                 "publish_at", "rrule", "assignee", "manual_reason", "notify_on_publish", "location_name")
    }
    if "publish_at" in changed:
        updates.update(next_attempt_at=None, deferred_reason="", review_expired_at=None)
        if new["rrule"] and not post.series_root_id:
            updates["occurrence_at"] = changed["publish_at"]
    if "rrule" in changed and not post.series_root_id:
        updates["occurrence_at"] = new["publish_at"] if new["rrule"] else None
    if content_changed or extended:
        # A first approval (two-approval workspaces) was given to other content; a moved or split-off date whose
        # content now differs from its series' has a review of its own from here on.
        updates.update(first_approval_by=None, first_approval_hash="")
        if content_changed:
            updates["review_follows"] = None
    before = post.status
    cas(post, expected_version=expected_version, status=to, **updates)
    if "asset_ids" in changed or "alt_texts" in changed:
        _set_media(post, assets, new["alt_texts"])
    if content_changed:
        _store_hash(post)
    what = ", ".join(sorted(k.replace("_", " ") for k in changed))
    note = f"Changed {what}."
    if to != before:
        note += (" Content changed after approval, so it needs review again." if content_changed else
                 " The repeat now adds dates that were not approved, so it needs review again.")
    action = (A.EDITED if content_changed or extended else A.MOVED if "publish_at" in changed
              else A.DETAILS_CHANGED)
    event = write_event(post, user, action, before, to, note)
    if content_changed or "rrule" in changed:
        _record(event, post)
    if content_changed:  # an editor's caption fix (or anyone's edit) is shown to the author
        _tell_author(post, user, f"{user} edited your post: {post}", note, level="info")
    return post
