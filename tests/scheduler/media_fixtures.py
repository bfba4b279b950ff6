"""Real files for media tests: Pillow images of several ratios/formats, short ffmpeg videos, hostile files."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(w: int = 1080, h: int = 1080, fmt: str = "JPEG", color=(200, 120, 40)) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, fmt)
    return buf.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(scope="session")
def video_files(tmp_path_factory) -> dict[str, Path]:
    """Short real videos made with ffmpeg: an MP4 reel, a MOV, a 1-second clip, a VP9 WebM-in-MP4."""
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    root = tmp_path_factory.mktemp("media-videos")

    def make(name: str, *args: str, seconds: float = 4) -> Path:
        out = root / name
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=540x960:rate=30", "-f", "lavfi",
             "-i", "sine=frequency=440:sample_rate=44100", "-t", str(seconds), *args, str(out)],
            check=True,
        )
        return out

    h264 = ("-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart")
    return {
        "mp4": make("reel.mp4", *h264),
        "mov": make("clip.mov", *h264),
        "short": make("short.mp4", *h264, seconds=1),
        "mpeg4": make("old.mp4", "-c:v", "mpeg4", "-c:a", "aac"),
    }


@pytest.fixture
def media_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    settings.PUBLIC_BASE_URL = "http://testserver"
    return settings
