"""The sandbox CDN: generated media files, uploads, avatars and /cdn/gen test media."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from instagram.sandbox.common import (
    Response,
)
from instagram.sandbox.media import _FAKE_MP4, jpeg_bytes

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox


def cdn(sb: Sandbox, seg: list[str], params: dict[str, str]) -> Response:
    not_found = Response(404, raw=b"Not Found", content_type="text/plain")
    if len(seg) != 2:
        if seg and seg[0] == "gen":
            return generated(params)
        return not_found
    kind, name = seg
    stem = name.rsplit(".", 1)[0]
    if kind == "u":
        path = sb.assets.path("u") / Path(name).name
        if not path.exists():
            return not_found
        return Response(200, file=path, content_type="video/mp4" if name.endswith(".mp4") else "image/jpeg")
    if kind == "avatar":
        user = sb.find_user(stem)
        if user is None:
            return not_found
        color = f"{int(stem) % 0xFFFFFF:06x}"
        return Response(200, file=sb.assets.image(f"avatar-{stem}", {"w": 150, "h": 150, "color": color}, user["username"]),
                        content_type="image/jpeg")
    media = sb.find_media(stem) or (sb.public_media.get(stem) if stem in sb.deleted else None)
    if media is None:
        return not_found
    asset = media.get("asset") or {"kind": "image", "w": 360, "h": 640, "color": f"{int(stem) % 0xFFFFFF:06x}"}
    if kind == "t":
        return Response(200, file=sb.assets.image(f"t-{stem}", {**asset, "kind": "image"}, "thumb"), content_type="image/jpeg")
    if kind == "p":
        if asset["kind"] == "video":
            return Response(200, file=sb.assets.video(f"p-{stem}", asset), content_type="video/mp4")
        return Response(200, file=sb.assets.image(f"p-{stem}", asset, stem[-5:]), content_type="image/jpeg")
    return not_found


def generated(params: dict[str, str]) -> Response:
    """/cdn/gen?w=&h=&format=JPEG|PNG&pad=N — test media with chosen properties (pad appends junk bytes)."""
    w, h = int(params.get("w", 1080)), int(params.get("h", 1080))
    fmt = params.get("format", "JPEG").upper()
    if fmt == "MP4":
        data = _FAKE_MP4 + b"\x00" * int(params.get("pad", 0))
        return Response(200, raw=data, content_type="video/mp4")
    data = jpeg_bytes(w, h, params.get("color", "3366aa"), fmt=fmt) + b"\x00" * int(params.get("pad", 0))
    return Response(200, raw=data, content_type=f"image/{fmt.lower()}")
