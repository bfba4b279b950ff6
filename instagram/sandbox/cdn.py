"""The sandbox CDN: generated media files (deterministic per media id), uploads, avatars, /cdn/gen, and per-media faults."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import Response
from instagram.sandbox.media import _FAKE_MP4, jpeg_bytes

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox

CDN_FAULT_KINDS = ("404", "403", "500", "corrupt", "truncate")
CDN_FAULT_KEYS = {"kind", "media_ids", "media_id", "fraction", "seed", "target", "times"}
_TEXT = {"404": (404, b"Not Found"), "403": (403, b"URL signature expired"), "500": (500, b"Internal Server Error")}


def _selected(fault: dict[str, Any], media_id: str) -> bool:
    if media_id in fault.get("media_ids", ()):
        return True
    fraction = fault.get("fraction")
    if fraction is None:
        return False
    # Stable per media id (and seed), so "10 % of the media" is the same 10 % on every request and every run.
    digest = hashlib.sha256(f"{fault.get('seed', 'cdn')}:{media_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < float(fraction)


def add_cdn_fault(sb: Sandbox, spec: dict[str, Any]) -> dict[str, Any]:
    unknown = set(spec) - CDN_FAULT_KEYS
    if unknown or spec.get("kind") not in CDN_FAULT_KINDS:
        raise ValueError(f"kind must be one of {CDN_FAULT_KINDS}; unknown keys: {sorted(unknown)}")
    ids = [str(i) for i in spec.get("media_ids") or []] + ([str(spec["media_id"])] if spec.get("media_id") else [])
    if not ids and spec.get("fraction") is None:
        raise ValueError("give media_id, media_ids or fraction")
    if spec.get("target", "media") not in ("media", "thumbnail", "both"):
        raise ValueError("target must be media, thumbnail or both")
    fault = {"id": secrets.token_hex(4), "kind": spec["kind"], "media_ids": ids, "fraction": spec.get("fraction"),
             "seed": str(spec.get("seed", "cdn")), "target": spec.get("target", "media"), "times": spec.get("times"),
             "hits": {}}
    with sb.lock:
        sb.cdn_faults.append(fault)
        sb.save()
    return fault


def cdn_fault_for(sb: Sandbox, media_id: str, kind: str) -> dict[str, Any] | None:
    """The first CDN fault covering this media (and path kind: p = media, t = thumbnail) that still has uses."""
    target = "media" if kind == "p" else "thumbnail"
    with sb.lock:
        for fault in sb.cdn_faults:
            if fault["target"] not in (target, "both") or not _selected(fault, media_id):
                continue
            hits = fault["hits"].get(media_id, 0)
            if fault.get("times") is not None and hits >= int(fault["times"]):
                continue
            fault["hits"][media_id] = hits + 1
            return fault
    return None


def _faulty(fault: dict[str, Any], file: Path, content_type: str) -> Response:
    kind = fault["kind"]
    if kind in _TEXT:
        status, text = _TEXT[kind]
        return Response(status, raw=text, content_type="text/plain")
    data = file.read_bytes()
    if kind == "corrupt":
        # Same length, mangled head: the bytes no longer start like a JPEG or an MP4.
        head = bytes(b ^ 0x5A for b in data[:512])
        return Response(200, raw=head + data[512:], content_type=content_type)
    resp = Response(200, raw=data, content_type=content_type)
    resp.truncate_to = len(data) // 2
    return resp


def _expired(sb: Sandbox, oe: str) -> bool:
    try:
        return int(oe, 16) < sb.now()
    except ValueError:
        return True


def cdn(sb: Sandbox, seg: list[str], params: dict[str, str]) -> Response:
    not_found = Response(404, raw=b"Not Found", content_type="text/plain")
    if len(seg) != 2:
        sb.count_request("cdn", None, "gen" if seg and seg[0] == "gen" else None)
        if seg and seg[0] == "gen":
            return generated(params)
        return not_found
    kind, name = seg
    stem = name.rsplit(".", 1)[0]
    sb.count_request("cdn", None, stem if kind in ("p", "t") else f"{kind}/{stem}")
    if params.get("oe") and _expired(sb, params["oe"]):
        return Response(403, raw=b"URL signature expired", content_type="text/plain")
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
    if media is None or kind not in ("p", "t"):
        return not_found
    asset = media.get("asset") or {"kind": "image", "w": 360, "h": 640, "color": f"{int(stem) % 0xFFFFFF:06x}"}
    if kind == "t":
        file, content_type = sb.assets.image(f"t-{stem}", {**asset, "kind": "image"}, "thumb"), "image/jpeg"
    elif media.get("upload"):
        file = sb.assets.path("u") / media["upload"]
        content_type = "video/mp4" if media["upload"].endswith(".mp4") else "image/jpeg"
        if not file.exists():
            return not_found
    elif asset["kind"] == "video":
        file, content_type = sb.assets.video(f"p-{stem}", asset), "video/mp4"
    else:
        file, content_type = sb.assets.image(f"p-{stem}", asset, stem[-5:]), "image/jpeg"
    fault = cdn_fault_for(sb, stem, kind)
    if fault is not None:
        return _faulty(fault, file, content_type)
    return Response(200, file=file, content_type=content_type)


def generated(params: dict[str, str]) -> Response:
    """/cdn/gen?w=&h=&format=JPEG|PNG&pad=N — test media with chosen properties (pad appends junk bytes)."""
    w, h = int(params.get("w", 1080)), int(params.get("h", 1080))
    fmt = params.get("format", "JPEG").upper()
    if fmt == "MP4":
        data = _FAKE_MP4 + b"\x00" * int(params.get("pad", 0))
        return Response(200, raw=data, content_type="video/mp4")
    data = jpeg_bytes(w, h, params.get("color", "3366aa"), fmt=fmt) + b"\x00" * int(params.get("pad", 0))
    return Response(200, raw=data, content_type=f"image/{fmt.lower()}")
