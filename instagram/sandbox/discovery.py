"""Public profiles in the sandbox: generated Business/Creator profiles and Business Discovery."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from instagram.sandbox.common import (
    SandboxError,
)
from instagram.sandbox.fields import Field
from instagram.sandbox.media import DEFAULT_PROFILES, LARGE_PROFILE, ProfileSpec, generate_profile

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox


class DiscoveryState:
    """Generated public profiles; mixed into Sandbox."""

    def _build_public(self) -> None:
        self.public_users: dict[str, dict[str, Any]] = {}
        self.public_media: dict[str, dict[str, Any]] = {}
        self.public_order: dict[str, list[str]] = {}
        self.public_added: list[dict[str, Any]] = []
        specs = list(DEFAULT_PROFILES)
        if self.config.get("large_profile"):
            specs.append(LARGE_PROFILE)
        specs += [ProfileSpec(**p) for p in self.extra_profiles]
        for index, spec in enumerate(specs):
            self._add_profile(spec, index)

    def _add_profile(self, spec: ProfileSpec, index: int) -> dict[str, Any]:
        user, media = generate_profile(spec, index, int(self.config["seed"]))
        self.public_users[user["id"]] = user
        self.public_order[user["id"]] = [m["id"] for m in media if "parent" not in m]
        for m in media:
            self.public_media[m["id"]] = m
        return user

    def _insert_public(self, item: dict[str, Any]) -> None:
        self.public_media[item["id"]] = item
        self.public_order[item["owner"]].insert(0, item["id"])
        self.public_added.append(item)

    # ---------------------------------------------------------------------------------- control helpers
    def add_public_posts(self, username: str, count: int) -> list[str]:
        with self.lock:
            user = self.user_by_username(username)
            if user is None or user["id"] not in self.public_users:
                raise KeyError(username)
            ids = []
            for _ in range(count):
                mid = self.next_id()
                rng = random.Random(mid)
                item = {"id": mid, "owner": user["id"], "timestamp": self.now(), "caption": f"Fresh post {mid[-4:]} #new",
                        "shortcode": "SN" + mid[-8:], "like_count": rng.randint(0, 50), "comments_count": 0,
                        "alt_text": "", "children": [], "comments": [], "media_type": "IMAGE",
                        "media_product_type": "FEED",
                        "asset": {"kind": "image", "w": 360, "h": 360, "color": f"{rng.randint(0, 0xFFFFFF):06x}"}}
                self._insert_public(item)
                ids.append(mid)
            self.save()
            return ids

    def add_profile(self, spec: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            existing = self.user_by_username(spec["username"])
            if existing:
                return existing
            self.extra_profiles.append(spec)
            user = self._add_profile(ProfileSpec(**spec), len(self.public_users) + 1)
            self.save()
            return user


def business_discovery(sb: Sandbox, me: dict[str, Any], f: Field, base: str) -> dict[str, Any]:
    username = f.args.get("username", "")
    target = sb.user_by_username(username)
    if target is None or target.get("account_type") != "BUSINESS":
        raise SandboxError("Invalid user id", code=110, subcode=2207013, user_title="Cannot find User",
                           user_msg=f"The user with username: {username} cannot be found.")
    return sb.render_user(target, f.children or [Field("id")], base, discovery=True)
