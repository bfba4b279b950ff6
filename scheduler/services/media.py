"""Media library actions: upload (streamed, validated, deduplicated), edit, delete."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from accounts.models import User, Workspace
from accounts.permissions import Action, require
from instagram.media_types import EXTENSIONS
from scheduler.instagram_rules import ALT_TEXT_MAX
from scheduler.media import processing
from scheduler.media.inspect import Rejected, probe
from scheduler.media.storage import spool
from scheduler.media.suitability import assess
from scheduler.models import MediaAsset
from scheduler.rules import FINAL
from scheduler.selectors.media import library_summary_forget

MB = 1024 * 1024


class MediaRejected(Exception):
    """An upload that cannot be used; `str()` names the file and the reason in plain words."""

    def __init__(self, filename: str, reason: str, code: str = "") -> None:
        self.filename = filename
        self.reason = reason
        self.code = code  # the detector's refusal code (instagram/media_types.py, scheduler/media/inspect.py)
        super().__init__(f"“{filename}”: {reason}")


class MediaInUse(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass
class UploadResult:
    asset: MediaAsset
    duplicate: bool
    message: str


def clean_filename(name: str) -> str:
    """The original name as harmless metadata: no directories, no control characters, bounded."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    return (name or "upload")[:200]


def _limits() -> tuple[int, int]:
    return settings.MEDIA_MAX_IMAGE_MB * MB, settings.MEDIA_MAX_VIDEO_MB * MB


def upload_limit_mb() -> int:
    """The largest file the library accepts (the larger of the image and video limits), in MB."""
    return max(_limits()) // MB


def media_upload(*, user: User, workspace: Workspace, uploaded_file) -> UploadResult:  # noqa: ANN001
    require(user, Action.USE_LIBRARY, workspace)
    filename = clean_filename(getattr(uploaded_file, "name", ""))
    image_limit, video_limit = _limits()
    if not uploaded_file.size:
        raise MediaRejected(filename, "the file is empty (0 bytes).")
    if uploaded_file.size > max(image_limit, video_limit):
        raise MediaRejected(filename, f"{uploaded_file.size / MB:.0f} MB is more than the {max(image_limit, video_limit) // MB} MB limit.")
    try:
        spooled = spool(uploaded_file, limit_bytes=max(image_limit, video_limit))
    except OverflowError:
        raise MediaRejected(filename, f"the file is larger than the {max(image_limit, video_limit) // MB} MB limit.") from None
    try:
        existing = MediaAsset.objects.filter(workspace=workspace, sha256=spooled.sha256).first()
        if existing:
            return UploadResult(existing, True, f"“{filename}” is already in the library as “{existing}” — not stored twice.")
        try:
            info = probe(spooled.path)
        except Rejected as exc:
            raise MediaRejected(filename, str(exc), exc.code) from None
        limit = image_limit if info.kind == "image" else video_limit
        if spooled.size > limit:
            raise MediaRejected(filename, f"{spooled.size / MB:.0f} MB is more than the {limit // MB} MB limit for {info.kind}s.")
        return _store(user=user, workspace=workspace, filename=filename, spooled=spooled, info=info)
    finally:
        spooled.path.unlink(missing_ok=True)


def _store(*, user, workspace, filename, spooled, info) -> UploadResult:  # noqa: ANN001
    asset = MediaAsset(
        workspace=workspace, original_name=filename, sha256=spooled.sha256, kind=info.kind, mime_type=info.mime_type,
        size_bytes=spooled.size, width=info.width, height=info.height, duration_seconds=info.duration_seconds,
        video_codec=info.video_codec, audio_codec=info.audio_codec, audio_sample_rate=info.audio_sample_rate,
        fps=info.fps, suitability=assess(info, spooled.size), uploaded_by=user,
        title=Path(filename).stem[:200],
    )
    ext = EXTENSIONS[info.mime_type]
    if info.kind == "image":
        thumb = processing.image_thumbnail(spooled.path)
        rendition = processing.image_rendition(spooled.path)
    else:
        thumb = processing.video_thumbnail(spooled.path, info.duration_seconds)
        rendition = b""
    saved: list = []
    try:
        with open(spooled.path, "rb") as fh:
            asset.file.save(f"original.{ext}", File(fh), save=False)  # streamed by the storage in chunks
        saved.append(asset.file)
        if thumb:
            asset.thumbnail.save("thumb.jpg", ContentFile(thumb), save=False)
            saved.append(asset.thumbnail)
        if rendition:
            asset.rendition.save("instagram.jpg", ContentFile(rendition), save=False)
            saved.append(asset.rendition)
        with transaction.atomic():
            asset.save()
        library_summary_forget(workspace.pk)
    except IntegrityError:
        # The same file arrived twice at once: keep the first, drop our copies.
        for f in saved:
            f.delete(save=False)
        existing = MediaAsset.objects.get(workspace=workspace, sha256=spooled.sha256)
        return UploadResult(existing, True, f"“{filename}” is already in the library — not stored twice.")
    except BaseException:
        for f in saved:
            f.delete(save=False)
        raise
    return UploadResult(asset, False, f"“{filename}” uploaded.")


@transaction.atomic
def media_update(*, user: User, asset: MediaAsset, title: str, alt_text: str, tags: str, description: str = "") -> MediaAsset:
    require(user, Action.USE_LIBRARY, asset.workspace)
    if len(alt_text) > ALT_TEXT_MAX:
        raise MediaRejected(asset.original_name or str(asset), f"alt text can be at most {ALT_TEXT_MAX:,} characters.")
    asset.title = title.strip()[:200]
    asset.alt_text = alt_text.strip()
    asset.description = description.strip()
    asset.tags = " ".join(dict.fromkeys(t.lower().lstrip("#") for t in re.split(r"[\s,]+", tags) if t.strip()))[:500]
    asset.save(update_fields=["title", "alt_text", "description", "tags"])
    return asset


def media_delete(*, user: User, asset: MediaAsset) -> None:
    require(user, Action.USE_LIBRARY, asset.workspace)
    with transaction.atomic():
        blocking = list(
            asset.post_items.exclude(post__status__in=FINAL).select_related("post").order_by("post_id")[:5]
        )
        if blocking:
            names = ", ".join(f"“{item.post}” ({item.post.get_status_display().lower()})" for item in blocking)
            raise MediaInUse(f"“{asset}” is used by posts that are not published yet: {names}. Remove it from them first.")
        if asset.post_items.exists():
            # Published history keeps its media: detach nothing, refuse quietly with the reason.
            raise MediaInUse(f"“{asset}” belongs to published posts and stays in the archive of those posts.")
        files = [asset.file, asset.thumbnail, asset.rendition]
        asset.delete()
    library_summary_forget(asset.workspace_id)
    for f in files:
        if f:
            f.delete(save=False)
