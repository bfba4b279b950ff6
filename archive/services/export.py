"""ZIP export of a profile or a filtered selection, streamed with stream-zip: never assembled in memory or on disk.

Media are stored uncompressed (they are JPEG/MP4 already) using the crc32 recorded at download, so the ZIP is
written as the files are read from storage, chunk by chunk. metadata.json and posts.csv are generated row by
row into deflated members.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone
from stream_zip import NO_COMPRESSION_64, ZIP_64, stream_zip

from accounts.spreadsheets import csv_writer
from archive.models import ArchivedMedia, ArchivedPost, ArchivedProfile
from archive.selectors import GalleryFilters, export_posts

CHUNK = 256 * 1024
CSV_COLUMNS = ["shortcode", "instagram_id", "taken_at_utc", "type", "product_type", "caption", "like_count",
               "comments_count", "permalink", "deleted_on_instagram", "media_count", "files"]


def member_name(post: ArchivedPost, media: ArchivedMedia) -> str:
    code = post.shortcode or post.ig_id
    return f"media/{post.taken_at:%Y-%m-%d}_{code}_{media.order + 1}.{media.extension}"


def _file_chunks(name: str) -> Iterator[bytes]:
    with default_storage.open(name, "rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _stored(post: ArchivedPost) -> list[ArchivedMedia]:
    return [m for m in post.media.all() if m.state == ArchivedMedia.State.DONE and m.file]


def _metadata(profile: ArchivedProfile, filters: GalleryFilters) -> Iterator[bytes]:
    head = {
        "profile": {"username": profile.username, "instagram_id": profile.ig_user_id, "name": profile.name,
                    "biography": profile.biography, "website": profile.website,
                    "followers_count": profile.followers_count, "follows_count": profile.follows_count,
                    "media_count": profile.media_count, "previous_usernames": profile.previous_usernames},
        "exported_at": timezone.now().astimezone(UTC).isoformat(),
        "filters": filters.as_query(),
    }
    yield json.dumps(head, ensure_ascii=False, indent=1)[:-2].encode() + b',\n "posts": [\n'
    first = True
    for post in export_posts(profile=profile, filters=filters):
        row = {
            "instagram_id": post.ig_id, "shortcode": post.shortcode, "caption": post.caption, "type": post.media_type,
            "product_type": post.product_type, "taken_at": post.taken_at.astimezone(UTC).isoformat(),
            "like_count": post.like_count, "comments_count": post.comments_count, "permalink": post.permalink,
            "deleted_on_instagram": post.deleted_on_instagram,
            "media": [{"order": m.order, "type": m.kind, "file": member_name(post, m) if m.state == "done" else None,
                       "sha256": m.sha256 or None, "size": m.size_bytes, "state": m.state,
                       "error": m.error or None} for m in post.media.all()],
        }
        yield (b"" if first else b",\n") + json.dumps(row, ensure_ascii=False).encode()
        first = False
    yield b"\n ]\n}\n"


def _csv(profile: ArchivedProfile, filters: GalleryFilters) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv_writer(buf)  # cells a spreadsheet would run as formulas are neutralised
    yield "\ufeff".encode()  # so spreadsheet programs read UTF-8 captions correctly
    writer.writerow(CSV_COLUMNS)
    for post in export_posts(profile=profile, filters=filters):
        media = list(post.media.all())
        writer.writerow([post.shortcode, post.ig_id, post.taken_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                         post.media_type, post.product_type, post.caption,
                         "" if post.like_count is None else post.like_count,
                         "" if post.comments_count is None else post.comments_count, post.permalink,
                         "yes" if post.deleted_on_instagram else "no", len(media),
                         " ".join(member_name(post, m) for m in media if m.state == "done")])
        yield buf.getvalue().encode()
        buf.seek(0)
        buf.truncate()


def _members(profile: ArchivedProfile, filters: GalleryFilters) -> Iterable[tuple[Any, ...]]:
    now = datetime.now()
    yield "metadata.json", now, 0o644, ZIP_64, _metadata(profile, filters)
    yield "posts.csv", now, 0o644, ZIP_64, _csv(profile, filters)
    for post in export_posts(profile=profile, filters=filters):
        for media in _stored(post):
            method = (NO_COMPRESSION_64(media.size_bytes, media.crc32)
                      if media.crc32 is not None and media.size_bytes is not None else ZIP_64)
            modified = post.taken_at.astimezone(UTC).replace(tzinfo=None)
            yield member_name(post, media), modified, 0o644, method, _file_chunks(media.file)


def export_stream(*, profile: ArchivedProfile, filters: GalleryFilters) -> Iterator[bytes]:
    """The ZIP's bytes as they are produced."""
    return stream_zip(_members(profile, filters))


def export_filename(profile: ArchivedProfile, filters: GalleryFilters) -> str:
    suffix = "-selection" if filters.active else ""
    return f"{profile.username}-archive{suffix}-{timezone.now():%Y%m%d}.zip"
