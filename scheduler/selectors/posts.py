"""Named reads of posts, each owning its select_related / prefetch so lists keep a constant query count."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import FilteredRelation, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Workspace
from accounts.permissions import Action, can
from scheduler.models import Post, PostMedia
from scheduler.rules import CLIENT_VISIBLE  # what a client (read-only) may see


def _with_media(qs: QuerySet[Post]) -> QuerySet[Post]:
    items = PostMedia.objects.select_related("asset").only(
        "id", "post_id", "position", "alt_text", "asset__id", "asset__file", "asset__thumbnail", "asset__kind",
        "asset__title", "asset__original_name", "asset__workspace_id",
    )
    return qs.select_related("account", "author", "assignee").prefetch_related(Prefetch("items", queryset=items))


def with_first_item(qs: QuerySet[Post]) -> QuerySet[Post]:
    """`qs` joined to each post's first media item as `first` (positions start at 0: services/compose.py numbers
    them), for a card's or a tile's picture by one join instead of a subquery per field."""
    return qs.annotate(first=FilteredRelation("items", condition=Q(items__position=0)))


def visible_posts(*, user: Any, workspace: Workspace) -> QuerySet[Post]:
    qs = Post.objects.filter(workspace=workspace)
    if not can(user, Action.VIEW_ALL_POSTS, workspace):
        qs = qs.filter(status__in=CLIENT_VISIBLE)
    return qs


def post_list(
    *,
    user: Any,
    workspace: Workspace,
    status: str | None = None,
    account_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 200,
) -> QuerySet[Post]:
    """Posts of a workspace the user may see, filtered; start/end bound publish_at (start inclusive)."""
    qs = visible_posts(user=user, workspace=workspace)
    if status:
        qs = qs.filter(status=status)
    if account_id:
        qs = qs.filter(account_id=account_id)
    if start:
        qs = qs.filter(publish_at__gte=start)
    if end:
        qs = qs.filter(publish_at__lt=end)
    return _with_media(qs).order_by("publish_at", "id")[:limit]


def post_detail(*, user: Any, workspace: Workspace, pk: int) -> Post:
    """One post with its history (review events with actors, publish attempts); 404 if the user may not see it."""
    qs = visible_posts(user=user, workspace=workspace).prefetch_related(
        Prefetch("review_events", queryset=_events()), "attempts"
    )
    post = _with_media(qs).select_related("workspace", "series_root").filter(pk=pk).first()
    if post is None:
        raise Http404("No such post.")
    return post


def _events() -> QuerySet:
    from scheduler.models import ReviewEvent

    return ReviewEvent.objects.select_related("actor").order_by("created_at", "id")


def manual_queue(*, workspace: Workspace) -> QuerySet[Post]:
    """Posts waiting for a person to post them, most urgent first."""
    return _with_media(
        Post.objects.filter(workspace=workspace, status__in=[Post.Status.MANUAL, Post.Status.NEEDS_REVIEW])
    ).order_by("publish_at", "id")
