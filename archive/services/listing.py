"""Turning pages of Instagram media into archived posts and media rows; the incremental stop rule."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from archive import conf
from archive.models import ArchivedMedia, ArchivedPost, ArchivedProfile, ArchiveRun

_PERMALINK_CODE = re.compile(r"/(?:p|reel|reels|tv)/([^/?#]+)")


def parse_time(value: str | None) -> datetime:
    if not value:
        return timezone.now()
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def shortcode_of(item: dict[str, Any]) -> str:
    if item.get("shortcode"):
        return str(item["shortcode"])
    match = _PERMALINK_CODE.search(item.get("permalink") or "")
    return match.group(1) if match else ""


def media_specs(item: dict[str, Any]) -> list[dict[str, str]]:
    """The files of a post: the children of a carousel, else the post itself."""
    if item.get("media_type") == "CAROUSEL_ALBUM":
        children = (item.get("children") or {}).get("data") or []
        return [{"ig_id": str(c.get("id") or f"{item['id']}-{n}"),
                 "kind": "VIDEO" if c.get("media_type") == "VIDEO" else "IMAGE",
                 "url": c.get("media_url") or "", "thumb": c.get("thumbnail_url") or ""}
                for n, c in enumerate(children)]
    return [{"ig_id": str(item["id"]), "kind": "VIDEO" if item.get("media_type") == "VIDEO" else "IMAGE",
             "url": item.get("media_url") or "", "thumb": item.get("thumbnail_url") or ""}]


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) else None


def store_page(*, run: ArchiveRun, profile: ArchivedProfile, items: list[dict[str, Any]]) -> bool:
    """Upsert one page of posts (newest first). True when an incremental run may stop here.

    Stop rule: an incremental run stops at the first post archived before this run, except among the first
    ARCHIVE_PINNED_MAX posts of the listing — those may be pinned (old posts shown first), and stopping there
    would miss every newer post behind them, as Instaloader-style trackers do.
    """
    now = timezone.now()
    pinned_max = conf.get("ARCHIVE_PINNED_MAX")
    first_page = run.position == 0
    ids = [str(i["id"]) for i in items if i.get("id")]
    existing = {p.ig_id: p for p in ArchivedPost.objects.filter(profile=profile, ig_id__in=ids)}
    media_of: dict[int, dict[str, ArchivedMedia]] = {}
    for m in ArchivedMedia.objects.filter(post__in=[p.pk for p in existing.values()]).exclude(state="done"):
        media_of.setdefault(m.post_id, {})[m.ig_id] = m
    new_posts: list[tuple[ArchivedPost, list[dict[str, str]]]] = []
    changed: list[ArchivedPost] = []
    refreshed_media: list[ArchivedMedia] = []
    stop = False
    for item in items:
        if not item.get("id"):
            continue
        position = run.position
        run.position += 1
        run.posts_seen += 1
        taken_at = parse_time(item.get("timestamp"))
        if run.oldest_seen_at is None or taken_at < run.oldest_seen_at:
            run.oldest_seen_at = taken_at
        post = existing.get(str(item["id"]))
        if post is None:
            post = ArchivedPost(
                workspace_id=profile.workspace_id, profile=profile, ig_id=str(item["id"]), shortcode=shortcode_of(item),
                caption=item.get("caption") or "", media_type=item.get("media_type") or "IMAGE",
                product_type=item.get("media_product_type") or "", taken_at=taken_at,
                like_count=_int(item.get("like_count")), comments_count=_int(item.get("comments_count")),
                permalink=item.get("permalink") or "", first_seen_at=now, last_seen_at=now,
            )
            new_posts.append((post, media_specs(item)))
            continue
        # Known post: refresh what changes (counts, caption) and the CDN URLs of files not stored yet.
        post.caption = item.get("caption") or post.caption
        post.like_count = _int(item.get("like_count"))
        post.comments_count = _int(item.get("comments_count"))
        post.permalink = item.get("permalink") or post.permalink
        post.last_seen_at = now
        post.deleted_on_instagram = False
        post.deleted_detected_at = None
        changed.append(post)
        pending = media_of.get(post.pk, {})
        for spec in media_specs(item):
            m = pending.get(spec["ig_id"])
            if m and (m.source_url != spec["url"] or m.thumbnail_source_url != spec["thumb"]):
                m.source_url, m.thumbnail_source_url = spec["url"], spec["thumb"]
                refreshed_media.append(m)
        archived_before = run.started_at is not None and post.first_seen_at < run.started_at
        if run.kind == ArchiveRun.Kind.INCREMENTAL and archived_before and position >= pinned_max:
            # No next page; the rest of this one is still read, which refreshes the counts of recent posts.
            stop = True
    if new_posts:
        ArchivedPost.objects.bulk_create([p for p, _ in new_posts])
        saved = {p.ig_id: p for p in ArchivedPost.objects.filter(profile=profile, ig_id__in=[p.ig_id for p, _ in new_posts])}
        rows = []
        for post, specs in new_posts:
            for order, spec in enumerate(specs):
                rows.append(ArchivedMedia(workspace_id=profile.workspace_id, post=saved[post.ig_id], order=order,
                                          ig_id=spec["ig_id"], kind=spec["kind"], source_url=spec["url"],
                                          thumbnail_source_url=spec["thumb"]))
        ArchivedMedia.objects.bulk_create(rows, ignore_conflicts=True)
        run.posts_new += len(new_posts)
    if changed:
        ArchivedPost.objects.bulk_update(changed, ["caption", "like_count", "comments_count", "permalink",
                                                   "last_seen_at", "deleted_on_instagram", "deleted_detected_at"])
    if refreshed_media:
        ArchivedMedia.objects.bulk_update(refreshed_media, ["source_url", "thumbnail_source_url"])
    if first_page:
        pinned = pinned_ids(items, pinned_max)
        ArchivedPost.objects.filter(profile=profile, pinned=True).exclude(ig_id__in=pinned).update(pinned=False)
        ArchivedPost.objects.filter(profile=profile, ig_id__in=pinned).update(pinned=True)
    return stop


def pinned_ids(items: list[dict[str, Any]], limit: int) -> list[str]:
    """The pinned posts of a listing's first page. The API has no such field, but /media lists pinned posts
    first, out of date order: a leading post (at most `limit`) older than a post listed after it is pinned.
    A pinned post that is also the newest cannot be told apart, and needs not be: it is on top either way."""
    stamps = [(str(i["id"]), parse_time(i.get("timestamp"))) for i in items if i.get("id")]
    return [ig_id for n, (ig_id, at) in enumerate(stamps[:limit]) if any(later > at for _, later in stamps[n + 1:])]


def flag_deleted(*, run: ArchiveRun, profile: ArchivedProfile) -> int:
    """After a full pass: posts not listed any more are flagged (never removed)."""
    unseen = ArchivedPost.objects.filter(profile=profile, deleted_on_instagram=False, last_seen_at__lt=run.started_at)
    # Instagram lists at most the 10,000 newest posts: older unseen posts may simply be out of reach.
    if (profile.media_count or 0) > 10_000 and run.oldest_seen_at:
        unseen = unseen.filter(taken_at__gte=run.oldest_seen_at)
    return unseen.update(deleted_on_instagram=True, deleted_detected_at=timezone.now())
