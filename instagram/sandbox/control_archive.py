"""The /_control/ calls archive scenarios need: profiles (generate, posts, pins, renames), usage, call counters, CDN faults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from instagram.sandbox.cdn import add_cdn_fault
from instagram.sandbox.common import Response

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox

PROFILE_KEYS = ("username", "posts", "media", "business", "creator", "name", "biography", "followers", "pinned",
                "licensed_audio", "feed_videos")
HISTORY_KEYS = ("posts", "media", "pinned", "licensed_audio", "feed_videos")


def _error(status: int, message: str) -> Response:
    return Response(status, {"error": message})


def profile_summary(sb: Sandbox, user: dict[str, Any]) -> dict[str, Any]:
    ids = sb.media_ids_of(user["id"])
    return {"ig_user_id": user["id"], "username": user["username"], "account_type": user.get("account_type"),
            "media_count": len(ids), "media_ids": ids,
            "pinned": [p for p in sb.pins.get(user["id"], []) if p in set(ids)],
            "deleted": sorted(i for i in sb.ordered_ids(user["id"]) if i in sb.deleted)}


def _profiles(sb: Sandbox, method: str, seg: list[str], body: dict[str, Any]) -> Response:
    if len(seg) == 1 and method == "POST":
        spec = {k: body[k] for k in PROFILE_KEYS if k in body}
        if "username" not in spec:
            return _error(400, "username is required")
        spec.setdefault("posts", 30)
        return Response(200, profile_summary(sb, sb.add_profile(spec)))
    if len(seg) < 2:
        return _error(404, "use /_control/profiles/{username}[/posts|/pin|/rename]")
    user = sb.user_by_username(seg[1])
    if user is None:
        return _error(404, f"no profile @{seg[1]}")
    action = seg[2] if len(seg) > 2 else ""
    try:
        if action == "" and method == "GET":
            return Response(200, profile_summary(sb, user))
        if action == "posts" and method == "POST":
            ids = sb.add_posts(seg[1], int(body.get("count", 1)), kind=str(body.get("kind", "image")),
                               pin=bool(body.get("pin", False)))
            return Response(200, {"ids": ids})
        if action == "pin" and method == "POST":
            return Response(200, {"pinned": sb.pin_posts(seg[1], [str(i) for i in body.get("media_ids") or []])})
        if action == "rename" and method == "POST":
            return Response(200, profile_summary(sb, sb.rename_user(seg[1], str(body.get("username") or ""))))
    except ValueError as exc:
        return _error(400, str(exc))
    return _error(404, f"unknown profile action {method} {action}")


def _own_history(sb: Sandbox, seg: list[str], body: dict[str, Any]) -> Response:
    spec = {k: body[k] for k in HISTORY_KEYS if k in body}
    spec.setdefault("posts", 30)
    try:
        ids = sb.generate_own_posts(seg[1], spec)
    except KeyError:
        return _error(404, "no such connected account")
    return Response(200, {"ids": ids, **profile_summary(sb, sb.users[seg[1]])})


def _usage(sb: Sandbox, method: str, body: dict[str, Any]) -> Response:
    if method == "DELETE":
        sb.clear_usage()
    elif method == "POST":
        sb.fill_usage(calls=int(body.get("calls", 0)), user_id=str(body["account_id"]) if body.get("account_id") else None)
    return Response(200, sb.usage_summary())


def _cdn_faults(sb: Sandbox, method: str, body: dict[str, Any]) -> Response:
    if method == "POST":
        try:
            return Response(200, add_cdn_fault(sb, body))
        except ValueError as exc:
            return _error(400, str(exc))
    with sb.lock:
        if method == "DELETE":
            sb.cdn_faults.clear()
            sb.save()
        return Response(200, {"data": [dict(f) for f in sb.cdn_faults]})


def control_archive(sb: Sandbox, method: str, seg: list[str], body: dict[str, Any]) -> Response | None:
    """Answer the calls this module owns; None for anything else."""
    head = seg[0] if seg else ""
    if head == "profiles":
        return _profiles(sb, method, seg, body)
    if head == "accounts" and len(seg) == 3 and seg[2] == "posts" and method == "POST":
        return _own_history(sb, seg, body)
    if head == "usage":
        return _usage(sb, method, body)
    if head == "calls":
        if method == "DELETE":
            sb.clear_counters()
        return Response(200, sb.counters())
    if head == "cdn" and seg[1:2] == ["faults"]:
        return _cdn_faults(sb, method, body)
    return None
