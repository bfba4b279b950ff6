"""Archived profiles, posts and stored files without Instagram: for view, export and access tests."""

from __future__ import annotations

import hashlib
import io
import zlib
from datetime import UTC, datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from archive.models import ArchivedMedia, ArchivedPost, ArchivedProfile, ArchiveRun, ProfileSnapshot
from archive.services.files import content_name, thumb_name

KINDS = ["IMAGE", "VIDEO", "CAROUSEL_ALBUM"]


def jpeg(color: tuple[int, int, int], size: int = 64) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buf, "JPEG")
    return buf.getvalue()


def store(workspace_id: int, data: bytes, ext: str = "jpg") -> tuple[str, str, str]:
    sha = hashlib.sha256(data).hexdigest()
    name, thumb = content_name(workspace_id, sha, ext), thumb_name(workspace_id, sha)
    for path in (name, thumb):
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(data))
    return name, thumb, sha


def make_profile(workspace, username="northwind_coffee", posts=6, snapshots=4) -> ArchivedProfile:  # noqa: ANN001
    now = timezone.now()
    profile = ArchivedProfile.objects.create(
        workspace=workspace, username=username, ig_user_id=f"1784{abs(hash((workspace.pk, username))) % 10**10}",
        name=username.replace("_", " ").title(), biography="Small-batch roasters.", followers_count=12000,
        follows_count=300, media_count=posts, last_fetched_at=now,
    )
    for day in range(snapshots):
        ProfileSnapshot.objects.create(profile=profile, taken_at=now - timedelta(days=snapshots - day),
                                       followers_count=11000 + 300 * day, follows_count=300, media_count=max(0, posts - 2 + day))
    base = datetime(2025, 6, 1, 12, tzinfo=UTC)
    for i in range(posts):
        kind = KINDS[i % 3]
        post = ArchivedPost.objects.create(
            workspace=workspace, profile=profile, ig_id=f"{profile.ig_user_id}{i:04d}", shortcode=f"SC{username[:3]}{i:03d}",
            caption=f"Post {i} {'#espresso' if i % 2 else '#filter'} by {username}", media_type=kind,
            product_type="REELS" if kind == "VIDEO" else "FEED", taken_at=base + timedelta(days=i),
            like_count=None if i == 1 else 10 * i, comments_count=i, permalink=f"https://www.instagram.com/p/SC{i:03d}/",
            first_seen_at=now, last_seen_at=now, deleted_on_instagram=(i == 2),
            deleted_detected_at=now if i == 2 else None,
        )
        for order in range(2 if kind == "CAROUSEL_ALBUM" else 1):
            data = jpeg(((i * 40 + order * 90) % 256, (workspace.pk * 70) % 256, (len(username) * 9 + i) % 256))
            name, thumb, sha = store(workspace.pk, data)
            ArchivedMedia.objects.create(
                workspace=workspace, post=post, order=order, ig_id=f"{post.ig_id}-{order}",
                kind="IMAGE", state="done", file=name, thumbnail=thumb, sha256=sha, crc32=zlib.crc32(data),
                size_bytes=len(data), mime_type="image/jpeg", downloaded_at=now,
            )
    return profile


def make_run(profile, **fields) -> ArchiveRun:  # noqa: ANN001
    defaults = {"state": "running", "phase": "downloading", "posts_seen": 120, "posts_new": 120, "media_total": 180,
                "media_done": 74, "media_failed": 2, "api_calls": 5, "started_at": timezone.now(),
                "heartbeat_at": timezone.now()}
    defaults.update(fields)
    return ArchiveRun.objects.create(profile=profile, **defaults)
