"""Review desk tags: the admin index figures ("Awaiting your review (N)", "Expired (N)") and the caption counts
against Instagram's limits (scheduler/instagram_rules.py, the one place they are written)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, F, Q
from django.urls import reverse

from accounts.permissions import Action, workspaces_where
from scheduler import instagram_rules, rules
from scheduler.models import Post

register = template.Library()
S = Post.Status


@register.simple_tag(takes_context=True)
def review_counts(context: Any) -> dict[str, Any] | None:
    """Counts over the user's workspaces (one query); None for roles that do not review."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return None
    reviewed = workspaces_where(user, Action.REVIEW_POST)  # the workspaces where this user reviews
    if not reviewed.exists():
        return None
    in_review = Q(status=S.IN_REVIEW)
    # "Your" review: where four eyes apply, what an editor wrote (as author or by changing it since the last
    # approval) waits for someone else, as does a post after their first vote (a second editor's turn).
    own_blocked = (rules.four_eyes_q() & rules.written_by_q(user)) | Q(
        first_approval_by=user, first_approval_hash=F("content_hash"))
    figures = Post.objects.filter(workspace__in=reviewed.values("pk")).aggregate(
        awaiting=Count("pk", filter=in_review & Q(review_expired_at__isnull=True, review_follows__isnull=True)
                       & ~own_blocked),
        expired=Count("pk", filter=in_review & Q(review_expired_at__isnull=False)),
    )
    base = reverse("admin:scheduler_post_changelist")
    return {**figures, "awaiting_url": f"{base}?queue=review", "expired_url": f"{base}?queue=expired"}


@register.simple_tag
def caption_counts(chars: int, hashtags: int, mentions: int) -> str:
    """"120 / 2,200 characters · 3 / 30 hashtags · 1 / 20 mentions" with Instagram's limits from instagram_rules."""
    limits = instagram_rules  # read at call time, so the module stays the one place to change a limit
    return (f"{chars} / {limits.CAPTION_MAX:,} characters · {hashtags} / {limits.HASHTAGS_MAX} hashtags · "
            f"{mentions} / {limits.MENTIONS_MAX} mentions")
