"""How the sandbox fetches and checks the media URLs it is given, the way Instagram does."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import requests
from PIL import Image

from instagram.sandbox.common import (
    SandboxError,
)

if TYPE_CHECKING:
    pass


_local = threading.local()


def _session() -> requests.Session:
    """One session per sandbox thread: a new one per download (its pools, and requests' scan of the environment)
    was pure overhead in the stand-in; the fetch itself is unchanged."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


class DownloadState:
    """Media URL downloads and image checks; mixed into Sandbox."""

    # ---------------------------------------------------------------------------------- downloads
    def download(self, url: str, dest_name: str, *, max_bytes: int, video: bool) -> Path:
        """Fetch a media URL the way Instagram does; map failures to Meta's codes."""
        try:
            resp = _session().get(url, stream=True, timeout=float(self.config["download_timeout"]))
        except requests.Timeout:
            raise SandboxError("Media download timed out", code=-2, subcode=2207003, is_transient=True,
                               user_title="Media download timed out",
                               user_msg="The media could not be downloaded in time. Please try again.") from None
        except requests.RequestException:
            raise self._fetch_failed() from None
        with resp:
            if resp.status_code >= 400:
                raise self._fetch_failed()
            path = self.assets.path("u") / dest_name
            path.parent.mkdir(parents=True, exist_ok=True)
            size = 0
            try:
                with open(path, "wb") as fh:
                    for chunk in resp.iter_content(64 * 1024):
                        size += len(chunk)
                        if size > max_bytes:
                            break
                        fh.write(chunk)
            except requests.RequestException:
                raise self._fetch_failed() from None
        if size > max_bytes:
            path.unlink(missing_ok=True)
            if video:
                raise SandboxError("The video file is too large", code=352, subcode=2207026,
                                   user_title="Unsupported video format", user_msg="The video is larger than Instagram allows.")
            raise SandboxError("The image size is too large.", code=36000, subcode=2207004,
                               user_title="Image is too large",
                               user_msg="The image is too large to download. It should be less than 8 MiB.")
        return path

    @staticmethod
    def _fetch_failed() -> SandboxError:
        return SandboxError("Only photo or video can be accepted as media type.", code=9004, subcode=2207052,
                            user_title="Media download has failed.",
                            user_msg="The media could not be fetched from this URI. Please check that the URL is public.")

    def check_image(self, path: Path, *, feed: bool) -> None:
        try:
            with Image.open(path) as img:
                fmt, (w, h) = img.format, img.size
        except (OSError, Image.DecompressionBombError):
            fmt, w, h = None, 0, 0
        if fmt != "JPEG":
            path.unlink(missing_ok=True)
            raise SandboxError("The image format is not supported.", code=36001, subcode=2207005,
                               user_title="Unsupported image format",
                               user_msg="The image format is not supported. Only JPEG images are supported.")
        if feed and not (0.8 - 1e-3 <= w / h <= 1.91 + 1e-3):
            path.unlink(missing_ok=True)
            raise SandboxError("The aspect ratio is not supported.", code=36003, subcode=2207009,
                               user_title="Unsupported aspect ratio",
                               user_msg="The submitted image's aspect ratio isn't supported. It must be between 4:5 and 1.91:1.")
