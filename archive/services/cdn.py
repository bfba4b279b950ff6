"""Downloading media from Instagram's CDN: pooled session with urllib3 Retry, streamed to a temp file while hashing.

An adapter inside archive/ until instagram/ offers its own CDN helper: it speaks plain HTTP to the CDN only
(no tokens), so nothing secret passes through it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

CHUNK = 256 * 1024


class DownloadFailed(Exception):
    """A download that did not give a usable file; `str()` is the reason in plain words."""


@dataclass
class Downloaded:
    path: Path
    sha256: str
    crc32: int
    size: int
    head: bytes
    content_type: str


def cdn_session(concurrency: int) -> requests.Session:
    """One pooled session per run: retries with backoff on connection errors, 429 and 5xx (never on 404)."""
    retry = Retry(total=3, connect=3, read=2, status=3, backoff_factor=0.5,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
                  raise_on_status=False, respect_retry_after_header=True)
    adapter = HTTPAdapter(max_retries=retry, pool_connections=max(1, concurrency), pool_maxsize=max(1, concurrency) + 2)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "Pressroom-archive/1.0"
    return session


def download(session: requests.Session, url: str, *, dest_dir: Path, prefix: str, max_bytes: int,
             timeout: float) -> Downloaded:
    """Stream `url` into a new temp file in `dest_dir`, hashing (sha256, crc32) as it goes."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    try:
        resp = session.get(url, stream=True, timeout=(min(10.0, timeout), timeout))
    except requests.RequestException as exc:
        raise DownloadFailed(f"Instagram's CDN could not be reached ({type(exc).__name__}).") from None
    with resp:
        if resp.status_code in (403, 404, 410):
            raise DownloadFailed(f"Instagram's CDN answered {resp.status_code}: the file is not there (any more).")
        if resp.status_code >= 400:
            raise DownloadFailed(f"Instagram's CDN answered HTTP {resp.status_code} after retries.")
        expected = int(resp.headers.get("Content-Length") or 0)
        if expected > max_bytes:
            raise DownloadFailed(f"The file is {expected // (1024 * 1024)} MB, above the archive's limit.")
        digest, crc, size, head = hashlib.sha256(), 0, 0, b""
        fd, name = tempfile.mkstemp(prefix=prefix, dir=dest_dir)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in resp.iter_content(CHUNK):
                    if not chunk:
                        continue
                    if len(head) < 32:
                        head += chunk[: 32 - len(head)]
                    size += len(chunk)
                    if size > max_bytes:
                        raise DownloadFailed("The file is larger than the archive's limit.")
                    digest.update(chunk)
                    crc = zlib.crc32(chunk, crc)
                    out.write(chunk)
            if expected and size != expected:
                raise DownloadFailed(f"The download stopped early ({size} of {expected} bytes).")
            if size == 0:
                raise DownloadFailed("Instagram's CDN sent an empty file.")
        except requests.RequestException as exc:
            Path(name).unlink(missing_ok=True)
            raise DownloadFailed(f"The download broke off ({type(exc).__name__}).") from None
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    return Downloaded(Path(name), digest.hexdigest(), crc, size, head, resp.headers.get("Content-Type", ""))
