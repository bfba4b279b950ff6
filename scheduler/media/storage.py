"""Streaming storage and the public URLs Instagram downloads media from.

Uploads are copied in chunks to a temporary file while hashing (nothing holds a whole file in
memory), checked there, then streamed into the configured storage (local or S3). Instagram needs
a public URL: a presigned S3 URL, or with local storage a signed, expiring URL served by this app.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse

CHUNK = 1024 * 1024
TEMP_PREFIX = "pressroom-upload-"
SIGNING_SALT = "pressroom.media.public"


def temp_dir() -> Path:
    path = Path(settings.FILE_UPLOAD_TEMP_DIR or (settings.VAR_DIR / "tmp" / "uploads"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Spooled:
    path: Path
    sha256: str
    size: int
    head: bytes


def spool(uploaded_file, *, limit_bytes: int) -> Spooled:  # noqa: ANN001
    """Copy an upload to a private temp file in chunks, hashing as it goes; stop past the limit."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=temp_dir())
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in uploaded_file.chunks(CHUNK):
                if len(head) < 32:
                    head += chunk[: 32 - len(head)]
                size += len(chunk)
                if size > limit_bytes:
                    raise OverflowError(size)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Spooled(Path(name), digest.hexdigest(), size, head)


def cleanup_temp_files(*, older_than_seconds: int = 6 * 3600) -> int:
    """Remove spooled uploads left behind by a crashed request or worker."""
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in temp_dir().glob(f"{TEMP_PREFIX}*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def public_url(asset, *, use_rendition: bool = True) -> str:  # noqa: ANN001
    """A URL Instagram can fetch for `asset` (its JPEG rendition by default), expiring after
    MEDIA_URL_EXPIRY_SECONDS."""
    field = asset.rendition if use_rendition and asset.rendition else asset.file
    if settings.USE_S3:
        return default_storage.url(field.name, expire=settings.MEDIA_URL_EXPIRY_SECONDS)
    token = signing.dumps({"n": field.name}, salt=SIGNING_SALT, compress=True)
    return settings.PUBLIC_BASE_URL + reverse("scheduler:media_public", kwargs={"token": token})


def name_from_token(token: str) -> str:
    """The stored file name a public URL grants, or signing.BadSignature / SignatureExpired."""
    data = signing.loads(token, salt=SIGNING_SALT, max_age=settings.MEDIA_URL_EXPIRY_SECONDS)
    name = str(data["n"])
    if name.startswith("/") or ".." in Path(name).parts:
        raise signing.BadSignature("bad name")
    return name
