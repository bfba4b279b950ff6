"""Downloads from Instagram's CDN: a retrying requests session, and streaming into a file while hashing (sha256).

    session = cdn_session()                       # share it between threads: its pool is sized for that
    with tempfile.NamedTemporaryFile(dir=...) as fh:
        result = download_media(url, fh, session=session)   # Download(size, sha256, content_type, kind)

Failures are typed so a caller can record the reason and move on: CdnNotFound (404/410), CdnExpired
(403, the signed URL ran out: ask the API for a fresh media_url), CdnCorrupt (bytes that are not the
media they claim to be), CdnUnsupported (a HEIC photo: refused as an upload of it is), CdnTruncated (the
connection ended before Content-Length), CdnTooLarge, and
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
from instagram.media_types import HEAD_BYTES, Refused, detect

__all__ = [
    "CdnCorrupt", "CdnError", "CdnExpired", "CdnNotFound", "CdnTooLarge", "CdnTruncated", "CdnUnavailable",
    "CdnUnsupported",
    "Download", "cdn_session", "download_media", "sniff_kind",
]

log = logging.getLogger("instagram.client")

Kind = Literal["image", "video"]


class CdnError(Exception):
    """A media file could not be downloaded."""

    reason = "error"
    retryable = True
    refusal = ""  # the file detector's code (instagram.media_types.Refused) when the bytes themselves were refused

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


class CdnUnsupported(CdnCorrupt):
    """A media file of a type we do not accept (HEIC): the same refusal an upload of it gets."""

    reason = "unsupported"
    retryable = False


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
    """'image' or 'video' from the first bytes (instagram.media_types: the same answer an upload gets), else None."""
    try:
        return detect(head).kind
    except Refused:
        return None


def _check_head(head: bytes, expect: Kind | None, url: str, status: int) -> Kind:
    try:
        kind = detect(head).kind
    except Refused as refused:
        # A real photo of a type we refuse (HEIC) says so; anything else is no media at all.
        error = (CdnUnsupported(str(refused), url=url, http_status=status) if refused.code == "heic" else
                 CdnCorrupt(f"the bytes are not {'an ' + expect if expect else 'a media file'}", url=url,
                            http_status=status))
        error.refusal = refused.code
        raise error from None
    if expect is not None and kind != expect:
        raise CdnCorrupt(f"the bytes are not an {expect}", url=url, http_status=status)
    return kind


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
        digest, size, kind, head = hashlib.sha256(), 0, None, b""
        announced = resp.headers.get("Content-Length")
        try:
            for chunk in resp.iter_content(chunk_size):
                if not chunk:
                    continue
                if kind is None:  # judged once HEAD_BYTES (or the whole body, if shorter) arrived
                    head += chunk[: HEAD_BYTES - len(head)]
                    if len(head) >= HEAD_BYTES:
                        kind = _check_head(head, expect, url, status)
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
        if kind is None and head:
            kind = _check_head(head, expect, url, status)
        encoded = resp.headers.get("Content-Encoding", "identity") not in ("", "identity")
        if announced is not None and announced.isdigit() and not encoded and int(announced) != size:
            raise CdnTruncated(f"got {size} of {announced} bytes", url=url, http_status=status)
        if kind is None:
            raise CdnCorrupt("empty body", url=url, http_status=status)
    log.debug("cdn download %s: %d bytes", redact(url), size)
    return Download(size=size, sha256=digest.hexdigest(), content_type=resp.headers.get("Content-Type", ""), kind=kind)
