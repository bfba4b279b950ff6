"""What a file really is, judged from its bytes (never its name), and what Instagram will think of it."""

from __future__ import annotations

import json
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

# Pillow raises DecompressionBombError above 2x this and warns above it; we refuse both.
Image.MAX_IMAGE_PIXELS = 60_000_000


class Rejected(Exception):
    """A reason in words a social manager understands (the file name is added by the caller)."""


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
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            raise Rejected("HEIC photos are not supported yet — export it as JPEG and upload again.")
        if brand == b"qt  ":
            return "video", "video/quicktime"
        return "video", "video/mp4"
    if head[:2] == b"MZ" or head[:4] == b"\x7fELF" or head[:2] == b"#!":
        raise Rejected("this is a program, not a photo or video.")
    if not head:
        raise Rejected("the file is empty.")
    raise Rejected("this is not a JPEG, PNG, WEBP, MP4 or MOV file (whatever its name says).")


def probe_image(path: Path, mime: str) -> MediaInfo:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                img.verify()  # structure check
            with Image.open(path) as img:
                img.load()  # decodes every pixel: a truncated file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected("the image has far too many pixels to be a real photo (a decompression bomb?).") from None
    except (OSError, SyntaxError, ValueError) as exc:
        if "truncated" in str(exc).lower():
            raise Rejected("the image is incomplete (truncated) — upload the whole file again.") from None
        raise Rejected("the image is damaged and cannot be opened.") from None
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
        raise Rejected("videos cannot be checked on this server (ffprobe is missing); ask an administrator.") from None
    if out.returncode != 0:
        raise Rejected("the video is damaged or incomplete and cannot be played.")
    data = json.loads(out.stdout or "{}")
    streams = data.get("streams", [])
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None:
        raise Rejected("the file has no video track.")
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
        head = fh.read(32)
    kind, mime = sniff(head)
    return probe_image(path, mime) if kind == "image" else probe_video(path, mime)
