"""Instagram suitability per use (feed, carousel, story, reel), computed once at upload and stored.

Rules from instagram-graph-api.md §3. Images are published from their JPEG rendition (≤ 8 MB,
≤ 1440 wide, sRGB), so format and size of the original do not matter for images; ratio does.
"""

from __future__ import annotations

from scheduler.media.inspect import MediaInfo

MB = 1024 * 1024
FEED_RATIO = (0.8, 1.91)  # 4:5 … 1.91:1
VIDEO_CODECS = {"h264", "hevc"}


def _ratio_text(w: int, h: int) -> str:
    return f"{w}×{h} (ratio {w / h:.2f})"


def _image_reasons(info: MediaInfo, use: str) -> list[str]:
    if use == "reel":
        return ["Reels need a video."]
    reasons = []
    w, h = info.width or 0, info.height or 0
    if use in ("feed", "carousel") and h and not (FEED_RATIO[0] <= w / h <= FEED_RATIO[1]):
        reasons.append(f"Aspect ratio {_ratio_text(w, h)} is outside Instagram's 4:5 to 1.91:1 for feed photos; crop it.")
    if w and w < 320:
        reasons.append(f"Only {w} px wide; Instagram will upscale it to 320 px and it will look blurry.")
    return reasons


def _video_reasons(info: MediaInfo, use: str, size_bytes: int) -> list[str]:
    if use == "feed":
        return ["Single videos are published as reels; choose Reel."]
    reasons = []
    if info.video_codec and info.video_codec not in VIDEO_CODECS:
        reasons.append(f"Video codec {info.video_codec} is not accepted; use H.264 or HEVC.")
    if info.audio_codec and info.audio_codec != "aac":
        reasons.append(f"Audio codec {info.audio_codec} is not accepted; use AAC.")
    if info.audio_sample_rate and info.audio_sample_rate > 48000:
        reasons.append(f"Audio sample rate {info.audio_sample_rate} Hz is above 48 kHz.")
    if info.fps and not (23 <= info.fps <= 60):
        reasons.append(f"{info.fps:g} frames per second; Instagram needs 23–60.")
    if info.width and info.width > 1920:
        reasons.append(f"{info.width} px wide; Instagram accepts at most 1920.")
    duration = info.duration_seconds or 0
    limits = {"reel": (3, 15 * 60, 300), "story": (3, 60, 100), "carousel": (3, 60, 300)}[use]
    if duration < limits[0]:
        reasons.append(f"{duration:.1f} s long; Instagram needs at least {limits[0]} s.")
    if duration > limits[1]:
        reasons.append(f"{duration:.0f} s long; at most {limits[1]} s for a {use}.")
    if size_bytes > limits[2] * MB:
        reasons.append(f"{size_bytes / MB:.0f} MB; at most {limits[2]} MB for a {use}.")
    return reasons


def assess(info: MediaInfo, size_bytes: int) -> dict[str, dict]:
    result = {}
    for use in ("feed", "carousel", "story", "reel"):
        reasons = _image_reasons(info, use) if info.kind == "image" else _video_reasons(info, use, size_bytes)
        result[use] = {"ok": not reasons, "reasons": reasons}
    return result
