"""Derived files: thumbnails (Pillow, ffmpeg poster frames) and Instagram-ready JPEG renditions."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

THUMB_SIZE = 480
MAX_WIDTH = 1440
MAX_BYTES = 8 * 1024 * 1024


def _to_srgb_rgb(img: Image.Image) -> Image.Image:
    icc = img.info.get("icc_profile")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            img = ImageCms.profileToProfile(img, src, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: assume sRGB, as browsers do
    if img.mode in ("RGBA", "LA", "P"):
        img = img.convert("RGBA")
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.split()[-1])
        return background
    return img.convert("RGB")


def image_rendition(path: Path) -> bytes:
    """JPEG, sRGB, at most 1440 px wide and 8 MB — what Instagram accepts for feed and stories."""
    with Image.open(path) as img:
        img = _to_srgb_rgb(ImageOps.exif_transpose(img))
        if img.width > MAX_WIDTH:
            img = img.resize((MAX_WIDTH, round(img.height * MAX_WIDTH / img.width)), Image.Resampling.LANCZOS)
        for quality in (90, 82, 74, 66, 58):
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality, optimize=True, progressive=True)
            if buf.tell() <= MAX_BYTES:
                return buf.getvalue()
    return buf.getvalue()


def image_thumbnail(path: Path) -> bytes:
    with Image.open(path) as img:
        img = _to_srgb_rgb(ImageOps.exif_transpose(img))
        img.thumbnail((THUMB_SIZE, THUMB_SIZE))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=82)
        return buf.getvalue()


def video_thumbnail(path: Path, duration: float | None) -> bytes:
    """A poster frame from one second in (or the middle of a short clip)."""
    at = min(1.0, (duration or 0) / 2)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "poster.jpg"
        result = subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-ss", f"{at:.2f}", "-i", str(path), "-frames:v", "1",
             "-vf", f"scale='min({THUMB_SIZE},iw)':-2", str(out)],
            capture_output=True, timeout=60, check=False,
        )
        if result.returncode != 0 or not out.exists():
            return b""
        return out.read_bytes()
