"""Expiring reviews that outlived their date (the only thing this module does; renamed from services/review.py).

(Approve, reject and request changes are in services/approval.py, caption edits in services/compose.py; this module
adds what only the desk needs.) A post still in review when its time passes is never published: it is flagged, its author and the
workspace's editors are told, and approving it afterwards needs a new time (scheduler.rules).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.permissions import Role
from accounts.services.notifications import notify
from scheduler.instagram_rules import local_text
from scheduler.models import Post, ReviewEvent
from scheduler.services.lifecycle import post_mark

S = Post.Status
A = ReviewEvent.Action


def editors_of(post: Post) -> list[User]:
    return list(User.objects.filter(is_active=True, memberships__workspace_id=post.workspace_id,
                                    memberships__role=Role.EDITOR.value).distinct())


@transaction.atomic
def reviews_expire(*, now: datetime | None = None) -> list[int]:
    """Flag every post still in review whose time has come; return their ids. Idempotent (flags once)."""
    now = now or timezone.now()
    due = Post.objects.filter(status=S.IN_REVIEW, publish_at__lte=now, review_expired_at__isnull=True)
    flagged = []
    for post in due.select_related("workspace", "account", "author").order_by("publish_at", "pk"):
        # Compare-and-set: an approval or a move that lands meanwhile wins, and this post is left alone.
        won = post_mark(post.pk, only_if={"status": S.IN_REVIEW, "publish_at": post.publish_at,
                                          "review_expired_at__isnull": True}, review_expired_at=now, updated_at=now)
        if not won:
            continue
        when = local_text(post.publish_at, post.workspace.timezone)
        ReviewEvent.objects.create(post=post, action=A.REVIEW_EXPIRED, from_status=S.IN_REVIEW, to_status=S.IN_REVIEW,
                                   note=f"Still in review at its time ({when}), so it was not published. "
                                        "Approve it with a new time, or move it.")
        people = {u.pk: u for u in editors_of(post)}
        if post.author_id and post.author and post.author.is_active:
            people[post.author_id] = post.author
        notify(workspace=post.workspace, kind="review_expired", level="warning",
               title=f"Review expired: {post}"[:200],
               body=f"“{post}” for @{post.account.username} was still waiting for review at {when} and was not "
                    "published. An editor can approve it with a new time.",
               url=reverse("scheduler:post_detail", kwargs={"ws": post.workspace.slug, "pk": post.pk}),
               users=list(people.values()))
        flagged.append(post.pk)
    return flagged
