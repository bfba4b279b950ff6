"""RunningSandbox: the sandbox on a free loopback port in a background thread, for tests.

    with RunningSandbox(config={"video_processing_seconds": 0}) as sb:
        acct = sb.create_account("acme_brand")       # {"ig_user_id", "access_token", "username", ...}
        client = sb.graph_client(acct["access_token"])
        cid = client.create_image_container(acct["ig_user_id"], sb.image_url(1080, 1080))
        client.media_publish(acct["ig_user_id"], cid)
        assert len(sb.ledger()) == 1

API (everything else goes through `control()`; see docs/sandbox.md):
    RunningSandbox(config=None, *, state_file=None, cache_dir=None)   start()/stop() or use as a context manager
                              (generated media files live in cache_dir; without one, a temp dir removed by stop())
    .url                      base URL, e.g. http://127.0.0.1:54321 (graph, OAuth and CDN all live here)
    .api_version              "v25.0"
    .sandbox                  the in-process Sandbox state (read-only use in assertions, please)
    .control(method, path, json=None) -> dict     e.g. control("POST", "faults", {...})
    .reset(config=None)       forget everything, optionally with new config
    .configure(**config)      change config knobs (time_scale, quota_total, video_processing_seconds, ...)
    .advance_clock(seconds)   move the sandbox's clock forward
    .set_latency(endpoint, ms)           endpoint name or "*" (all) or "cdn"
    .inject_fault(endpoint, **spec) -> dict   spec: code, subcode, is_transient, http_status, message, user_msg,
                              timeout=True (+sleep_seconds), times=N / once=True, probability=p,
                              phase="before"|"after" (after: the action happens, then the error is returned),
                              regain_minutes (rate-limit wait in the usage header)
    .clear_faults()
    .create_account(username, **kw) -> dict   kw: scopes, login, token_age_seconds, expires_in, name
    .ledger(account_id=None) -> list[dict]   every successful media_publish
    .delete_media(media_id)
    .image_url(w, h, fmt="JPEG", pad=0) -> str   a CDN URL serving a generated image (for publish tests)
    .graph_client(token, **kw) / .oauth_client(redirect_uri, **kw)   clients pointed at this sandbox

  Archive scenarios (profiles, CDN, usage; see docs/sandbox.md "Archive scenarios"):
    .add_profile(username, posts=30, **spec) -> dict  spec: media, pinned (≤ 3), creator, business=False (personal),
                              licensed_audio, feed_videos, name, biography, followers → profile summary
    .profile(username) -> dict  {"ig_user_id","username","account_type","media_count","media_ids" (/media order),
                              "pinned","deleted"}
    .add_posts(username, count=1, kind="image"|"video"|"reel"|"carousel", pin=False) -> list[str]  (public or own)
    .pin(username, media_ids) / .rename(username, new_username) / .patch_media(media_id, **changes)
    .generate_history(ig_user_id, posts=30, **spec) -> dict   a connected account's past posts for /me/media
    .calls() -> dict / .api_calls(endpoint=None) -> int / .cdn_calls(media_id=None) -> int / .reset_calls()
    .usage() -> dict / .reset_usage() / .fill_usage(calls, account_id=None)
    .cdn_fault(kind, media_ids=None, fraction=None, **kw) -> dict   kind: 404, 403, 500, corrupt, truncate
    .clear_cdn_faults()
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlencode

import requests

from instagram.client import GraphClient, OAuthClient
from instagram.sandbox.server import SandboxHTTPServer, make_server
from instagram.sandbox.state import Sandbox


class RunningSandbox:
    api_version = "v25.0"

    def __init__(self, config: dict[str, Any] | None = None, *, state_file: str | None = None,
                 cache_dir: str | None = None) -> None:
        self.sandbox = Sandbox(config=config, state_file=state_file, cache_dir=cache_dir)
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._http = requests.Session()
        self.url = ""

    def start(self) -> RunningSandbox:
        self._server = make_server("127.0.0.1", 0, self.sandbox)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="ig-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.sandbox.stop_event.set()  # wakes handlers sleeping in latency/timeout faults
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self.sandbox.close()
        self._http.close()
        self._server = None

    def __enter__(self) -> RunningSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- control ----------------------------------------------------------------------------------
    def control(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        resp = self._http.request(method, f"{self.url}/_control/{path.lstrip('/')}", json=json, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def reset(self, config: dict[str, Any] | None = None) -> None:
        self.control("POST", "reset", {"config": config or {}})

    def configure(self, **config: Any) -> dict[str, Any]:
        return self.control("POST", "config", config)

    def advance_clock(self, seconds: float) -> None:
        self.control("POST", "clock", {"advance_seconds": seconds})

    def set_latency(self, endpoint: str, ms: float) -> None:
        self.control("POST", "latency", {"endpoint": endpoint, "ms": ms})

    def inject_fault(self, endpoint: str, **spec: Any) -> dict[str, Any]:
        return self.control("POST", "faults", {"endpoint": endpoint, **spec})

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def create_account(self, username: str, **kwargs: Any) -> dict[str, Any]:
        return self.control("POST", "accounts", {"username": username, **kwargs})

    def ledger(self, account_id: str | None = None) -> list[dict[str, Any]]:
        return self.control("GET", "ledger" + (f"?account_id={account_id}" if account_id else ""))["data"]

    def delete_media(self, media_id: str) -> None:
        self.control("DELETE", f"media/{media_id}")

    def image_url(self, w: int = 1080, h: int = 1080, fmt: str = "JPEG", pad: int = 0) -> str:
        return f"{self.url}/cdn/gen?{urlencode({'w': w, 'h': h, 'format': fmt, 'pad': pad})}"

    # --- archive scenarios ------------------------------------------------------------------------
    def add_profile(self, username: str, posts: int = 30, **spec: Any) -> dict[str, Any]:
        return self.control("POST", "profiles", {"username": username, "posts": posts, **spec})

    def profile(self, username: str) -> dict[str, Any]:
        return self.control("GET", f"profiles/{username}")

    def add_posts(self, username: str, count: int = 1, *, kind: str = "image", pin: bool = False) -> list[str]:
        return self.control("POST", f"profiles/{username}/posts", {"count": count, "kind": kind, "pin": pin})["ids"]

    def pin(self, username: str, media_ids: list[str]) -> list[str]:
        return self.control("POST", f"profiles/{username}/pin", {"media_ids": list(media_ids)})["pinned"]

    def rename(self, username: str, new_username: str) -> dict[str, Any]:
        return self.control("POST", f"profiles/{username}/rename", {"username": new_username})

    def patch_media(self, media_id: str, **changes: Any) -> dict[str, Any]:
        return self.control("POST", f"media/{media_id}", changes)

    def generate_history(self, ig_user_id: str, posts: int = 30, **spec: Any) -> dict[str, Any]:
        return self.control("POST", f"accounts/{ig_user_id}/posts", {"posts": posts, **spec})

    def calls(self) -> dict[str, Any]:
        return self.control("GET", "calls")

    def api_calls(self, endpoint: str | None = None) -> int:
        counts = self.calls()
        return counts["total"] if endpoint is None else counts["by_endpoint"].get(endpoint, 0)

    def cdn_calls(self, media_id: str | None = None) -> int:
        counts = self.calls()
        return counts["cdn_total"] if media_id is None else counts["cdn_by_media"].get(media_id, 0)

    def reset_calls(self) -> None:
        self.control("DELETE", "calls")

    def usage(self) -> dict[str, Any]:
        return self.control("GET", "usage")

    def reset_usage(self) -> None:
        self.control("DELETE", "usage")

    def fill_usage(self, calls: int, account_id: str | None = None) -> dict[str, Any]:
        return self.control("POST", "usage", {"calls": calls, "account_id": account_id})

    def cdn_fault(self, kind: str, media_ids: list[str] | None = None, fraction: float | None = None,
                  **spec: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind, **spec}
        if media_ids is not None:
            body["media_ids"] = list(media_ids)
        if fraction is not None:
            body["fraction"] = fraction
        return self.control("POST", "cdn/faults", body)

    def clear_cdn_faults(self) -> None:
        self.control("DELETE", "cdn/faults")

    # --- clients ----------------------------------------------------------------------------------
    def graph_client(self, access_token: str, **kwargs: Any) -> GraphClient:
        kwargs.setdefault("timeout", (2.0, 10.0))
        return GraphClient(access_token, graph_base_url=self.url, api_version=self.api_version, **kwargs)

    def oauth_client(self, redirect_uri: str = "http://testserver/callback", **kwargs: Any) -> OAuthClient:
        kwargs.setdefault("timeout", (2.0, 10.0))
        app = self.sandbox.config
        return OAuthClient(app["app_id"], app["app_secret"], redirect_uri, oauth_base_url=self.url,
                           api_base_url=self.url, graph_base_url=self.url, api_version=self.api_version, **kwargs)
