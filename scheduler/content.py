"""What an approval binds: a post's reviewable content as a snapshot, and its hash.

Two hashes, one snapshot: ``content_hash``/``approved_hash`` cover what Instagram shows (caption, media, …) and are
what a series' dates share with it; ``review_hash`` adds the repeat rule, because an approval also covers how
often and how long a post repeats. A review page carries the ``review_hash`` it showed (``seen_hash``), and a
decision on anything else is refused (scheduler/services/approval.py).
"""

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


REVIEW_KEYS = (*CONTENT_KEYS, "rrule")


def review_snapshot(post: Post, items: list[PostMedia] | None = None) -> dict[str, Any]:
    """What a reviewer signs off: the content and the repeat rule (an occurrence shows its series' rule)."""
    return {**content_snapshot(post, items), "rrule": post.rrule or ""}


def review_hash(post: Post, items: list[PostMedia] | None = None) -> str:
    """The version a review page shows and a decision carries back (``seen_hash``)."""
    return hash_of(review_snapshot(post, items))


def snapshot_seen(post: Post, seen_hash: str) -> dict[str, Any] | None:
    """The review snapshot a page showed, found among those the post's history recorded (None if unknown)."""
    from scheduler.models import ReviewEvent

    for content in (ReviewEvent.objects.filter(post=post, content__isnull=False).order_by("-id")
                    .values_list("content", flat=True)[:50]):
        if isinstance(content, dict) and hash_of({**content, "rrule": content.get("rrule", "")}) == seen_hash:
            return {**content, "rrule": content.get("rrule", "")}
    return None


def is_approved_content(post: Post) -> bool:
    """True when this post's current content is exactly what a reviewer approved."""
    return bool(post.approved_hash) and post.approved_hash == content_hash(post)


def occurrence_status(*, status: str, content_hash: str, approved_hash: str) -> str:
    """THE rule for the status of a date of a series that has no review of its own — a future date the calendar
    and the iCal feed draw from the rule, the next occurrence the engine stores for the publisher, a date moved
    or split off the series: it follows the series' review. While the series waits for review (or is a draft),
    so does the date; otherwise the date is approved exactly when the series' content is the approved content.
    The series' own date being cancelled, skipped, published or in the manual lane has no say."""
    S = Post.Status
    if status in (S.IN_REVIEW, S.DRAFT):
        return status
    if approved_hash and approved_hash == content_hash:
        return S.APPROVED
    return S.DRAFT


def inherited_review(root: Post, items: list[PostMedia] | None = None) -> tuple[str, str]:
    """(status, approved hash) for a new post carrying a series' content (next occurrence, a moved or split-off
    date), by :func:`occurrence_status`."""
    digest = hash_of(content_snapshot(root, items))
    status = occurrence_status(status=root.status, content_hash=digest, approved_hash=root.approved_hash)
    return status, (digest if status == Post.Status.APPROVED else "")


def projected_status(root: Post) -> str:
    """What a future, not yet stored date of a series will be (for the calendar; stored hashes, no query)."""
    return occurrence_status(status=root.status, content_hash=root.content_hash, approved_hash=root.approved_hash)


def content_diff(old: dict[str, Any], new: dict[str, Any], tz: str = "UTC",
                 start_utc: Any = None) -> list[dict[str, Any]]:
    """Per changed key: label, before, after (media as a list of "asset #id (alt)" lines, the repeat in words).
    A snapshot without "rrule" (recorded before the rule was part of it) is not compared on it."""
    labels = {"kind": "Kind", "caption": "Caption", "first_comment": "First comment", "location_id": "Location",
              "collaborators": "Collaborators", "user_tags": "People tagged", "share_to_feed": "Share to feed",
              "media": "Media", "rrule": "Repeats"}

    def text(key: str, value: Any) -> str:
        if key == "media":
            return "\n".join(f"#{m['asset']}" + (f" — alt: {m['alt_text']}" if m.get("alt_text") else "")
                             for m in value or [])
        if key in ("collaborators",):
            return ", ".join(f"@{v}" for v in value or [])
        if key == "user_tags":
            return ", ".join(f"@{t.get('username', '')}" for t in value or [])
        if key == "rrule":
            return repeat_words(value or "", tz, start_utc)
        return str(value if value is not None else "")

    keys = [k for k in REVIEW_KEYS if k != "rrule" or ("rrule" in old and "rrule" in new)]
    return [{"key": k, "label": labels[k], "before": text(k, old.get(k)), "after": text(k, new.get(k))}
            for k in keys if old.get(k) != new.get(k)]


def repeat_words(rule: str, tz: str, start_utc: Any = None) -> str:
    """A repeat rule as a person reads it ("Every Monday at 10:00 until 31 Dec 2026"); "Does not repeat"."""
    if not rule:
        return "Does not repeat"
    from scheduler import recurrence, recurrence_builder

    try:
        return recurrence_builder.summarize(rule, tz, series_start_utc=start_utc)
    except recurrence.RecurrenceError:
        return rule
