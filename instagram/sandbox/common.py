"""Shared pieces of the sandbox: config defaults, scopes, the error envelope, the HTTP Response, ids and cursors."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from instagram.sandbox.state import Sandbox


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
    "app_call_budget": 20000,  # calls per usage window that X-App-Usage reports as 100 %; more are refused
    "account_call_budget": None,  # calls per account per window (X-Business-Use-Case-Usage); None: app budget / 10
    "usage_window_seconds": 3600,  # rolling window of the usage headers, on the sandbox clock
    "discovery_needs_facebook_login": False,  # True: Instagram Login tokens get Meta's "nonexisting field" error
    "cdn_url_lifetime": 0,  # > 0: media URLs carry oe=<hex expiry> and the CDN answers 403 after it (scaled)
    "app_limit_code": 4,  # error code once the app budget is used up
    "account_limit_code": 17,  # … once an account's budget is used up (4, 17, 32, 613 or 80002)
    "seed": 7,
    "large_profile": False,
}

IG_SCOPES = ["instagram_business_basic", "instagram_business_content_publish",
             "instagram_business_manage_insights", "instagram_business_manage_comments"]
FB_SCOPES = ["instagram_basic", "instagram_content_publish", "instagram_manage_insights",
             "instagram_manage_comments", "pages_read_engagement", "pages_show_list"]
SCOPE_NEEDS = {
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
# Account (IG user) insights asked per day as total_value. profile_views and the contact-button clicks were deprecated
# in v21.0 (January 2025), impressions in v22.0: the sandbox refuses them as Meta does.
ACCOUNT_METRICS = {"reach", "views", "accounts_engaged", "total_interactions", "likes", "comments", "shares", "saves",
                   "replies", "follows_and_unfollows", "profile_links_taps"}
ACCOUNT_DEPRECATED_METRICS = {"impressions", "profile_views", "email_contacts", "get_directions_clicks",
                              "phone_call_clicks", "text_message_clicks", "website_clicks"}
# A day's metric values of the sandbox's own accounts are drawn from this day number on (2026-01-01 = day 0).
ACCOUNT_SERIES_EPOCH = 1767225600

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


class Response:
    def __init__(self, status: int = 200, body: Any = None, *, headers: dict[str, str] | None = None,
                 raw: bytes | None = None, file: Path | None = None, content_type: str = "application/json; charset=UTF-8") -> None:
        self.status, self.body, self.headers, self.raw, self.file = status, body, headers or {}, raw, file
        self.content_type = content_type
        self.truncate_to: int | None = None  # CDN fault: send this many bytes of the body, then hang up


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def make_cursor(media_id: str) -> str:
    return base64.urlsafe_b64encode(f"m:{media_id}".encode()).decode().rstrip("=")


def read_cursor(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raw = ""
    if not raw.startswith("m:"):
        raise SandboxError("(#100) The after/before cursor is invalid", code=100)
    return raw[2:]


def bad_field(name: str, node: str) -> SandboxError:
    return SandboxError(f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})", code=100)


def no_object(obj_id: str, post: bool = False) -> SandboxError:
    kind = "post" if post else "get"
    return SandboxError(
        f"Unsupported {kind} request. Object with ID '{obj_id}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation.", code=100, subcode=33)


def owned_user(sb: Sandbox, token: str | None, obj: str, need: str, *, post: bool) -> dict[str, Any]:
    _row, user = sb.auth(token, need)
    sb.own_target(user, obj, post=post)
    return user
