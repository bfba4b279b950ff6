"""Publishing in the sandbox: caption checks, containers and their status, media_publish, the moving quota."""

from __future__ import annotations

import json
import re
import secrets
from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import (
    Response,
    SandboxError,
    iso,
    owned_user,
)

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox


class PublishingState:
    """Containers, publishing and the quota; mixed into Sandbox."""

    # ---------------------------------------------------------------------------------- publishing
    def check_text(self, params: dict[str, str]) -> None:
        caption = params.get("caption") or ""
        if len(caption) > 2200:
            raise SandboxError("The caption is too long.", code=36004, subcode=2207010,
                               user_title="Caption too long", user_msg="The caption is longer than 2,200 characters.")
        if len(re.findall(r"(?<!\w)#\w", caption)) > 30:
            raise SandboxError("The caption has too many hashtags.", code=36004, subcode=2207010,
                               user_title="Too many hashtags", user_msg="The caption has more than 30 hashtags.")
        if len(re.findall(r"(?<!\w)@[\w.]", caption)) > 20:
            raise SandboxError("The caption has too many mentions.", code=100, subcode=2207040,
                               user_title="Too many tags", user_msg="The caption mentions more than 20 accounts.")
        if len(params.get("alt_text") or "") > 1000:
            raise SandboxError("(#100) alt_text must be at most 1000 characters", code=100)
        if params.get("collaborators"):
            try:
                collabs = json.loads(params["collaborators"])
            except ValueError:
                collabs = None
            if not isinstance(collabs, list) or len(collabs) > 3:
                raise SandboxError("(#100) collaborators must be a list of at most 3 usernames", code=100)
        if params.get("user_tags"):
            try:
                tags = json.loads(params["user_tags"])
                ok = isinstance(tags, list) and all(
                    isinstance(t, dict) and t.get("username") and
                    ("x" not in t or 0 <= float(t["x"]) <= 1) and ("y" not in t or 0 <= float(t["y"]) <= 1)
                    for t in tags)
            except (ValueError, TypeError):
                ok = False
            if not ok:
                raise SandboxError("(#100) Param user_tags must be a list of {username, x, y} with x, y in 0..1", code=100)
        if params.get("location_id") and not str(params["location_id"]).isdigit():
            raise SandboxError("(#100) Param location_id must be a valid Page id", code=100)

    def _recent(self, rows: list[dict[str, Any]], owner: str, window: float, key: str) -> int:
        since = self.now() - window
        return sum(1 for r in rows if r.get("account_id", r.get("owner")) == owner and r[key] > since)

    def _of_owner(self, kind: str, owner: str) -> list[dict[str, Any]]:
        """An account's containers or ledger entries, in creation order. Indexed by owner so a call does not
        scan every account's rows (bench/scale.py made tens of thousands); rebuilt when the state was replaced."""
        source = self.containers if kind == "containers" else self.ledger
        index = self.__dict__.get("_owner_index")
        if index is None or index[kind + "_src"] is not source or index[kind + "_n"] != len(source):
            index = self._rebuild_owner_index()
        return index[kind].get(owner, [])

    def _rebuild_owner_index(self) -> dict[str, Any]:
        index: dict[str, Any] = {"containers": {}, "ledger": {}}
        for row in self.containers.values():
            index["containers"].setdefault(row["owner"], []).append(row)
        for entry in self.ledger:
            index["ledger"].setdefault(entry["account_id"], []).append(entry)
        index.update(containers_src=self.containers, containers_n=len(self.containers),
                     ledger_src=self.ledger, ledger_n=len(self.ledger))
        self._owner_index = index
        return index

    def _index_added(self, kind: str, row: dict[str, Any], owner: str) -> None:
        """Keep the owner index in step with one row just added under the lock (else the next read rebuilds it)."""
        index = self.__dict__.get("_owner_index")
        source = self.containers if kind == "containers" else self.ledger
        if index is not None and index[kind + "_src"] is source and index[kind + "_n"] == len(source) - 1:
            index[kind].setdefault(owner, []).append(row)
            index[kind + "_n"] = len(source)

    def create_container(self, user: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        owner = user["id"]
        media_type = (params.get("media_type") or "").upper()
        is_item = str(params.get("is_carousel_item", "")).lower() == "true"
        with self.lock:
            recent = self._recent(self._of_owner("containers", owner), owner, self.scaled("container_lifetime"), "created_at")
        if recent >= int(self.config["container_limit"]):
            raise SandboxError("Application request limit reached", code=4, subcode=2207051, is_transient=False,
                               user_msg="Too many media containers were created in the last 24 hours.")
        if media_type and media_type not in ("CAROUSEL", "REELS", "STORIES", "VIDEO", "IMAGE"):
            raise SandboxError("The media type is not supported", code=100, subcode=2207023,
                               user_title="Unknown media type", user_msg="The media type entered isn't supported.")
        if (media_type == "VIDEO" and not is_item) or (media_type == "REELS" and is_item):
            raise SandboxError("The media type is not supported", code=100, subcode=2207023,
                               user_title="Unknown media type",
                               user_msg="VIDEO is only for carousel items; use REELS for a video post.")
        if media_type == "STORIES" and params.get("collaborators"):
            raise SandboxError("(#100) Collaborators are not supported for stories", code=100)
        if not is_item and media_type != "STORIES":
            self.check_text(params)
        else:
            self.check_text({k: v for k, v in params.items() if k in ("alt_text", "user_tags")})
        cid = self.next_id()
        now = self.now()
        row: dict[str, Any] = {
            "id": cid, "owner": owner, "media_type": media_type or "IMAGE", "is_carousel_item": is_item,
            "caption": params.get("caption") or "", "alt_text": params.get("alt_text") or "",
            "created_at": now, "ready_at": now, "expires_at": now + self.scaled("container_lifetime"),
            "error": None, "upload": None, "children": [], "media_id": None, "published": False,
            "share_to_feed": params.get("share_to_feed"), "params": {k: v for k, v in params.items() if k != "access_token"},
        }
        if media_type == "CAROUSEL":
            kids = [c.strip() for c in (params.get("children") or "").split(",") if c.strip()]
            if not 2 <= len(kids) <= 10:
                raise SandboxError("The carousel must have between 2 and 10 items.", code=100, subcode=2207028,
                                   user_title="Carousel validation failed",
                                   user_msg="Carousels need at least 2 and at most 10 photos or videos.")
            ready = now
            for k in kids:
                child = self.containers.get(k)
                if child is None or child["owner"] != owner or not child["is_carousel_item"]:
                    raise SandboxError(f"(#100) Child {k} is not a carousel item of this account", code=100)
                status = self.status_of(child)
                if status == "ERROR":
                    raise SandboxError("(#100) A carousel item failed to upload", code=-1, subcode=2207032,
                                       user_msg="One of the carousel items failed; upload it again.")
                if status == "EXPIRED":
                    raise SandboxError("The media has expired", code=-2, subcode=2207020,
                                       user_msg="A carousel item expired; upload it again.")
                ready = max(ready, child["ready_at"])
            row.update(children=kids, ready_at=ready)
        else:
            video_url = params.get("video_url")
            image_url = params.get("image_url")
            if media_type in ("REELS", "VIDEO") and not video_url:
                raise SandboxError("(#100) The parameter video_url is required", code=100)
            if media_type in ("", "IMAGE") and not image_url:
                raise SandboxError("(#100) The parameter image_url is required", code=100)
            if media_type == "STORIES" and not (video_url or image_url):
                raise SandboxError("(#100) The parameter image_url or video_url is required", code=100)
            if video_url:
                row["kind"] = "video"
                row["ready_at"] = now + float(self.config["video_processing_seconds"])
                try:
                    path = self.download(video_url, f"{cid}.mp4", max_bytes=int(self.config["max_video_bytes"]), video=True)
                    head = path.read_bytes()[:12] if path.stat().st_size < 4096 else open(path, "rb").read(12)
                    if head[4:8] not in (b"ftyp", b"moov", b"wide", b"mdat", b"free"):
                        path.unlink(missing_ok=True)
                        raise SandboxError("The video format is not supported", code=352, subcode=2207026)
                    row["upload"] = path.name
                    if params.get("cover_url"):
                        self.download(params["cover_url"], f"{cid}-cover.jpg", max_bytes=int(self.config["max_image_bytes"]), video=False)
                except SandboxError as exc:
                    # Video is processed asynchronously: its failure shows up as status ERROR, not on create.
                    row["error"] = {"code": exc.code, "subcode": exc.subcode, "message": exc.message}
            else:
                row["kind"] = "image"
                row["ready_at"] = now + float(self.config["image_processing_seconds"])
                path = self.download(image_url or "", f"{cid}.jpg", max_bytes=int(self.config["max_image_bytes"]), video=False)
                self.check_image(path, feed=media_type != "STORIES")
                row["upload"] = path.name
        with self.lock:
            self.containers[cid] = row
            self._index_added("containers", row, owner)
            self.save()
        return row

    def status_of(self, c: dict[str, Any]) -> str:
        if c["published"]:
            return "PUBLISHED"
        now = self.now()
        if now >= c["expires_at"]:
            return "EXPIRED"
        if now < c["ready_at"]:
            return "IN_PROGRESS"
        return "ERROR" if c["error"] else "FINISHED"

    def status_text(self, c: dict[str, Any]) -> str:
        status = self.status_of(c)
        if status == "ERROR":
            return f"Error: Media upload has failed with error code {c['error']['subcode']}"
        return {
            "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
            "IN_PROGRESS": "In Progress: Media is still being processed.",
            "EXPIRED": "Expired: Media was not published within 24 hours.",
            "PUBLISHED": "Published: Media has been published.",
        }[status]

    def quota_usage(self, owner: str, since: float | None = None) -> int:
        window_start = self.now() - self.scaled("quota_duration")
        if since is not None:
            window_start = max(window_start, since)
        with self.lock:
            return sum(1 for r in self._of_owner("ledger", owner) if r["ts"] > window_start)

    def publish(self, user: dict[str, Any], creation_id: str) -> dict[str, Any]:
        owner = user["id"]
        if not creation_id:
            raise SandboxError("(#100) The parameter creation_id is required", code=100)
        with self.lock:
            c = self.containers.get(creation_id)
            if c is None or c["owner"] != owner:
                raise SandboxError("The media with the given id could not be found", code=24, subcode=2207006,
                                   user_title="Media not found", user_msg="The media could not be found.")
            if c["is_carousel_item"]:
                raise SandboxError("(#100) A carousel item cannot be published on its own", code=100, subcode=2207023)
            status = self.status_of(c)
            if status == "PUBLISHED":
                raise SandboxError(f"(#100) This container was already published as media {c['media_id']}", code=100,
                                   user_msg="This media was already published.")
            if status == "IN_PROGRESS":
                raise SandboxError("Media ID is not available", code=9007, subcode=2207027,
                                   user_title="Media not ready for publishing",
                                   user_msg="The media is not ready for publishing, please wait for a moment")
            if status == "EXPIRED":
                raise SandboxError("The media has expired", code=-2, subcode=2207020,
                                   user_title="Media expired", user_msg="The media expired before it was published; "
                                   "upload it again.")
            if status == "ERROR":
                err = c["error"]
                raise SandboxError(err["message"], code=err["code"], subcode=err["subcode"])
            if self.quota_usage(owner) >= int(self.config["quota_total"]):
                raise SandboxError("Application request limit reached", code=9, subcode=2207042,
                                   user_title="Publishing limit reached",
                                   user_msg="You have reached the maximum number of posts allowed in 24 hours.")
            media = self._make_media(c, owner)
            c["published"], c["media_id"] = True, media["id"]
            entry = {"account_id": owner, "container_id": c["id"], "media_id": media["id"], "caption": c["caption"],
                     "media_type": media["media_type"], "media_product_type": media["media_product_type"],
                     "ts": self.now(), "time": iso(self.now())}
            self.ledger.append(entry)
            self._index_added("ledger", entry, owner)
            self.save()
            return media

    def _make_media(self, c: dict[str, Any], owner: str) -> dict[str, Any]:
        mid = self.next_id()
        mt = c["media_type"]
        product = {"REELS": "REELS", "STORIES": "STORY"}.get(mt, "FEED")
        kind = "CAROUSEL_ALBUM" if mt == "CAROUSEL" else ("VIDEO" if c.get("kind") == "video" else "IMAGE")
        media = {"id": mid, "owner": owner, "timestamp": self.now(), "caption": c["caption"], "media_type": kind,
                 "media_product_type": product, "shortcode": "SB" + secrets.token_urlsafe(8).replace("-", "x"),
                 "like_count": 0, "comments_count": 0, "alt_text": c.get("alt_text", ""), "upload": c.get("upload"),
                 "children": [], "comments": [], "container_id": c["id"]}
        for k in c.get("children", []):
            child_c = self.containers[k]
            child = self._make_media(child_c, owner)
            child["parent"] = mid
            child_c["published"], child_c["media_id"] = True, child["id"]
            media["children"].append(child["id"])
        self.media[mid] = media
        if "parent" not in media and product != "STORY" and not c["is_carousel_item"]:
            self.own_order.setdefault(owner, []).insert(0, mid)
        return media


def create_container(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    user = owned_user(sb, token, obj, "publish", post=True)
    if params.get("upload_type") == "resumable":
        raise SandboxError("(#100) Resumable upload is not simulated; use video_url", code=100)
    return Response(200, {"id": sb.create_container(user, params)["id"]})


def media_publish(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    user = owned_user(sb, token, obj, "publish", post=True)
    return Response(200, {"id": sb.publish(user, params.get("creation_id", ""))["id"]})


def publishing_limit(sb: Sandbox, token: str | None, obj: str, params: dict[str, str]) -> Response:
    user = owned_user(sb, token, obj, "basic", post=False)
    since = float(params["since"]) if params.get("since") else None
    duration = max(1, int(sb.scaled("quota_duration")))
    row: dict[str, Any] = {"quota_usage": sb.quota_usage(user["id"], since)}
    fields = params.get("fields") or "quota_usage"
    if "config" in fields:
        row["config"] = {"quota_total": int(sb.config["quota_total"]), "quota_duration": duration}
    return Response(200, {"data": [row]})
