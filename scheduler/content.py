"""What an approval binds: a post's reviewable content as a snapshot, and its hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from scheduler.models import Post, PostMedia

# Everything Instagram shows that a reviewer signs off: caption, media (order, alt texts), first comment, tags.
CONTENT_KEYS = ("kind", "caption", "first_comment", "location_id", "collaborators", "user_tags", "share_to_feed",
                "media")


def content_snapshot(post: Post, items: list[PostMedia] | None = None) -> dict[str, Any]:
    if items is None:
        items = list(PostMedia.objects.filter(post=post).order_by("position").only("asset_id", "alt_text"))
    return {
        "kind": post.kind, "caption": post.caption or "", "first_comment": post.first_comment or "",
        "location_id": post.location_id or "", "collaborators": list(post.collaborators or []),
        "user_tags": list(post.user_tags or []), "share_to_feed": bool(post.share_to_feed),
        "media": [{"asset": i.asset_id, "alt_text": i.alt_text or ""} for i in items],
    }


def hash_of(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def content_hash(post: Post) -> str:
    return hash_of(content_snapshot(post))


def is_approved_content(post: Post) -> bool:
    """True when this post's current content is exactly what a reviewer approved."""
    return bool(post.approved_hash) and post.approved_hash == content_hash(post)


def inherited_review(root: Post, items: list[PostMedia] | None = None) -> tuple[str, str]:
    """(status, approved hash) for a new post carrying a series' content (next occurrence, a moved or split-off
    date): approved only when the series' content was approved and has not changed since; otherwise in review
    (series in review) or a draft. The root's own status — cancelled, skipped, published — has no say."""
    digest = hash_of(content_snapshot(root, items))
    if root.approved_hash and root.approved_hash == digest:
        return Post.Status.APPROVED, digest
    return (Post.Status.IN_REVIEW if root.status == Post.Status.IN_REVIEW else Post.Status.DRAFT), ""


def projected_status(root: Post) -> str:
    """What a future, not yet stored date of a series will be (for the calendar; stored hashes, no query)."""
    if root.approved_hash and root.approved_hash == root.content_hash:
        return Post.Status.APPROVED
    return Post.Status.IN_REVIEW if root.status == Post.Status.IN_REVIEW else Post.Status.DRAFT


def content_diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Per changed key: label, before, after (media as a list of "asset #id (alt)" lines)."""
    labels = {"kind": "Kind", "caption": "Caption", "first_comment": "First comment", "location_id": "Location",
              "collaborators": "Collaborators", "user_tags": "People tagged", "share_to_feed": "Share to feed",
              "media": "Media"}

    def text(key: str, value: Any) -> str:
        if key == "media":
            return "\n".join(f"#{m['asset']}" + (f" — alt: {m['alt_text']}" if m.get("alt_text") else "")
                             for m in value or [])
        if key in ("collaborators",):
            return ", ".join(f"@{v}" for v in value or [])
        if key == "user_tags":
            return ", ".join(f"@{t.get('username', '')}" for t in value or [])
        return str(value if value is not None else "")

    return [{"key": k, "label": labels[k], "before": text(k, old.get(k)), "after": text(k, new.get(k))}
            for k in CONTENT_KEYS if old.get(k) != new.get(k)]
