"""The sandbox's in-memory Instagram: the Sandbox class, its persistence and lookups; topics live in mixins.

The topics are in their own modules (oauth, publishing, downloads, reading, insights, discovery), each a
mixin of Sandbox next to the HTTP handlers of that topic; server.py routes requests to them.

All mutations happen under one re-entrant lock; slow work (downloads) happens outside it. With a
state file, everything that cannot be regenerated from the seed is written after each mutation, so a
restarted sandbox still knows its tokens, containers and the publish ledger.
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from instagram.sandbox.common import (
    DEFAULT_CONFIG,
    FB_SCOPES,
    IG_SCOPES,
    OBJECT_BASE,
    SandboxError,
)
from instagram.sandbox.discovery import DiscoveryState
from instagram.sandbox.downloads import DownloadState
from instagram.sandbox.insights import InsightsState
from instagram.sandbox.media import AssetStore
from instagram.sandbox.oauth import OAuthState
from instagram.sandbox.publishing import PublishingState
from instagram.sandbox.reading import ReadingState
from instagram.sandbox.usage import UsageState


class Sandbox(OAuthState, PublishingState, DownloadState, ReadingState, InsightsState, DiscoveryState,
              UsageState):
    """Everything the fake Instagram knows. Methods raise SandboxError for error answers."""

    def __init__(self, *, config: dict[str, Any] | None = None, state_file: str | os.PathLike[str] | None = None,
                 cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.lock = threading.RLock()
        self.stop_event = threading.Event()
        self.state_file = Path(state_file) if state_file else None
        # A cache dir the sandbox made for itself (no state file, none given) is removed by close().
        self.temp_cache = cache_dir is None and self.state_file is None
        if cache_dir is None:
            cache_dir = (str(self.state_file) + ".media") if self.state_file else tempfile.mkdtemp(prefix="igsandbox-")
        self.assets = AssetStore(Path(cache_dir))
        self._rng = random.Random()
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
        self.pins: dict[str, list[str]] = {}  # user id → pinned post ids, listed first by /media
        self.renames: dict[str, str] = {}  # public profile id → new username
        self.media_patches: dict[str, dict[str, Any]] = {}  # public media id → changed fields
        self.cdn_faults: list[dict[str, Any]] = []
        self._reset_usage()
        self._build_public()

    def reset(self, config: dict[str, Any] | None = None) -> None:
        with self.lock:
            self._reset_state(config)
            self.save()

    _PERSISTED = ("config", "clock_offset", "counter", "users", "tokens", "codes", "containers", "media",
                  "own_order", "ledger", "extra_profiles", "latency", "faults", "pins", "renames", "media_patches",
                  "cdn_faults")

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

    def close(self) -> None:
        """Wake sleeping handlers and drop a temporary media cache."""
        self.stop_event.set()
        if self.temp_cache:
            shutil.rmtree(self.assets.root, ignore_errors=True)

    # ---------------------------------------------------------------------------------- helpers
    def now(self) -> float:
        return time.time() + self.clock_offset

    def scaled(self, key: str) -> float:
        return float(self.config[key]) * float(self.config["time_scale"])

    def next_id(self, base: int = OBJECT_BASE) -> str:
        with self.lock:
            self.counter += 1
            return str(base + self.counter * 7 + self._rng.randint(0, 6))

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

    def ordered_ids(self, user_id: str) -> list[str]:
        """Post ids in /media order, deleted ones included: pinned posts first, then newest first."""
        ids = (self.own_order.get(user_id) if user_id in self.users else self.public_order.get(user_id)) or []
        pins = self.pins.get(user_id)
        if not pins:
            return list(ids)
        present = set(ids)
        pinned = [p for p in pins if p in present]
        skip = set(pinned)
        return pinned + [i for i in ids if i not in skip]

    def media_ids_of(self, user_id: str) -> list[str]:
        return [i for i in self.ordered_ids(user_id) if i not in self.deleted]

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy({"config": self.config, "accounts": list(self.users.values()),
                                  "containers": len(self.containers), "media": len(self.media),
                                  "ledger": len(self.ledger), "clock_offset": self.clock_offset,
                                  "public_profiles": [u["username"] for u in self.public_users.values()]})


__all__ = ["Sandbox", "SandboxError", "DEFAULT_CONFIG", "IG_SCOPES", "FB_SCOPES"]
