"""Import a folder downloaded by Instaloader (its `.json.xz` / `.json` metadata and media files) into the archive.

Instaloader writes, per post, `<date>_UTC.json.xz` ({"node": {...}, "instaloader": {"node_type": "Post"}}) next to
`<date>_UTC.jpg` / `.mp4` (carousels: `<date>_UTC_1.jpg`, `_2.mp4`, …; a video's cover as the `.jpg` of the same
name), and the profile as `<username>_<id>.json.xz` (node_type "Profile"). Posts already in the archive (same
Instagram id) are left alone, so importing the same folder twice changes nothing.
"""

from __future__ import annotations

import json
import lzma
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User, Workspace
from accounts.permissions import Action, require
from archive import conf
from archive.models import ArchivedMedia, ArchivedPost, ArchivedProfile
from archive.services import files

TYPES = {"GraphImage": "IMAGE", "GraphVideo": "VIDEO", "GraphSidecar": "CAROUSEL_ALBUM"}


class ImportFailed(Exception):
    pass


@dataclass
class ImportResult:
    profile: ArchivedProfile
    posts_new: int = 0
    posts_known: int = 0
    files_stored: int = 0
    problems: list[str] = field(default_factory=list)


def _load(path: Path) -> dict[str, Any] | None:
    try:
        opener = lzma.open if path.suffix == ".xz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, lzma.LZMAError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("node"), dict) else None


def _count(node: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("count")
        if isinstance(value, int):
            return value
    return None


def _caption(node: dict[str, Any]) -> str:
    edges = (node.get("edge_media_to_caption") or {}).get("edges") or []
    return str(edges[0]["node"].get("text") or "") if edges and isinstance(edges[0].get("node"), dict) else ""


def _files_for(stem: Path, kind: str, children: int) -> list[tuple[Path | None, Path | None]]:
    """(media file, cover) per item, in carousel order."""
    def pick(base: Path) -> tuple[Path | None, Path | None]:
        mp4, jpg = base.with_name(base.name + ".mp4"), base.with_name(base.name + ".jpg")
        if mp4.exists():
            return mp4, jpg if jpg.exists() else None
        for ext in (".jpg", ".jpeg", ".png", ".webp"):
            candidate = base.with_name(base.name + ext)
            if candidate.exists():
                return candidate, None
        return None, None

    if kind == "CAROUSEL_ALBUM":
        return [pick(stem.with_name(f"{stem.name}_{n}")) for n in range(1, max(children, 1) + 1)]
    return [pick(stem)]


def profile_import_instaloader(*, user: User, workspace: Workspace, folder: Path) -> ImportResult:
    require(user, Action.MANAGE_ARCHIVE, workspace)
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportFailed(f"{folder} is not a folder.")
    metadata = sorted([*folder.glob("*.json.xz"), *folder.glob("*.json")])
    profile_node, posts = None, []
    for path in metadata:
        data = _load(path)
        node_type = (data or {}).get("instaloader", {}).get("node_type")
        if node_type == "Profile":
            profile_node = data["node"]
        elif node_type == "Post":
            stem = path.name.removesuffix(".xz").removesuffix(".json")
            posts.append((folder / stem, data["node"]))
    owner = profile_node or next((n.get("owner") for _, n in posts if isinstance(n.get("owner"), dict)), None)
    if not owner or not owner.get("id"):
        raise ImportFailed("No Instaloader profile or post metadata (.json.xz) with an owner was found in this folder.")
    result = ImportResult(profile=_profile(workspace, user, owner, profile_node))
    for stem, node in posts:
        _import_post(result, stem, node)
    return result


def _profile(workspace: Workspace, user: User, owner: dict[str, Any], node: dict[str, Any] | None) -> ArchivedProfile:
    ig_id = str(owner["id"])
    with transaction.atomic():
        profile = ArchivedProfile.objects.filter(workspace=workspace, ig_user_id=ig_id).first()
        if profile is None:
            profile = ArchivedProfile(workspace=workspace, ig_user_id=ig_id, username=str(owner.get("username") or ig_id)[:30],
                                      created_by=user, refresh_interval_hours=conf.get("ARCHIVE_DEFAULT_REFRESH_HOURS"))
        if node:
            profile.name = node.get("full_name") or profile.name
            profile.biography = node.get("biography") or profile.biography
            profile.website = node.get("external_url") or profile.website
            profile.followers_count = _count(node, "edge_followed_by") or profile.followers_count
            profile.follows_count = _count(node, "edge_follow") or profile.follows_count
            profile.media_count = _count(node, "edge_owner_to_timeline_media") or profile.media_count
        profile.save()
    return profile


def _import_post(result: ImportResult, stem: Path, node: dict[str, Any]) -> None:
    profile = result.profile
    ig_id = str(node.get("id") or "")
    if not ig_id:
        result.problems.append(f"{stem.name}: no post id in the metadata; skipped.")
        return
    if ArchivedPost.objects.filter(profile=profile, ig_id=ig_id).exists():
        result.posts_known += 1
        return
    kind = TYPES.get(str(node.get("__typename")), "VIDEO" if node.get("is_video") else "IMAGE")
    children = [e.get("node") or {} for e in (node.get("edge_sidecar_to_children") or {}).get("edges") or []]
    stored = []
    for order, (path, cover) in enumerate(_files_for(stem, kind, len(children))):
        if path is None:
            result.problems.append(f"{stem.name}: item {order + 1} has no file in the folder.")
            stored.append((order, None))
            continue
        got = files.ingest_local(path, workspace_id=profile.workspace_id, poster=cover)
        if not got.ok:
            result.problems.append(f"{path.name}: {got.error}")
        stored.append((order, got))
    stamp = node.get("taken_at_timestamp") or node.get("date")
    now = timezone.now()
    shortcode = str(node.get("shortcode") or "")
    with transaction.atomic():
        post = ArchivedPost.objects.create(
            workspace_id=profile.workspace_id, profile=profile, ig_id=ig_id, shortcode=shortcode, caption=_caption(node),
            media_type=kind, product_type="REELS" if node.get("product_type") == "clips" else "FEED",
            taken_at=datetime.fromtimestamp(int(stamp), UTC) if stamp else now,
            like_count=_count(node, "edge_media_preview_like", "edge_liked_by", "likes"),
            comments_count=_count(node, "edge_media_to_comment", "edge_media_preview_comment", "comments"),
            permalink=f"https://www.instagram.com/p/{shortcode}/" if shortcode else "",
            first_seen_at=now, last_seen_at=now,
        )
        for order, got in stored:
            child = children[order] if order < len(children) else node
            is_video = bool(child.get("is_video")) or (got is not None and got.mime_type.startswith("video/"))
            ArchivedMedia.objects.create(
                workspace_id=profile.workspace_id, post=post, order=order,
                ig_id=str(child.get("id") or f"{ig_id}-{order}"), kind="VIDEO" if is_video else "IMAGE",
                state="done" if got and got.ok else "failed", error=(got.error if got else "Not in the imported folder."),
                file=got.file if got and got.ok else "", thumbnail=got.thumbnail if got else "",
                sha256=got.sha256 if got else "", crc32=got.crc32 if got else None, size_bytes=got.size if got else None,
                mime_type=got.mime_type if got else "", downloaded_at=now if got and got.ok else None,
            )
            result.files_stored += 1 if got and got.ok else 0
    result.posts_new += 1
