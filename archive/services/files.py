"""Archive files: one media fetched, checked, thumbnailed and moved into storage under a content-addressed name.

Runs in download threads, so nothing here touches the database. Names are derived from the sha256 of the
bytes, so equal bytes are stored once per workspace (across all its profiles) and a re-run after a crash
finds the file it already moved instead of writing a second copy.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import warnings
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from PIL import Image

from archive.services.cdn import DownloadFailed, download
from instagram.media_types import HEAD_BYTES, extension_for
from scheduler.media import processing
from scheduler.media.inspect import Rejected, image_refusal, sniff

log = logging.getLogger("archive.files")
TEMP_PREFIX = "pressroom-archive-"


@dataclass(frozen=True)
class MediaJob:
    media_id: int
    workspace_id: int
    kind: str  # IMAGE | VIDEO
    url: str
    thumbnail_url: str
    run_id: int


@dataclass
class MediaResult:
    media_id: int
    ok: bool
    error: str = ""
    file: str = ""
    thumbnail: str = ""
    sha256: str = ""
    crc32: int | None = None
    size: int | None = None
    mime_type: str = ""
    stored_new: bool = False
    refusal: str = ""  # the file detector's code when the bytes were refused (same as an upload of them)


def temp_dir() -> Path:
    """Next to the stored files with local storage (so the final move is an atomic rename), else under var/."""
    if isinstance(default_storage, FileSystemStorage):
        path = Path(default_storage.location) / ".partial"
    else:
        path = Path(settings.VAR_DIR) / "tmp" / "archive"
    path.mkdir(parents=True, exist_ok=True)
    return path


def temp_prefix(run_id: int) -> str:
    return f"{TEMP_PREFIX}run{run_id}-"


def cleanup_temp(*, run_id: int | None = None, older_than_seconds: int = 6 * 3600) -> int:
    """Remove partial downloads: all of one run (it is being resumed), or any older than the cutoff."""
    removed = 0
    cutoff = time.time() - older_than_seconds
    pattern = f"{temp_prefix(run_id)}*" if run_id is not None else f"{TEMP_PREFIX}*"
    for path in temp_dir().glob(pattern):
        try:
            if run_id is not None or path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def content_name(workspace_id: int, sha256: str, ext: str) -> str:
    return f"workspaces/{workspace_id}/archive/{sha256[:2]}/{sha256}.{ext}"


def thumb_name(workspace_id: int, sha256: str) -> str:
    return f"workspaces/{workspace_id}/archive/thumbs/{sha256[:2]}/{sha256}.jpg"


def store_file(temp: Path, name: str) -> bool:
    """Move a finished temp file into storage as `name`; False when those bytes are already stored."""
    storage = default_storage
    if storage.exists(name):
        temp.unlink(missing_ok=True)
        return False
    if isinstance(storage, FileSystemStorage):
        dest = Path(storage.path(name))
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(temp, 0o644)
        try:
            os.replace(temp, dest)  # atomic: a reader sees no file or the whole file
        except OSError:
            partial = dest.with_name(dest.name + ".part")
            shutil.copyfile(temp, partial)
            os.replace(partial, dest)
            temp.unlink(missing_ok=True)
        return True
    with open(temp, "rb") as fh:
        saved = storage.save(name, File(fh, name=Path(name).name))  # one PUT: S3 objects appear whole
    temp.unlink(missing_ok=True)
    if saved != name:  # another worker stored the same bytes a moment earlier
        storage.delete(saved)
        return False
    return True


def _thumbnail_from(path: Path, kind: str, poster: Future | None) -> bytes:
    if kind == "image":
        # Decoding for the thumbnail is the archive's container check: Pillow's complaint, worded as for an upload.
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                return processing.image_thumbnail(path)
        except Exception as exc:  # Pillow raises many types for damaged files
            refused = image_refusal(exc)
            raise DownloadFailed(f"The image was refused: {refused}", refusal=refused.code) from None
    cover = poster.result() if poster is not None else b""
    return cover or processing.video_thumbnail(path, None)


def _poster(job: MediaJob, session: requests.Session) -> bytes:
    """The cover Instagram gives for a video (thumbnail_url), made into our thumbnail size; b"" when none."""
    if not job.thumbnail_url:
        return b""
    try:
        got = download(session, job.thumbnail_url, dest_dir=temp_dir(), prefix=temp_prefix(job.run_id),
                       max_bytes=20 * 1024 * 1024, timeout=30)
    except DownloadFailed:
        return b""
    try:
        return processing.image_thumbnail(got.path)
    except Exception:
        return b""
    finally:
        got.path.unlink(missing_ok=True)


def _store_thumb(workspace_id: int, sha256: str, data: bytes) -> str:
    if not data:
        return ""
    name = thumb_name(workspace_id, sha256)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:
            default_storage.delete(saved)
    return name


def fetch_media(job: MediaJob, session: requests.Session, *, max_bytes: int, timeout: float,
                covers: Executor | None = None) -> MediaResult:
    """Download, verify, thumbnail and store one media file. Never raises for a bad file: it reports it.

    A video's cover (Instagram's thumbnail_url) is fetched on the `covers` pool while the video downloads, so a
    video costs one round trip of this download slot, not two.
    """
    poster: Future | None = None
    if job.url and job.kind == "VIDEO" and job.thumbnail_url and covers is not None:
        poster = covers.submit(_poster, job, session)
    if not job.url:
        # Instagram leaves media_url out for videos with licensed music; keep at least the cover.
        thumb = _poster(job, session)
        key = f"poster-{job.media_id}"
        return MediaResult(job.media_id, False, "Instagram withheld this video's file (it uses licensed music); "
                           "only its cover is kept.", thumbnail=_store_thumb(job.workspace_id, _sha(thumb, key), thumb))
    try:
        got = download(session, job.url, dest_dir=temp_dir(), prefix=temp_prefix(job.run_id), max_bytes=max_bytes,
                       timeout=timeout)
    except DownloadFailed as exc:
        return MediaResult(job.media_id, False, str(exc), refusal=exc.refusal)
    try:
        try:
            kind, mime = sniff(got.head)
        except Rejected as refused:
            raise DownloadFailed("The file is corrupt: its bytes are neither an image nor a video.",
                                 refusal=refused.code) from None
        name = content_name(job.workspace_id, got.sha256, extension_for(mime))
        thumbnail = thumb_name(job.workspace_id, got.sha256)
        if not default_storage.exists(thumbnail):
            if poster is None and kind == "video":
                poster = _done(_poster(job, session))
            thumbnail = _store_thumb(job.workspace_id, got.sha256, _thumbnail_from(got.path, kind, poster))
        stored_new = store_file(got.path, name)
        return MediaResult(job.media_id, True, file=name, thumbnail=thumbnail, sha256=got.sha256, crc32=got.crc32,
                           size=got.size, mime_type=mime, stored_new=stored_new)
    except DownloadFailed as exc:
        return MediaResult(job.media_id, False, str(exc), refusal=exc.refusal)
    except Exception as exc:  # storage down, disk full…: this file fails, the run goes on and retries it next time
        log.exception("archive: storing media %s failed", job.media_id)
        return MediaResult(job.media_id, False, f"The file could not be stored ({type(exc).__name__}); "
                           "it is tried again on the next run.")
    finally:
        got.path.unlink(missing_ok=True)


def _done(value: bytes) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def _sha(data: bytes, fallback: str) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest() if data else fallback


def fetch_picture(url: str, *, workspace_id: int, run_id: int, session: requests.Session) -> str:
    """A profile picture, kept as a thumbnail only; "" when it cannot be fetched (it is not worth failing a run)."""
    try:
        got = download(session, url, dest_dir=temp_dir(), prefix=temp_prefix(run_id), max_bytes=20 * 1024 * 1024,
                       timeout=30)
    except DownloadFailed:
        return ""
    try:
        return _store_thumb(workspace_id, got.sha256, processing.image_thumbnail(got.path))
    except Exception:
        return ""
    finally:
        got.path.unlink(missing_ok=True)


def ingest_local(path: Path, *, workspace_id: int, poster: Path | None = None) -> MediaResult:
    """A file already on disk (an import): copied to a temp file while hashing, checked, thumbnailed, stored."""
    import hashlib
    import tempfile
    import zlib

    digest, crc, size, head = hashlib.sha256(), 0, 0, b""
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}import-", dir=temp_dir())
    temp = Path(name)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
            while chunk := src.read(256 * 1024):
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                digest.update(chunk)
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
                out.write(chunk)
        try:
            kind, mime = sniff(head)
        except Rejected as refused:
            raise DownloadFailed(f"The file was refused: {refused}", refusal=refused.code) from None
        sha = digest.hexdigest()
        thumbnail = thumb_name(workspace_id, sha)
        if not default_storage.exists(thumbnail):
            cover = b""
            if kind == "video" and poster is not None and poster.exists():
                try:
                    cover = processing.image_thumbnail(poster)
                except Exception:
                    cover = b""
            thumbnail = _store_thumb(workspace_id, sha, _thumbnail_from(temp, kind, _done(cover)))
        name = content_name(workspace_id, sha, extension_for(mime))
        stored_new = store_file(temp, name)
        return MediaResult(0, True, file=name, thumbnail=thumbnail, sha256=sha, crc32=crc, size=size, mime_type=mime,
                           stored_new=stored_new)
    except DownloadFailed as exc:
        return MediaResult(0, False, str(exc), refusal=exc.refusal)
    finally:
        temp.unlink(missing_ok=True)
