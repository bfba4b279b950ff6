"""Deterministic public profiles and the media files the sandbox CDN serves.

Profiles come from a seeded RNG so every run (and every engineer) sees the same posts. Files are
generated lazily on first request — JPEGs with Pillow, short MP4s with ffmpeg when it is installed —
and cached on disk, so a 3,000-media profile costs nothing until someone downloads it.
"""

from __future__ import annotations

import colorsys
import io
import random
import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

# The newest generated post is dated here; older ones go back about a day each.
ANCHOR = datetime(2026, 1, 1, 12, 0, tzinfo=UTC).timestamp()
PUBLIC_USER_BASE = 17841400000000000
PUBLIC_MEDIA_BASE = 17900000000000000


@dataclass(frozen=True)
class ProfileSpec:
    username: str
    posts: int
    media: int | None = None  # total media incl. carousel children; None: a natural mix
    business: bool = True
    name: str = ""
    biography: str = ""
    followers: int = 1000
    creator: bool = False  # account_type MEDIA_CREATOR instead of BUSINESS (both are discoverable)
    pinned: int = 0  # this many older posts are pinned: /media lists them first, as Instagram does
    licensed_audio: float = 0.0  # fraction of video posts whose media_url is withheld (copyrighted audio)
    feed_videos: float = 0.0  # fraction of video posts that are feed videos (media_product_type FEED), not reels


DEFAULT_PROFILES = (
    ProfileSpec("northwind_coffee", 36, name="Northwind Coffee", biography="Small-batch roasters.", followers=12840),
    ProfileSpec("atlas_outdoors", 48, name="Atlas Outdoors", biography="Gear for long walks.", followers=55210),
    ProfileSpec("lumen_studio", 24, name="Lumen Studio", biography="Light, shadow, product.", followers=3310),
    ProfileSpec("harbor_books", 30, name="Harbor Books", biography="An independent bookshop.", followers=8020),
    ProfileSpec("verde_kitchen", 60, name="Verde Kitchen", biography="Plants on plates.", followers=20400),
    ProfileSpec("quiet_person", 12, business=False, name="Just a person"),
)
LARGE_PROFILE = ProfileSpec("megabrand", 2000, media=3000, name="Mega Brand", biography="Benchmark profile.", followers=1_250_000,
                            pinned=3)

WORDS = ("sunrise morning roast new season drop behind the scenes team studio coffee trail books launch "
         "weekend recipe green summer autumn light details craft local market story today").split()
TAGS = ("#coffee", "#outdoors", "#design", "#books", "#food", "#weekend", "#new", "#local", "#studio")


def _color(rng: random.Random) -> str:
    r, g, b = colorsys.hsv_to_rgb(rng.random(), 0.45 + rng.random() * 0.4, 0.55 + rng.random() * 0.4)
    return f"{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _asset(rng: random.Random, kind: str) -> dict[str, Any]:
    if kind == "video":
        return {"kind": "video", "w": 360, "h": 640, "color": _color(rng), "seconds": 3}
    w, h = rng.choice([(1080, 1080), (1080, 1350), (1080, 566), (1080, 1080)])
    # Generated at a third of the size: realistic ratios, small files, fast benchmarks.
    return {"kind": "image", "w": w // 3, "h": h // 3, "color": _color(rng)}


def generate_profile(spec: ProfileSpec, index: int, seed: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(user, media newest-first incl. children) for a public profile; same inputs → same output."""
    rng = random.Random(f"{seed}:{spec.username}")
    user_id = str(PUBLIC_USER_BASE + index)
    user = {
        "id": user_id, "user_id": user_id, "username": spec.username, "name": spec.name or spec.username,
        "biography": spec.biography, "website": f"https://{spec.username.replace('_', '')}.example",
        "followers_count": spec.followers, "follows_count": rng.randint(50, 900),
        "account_type": ("MEDIA_CREATOR" if spec.creator else "BUSINESS") if spec.business else "PERSONAL",
        "public": True,
    }
    extra_media = (spec.media - spec.posts) if spec.media else None
    media: list[dict[str, Any]] = []
    next_id = PUBLIC_MEDIA_BASE + index * 10_000_000
    ts = ANCHOR
    for i in range(spec.posts):
        ts -= rng.randint(6, 40) * 3600
        if extra_media is not None:
            # Spread the requested child count evenly: carousels of 3 until the surplus is used up.
            kind = "carousel" if extra_media >= 1 and rng.random() < 0.5 else rng.choice(["image", "image", "video"])
        else:
            kind = rng.choices(["image", "video", "carousel"], weights=[65, 15, 20])[0]
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))).capitalize()
        post = {
            "id": str(next_id), "owner": user_id, "timestamp": ts, "caption": f"{words} {rng.choice(TAGS)}",
            "shortcode": f"S{spec.username[:3].upper()}{i:05d}", "like_count": rng.randint(0, 4000),
            "comments_count": rng.randint(0, 120), "alt_text": "", "children": [], "comments": [],
        }
        if i % 17 == 5:
            post["like_count"] = None  # hidden like counts: the field is absent, not 0
        next_id += 1
        if kind == "carousel":
            n = rng.randint(2, 5) if extra_media is None else min(10, max(2, min(3, extra_media + 1)))
            if extra_media is not None:
                extra_media -= n - 1
            post.update(media_type="CAROUSEL_ALBUM", media_product_type="FEED", asset=None)
            children = []
            for c in range(n):
                child_kind = "video" if rng.random() < 0.15 else "image"
                children.append({
                    "id": str(next_id), "owner": user_id, "timestamp": ts, "parent": post["id"],
                    "media_type": "VIDEO" if child_kind == "video" else "IMAGE", "media_product_type": "FEED",
                    "asset": _asset(rng, child_kind), "shortcode": f"{post['shortcode']}c{c}", "children": [],
                })
                next_id += 1
            post["children"] = [c["id"] for c in children]
            media.append(post)
            media.extend(children)
        elif kind == "video":
            post.update(media_type="VIDEO", media_product_type="REELS", asset=_asset(rng, "video"))
            media.append(post)
        else:
            post.update(media_type="IMAGE", media_product_type="FEED", asset=_asset(rng, "image"))
            media.append(post)
    user["pinned"] = _extras(spec, seed, media)
    return user, media


def _extras(spec: ProfileSpec, seed: int, media: list[dict[str, Any]]) -> list[str]:
    """Apply the opt-in extras (feed videos, withheld media_url, pins) with their own RNG, so profiles without
    them stay exactly as before; returns the ids of the pinned posts in pin order."""
    rng = random.Random(f"{seed}:{spec.username}:extras")
    posts = [m for m in media if "parent" not in m]
    for post in posts:
        if post["media_type"] != "VIDEO":
            continue
        if spec.feed_videos and rng.random() < spec.feed_videos:
            post["media_product_type"] = "FEED"
        if spec.licensed_audio and rng.random() < spec.licensed_audio:
            post["media_url_withheld"] = True
    # Pinned posts are older ones (positions 6, 13, 20 … newest first), the way people pin a favourite.
    count = max(0, min(3, spec.pinned, len(posts) - 1))
    candidates = [6 + 7 * k for k in range(count)]
    return [posts[min(i, len(posts) - 1 - k)]["id"] for k, i in enumerate(candidates)] if count else []


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


def jpeg_bytes(w: int, h: int, color: str, label: str = "", *, fmt: str = "JPEG", quality: int = 82) -> bytes:
    rgb = tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))
    img = Image.new("RGB", (max(1, w), max(1, h)), rgb)
    draw = ImageDraw.Draw(img)
    # A few stripes make each file distinct (distinct sha256) without costing much to encode.
    for k in range(0, max(w, h), max(8, w // 12)):
        shade = tuple(max(0, c - 30) for c in rgb)
        draw.line([(k, 0), (0, k)], fill=shade, width=3)
    if label:
        draw.text((10, 10), label, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format=fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return buf.getvalue()


# A minimal ISO-BMFF header: enough for "is this an MP4?" checks when ffmpeg is missing.
_FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"


class AssetStore:
    """Lazily generated, disk-cached files. Thread-safe: one generation per file even under concurrency."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.ffmpeg = shutil.which("ffmpeg")

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def path(self, name: str) -> Path:
        return self.root / name

    def image(self, name: str, asset: dict[str, Any], label: str = "") -> Path:
        path = self.root / "gen" / f"{name}.jpg"
        if path.exists():
            return path
        with self._lock(name):
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(jpeg_bytes(asset["w"], asset["h"], asset["color"], label))
                tmp.replace(path)
        return path

    def video(self, name: str, asset: dict[str, Any]) -> Path:
        """A real MP4 (when ffmpeg is installed) unique to `name`: a shared clip per size plus a trailing
        `free` box naming the file, so each media has its own bytes without encoding a video per media."""
        path = self.root / "gen" / f"{name}.mp4"
        if path.exists():
            return path
        with self._lock(name + ".mp4"):
            if not path.exists():
                template = self._template(asset)
                tag = f"pressroom-sandbox:{name}:{asset.get('color', '')}".encode()
                tmp = path.with_name(path.stem + ".tmp.mp4")
                tmp.write_bytes(template.read_bytes() + (8 + len(tag)).to_bytes(4, "big") + b"free" + tag)
                tmp.replace(path)
        return path

    def _template(self, asset: dict[str, Any]) -> Path:
        w, h, secs = asset.get("w", 360), asset.get("h", 640), asset.get("seconds", 3)
        path = self.root / "gen" / f"template-{w}x{h}-{secs}.mp4"
        if path.exists():
            return path
        with self._lock(path.name):
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.stem + ".tmp.mp4")
                if not self._ffmpeg_video(tmp, {"w": w, "h": h, "seconds": secs, "color": "4a6078"}):
                    tmp.write_bytes(_FAKE_MP4 + b"\x00" * 256)
                tmp.replace(path)
        return path

    def _ffmpeg_video(self, out: Path, asset: dict[str, Any]) -> bool:
        if not self.ffmpeg:
            return False
        w, h, secs = asset.get("w", 360), asset.get("h", 640), asset.get("seconds", 3)
        cmd = [
            self.ffmpeg, "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"color=c=0x{asset['color']}:s={w}x{h}:r=30:d={secs}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={secs}:sample_rate=44100",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(out),
        ]
        try:
            subprocess.run(cmd, check=True, timeout=60, capture_output=True)
        except (OSError, subprocess.SubprocessError):
            return False
        return out.exists() and out.stat().st_size > 0
