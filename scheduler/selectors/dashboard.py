"""Dashboard reads: what each role should look at first. A fixed handful of queries, whatever N."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from accounts.models import Workspace
from accounts.permissions import Role
from scheduler.models import Post, ReviewEvent

ATTENTION = [Post.Status.FAILED, Post.Status.NEEDS_REVIEW, Post.Status.MANUAL]


def dashboard_summary(*, workspace: Workspace, role: Role | None) -> dict[str, Any]:
    now = timezone.now()
    posts = Post.objects.filter(workspace=workspace).select_related("account")
    counts = dict(posts.order_by().values_list("status").annotate(n=Count("id")))
    upcoming = posts.filter(status=Post.Status.APPROVED, publish_at__gte=now - timedelta(minutes=5),
                            publish_at__lt=now + timedelta(days=7)).order_by("publish_at")[:6]
    summary: dict[str, Any] = {"counts": counts, "upcoming": list(upcoming)}
    if role in (Role.ADMIN, Role.EDITOR):
        summary["in_review"] = list(posts.filter(status=Post.Status.IN_REVIEW).order_by("publish_at")[:6])
    if role in (Role.ADMIN, Role.SOCIAL):
        summary["attention"] = list(posts.filter(status__in=ATTENTION).order_by("-updated_at")[:6])
    if role == Role.SOCIAL:
        # A draft sent back by its reviewer waits for its author (issue 23): its latest event says so.
        latest = ReviewEvent.objects.filter(post=OuterRef("pk")).order_by("-created_at", "-id").values("action")[:1]
        sent_back = posts.filter(status=Post.Status.DRAFT).annotate(last_action=Subquery(latest)).filter(
            last_action=ReviewEvent.Action.CHANGES_REQUESTED)
        summary["changes_requested"] = list(sent_back.order_by("-updated_at")[:6])
        summary["attention_count"] = (sum(counts.get(s, 0) for s in ATTENTION) + sent_back.order_by().count())
    if role == Role.CLIENT:
        summary["published"] = list(posts.filter(status=Post.Status.PUBLISHED).order_by("-published_at")[:6])
    return summary
