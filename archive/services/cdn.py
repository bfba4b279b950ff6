"""Downloads from Instagram's CDN through instagram.client's helper, into a temp file, with crc32 for ZIP export.

instagram.client.cdn streams and hashes (sha256) with urllib3 Retry on the session; this wrapper adds the temp
file, the crc32 (so exports can store files without recompressing them) and reasons in plain words.
"""

from __future__ import annotations

import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import requests

from instagram.client.cdn import CdnError, CdnUnsupported, download_media
from instagram.client.cdn import cdn_session as _cdn_session
from instagram.media_types import HEAD_BYTES

REASONS = {
    "not_found": "Instagram's CDN answered 404: the file is not there (any more).",
    "expired": "Instagram's CDN refused the link (403, expired); the next run asks for a fresh one.",
    "corrupt": "The file is corrupt: its bytes are not a valid image or video.",
    "truncated": "The download stopped early: fewer bytes arrived than announced.",
    "too_large": "The file is larger than the archive's size limit.",
    "unavailable": "Instagram's CDN did not answer properly, even after retries.",
}


class DownloadFailed(Exception):
    """A download that did not give a usable file; `str()` is the reason in plain words.

    `refusal` is the file detector's code when the file itself was refused (instagram/media_types.py,
    scheduler/media/inspect.py): the same code an upload of those bytes gets.
    """

    def __init__(self, message: str, refusal: str = "") -> None:
        super().__init__(message)
        self.refusal = refusal


@dataclass
class Downloaded:
    path: Path
    sha256: str
    crc32: int
    size: int
    head: bytes
    content_type: str


class _Tee:
    """A file wrapper that keeps the crc32 and the first bytes of what is written through it."""

    def __init__(self, fh) -> None:  # noqa: ANN001
        self.fh, self.crc, self.head = fh, 0, b""

    def write(self, chunk: bytes) -> int:
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
        self.crc = zlib.crc32(chunk, self.crc)
        return self.fh.write(chunk)


def cdn_session(concurrency: int) -> requests.Session:
    return _cdn_session(pool_size=max(1, concurrency) + 2)


def download(session: requests.Session, url: str, *, dest_dir: Path, prefix: str, max_bytes: int,
             timeout: float) -> Downloaded:
    dest_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=prefix, dir=dest_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            tee = _Tee(fh)
            got = download_media(url, tee, session=session, timeout=(min(10.0, timeout), timeout), max_bytes=max_bytes)
    except CdnUnsupported as exc:
        Path(name).unlink(missing_ok=True)
        raise DownloadFailed(f"The file was refused: {exc}", refusal=exc.refusal) from None
    except CdnError as exc:
        Path(name).unlink(missing_ok=True)
        raise DownloadFailed(REASONS.get(getattr(exc, "reason", ""), str(exc)),
                             refusal=exc.refusal) from None
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Downloaded(Path(name), got.sha256, tee.crc, got.size, tee.head, got.content_type)
