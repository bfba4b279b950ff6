"""Typed results of Graph API calls: a page of an edge, container status, publishing quota, tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from instagram.usage import Usage

__all__ = ["AccountDay", "DiscoveryPage", "Page", "ContainerStatus", "PublishingLimit", "ShortLivedToken", "LongLivedToken"]


@dataclass(frozen=True)
class Page:
    """One page of a cursor-paginated edge. `next_url` is None on the last page."""

    data: list[dict[str, Any]]
    next_url: str | None = None
    after: str | None = None
    before: str | None = None
    usage: Usage | None = None  # the usage headers of the answer this page came in

    @property
    def has_next(self) -> bool:
        """More items follow; ask again with `after` (an empty page may still have a next one)."""
        return bool(self.next_url and self.after)


@dataclass(frozen=True)
class ContainerStatus:
    id: str
    status_code: str  # EXPIRED, ERROR, FINISHED, IN_PROGRESS, PUBLISHED
    status: str = ""  # on ERROR carries Meta's description with the error subcode

    @property
    def subcode(self) -> int | None:
        match = re.search(r"\b(2207\d{3})\b", self.status or "")
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class PublishingLimit:
    quota_usage: int
    quota_total: int
    quota_duration: int

    @property
    def remaining(self) -> int:
        return max(0, self.quota_total - self.quota_usage)


@dataclass(frozen=True)
class ShortLivedToken:
    access_token: str = field(repr=False)
    user_id: str
    permissions: list[str]
    expires_in: int | None = None


@dataclass(frozen=True)
class LongLivedToken:
    access_token: str = field(repr=False)
    token_type: str
    expires_in: int | None


@dataclass(frozen=True)
class DiscoveryPage:
    """One Business Discovery answer: the public profile and one page of its media (resume with `page.after`)."""

    profile: dict[str, Any]
    page: Page

    @property
    def usage(self) -> Usage | None:
        return self.page.usage


@dataclass(frozen=True)
class AccountDay:
    """One account's figures for one day (``since`` ≤ t < ``until``); None = Instagram has no data (not zero)."""

    followers_count: int | None
    media_count: int | None
    reach: int | None
    views: int | None
    accounts_engaged: int | None
    total_interactions: int | None
