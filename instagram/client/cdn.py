"""Downloads from Instagram's CDN: a retrying requests session, and streaming into a file while hashing (sha256).

    session = cdn_session()                       # share it between threads: its pool is sized for that
    with tempfile.NamedTemporaryFile(dir=...) as fh:
        result = download_media(url, fh, session=session)   # Download(size, sha256, content_type, kind)

Failures are typed so a caller can record the reason and move on: CdnNotFound (404/410), CdnExpired
(403, the signed URL ran out: ask the API for a fresh media_url), CdnCorrupt (bytes that are not the
media they claim to be), CdnTruncated (the connection ended before Content-Length), CdnTooLarge, and
CdnUnavailable (5xx / network, after urllib3's retries with backoff). `.retryable` says whether trying
again later can help; `.reason` is a short word to store.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import BinaryIO, Literal

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from instagram.client.redaction import redact

__all__ = [
    "CdnCorrupt", "CdnError", "CdnExpired", "CdnNotFound", "CdnTooLarge", "CdnTruncated", "CdnUnavailable",
    "Download", "cdn_session", "download_media", "sniff_kind",
]

log = logging.getLogger("instagram.client")

Kind = Literal["image", "video"]


class CdnError(Exception):
    """A media file could not be downloaded."""

    reason = "error"
    retryable = True

    def __init__(self, message: str, *, url: str = "", http_status: int | None = None) -> None:
        super().__init__(message)
        self.url = redact(url)
        self.http_status = http_status


class CdnNotFound(CdnError):
    """404/410: the file is gone (deleted on Instagram, or never existed)."""

    reason = "not_found"
    retryable = False


class CdnExpired(CdnError):
    """403: the signed CDN URL expired; fetch the media again from the API for a fresh URL."""

    reason = "expired"


class CdnCorrupt(CdnError):
    """The body is not an image or a video (wrong magic bytes, an HTML page, …)."""

    reason = "corrupt"


class CdnTruncated(CdnCorrupt):
    """The connection ended before the announced Content-Length arrived."""

    reason = "truncated"


class CdnTooLarge(CdnError):
    """The file is larger than the caller allows."""

    reason = "too_large"
    retryable = False


class CdnUnavailable(CdnError):
    """Server errors or network trouble that outlasted the session's retries."""

    reason = "unavailable"


@dataclass(frozen=True)
class Download:
    size: int
    sha256: str
    content_type: str
    kind: Kind


def cdn_session(*, retries: int = 3, backoff_factor: float = 0.5, pool_size: int = 10) -> requests.Session:
    """A Session whose adapter retries connection errors, 429 and 5xx with exponential backoff (urllib3 Retry)."""
    retry = Retry(
        total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff_factor,
        status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False, respect_retry_after_header=True,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=pool_size, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def sniff_kind(head: bytes) -> Kind | None:
    """'image' or 'video' from the first bytes (JPEG, PNG, WebP, HEIC/AVIF, MP4/MOV), else None."""
    if head[:3] == b"\xff\xd8\xff" or head[:8] == b"\x89PNG\r\n\x1a\n" or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "image" if brand in (b"heic", b"heix", b"avif", b"mif1") else "video"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "video"
    return None


def download_media(
    url: str,
    fileobj: BinaryIO,
    *,
    session: requests.Session | None = None,
    timeout: float | tuple[float, float] = (5.0, 30.0),
    max_bytes: int | None = None,
    expect: Kind | None = None,
    chunk_size: int = 64 * 1024,
) -> Download:
    """Stream `url` into `fileobj` (written from its current position) while hashing; never holds the file in memory.

    `expect` checks the sniffed kind ('image'/'video'); a mismatch is CdnCorrupt. On any error the caller's file
    holds partial bytes: write to a temporary file and move it into place only on success.
    """
    session = session or cdn_session()
    try:
        resp = session.get(url, stream=True, timeout=timeout)
    except requests.RequestException as exc:
        raise CdnUnavailable(f"CDN request failed: {type(exc).__name__}", url=url) from None
    with resp:
        status = resp.status_code
        if status in (404, 410):
            raise CdnNotFound(f"CDN answered {status}", url=url, http_status=status)
        if status == 403:
            raise CdnExpired("CDN answered 403 (URL expired or forbidden)", url=url, http_status=status)
        if status >= 400:
            raise CdnUnavailable(f"CDN answered {status}", url=url, http_status=status)
        digest, size, kind = hashlib.sha256(), 0, None
        announced = resp.headers.get("Content-Length")
        try:
            for chunk in resp.iter_content(chunk_size):
                if not chunk:
                    continue
                if kind is None:
                    kind = sniff_kind(chunk[:16])
                    if kind is None or (expect is not None and kind != expect):
                        raise CdnCorrupt(f"the bytes are not {'an ' + expect if expect else 'a media file'}", url=url,
                                         http_status=status)
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise CdnTooLarge(f"larger than {max_bytes} bytes", url=url, http_status=status)
                digest.update(chunk)
                fileobj.write(chunk)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            raise CdnTruncated(f"the download broke off after {size} bytes: {type(exc).__name__}", url=url,
                               http_status=status) from None
        except requests.RequestException as exc:
            raise CdnUnavailable(f"the download failed after {size} bytes: {type(exc).__name__}", url=url,
                                 http_status=status) from None
        encoded = resp.headers.get("Content-Encoding", "identity") not in ("", "identity")
        if announced is not None and announced.isdigit() and not encoded and int(announced) != size:
            raise CdnTruncated(f"got {size} of {announced} bytes", url=url, http_status=status)
        if kind is None:
            raise CdnCorrupt("empty body", url=url, http_status=status)
    log.debug("cdn download %s: %d bytes", redact(url), size)
    return Download(size=size, sha256=digest.hexdigest(), content_type=resp.headers.get("Content-Type", ""), kind=kind)
