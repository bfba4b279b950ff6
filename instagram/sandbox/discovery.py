"""Public profiles in the sandbox: generated Business/Creator profiles, their pins, renames and edits, and Business Discovery."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import SandboxError
from instagram.sandbox.fields import Field
from instagram.sandbox.media import DEFAULT_PROFILES, LARGE_PROFILE, ProfileSpec, generate_profile

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox

# Generated posts of connected (own) accounts get ids from their own range, far from public profiles'.
_OWN_GENERATED_INDEX = 500
_EXTRA_INDEX = 100
# What /_control/ may change on a media; anything else would break the simulation's invariants.
PATCHABLE = {"caption", "like_count", "comments_count", "media_url_withheld", "alt_text"}
KINDS = ("image", "video", "reel", "carousel")


class DiscoveryState:
    """Generated public profiles and the control-side edits of profiles and media; mixed into Sandbox."""

    def _build_public(self) -> None:
        self.public_users: dict[str, dict[str, Any]] = {}
        self.public_media: dict[str, dict[str, Any]] = {}
        self.public_order: dict[str, list[str]] = {}
        self.public_added: list[dict[str, Any]] = []
        specs = list(DEFAULT_PROFILES)
        if self.config.get("large_profile"):
            specs.append(LARGE_PROFILE)
        for index, spec in enumerate(specs):
            self._add_profile(spec, index)
        # Profiles added through /_control/ get indexes (hence ids) of their own that survive restarts.
        for k, extra in enumerate(self.extra_profiles):
            self._add_profile(ProfileSpec(**extra), _EXTRA_INDEX + k)
        for user_id, username in self.renames.items():
            if user_id in self.public_users:
                self.public_users[user_id]["username"] = username
        for media_id, patch in self.media_patches.items():
            if media_id in self.public_media:
                self.public_media[media_id].update(patch)

    def _add_profile(self, spec: ProfileSpec, index: int) -> dict[str, Any]:
        user, media = generate_profile(spec, index, int(self.config["seed"]))
        self.public_users[user["id"]] = user
        self.public_order[user["id"]] = [m["id"] for m in media if "parent" not in m]
        for m in media:
            self.public_media[m["id"]] = m
        # Pins set through /_control/ (persisted) win over the generated ones.
        self.pins.setdefault(user["id"], list(user.pop("pinned", [])))
        return user

    def _insert_public(self, item: dict[str, Any]) -> None:
        self.public_media[item["id"]] = item
        if "parent" not in item:
            self.public_order[item["owner"]].insert(0, item["id"])
        self.public_added.append(item)

    # ---------------------------------------------------------------------------------- control helpers
    def _new_post(self, owner: str, kind: str, rng: random.Random) -> list[dict[str, Any]]:
        """A post dated now (and its carousel children): the first item is the post."""
        mid = self.next_id()
        color = f"{rng.randint(0, 0xFFFFFF):06x}"
        post: dict[str, Any] = {
            "id": mid, "owner": owner, "timestamp": self.now(), "caption": f"Fresh post {mid[-4:]} #new",
            "shortcode": "SN" + mid[-8:], "like_count": rng.randint(0, 50), "comments_count": 0, "alt_text": "",
            "children": [], "comments": [], "media_type": "IMAGE", "media_product_type": "FEED",
            "asset": {"kind": "image", "w": 360, "h": 360, "color": color},
        }
        if kind in ("video", "reel"):
            post.update(media_type="VIDEO", media_product_type="REELS" if kind == "reel" else "FEED",
                        asset={"kind": "video", "w": 360, "h": 640, "color": color, "seconds": 3})
        if kind != "carousel":
            return [post]
        post.update(media_type="CAROUSEL_ALBUM", asset=None)
        children = []
        for c in range(3):
            cid = self.next_id()
            child_kind = "video" if c == 2 else "image"
            children.append({
                "id": cid, "owner": owner, "timestamp": post["timestamp"], "parent": mid, "children": [],
                "media_type": "VIDEO" if child_kind == "video" else "IMAGE", "media_product_type": "FEED",
                "shortcode": f"{post['shortcode']}c{c}",
                "asset": {"kind": child_kind, "w": 360, "h": 640 if child_kind == "video" else 360,
                          "color": f"{rng.randint(0, 0xFFFFFF):06x}", "seconds": 3},
            })
        post["children"] = [c["id"] for c in children]
        return [post, *children]

    def add_posts(self, username: str, count: int, *, kind: str = "image", pin: bool = False) -> list[str]:
        """New posts dated now on a public profile or a connected account; /media lists them newest first, right
        after any pinned posts (or as the pinned posts, with pin=True)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        with self.lock:
            user = self.user_by_username(username)
            if user is None:
                raise KeyError(username)
            own = user["id"] in self.users
            ids = []
            for _ in range(count):
                rng = random.Random(f"{user['id']}:{self.counter}")
                post, *children = self._new_post(user["id"], kind, rng)
                for item in (*children, post):
                    if not own:
                        self._insert_public(item)
                        continue
                    self.media[item["id"]] = item
                    if item is post:
                        self.own_order.setdefault(user["id"], []).insert(0, post["id"])
                ids.append(post["id"])
            if pin:
                self.pins[user["id"]] = (list(reversed(ids)) + self.pins.get(user["id"], []))[:3]
            self.save()
            return ids

    def add_public_posts(self, username: str, count: int) -> list[str]:
        return self.add_posts(username, count)

    def add_profile(self, spec: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            existing = self.user_by_username(spec["username"])
            if existing:
                return existing
            user = self._add_profile(ProfileSpec(**spec), _EXTRA_INDEX + len(self.extra_profiles))
            self.extra_profiles.append(spec)
            self.save()
            return user

    def generate_own_posts(self, user_id: str, spec: dict[str, Any]) -> list[str]:
        """Give a connected account a generated history (older than anything it publishes): for /me/media archives."""
        with self.lock:
            user = self.users.get(user_id)
            if user is None:
                raise KeyError(user_id)
            batches = {m["generated_batch"] for m in self.media.values() if "generated_batch" in m}
            index = _OWN_GENERATED_INDEX + len(batches)
            spec = {k: v for k, v in spec.items() if k in ("posts", "media", "pinned", "licensed_audio", "feed_videos")}
            _user, media = generate_profile(ProfileSpec(username=user["username"], **spec), index,
                                            int(self.config["seed"]))
            for m in media:
                m.update(owner=user_id, generated_batch=index)
                self.media[m["id"]] = m
            posts = [m["id"] for m in media if "parent" not in m]
            self.own_order.setdefault(user_id, []).extend(posts)
            if _user.get("pinned"):
                self.pins[user_id] = list(_user["pinned"])
            self.save()
            return posts

    def pin_posts(self, username: str, media_ids: list[str]) -> list[str]:
        """Pin up to 3 posts of a profile (own or public), in this order; an empty list unpins all."""
        with self.lock:
            user = self.user_by_username(username)
            if user is None:
                raise KeyError(username)
            ids = set(self.own_order.get(user["id"], []) if user["id"] in self.users else self.public_order[user["id"]])
            unknown = [m for m in media_ids if m not in ids]
            if unknown or len(media_ids) > 3:
                raise ValueError(f"at most 3 posts of @{username}; not theirs: {unknown}")
            self.pins[user["id"]] = list(media_ids)
            self.save()
            return list(media_ids)

    def rename_user(self, username: str, new_username: str) -> dict[str, Any]:
        """A username change: the id (and everything under it) stays, the old name no longer resolves."""
        with self.lock:
            user = self.user_by_username(username)
            if user is None:
                raise KeyError(username)
            taken = self.user_by_username(new_username)
            if taken is not None and taken is not user:
                raise ValueError(f"@{new_username} is taken")
            user["username"] = new_username
            if user["id"] in self.public_users:
                self.renames[user["id"]] = new_username
            self.save()
            return user

    def patch_media(self, media_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change counts, caption or media_url withholding of a post (own or public)."""
        unknown = set(changes) - PATCHABLE
        if unknown:
            raise ValueError(f"not patchable: {sorted(unknown)}; allowed: {sorted(PATCHABLE)}")
        with self.lock:
            media = self.find_media(media_id)
            if media is None:
                raise KeyError(media_id)
            media.update(changes)
            if media_id in self.public_media:
                self.media_patches.setdefault(media_id, {}).update(changes)
            self.save()
            return media


def business_discovery(sb: Sandbox, me: dict[str, Any], f: Field, base: str) -> dict[str, Any]:
    username = f.args.get("username", "")
    target = sb.user_by_username(username)
    if target is None:
        raise SandboxError("Invalid user id", code=110, subcode=2207013, user_title="Cannot find User",
                           user_msg=f"The user with username: {username} cannot be found.")
    if target.get("account_type") not in ("BUSINESS", "MEDIA_CREATOR"):
        # Instagram answers a personal account with the same code; the sandbox's user message says which it was.
        raise SandboxError("Invalid user id", code=110, subcode=2207013, user_title="Not a professional account",
                           user_msg=f"The user with username: {username} is not an Instagram Business or Creator "
                                    "account, so Business Discovery cannot read it.")
    return sb.render_user(target, f.children or [Field("id")], base, discovery=True)
