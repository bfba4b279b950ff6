"""What a review page sends back with a decision: the version it showed (issue 17, point 1)."""

from __future__ import annotations

from scheduler.content import review_hash
from scheduler.models import Post


def seen(post: Post) -> str:
    """The review hash of the post as stored now (what a page opened now shows)."""
    return review_hash(Post.objects.get(pk=post.pk))


def seen_fields(*posts: Post) -> dict[str, str]:
    """The changelist's per-row hidden fields for a bulk decision."""
    return {f"seen_{p.pk}": seen(p) for p in posts}
