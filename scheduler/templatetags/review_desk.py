"""Admin index figures for the review desk: "Awaiting your review (N)" and "Expired (N)"."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, F, Q
from django.urls import reverse

from accounts.permissions import Action, workspaces_where
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
    # "Your" review: with self-approval forbidden, an editor's own posts wait for someone else.
    own_blocked = Q(author=user, workspace__forbid_self_approval=True) | Q(
        first_approval_by=user, first_approval_hash=F("content_hash"))  # their first vote: a second editor's turn
    figures = Post.objects.filter(workspace__in=reviewed.values("pk")).aggregate(
        awaiting=Count("pk", filter=in_review & Q(review_expired_at__isnull=True) & ~own_blocked),
        expired=Count("pk", filter=in_review & Q(review_expired_at__isnull=False)),
    )
    base = reverse("admin:scheduler_post_changelist")
    return {**figures, "awaiting_url": f"{base}?queue=review", "expired_url": f"{base}?queue=expired"}
