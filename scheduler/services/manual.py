"""The manual lane: posts a person has to publish by hand, and marking them posted."""

from __future__ import annotations

from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Role
from accounts.services.notifications import notify
from scheduler import instagram_rules, rules
from scheduler.models import Post, ReviewEvent
from scheduler.rules import Op
from scheduler.services.lifecycle import (
    S,
    _series_next,
    transition,
)

A = ReviewEvent.Action


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
        return transition(post, user, action=A.MARKED_MANUAL, to=post.status, manual_reason=reason,
                           note=note or f"Needs a person to post it: {label}.")
    transition(post, user, action=A.MARKED_MANUAL, to=S.MANUAL, manual_reason=reason, next_attempt_at=None,
                note=note or f"Needs a person to post it: {label}.")
    when = instagram_rules.local_text(post.publish_at, post.workspace.timezone) if post.publish_at else "as soon as you can"
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
    transition(post, user, action=A.POSTED_MANUALLY, to=S.PUBLISHED, permalink=permalink,
                published_at=timezone.now(), next_attempt_at=None, next_check_at=None, claim_token="",
                note=f"Posted by hand: {permalink}")
    _series_next(post)
    return post
