"""What a file really is: its type from its bytes (instagram/media_types.py, never its name), then Pillow or ffprobe."""

from __future__ import annotations

import json
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from instagram.media_types import HEAD_BYTES, Refused, detect

# Pillow raises DecompressionBombError above 2x this and warns above it; we refuse both.
Image.MAX_IMAGE_PIXELS = 60_000_000


# One detector for uploads and archive downloads (instagram/media_types.py); its refusal is our rejection.
Rejected = Refused


@dataclass
class MediaInfo:
    kind: str  # "image" | "video"
    mime_type: str
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    video_codec: str = ""
    audio_codec: str = ""
    audio_sample_rate: int | None = None
    fps: float | None = None
    container: str = ""
    extra: dict = field(default_factory=dict)


def sniff(head: bytes) -> tuple[str, str]:
    """(kind, mime) from the first bytes; Rejected for anything we do not accept."""
    found = detect(head)
    return found.kind, found.mime


def image_refusal(exc: BaseException) -> Rejected:
    """Pillow's complaint about an image, as the reason every path gives (upload check, archive thumbnail)."""
    if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return Rejected("bomb", "the image has far too many pixels to be a real photo (a decompression bomb?).")
    if "truncated" in str(exc).lower():
        return Rejected("truncated", "the image is incomplete (truncated): part of the file is missing.")
    return Rejected("damaged", "the image is damaged and cannot be opened.")


def probe_image(path: Path, mime: str) -> MediaInfo:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                img.verify()  # structure check
            with Image.open(path) as img:
                img.load()  # decodes every pixel: a truncated file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError) as exc:
        raise image_refusal(exc) from None
    return MediaInfo(kind="image", mime_type=mime, width=width, height=height)


def _ratio(text: str | None) -> float | None:
    if not text or text in ("0/0", "0"):
        return None
    num, _, den = text.partition("/")
    try:
        return round(float(num) / float(den or 1), 3)
    except (ValueError, ZeroDivisionError):
        return None


def probe_video(path: Path, mime: str) -> MediaInfo:
    try:
        out = subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)],
            capture_output=True, text=True, timeout=60, check=False,
        )
    except FileNotFoundError:
        raise Rejected("no_ffprobe", "videos cannot be checked on this server (ffprobe is missing); ask an administrator.") from None
    if out.returncode != 0:
        raise Rejected("damaged", "the video is damaged or incomplete and cannot be played.")
    data = json.loads(out.stdout or "{}")
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None:
        raise Rejected("no_video", "the file has no video track.")
    duration = data.get("format", {}).get("duration") or video.get("duration")
    return MediaInfo(
        kind="video",
        mime_type=mime,
        width=video.get("width"),
        height=video.get("height"),
        duration_seconds=float(duration) if duration else None,
        video_codec=video.get("codec_name", ""),
        audio_codec=(audio or {}).get("codec_name", ""),
        audio_sample_rate=int(audio["sample_rate"]) if audio and audio.get("sample_rate") else None,
        fps=_ratio(video.get("avg_frame_rate")) or _ratio(video.get("r_frame_rate")),
        container=data.get("format", {}).get("format_name", ""),
    )


def probe(path: Path) -> MediaInfo:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    kind, mime = sniff(head)
    return probe_image(path, mime) if kind == "image" else probe_video(path, mime)
