"""The sandbox's in-memory Instagram: accounts, tokens, containers, media, quota, ledger.

All mutations happen under one re-entrant lock; slow work (downloads) happens outside it. With a
state file, everything that cannot be regenerated from the seed is written after each mutation, so a
restarted sandbox still knows its tokens, containers and the publish ledger.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import random
import re
import secrets
import tempfile
import threading
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from PIL import Image

from instagram.sandbox.fields import Field
from instagram.sandbox.media import DEFAULT_PROFILES, LARGE_PROFILE, AssetStore, ProfileSpec, generate_profile

DAY = 86400

DEFAULT_CONFIG: dict[str, Any] = {
    "app_id": "sandbox-app",
    "app_secret": "sandbox-secret",
    # Every lifetime below (nominal Instagram seconds) is multiplied by time_scale.
    "time_scale": 1.0,
    "code_lifetime": 3600,
    "short_token_lifetime": 3600,
    "long_token_lifetime": 60 * DAY,
    "refresh_min_age": DAY,
    "container_lifetime": DAY,
    "quota_duration": DAY,
    "insights_lag": 0,
    # Real seconds (not scaled): how long a video container stays IN_PROGRESS.
    "video_processing_seconds": 3.0,
    "image_processing_seconds": 0.0,
    "quota_total": 50,
    "container_limit": 400,
    # "wrapped" {"data":[{…,"permissions":"a,b"}]}, "flat" {…,"permissions":"a,b"}, "flat_list" {…,"permissions":[…]}
    "oauth_response_shape": "wrapped",
    "insights_shape": "mixed",  # values | total_value | mixed
    "max_image_bytes": 8 * 1024 * 1024,
    "max_video_bytes": 300 * 1024 * 1024,
    "download_timeout": 15.0,
    "app_call_budget": 20000,  # calls per hour that X-App-Usage reports as 100 %
    "seed": 7,
    "large_profile": False,
}

IG_SCOPES = ["instagram_business_basic", "instagram_business_content_publish",
             "instagram_business_manage_insights", "instagram_business_manage_comments"]
FB_SCOPES = ["instagram_basic", "instagram_content_publish", "instagram_manage_insights",
             "instagram_manage_comments", "pages_read_engagement", "pages_show_list"]
_SCOPE_NEEDS = {
    "basic": {"instagram_business_basic", "instagram_basic"},
    "publish": {"instagram_business_content_publish", "instagram_content_publish"},
    "insights": {"instagram_business_manage_insights", "instagram_manage_insights"},
    "comments": {"instagram_business_manage_comments", "instagram_manage_comments"},
}
OWN_USER_BASE = 17841450000000000
OBJECT_BASE = 18000000000000000

FEED_METRICS = {"views", "reach", "likes", "comments", "shares", "saved", "total_interactions", "profile_visits",
                "follows", "profile_activity", "ig_reels_avg_watch_time", "ig_reels_video_view_total_time"}
STORY_METRICS = {"views", "reach", "replies", "shares", "total_interactions", "follows", "profile_visits", "navigation"}
DEPRECATED_METRICS = {"impressions", "plays", "video_views", "clips_replays_count", "ig_reels_aggregated_all_plays_count"}

USER_FIELDS = {"id", "user_id", "ig_id", "username", "name", "biography", "website", "followers_count",
               "follows_count", "media_count", "profile_picture_url", "account_type", "media", "business_discovery"}
MEDIA_FIELD_NAMES = {"id", "caption", "timestamp", "permalink", "shortcode", "media_type", "media_product_type",
                     "media_url", "thumbnail_url", "like_count", "comments_count", "alt_text", "children",
                     "username", "owner", "is_comment_enabled", "comments"}


class SandboxError(Exception):
    """An answer in Meta's error envelope (or the api.instagram.com OAuth shape)."""

    def __init__(self, message: str, *, code: int, subcode: int | None = None, http_status: int = 400,
                 is_transient: bool = False, user_title: str = "", user_msg: str = "", oauth_shape: bool = False) -> None:
        super().__init__(message)
        self.message, self.code, self.subcode, self.http_status = message, code, subcode, http_status
        self.is_transient, self.user_title, self.user_msg, self.oauth_shape = is_transient, user_title, user_msg, oauth_shape

    def body(self) -> dict[str, Any]:
        if self.oauth_shape:
            return {"error_type": "OAuthException", "code": self.code, "error_message": self.message}
        err: dict[str, Any] = {"message": self.message, "type": "OAuthException", "code": self.code,
                               "fbtrace_id": "A" + secrets.token_hex(10)}
        if self.subcode is not None:
            err["error_subcode"] = self.subcode
        err["is_transient"] = self.is_transient
        if self.user_title:
            err["error_user_title"] = self.user_title
        if self.user_msg:
            err["error_user_msg"] = self.user_msg
        return {"error": err}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _cursor(media_id: str) -> str:
    return base64.urlsafe_b64encode(f"m:{media_id}".encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raw = ""
    if not raw.startswith("m:"):
        raise SandboxError("(#100) The after/before cursor is invalid", code=100)
    return raw[2:]


def _bad_field(name: str, node: str) -> SandboxError:
    return SandboxError(f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})", code=100)


def _no_object(obj_id: str, post: bool = False) -> SandboxError:
    kind = "post" if post else "get"
    return SandboxError(
        f"Unsupported {kind} request. Object with ID '{obj_id}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation.", code=100, subcode=33)


class Sandbox:
    """Everything the fake Instagram knows. Methods raise SandboxError for error answers."""

    def __init__(self, *, config: dict[str, Any] | None = None, state_file: str | os.PathLike[str] | None = None,
                 cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.lock = threading.RLock()
        self.stop_event = threading.Event()
        self.state_file = Path(state_file) if state_file else None
        if cache_dir is None:
            cache_dir = (str(self.state_file) + ".media") if self.state_file else tempfile.mkdtemp(prefix="igsandbox-")
        self.assets = AssetStore(Path(cache_dir))
        self._rng = random.Random()
        self._calls: deque[tuple[float, str]] = deque()
        self._reset_state(config)
        if self.state_file and self.state_file.exists():
            self._load()

    # ---------------------------------------------------------------------------------- state
    def _reset_state(self, config: dict[str, Any] | None = None) -> None:
        self.config = {**DEFAULT_CONFIG, **(config or {})}
        self.clock_offset = 0.0
        self.counter = 0
        self.users: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.containers: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.own_order: dict[str, list[str]] = {}
        self.ledger: list[dict[str, Any]] = []
        self.deleted: set[str] = set()
        self.extra_profiles: list[dict[str, Any]] = []
        self.latency: dict[str, float] = {}
        self.faults: list[dict[str, Any]] = []
        self._build_public()

    def reset(self, config: dict[str, Any] | None = None) -> None:
        with self.lock:
            self._reset_state(config)
            self.save()

    _PERSISTED = ("config", "clock_offset", "counter", "users", "tokens", "codes", "containers", "media",
                  "own_order", "ledger", "extra_profiles", "latency", "faults")

    def save(self) -> None:
        if not self.state_file:
            return
        with self.lock:
            data = {k: getattr(self, k) for k in self._PERSISTED}
            data["deleted"] = sorted(self.deleted)
            data["public_added"] = self.public_added
            tmp = self.state_file.with_suffix(".tmp")
            tmp.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data))
            tmp.replace(self.state_file)

    def _load(self) -> None:
        assert self.state_file is not None
        data = json.loads(self.state_file.read_text())
        with self.lock:
            for key in self._PERSISTED:
                if key in data:
                    setattr(self, key, data[key])
            self.config = {**DEFAULT_CONFIG, **self.config}
            self.deleted = set(data.get("deleted", []))
            self._build_public()
            for item in data.get("public_added", []):
                self._insert_public(item)

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

    # ---------------------------------------------------------------------------------- helpers
    def now(self) -> float:
        return time.time() + self.clock_offset

    def scaled(self, key: str) -> float:
        return float(self.config[key]) * float(self.config["time_scale"])

    def next_id(self, base: int = OBJECT_BASE) -> str:
        with self.lock:
            self.counter += 1
            return str(base + self.counter * 7 + self._rng.randint(0, 6))

    def record_call(self, user_id: str | None) -> tuple[float, float]:
        """Count a call for the usage headers: (app percent, user percent) over the last hour."""
        now = time.monotonic()
        with self.lock:
            self._calls.append((now, user_id or ""))
            while self._calls and self._calls[0][0] < now - 3600:
                self._calls.popleft()
            budget = max(1, int(self.config["app_call_budget"]))
            app = len(self._calls) * 100 / budget
            mine = sum(1 for _, u in self._calls if u == user_id) * 100 / max(1, budget // 10)
        return min(100.0, app), min(100.0, mine)

    def find_user(self, user_id: str) -> dict[str, Any] | None:
        return self.users.get(user_id) or self.public_users.get(user_id)

    def user_by_username(self, username: str) -> dict[str, Any] | None:
        for pool in (self.users, self.public_users):
            for u in pool.values():
                if u["username"].lower() == username.lower():
                    return u
        return None

    def find_media(self, media_id: str) -> dict[str, Any] | None:
        if media_id in self.deleted:
            return None
        return self.media.get(media_id) or self.public_media.get(media_id)

    def media_ids_of(self, user_id: str) -> list[str]:
        ids = self.own_order.get(user_id) if user_id in self.users else self.public_order.get(user_id, [])
        return [i for i in (ids or []) if i not in self.deleted]

    # ---------------------------------------------------------------------------------- accounts & tokens
    def create_user(self, username: str, *, name: str = "", business: bool = True) -> dict[str, Any]:
        with self.lock:
            existing = self.user_by_username(username)
            if existing and existing["id"] in self.users:
                return existing
            uid = self.next_id(OWN_USER_BASE)
            self.users[uid] = {
                "id": uid, "user_id": uid, "username": username, "name": name or username.replace("_", " ").title(),
                "biography": "A sandbox account.", "website": "", "followers_count": 100 + len(self.users) * 11,
                "follows_count": 42, "account_type": "BUSINESS" if business else "PERSONAL", "public": False,
            }
            self.own_order[uid] = []
            self.save()
            return self.users[uid]

    def issue_token(self, user_id: str, *, kind: str, scopes: list[str], login: str = "instagram",
                    age_seconds: float = 0.0, lifetime: float | None = None) -> dict[str, Any]:
        prefix = "EAA" if login == "facebook" else "IGAA"
        token = prefix + secrets.token_urlsafe(96).replace("-", "A").replace("_", "B")
        if lifetime is None:
            lifetime = self.scaled("short_token_lifetime" if kind == "short" else "long_token_lifetime")
        issued = self.now() - age_seconds
        row = {"user_id": user_id, "kind": kind, "scopes": list(scopes), "login": login, "issued_at": issued,
               "expires_at": issued + lifetime, "revoked": None}
        with self.lock:
            self.tokens[token] = row
            self.save()
        return {"access_token": token, **row, "expires_in": int(max(0, row["expires_at"] - self.now()))}

    def auth(self, token: str | None, need: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        if not token:
            raise SandboxError("An active access token must be used to query information about the current user.",
                               code=2500)
        row = self.tokens.get(token)
        if row is None:
            raise SandboxError("Invalid OAuth access token - Cannot parse access token", code=190)
        if row.get("revoked"):
            raise SandboxError("Error validating access token: The session has been invalidated because the user "
                               "changed their password or Facebook has changed the session for security reasons.",
                               code=190, subcode=int(row["revoked"]))
        if self.now() >= row["expires_at"]:
            raise SandboxError(f"Error validating access token: Session has expired on {_iso(row['expires_at'])}. "
                               f"The current time is {_iso(self.now())}.", code=190, subcode=463)
        if need and not (_SCOPE_NEEDS[need] & set(row["scopes"])):
            raise SandboxError("(#10) Application does not have permission for this action", code=10)
        user = self.users.get(row["user_id"])
        if user is None:
            raise SandboxError("Error validating access token: The user has not authorized application.",
                               code=190, subcode=458)
        return row, user

    def own_target(self, user: dict[str, Any], target: str, *, post: bool) -> None:
        if target not in ("me", user["id"]):
            raise _no_object(target, post)

    # ---------------------------------------------------------------------------------- OAuth
    def authorize(self, *, username: str, redirect_uri: str, scopes: list[str], login: str) -> str:
        user = self.create_user(username)
        code = "AQ" + secrets.token_urlsafe(48)
        with self.lock:
            self.codes[code] = {"user_id": user["id"], "redirect_uri": redirect_uri, "scopes": scopes, "login": login,
                                "expires_at": self.now() + self.scaled("code_lifetime"), "used": False}
            self.save()
        return code

    def redeem_code(self, *, client_id: str, client_secret: str, redirect_uri: str, code: str, oauth_shape: bool) -> dict[str, Any]:
        def fail(msg: str) -> SandboxError:
            return SandboxError(msg, code=400 if oauth_shape else 100, oauth_shape=oauth_shape)

        if client_id != self.config["app_id"]:
            raise fail("Invalid platform app")
        if client_secret != self.config["app_secret"]:
            raise fail("Error validating client secret.")
        with self.lock:
            row = self.codes.get(code.removesuffix("#_"))
            if row is None:
                raise fail("Invalid authorization code")
            if row["used"]:
                raise fail("This authorization code has been used")
            if self.now() >= row["expires_at"]:
                raise fail("This authorization code has expired")
            if row["redirect_uri"] != redirect_uri:
                raise fail("Error validating verification code. Please make sure your redirect_uri is identical to "
                           "the one you used in the OAuth dialog request")
            row["used"] = True
        return self.issue_token(row["user_id"], kind="short", scopes=row["scopes"], login=row["login"])

    def code_answer(self, tok: dict[str, Any]) -> dict[str, Any]:
        shape = self.config["oauth_response_shape"]
        perms: Any = tok["scopes"] if shape == "flat_list" else ",".join(tok["scopes"])
        row = {"access_token": tok["access_token"], "user_id": int(tok["user_id"]), "permissions": perms}
        return {"data": [row]} if shape == "wrapped" else row

    def exchange_long_lived(self, *, client_secret: str, token: str, client_id: str | None = None) -> dict[str, Any]:
        if client_secret != self.config["app_secret"] or (client_id is not None and client_id != self.config["app_id"]):
            raise SandboxError("Error validating client secret.", code=101)
        row, _user = self.auth(token)
        if row["kind"] != "short" and row["login"] == "instagram":
            raise SandboxError("(#100) Only a short-lived token can be exchanged for a long-lived one", code=100)
        tok = self.issue_token(row["user_id"], kind="long", scopes=row["scopes"], login=row["login"])
        return {"access_token": tok["access_token"], "token_type": "bearer", "expires_in": tok["expires_in"]}

    def refresh(self, token: str) -> dict[str, Any]:
        row, _user = self.auth(token)
        if row["kind"] != "long":
            raise SandboxError("(#100) Only a long-lived token can be refreshed", code=100)
        if self.now() - row["issued_at"] < self.scaled("refresh_min_age"):
            raise SandboxError("(#100) The access token cannot be refreshed until it is at least 24 hours old",
                               code=100)
        tok = self.issue_token(row["user_id"], kind="long", scopes=row["scopes"], login=row["login"])
        return {"access_token": tok["access_token"], "token_type": "bearer", "expires_in": tok["expires_in"]}

    # ---------------------------------------------------------------------------------- rendering
    def render_user(self, user: dict[str, Any], fields: list[Field], base: str, *, discovery: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields or [Field("id")]:
            name = f.name
            if name not in USER_FIELDS or (discovery and name in ("business_discovery", "account_type", "user_id")):
                raise _bad_field(name, "IGUser" if not discovery else "BusinessDiscovery")
            if name == "media_count":
                out[name] = len(self.media_ids_of(user["id"]))
            elif name == "profile_picture_url":
                out[name] = f"{base}/cdn/avatar/{user['id']}.jpg"
            elif name == "ig_id":
                out[name] = int(user["id"]) % 10**10
            elif name == "media":
                out["media"] = self.media_edge(user["id"], f, base, next_base=None if discovery else f"{base}/v25.0/{user['id']}/media")
            elif name == "business_discovery":
                continue  # handled by the caller, it needs the token's account
            elif name in user:
                out[name] = user[name]
        out.setdefault("id", user["id"])
        return out

    def media_edge(self, user_id: str, f: Field, base: str, *, next_base: str | None, token: str | None = None,
                   since: float | None = None, until: float | None = None) -> dict[str, Any]:
        ids = self.media_ids_of(user_id)
        all_ids = self.own_order.get(user_id) if user_id in self.users else self.public_order.get(user_id, [])
        if since is not None or until is not None:
            ids = [i for i in ids if (since is None or self.find_media(i)["timestamp"] >= since)
                   and (until is None or self.find_media(i)["timestamp"] <= until)]
        try:
            limit = max(1, min(100, int(f.args.get("limit", 25))))
        except ValueError:
            raise SandboxError("(#100) limit must be a number", code=100) from None
        start = 0
        if f.args.get("after") or f.args.get("before"):
            # Position by the full ordering so a deleted anchor still resumes at the right place.
            position = {mid: k for k, mid in enumerate(all_ids or [])}
            if f.args.get("after"):
                pos = position.get(_uncursor(f.args["after"]), -1)
                start = next((k for k, i in enumerate(ids) if position[i] > pos), len(ids))
            else:
                pos = position.get(_uncursor(f.args["before"]), 0)
                end = next((k for k, i in enumerate(ids) if position[i] >= pos), len(ids))
                start = max(0, end - limit)
        chunk = ids[start:start + limit]
        children = f.children or [Field("id")]
        out: dict[str, Any] = {"data": [self.render_media(self.find_media(i), children, base) for i in chunk]}
        if chunk:
            paging: dict[str, Any] = {"cursors": {"before": _cursor(chunk[0]), "after": _cursor(chunk[-1])}}
            if start + limit < len(ids):
                if next_base:
                    fields = ",".join(_field_text(c) for c in children)
                    query = f"fields={fields}&limit={limit}&after={paging['cursors']['after']}"
                    if token:
                        query = f"access_token={token}&" + query
                    paging["next"] = f"{next_base}?{query}"
                else:
                    # Nested edges are followed with media.after(cursor); the link only signals "there is more".
                    paging["next"] = f"{base}/v25.0/{user_id}/media?after={paging['cursors']['after']}"
            if start > 0 and next_base:
                paging["previous"] = f"{next_base}?limit={limit}&before={paging['cursors']['before']}"
            out["paging"] = paging
        return out

    def render_media(self, m: dict[str, Any] | None, fields: list[Field], base: str, *, nested: bool = False) -> dict[str, Any]:
        if m is None:
            return {}
        out: dict[str, Any] = {}
        owner = self.find_user(m["owner"]) or {}
        for f in fields or [Field("id")]:
            name = f.name
            if name not in MEDIA_FIELD_NAMES:
                raise _bad_field(name, "IGMedia")
            if name == "timestamp":
                out[name] = _iso(m["timestamp"])
            elif name == "permalink":
                out[name] = f"https://www.instagram.com/{'reel' if m.get('media_product_type') == 'REELS' else 'p'}/{m['shortcode']}/"
            elif name == "media_url":
                out[name] = self.media_url(m, base)
            elif name == "thumbnail_url":
                if m["media_type"] == "VIDEO":
                    out[name] = f"{base}/cdn/t/{m['id']}.jpg"
            elif name == "caption":
                if m.get("caption"):
                    out[name] = m["caption"]
            elif name == "like_count":
                if m.get("like_count") is not None:
                    out[name] = m["like_count"]
            elif name == "alt_text":
                if m.get("alt_text"):
                    out[name] = m["alt_text"]
            elif name == "username":
                out[name] = owner.get("username", "")
            elif name == "owner":
                out[name] = {"id": m["owner"]}
            elif name == "is_comment_enabled":
                out[name] = True
            elif name == "children":
                if m.get("children") and not nested:
                    kids = [self.find_media(c) for c in m["children"]]
                    out[name] = {"data": [self.render_media(k, f.children or [Field("id")], base, nested=True)
                                          for k in kids if k]}
            elif name == "comments":
                out[name] = {"data": [dict(c) for c in m.get("comments", [])]}
            elif name == "comments_count":
                out[name] = m.get("comments_count", 0)
            elif name in m:
                out[name] = m[name]
        out.setdefault("id", m["id"])
        return out

    def media_url(self, m: dict[str, Any], base: str) -> str | None:
        if m["media_type"] == "CAROUSEL_ALBUM":
            first = self.find_media(m["children"][0]) if m.get("children") else None
            return self.media_url(first, base) if first else None
        if m.get("upload"):
            return f"{base}/cdn/u/{m['upload']}"
        ext = "mp4" if m["media_type"] == "VIDEO" else "jpg"
        return f"{base}/cdn/p/{m['id']}.{ext}"

    # ---------------------------------------------------------------------------------- downloads
    def download(self, url: str, dest_name: str, *, max_bytes: int, video: bool) -> Path:
        """Fetch a media URL the way Instagram does; map failures to Meta's codes."""
        try:
            resp = requests.get(url, stream=True, timeout=float(self.config["download_timeout"]))
        except requests.Timeout:
            raise SandboxError("Media download timed out", code=-2, subcode=2207003, is_transient=True,
                               user_title="Media download timed out",
                               user_msg="The media could not be downloaded in time. Please try again.") from None
        except requests.RequestException:
            raise self._fetch_failed() from None
        with resp:
            if resp.status_code >= 400:
                raise self._fetch_failed()
            path = self.assets.path("u") / dest_name
            path.parent.mkdir(parents=True, exist_ok=True)
            size = 0
            try:
                with open(path, "wb") as fh:
                    for chunk in resp.iter_content(64 * 1024):
                        size += len(chunk)
                        if size > max_bytes:
                            break
                        fh.write(chunk)
            except requests.RequestException:
                raise self._fetch_failed() from None
        if size > max_bytes:
            path.unlink(missing_ok=True)
            if video:
                raise SandboxError("The video file is too large", code=352, subcode=2207026,
                                   user_title="Unsupported video format", user_msg="The video is larger than Instagram allows.")
            raise SandboxError("The image size is too large.", code=36000, subcode=2207004,
                               user_title="Image is too large",
                               user_msg="The image is too large to download. It should be less than 8 MiB.")
        return path

    @staticmethod
    def _fetch_failed() -> SandboxError:
        return SandboxError("Only photo or video can be accepted as media type.", code=9004, subcode=2207052,
                            user_title="Media download has failed.",
                            user_msg="The media could not be fetched from this URI. Please check that the URL is public.")

    def check_image(self, path: Path, *, feed: bool) -> None:
        try:
            with Image.open(path) as img:
                fmt, (w, h) = img.format, img.size
        except (OSError, Image.DecompressionBombError):
            fmt, w, h = None, 0, 0
        if fmt != "JPEG":
            path.unlink(missing_ok=True)
            raise SandboxError("The image format is not supported.", code=36001, subcode=2207005,
                               user_title="Unsupported image format",
                               user_msg="The image format is not supported. Only JPEG images are supported.")
        if feed and not (0.8 - 1e-3 <= w / h <= 1.91 + 1e-3):
            path.unlink(missing_ok=True)
            raise SandboxError("The aspect ratio is not supported.", code=36003, subcode=2207009,
                               user_title="Unsupported aspect ratio",
                               user_msg="The submitted image's aspect ratio isn't supported. It must be between 4:5 and 1.91:1.")

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

    def create_container(self, user: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        owner = user["id"]
        media_type = (params.get("media_type") or "").upper()
        is_item = str(params.get("is_carousel_item", "")).lower() == "true"
        if self._recent(list(self.containers.values()), owner, self.scaled("container_lifetime"), "created_at") >= int(self.config["container_limit"]):
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
        return sum(1 for r in self.ledger if r["account_id"] == owner and r["ts"] > window_start)

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
                     "ts": self.now(), "time": _iso(self.now())}
            self.ledger.append(entry)
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

    # ---------------------------------------------------------------------------------- comments & insights
    def add_comment(self, user: dict[str, Any], media_id: str, message: str) -> dict[str, Any]:
        with self.lock:
            m = self.find_media(media_id)
            if m is None or m["owner"] != user["id"] or m.get("parent"):
                raise _no_object(media_id, post=True)
            if not message:
                raise SandboxError("(#100) The parameter message is required", code=100)
            comment = {"id": self.next_id(), "text": message, "username": user["username"], "timestamp": _iso(self.now())}
            m.setdefault("comments", []).append(comment)
            m["comments_count"] = m.get("comments_count", 0) + 1
            self.save()
            return comment

    def insights(self, user: dict[str, Any], media_id: str, metrics: list[str]) -> dict[str, Any]:
        m = self.find_media(media_id)
        if m is None or m["owner"] != user["id"]:
            raise _no_object(media_id)
        if m.get("parent"):
            raise SandboxError("(#10) Insights are not available for carousel children", code=10)
        allowed = STORY_METRICS if m["media_product_type"] == "STORY" else FEED_METRICS
        if not metrics:
            raise SandboxError("(#100) The parameter metric is required", code=100)
        for name in metrics:
            if name in DEPRECATED_METRICS:
                raise SandboxError(f"(#100) Starting from v22.0 the {name} metric is no longer supported; use views.",
                                   code=100)
            if name not in allowed:
                raise SandboxError(f"(#100) metric[{metrics.index(name)}] must be one of the following values: "
                                   + ", ".join(sorted(allowed)), code=100)
        lagging = self.now() - m["timestamp"] < self.scaled("insights_lag")
        shape = self.config["insights_shape"]
        data = []
        for name in metrics:
            value = int(hashlib.sha256(f"{media_id}:{name}".encode()).hexdigest()[:6], 16) % 900 + 10
            row: dict[str, Any] = {"name": name, "period": "lifetime", "title": name.replace("_", " ").title(),
                                   "description": f"The number of {name.replace('_', ' ')} on this media.",
                                   "id": f"{media_id}/insights/{name}/lifetime"}
            use_total = shape == "total_value" or (shape == "mixed" and name in ("total_interactions", "shares"))
            if use_total:
                row["total_value"] = {} if lagging else {"value": value}
                if lagging:
                    row.pop("total_value")
                    row["values"] = []
            else:
                row["values"] = [] if lagging else [{"value": value}]
            data.append(row)
        return {"data": data}

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

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy({"config": self.config, "accounts": list(self.users.values()),
                                  "containers": len(self.containers), "media": len(self.media),
                                  "ledger": len(self.ledger), "clock_offset": self.clock_offset,
                                  "public_profiles": [u["username"] for u in self.public_users.values()]})


def _field_text(f: Field) -> str:
    text = f.name + "".join(f".{k}({v})" for k, v in f.args.items())
    if f.children:
        text += "{" + ",".join(_field_text(c) for c in f.children) + "}"
    return text


__all__ = ["Sandbox", "SandboxError", "DEFAULT_CONFIG", "IG_SCOPES", "FB_SCOPES"]
