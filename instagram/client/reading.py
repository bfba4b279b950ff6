"""Reading calls of GraphClient: media pages, comments, Business Discovery, insights."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from instagram.client.fields import (
    ACCOUNT_INSIGHT_METRICS,
    CHILDREN_FIELDS,
    DEFAULT_INSIGHT_METRICS,
    DISCOVERY_MEDIA_FIELDS,
    DISCOVERY_PROFILE_FIELDS,
    MEDIA_FIELDS,
    csv,
)
from instagram.client.pagination import page_from, paginate, paginate_pages
from instagram.client.results import AccountDay, DiscoveryPage, Page

__all__ = ["ReadingCalls", "USERNAME_RE", "is_username"]


USERNAME_RE = re.compile(r"[A-Za-z0-9._]{1,30}")


def is_username(value: str) -> bool:
    """Instagram usernames: 1–30 letters, digits, periods and underscores."""
    return bool(USERNAME_RE.fullmatch(value or ""))


class ReadingCalls:
    """Mixed into GraphClient, which provides `get`, `post` and `last_usage`."""

    get: Any
    post: Any
    last_usage: Any

    # --- reading ----------------------------------------------------------------------------------

    def list_media_pages(
        self,
        ig_user_id: str = "me",
        *,
        fields: Iterable[str] | str = MEDIA_FIELDS,
        limit: int = 25,
        after: str | None = None,
        since: int | None = None,
        until: int | None = None,
        max_pages: int | None = None,
    ) -> Iterator[Page]:
        params = {"fields": csv(fields), "limit": limit, "after": after, "since": since, "until": until}
        first = self.get(f"{ig_user_id}/media", {k: v for k, v in params.items() if v is not None}, endpoint="list_media")
        return paginate_pages(self, first, max_pages=max_pages)

    def list_media(self, ig_user_id: str = "me", **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Iterate the account's media, newest first, across all pages (lazily: one request per page)."""
        for page in self.list_media_pages(ig_user_id, **kwargs):
            yield from page.data

    def get_media(self, media_id: str, fields: Iterable[str] | str = MEDIA_FIELDS) -> dict[str, Any]:
        return self.get(media_id, {"fields": csv(fields)}, endpoint="get_media")

    def post_comment(self, media_id: str, message: str) -> str:
        """Comment on a media (the "first comment"); returns the comment id."""
        return str(self.post(f"{media_id}/comments", {"message": message}, endpoint="post_comment")["id"])

    def list_comments(self, media_id: str, fields: str = "id,text,username,timestamp") -> Iterator[dict[str, Any]]:
        return paginate(self, self.get(f"{media_id}/comments", {"fields": fields}, endpoint="list_comments"))

    def media_page(
        self,
        ig_user_id: str = "me",
        *,
        after: str | None = None,
        limit: int = 25,
        fields: Iterable[str] | str = MEDIA_FIELDS,
        since: int | None = None,
        until: int | None = None,
    ) -> Page:
        """One page of `/{ig-user-id}/media` (default: the token's own account, `/me/media`), newest first with
        pinned posts on top. Resume with `after=page.after` while `page.has_next` — one call per page."""
        params = {"fields": csv(fields), "limit": limit, "after": after, "since": since, "until": until}
        payload = self.get(f"{ig_user_id}/media", {k: v for k, v in params.items() if v is not None}, endpoint="list_media")
        return page_from(payload, self.last_usage)

    def media_children(self, media_id: str, fields: Iterable[str] | str = CHILDREN_FIELDS) -> list[dict[str, Any]]:
        """The items of one of the account's own carousels (`/{media-id}/children`), in carousel order."""
        return list(paginate(self, self.get(f"{media_id}/children", {"fields": csv(fields)}, endpoint="list_children")))

    def business_discovery(
        self,
        ig_user_id: str,
        username: str,
        *,
        after: str | None = None,
        limit: int = 25,
        profile_fields: str = DISCOVERY_PROFILE_FIELDS,
        media_fields: str = DISCOVERY_MEDIA_FIELDS,
    ) -> dict[str, Any]:
        """One Business Discovery call: the public profile plus one page of its media under `media`."""
        if not is_username(username):
            raise ValueError(f"not an Instagram username: {username!r}")
        edge = "media" + (f".after({after})" if after else "") + f".limit({int(limit)})"
        fields = f"business_discovery.username({username}){{{profile_fields},{edge}{{{media_fields}}}}}"
        payload = self.get(ig_user_id, {"fields": fields}, endpoint="business_discovery")
        return dict(payload.get("business_discovery") or {})

    def business_discovery_profile(
        self, ig_user_id: str, username: str, *, fields: str = DISCOVERY_PROFILE_FIELDS,
    ) -> dict[str, Any]:
        """The public profile alone (no media edge): one cheap call to check a username before archiving.

        Raises ValueError for a string that cannot be a username, errors.ProfileNotFound when no
        Business/Creator account has it, errors.RateLimited (with `.usage`) when throttled.
        """
        if not is_username(username):
            raise ValueError(f"not an Instagram username: {username!r}")
        payload = self.get(ig_user_id, {"fields": f"business_discovery.username({username}){{{fields}}}"},
                           endpoint="business_discovery")
        return dict(payload.get("business_discovery") or {})

    def business_discovery_page(
        self, ig_user_id: str, username: str, *, after: str | None = None, limit: int = 25, **kwargs: Any,
    ) -> DiscoveryPage:
        """One call: the profile and one page of its media, starting after the cursor `after` (None: the top,
        pinned posts first). Continue with `after=result.page.after` while `result.page.has_next`."""
        profile = self.business_discovery(ig_user_id, username, after=after, limit=limit, **kwargs)
        page = page_from(profile.pop("media", None) or {}, self.last_usage)
        return DiscoveryPage(profile=profile, page=page)

    def business_discovery_pages(
        self, ig_user_id: str, username: str, *, after: str | None = None, limit: int = 25,
        max_pages: int | None = None, **kwargs: Any,
    ) -> Iterator[tuple[dict[str, Any], Page]]:
        """Yield (profile, media page) pairs, re-asking with `media.after(cursor)` while `paging.next` exists.

        Nested edges cannot be followed by URL, so the cursor goes back into the field expression.
        Persist `page.after` to resume an interrupted fetch (but not for long: cursors expire).
        """
        count = 0
        while True:
            result = self.business_discovery_page(ig_user_id, username, after=after, limit=limit, **kwargs)
            count += 1
            yield result.profile, result.page
            if not result.page.has_next or (max_pages is not None and count >= max_pages):
                return
            after = result.page.after

    def business_discovery_media(self, ig_user_id: str, username: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for _profile, page in self.business_discovery_pages(ig_user_id, username, **kwargs):
            yield from page.data

    def media_insights(self, media_id: str, metrics: Iterable[str] = DEFAULT_INSIGHT_METRICS) -> dict[str, int | None]:
        """Metric name → value; None when Instagram has no data yet (an empty list is not zero)."""
        payload = self.get(f"{media_id}/insights", {"metric": csv(metrics)}, endpoint="media_insights")
        return _insight_values(payload)

    def account_insights(self, ig_user_id: str, *, since: int, until: int,
                         metrics: Iterable[str] = ACCOUNT_INSIGHT_METRICS) -> dict[str, int | None]:
        """The account's totals between two unix times (period=day, metric_type=total_value); None = no data."""
        payload = self.get(f"{ig_user_id}/insights", {"metric": csv(metrics), "period": "day",
                                                      "metric_type": "total_value", "since": since, "until": until},
                           endpoint="account_insights")
        return _insight_values(payload)

    def account_day(self, ig_user_id: str, *, since: int, until: int, insights: bool = True) -> AccountDay:
        """Two calls: the profile's followers/media counts (now) and, when ``insights``, the day's account insights.

        ``insights=False`` for a token without the insights permission: the counts still come.
        """
        profile = self.profile(ig_user_id, "id,followers_count,media_count")
        values = self.account_insights(ig_user_id, since=since, until=until) if insights else {}
        return AccountDay(followers_count=_int(profile.get("followers_count")), media_count=_int(profile.get("media_count")),
                          reach=values.get("reach"), views=values.get("views"),
                          accounts_engaged=values.get("accounts_engaged"),
                          total_interactions=values.get("total_interactions"))


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) else None


def _insight_values(payload: Mapping[str, Any]) -> dict[str, int | None]:
    result: dict[str, int | None] = {}
    for row in payload.get("data") or []:
        name = row.get("name")
        if not name:
            continue
        value: Any = None
        if isinstance(row.get("total_value"), Mapping):
            value = row["total_value"].get("value")
        elif row.get("values"):
            value = row["values"][-1].get("value")
        result[name] = int(value) if isinstance(value, (int, float)) else None
    return result
