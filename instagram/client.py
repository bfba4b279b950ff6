"""HTTP client for the Instagram Graph API (Instagram Login or Facebook Login hosts) and its OAuth flows.

Plain Python on a requests Session: base URLs, API version and timeouts are constructor arguments, so
the same code talks to graph.instagram.com, graph.facebook.com or the offline sandbox. Tokens travel
in the Authorization header where the API allows it and are masked everywhere text is produced
(logs, exception messages, reprs), because URLs and errors end up in logs and error pages.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

import requests

from instagram.errors import OAuthError, Transient, classify, classify_oauth
from instagram.usage import Usage, parse_usage_headers

__all__ = [
    "GraphClient",
    "OAuthClient",
    "Page",
    "ContainerStatus",
    "PublishingLimit",
    "ShortLivedToken",
    "LongLivedToken",
    "paginate",
    "paginate_pages",
    "redact",
    "PROFILE_FIELDS",
    "MEDIA_FIELDS",
    "DEFAULT_INSIGHT_METRICS",
]

log = logging.getLogger("instagram.client")

Login = Literal["instagram", "facebook"]
Timeout = float | tuple[float, float]

PROFILE_FIELDS = "id,user_id,username,name,biography,followers_count,follows_count,media_count,profile_picture_url,website"
MEDIA_FIELDS = (
    "id,caption,timestamp,permalink,shortcode,media_type,media_product_type,media_url,thumbnail_url,"
    "like_count,comments_count,alt_text,children{id,media_type,media_url,thumbnail_url}"
)
DISCOVERY_PROFILE_FIELDS = "id,username,name,biography,website,profile_picture_url,followers_count,follows_count,media_count"
DISCOVERY_MEDIA_FIELDS = (
    "id,caption,like_count,comments_count,media_url,thumbnail_url,permalink,timestamp,media_type,"
    "media_product_type,children{id,media_url,media_type,thumbnail_url}"
)
DEFAULT_INSIGHT_METRICS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")

# Query/form parameters whose values are secrets; masked wherever a URL or message is turned into text.
_SECRET_PARAMS = ("access_token", "input_token", "client_secret", "fb_exchange_token", "code", "refresh_token")
_SECRET_PARAM_RE = re.compile(r"((?:{})=)[^&\s#\"']+".format("|".join(_SECRET_PARAMS)), re.IGNORECASE)
_AUTH_HEADER_RE = re.compile(r"((?:Bearer|OAuth)\s+)[A-Za-z0-9._\-|%]+", re.IGNORECASE)


def redact(text: str, *secrets: str | None) -> str:
    """Mask secret query parameters, auth headers and any of the given literal secrets in text."""
    text = _SECRET_PARAM_RE.sub(r"\1***", text)
    text = _AUTH_HEADER_RE.sub(r"\1***", text)
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "***")
    return text


class _RedactingFilter(logging.Filter):
    """urllib3 logs full request lines (query strings included) at DEBUG; mask the secrets in them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is not ours to fix; let logging report it
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_urllib3_log = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, _RedactingFilter) for f in _urllib3_log.filters):
    _urllib3_log.addFilter(_RedactingFilter())


def _mask_token(token: str | None) -> str:
    return f"{token[:4]}…({len(token)} chars)" if token else "<none>"


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a cursor-paginated edge. `next_url` is None on the last page."""

    data: list[dict[str, Any]]
    next_url: str | None = None
    after: str | None = None
    before: str | None = None


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


# --------------------------------------------------------------------------------------------------
# Transport shared by both clients
# --------------------------------------------------------------------------------------------------


class _Transport:
    def __init__(self, *, timeout: Timeout, session: requests.Session | None) -> None:
        self.timeout = timeout
        self.session = session or requests.Session()
        self.last_usage: Usage | None = None

    def _secrets(self) -> tuple[str | None, ...]:
        return ()

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        endpoint: str,
        oauth_shape: bool = False,
        secrets: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        masked = (*self._secrets(), *secrets)
        started = time.monotonic()
        try:
            resp = self.session.request(method, url, params=params, data=data, headers=headers, timeout=self.timeout)
        except requests.Timeout as exc:
            log.warning("instagram %s timed out after %.1fs", endpoint, time.monotonic() - started)
            raise Transient(f"Timed out calling Instagram ({endpoint}): {redact(str(exc), *masked)}",
                            user_message="Instagram did not answer in time; the request will be retried.") from None
        except requests.RequestException as exc:
            log.warning("instagram %s network error: %s", endpoint, type(exc).__name__)
            raise Transient(f"Network error calling Instagram ({endpoint}): {redact(str(exc), *masked)}",
                            user_message="Instagram could not be reached; the request will be retried.") from None
        elapsed_ms = (time.monotonic() - started) * 1000
        usage = parse_usage_headers(resp.headers)
        if usage is not None:
            self.last_usage = usage
        log.info("instagram %s %s -> %s in %.0f ms", method, endpoint, resp.status_code, elapsed_ms)
        try:
            payload: Any = resp.json()
        except ValueError:
            payload = None
        if resp.status_code >= 400 or (isinstance(payload, dict) and "error" in payload and oauth_shape is False):
            exc = classify_oauth(payload, resp.status_code) if oauth_shape else classify(payload, resp.status_code, resp.headers)
            # Some hosts echo the token back in error text; never let it into exception messages.
            exc.message = redact(exc.message, *masked)
            exc.args = (str(exc),)
            log.warning("instagram %s failed: %s %s", endpoint, type(exc).__name__, exc)
            raise exc
        if not isinstance(payload, dict):
            raise Transient(f"Instagram answered {endpoint} with something that is not JSON (HTTP {resp.status_code}).",
                            http_status=resp.status_code)
        return payload


# --------------------------------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------------------------------


def _page_from(payload: Mapping[str, Any]) -> Page:
    paging = payload.get("paging") or {}
    cursors = paging.get("cursors") or {}
    return Page(
        data=list(payload.get("data") or []),
        next_url=paging.get("next") or None,
        after=cursors.get("after"),
        before=cursors.get("before"),
    )


def paginate_pages(client: GraphClient, first: Mapping[str, Any], *, max_pages: int | None = None) -> Iterator[Page]:
    """Yield pages starting from an already-fetched first answer, following `paging.next`.

    Stops only when `next` is absent: an empty page may still have a next one.
    """
    page = _page_from(first)
    count = 1
    yield page
    while page.next_url and (max_pages is None or count < max_pages):
        page = _page_from(client.get_url(page.next_url, endpoint="next_page"))
        count += 1
        yield page


def paginate(client: GraphClient, first: Mapping[str, Any], *, max_pages: int | None = None) -> Iterator[dict[str, Any]]:
    """Yield the items of every page (see paginate_pages)."""
    for page in paginate_pages(client, first, max_pages=max_pages):
        yield from page.data


# --------------------------------------------------------------------------------------------------
# Graph API client
# --------------------------------------------------------------------------------------------------


def _csv(values: Iterable[str] | str) -> str:
    return values if isinstance(values, str) else ",".join(values)


class GraphClient(_Transport):
    """Calls on behalf of one access token. Every method raises a subclass of GraphAPIError on failure."""

    def __init__(
        self,
        access_token: str,
        *,
        graph_base_url: str = "https://graph.instagram.com",
        api_version: str = "v25.0",
        login: Login = "instagram",
        timeout: Timeout = (5.0, 30.0),
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(timeout=timeout, session=session)
        if not access_token:
            raise ValueError("GraphClient needs an access token")
        self._token = access_token
        self.graph_base_url = graph_base_url.rstrip("/")
        self.api_version = api_version
        self.login = login

    def __repr__(self) -> str:
        return f"GraphClient({self.graph_base_url}/{self.api_version}, login={self.login}, token={_mask_token(self._token)})"

    def _secrets(self) -> tuple[str | None, ...]:
        return (self._token,)

    def _url(self, path: str) -> str:
        return f"{self.graph_base_url}/{self.api_version}/{path.lstrip('/')}"

    def _auth(self) -> dict[str, str]:
        # A header keeps the token out of URLs, which urllib3 and proxies log.
        return {"Authorization": f"Bearer {self._token}"}

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, endpoint: str | None = None) -> dict[str, Any]:
        return self._send("GET", self._url(path), params=params, headers=self._auth(), endpoint=endpoint or path)

    def post(self, path: str, data: Mapping[str, Any] | None = None, *, endpoint: str | None = None) -> dict[str, Any]:
        clean = {k: v for k, v in (data or {}).items() if v is not None}
        return self._send("POST", self._url(path), data=clean, headers=self._auth(), endpoint=endpoint or path)

    def get_url(self, url: str, *, endpoint: str = "next_page") -> dict[str, Any]:
        """GET an absolute URL Instagram gave us (paging.next)."""
        return self._send("GET", url, headers=self._auth(), endpoint=endpoint)

    # --- profile ----------------------------------------------------------------------------------

    def profile(self, ig_user_id: str = "me", fields: Iterable[str] | str = PROFILE_FIELDS) -> dict[str, Any]:
        return self.get(ig_user_id, {"fields": _csv(fields)}, endpoint="profile")

    def me(self, fields: Iterable[str] | str = PROFILE_FIELDS) -> dict[str, Any]:
        return self.profile("me", fields)

    def facebook_pages(self) -> list[dict[str, Any]]:
        """Facebook Login: the Pages of the user with their linked Instagram business account."""
        first = self.get("me/accounts", {"fields": "id,name,instagram_business_account{id,username}"}, endpoint="me_accounts")
        return list(paginate(self, first))

    # --- publishing -------------------------------------------------------------------------------

    @staticmethod
    def _common(
        *,
        caption: str | None = None,
        alt_text: str | None = None,
        collaborators: Iterable[str] | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
        location_id: str | None = None,
    ) -> dict[str, Any]:
        return {
            "caption": caption,
            "alt_text": alt_text,
            "collaborators": json.dumps(list(collaborators)) if collaborators else None,
            "user_tags": json.dumps([dict(t) for t in user_tags]) if user_tags else None,
            "location_id": location_id,
        }

    def _create(self, ig_user_id: str, data: Mapping[str, Any]) -> str:
        return str(self.post(f"{ig_user_id}/media", data, endpoint="create_container")["id"])

    def create_image_container(
        self,
        ig_user_id: str,
        image_url: str,
        *,
        caption: str | None = None,
        alt_text: str | None = None,
        collaborators: Iterable[str] | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
        location_id: str | None = None,
    ) -> str:
        common = self._common(caption=caption, alt_text=alt_text, collaborators=collaborators,
                              user_tags=user_tags, location_id=location_id)
        return self._create(ig_user_id, {"image_url": image_url, **common})

    def create_carousel_item(
        self,
        ig_user_id: str,
        *,
        image_url: str | None = None,
        video_url: str | None = None,
        alt_text: str | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
    ) -> str:
        if bool(image_url) == bool(video_url):
            raise ValueError("a carousel item needs exactly one of image_url or video_url")
        data: dict[str, Any] = {"is_carousel_item": "true", **self._common(alt_text=alt_text, user_tags=user_tags)}
        if video_url:
            data.update(media_type="VIDEO", video_url=video_url)
        else:
            data["image_url"] = image_url
        return self._create(ig_user_id, data)

    def create_carousel_container(
        self,
        ig_user_id: str,
        children: Iterable[str],
        *,
        caption: str | None = None,
        collaborators: Iterable[str] | None = None,
        location_id: str | None = None,
    ) -> str:
        common = self._common(caption=caption, collaborators=collaborators, location_id=location_id)
        return self._create(ig_user_id, {"media_type": "CAROUSEL", "children": ",".join(children), **common})

    def create_reel_container(
        self,
        ig_user_id: str,
        video_url: str,
        *,
        caption: str | None = None,
        cover_url: str | None = None,
        thumb_offset: int | None = None,
        share_to_feed: bool | None = None,
        audio_name: str | None = None,
        collaborators: Iterable[str] | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
        location_id: str | None = None,
    ) -> str:
        data: dict[str, Any] = {
            "media_type": "REELS",
            "video_url": video_url,
            "cover_url": cover_url,
            # Meta ignores thumb_offset when cover_url is given; sending only one avoids ambiguity.
            "thumb_offset": None if cover_url or thumb_offset is None else int(thumb_offset),
            "share_to_feed": None if share_to_feed is None else ("true" if share_to_feed else "false"),
            "audio_name": audio_name,
            **self._common(caption=caption, collaborators=collaborators, user_tags=user_tags, location_id=location_id),
        }
        return self._create(ig_user_id, data)

    def create_story_container(
        self,
        ig_user_id: str,
        *,
        image_url: str | None = None,
        video_url: str | None = None,
        user_tags: Iterable[Mapping[str, Any]] | None = None,
    ) -> str:
        if bool(image_url) == bool(video_url):
            raise ValueError("a story needs exactly one of image_url or video_url")
        data = {"media_type": "STORIES", "image_url": image_url, "video_url": video_url,
                **self._common(user_tags=user_tags)}
        return self._create(ig_user_id, data)

    def container_status(self, container_id: str) -> ContainerStatus:
        payload = self.get(container_id, {"fields": "id,status_code,status"}, endpoint="container_status")
        return ContainerStatus(id=str(payload.get("id", container_id)), status_code=str(payload.get("status_code", "")),
                               status=str(payload.get("status") or ""))

    def media_publish(self, ig_user_id: str, creation_id: str) -> str:
        """Publish a FINISHED container; returns the new IG media id. Never retried here: the caller owns that."""
        return str(self.post(f"{ig_user_id}/media_publish", {"creation_id": creation_id}, endpoint="media_publish")["id"])

    def content_publishing_limit(self, ig_user_id: str, *, since: int | None = None) -> PublishingLimit:
        params: dict[str, Any] = {"fields": "quota_usage,config"}
        if since is not None:
            params["since"] = int(since)
        payload = self.get(f"{ig_user_id}/content_publishing_limit", params, endpoint="content_publishing_limit")
        row = (payload.get("data") or [{}])[0]
        config = row.get("config") or {}
        return PublishingLimit(quota_usage=int(row.get("quota_usage") or 0),
                               quota_total=int(config.get("quota_total") or 0),
                               quota_duration=int(config.get("quota_duration") or 86400))

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
        params = {"fields": _csv(fields), "limit": limit, "after": after, "since": since, "until": until}
        first = self.get(f"{ig_user_id}/media", {k: v for k, v in params.items() if v is not None}, endpoint="list_media")
        return paginate_pages(self, first, max_pages=max_pages)

    def list_media(self, ig_user_id: str = "me", **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Iterate the account's media, newest first, across all pages (lazily: one request per page)."""
        for page in self.list_media_pages(ig_user_id, **kwargs):
            yield from page.data

    def get_media(self, media_id: str, fields: Iterable[str] | str = MEDIA_FIELDS) -> dict[str, Any]:
        return self.get(media_id, {"fields": _csv(fields)}, endpoint="get_media")

    def post_comment(self, media_id: str, message: str) -> str:
        """Comment on a media (the "first comment"); returns the comment id."""
        return str(self.post(f"{media_id}/comments", {"message": message}, endpoint="post_comment")["id"])

    def list_comments(self, media_id: str, fields: str = "id,text,username,timestamp") -> Iterator[dict[str, Any]]:
        return paginate(self, self.get(f"{media_id}/comments", {"fields": fields}, endpoint="list_comments"))

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
        if not re.fullmatch(r"[A-Za-z0-9._]{1,30}", username):
            raise ValueError(f"not an Instagram username: {username!r}")
        edge = "media" + (f".after({after})" if after else "") + f".limit({int(limit)})"
        fields = f"business_discovery.username({username}){{{profile_fields},{edge}{{{media_fields}}}}}"
        payload = self.get(ig_user_id, {"fields": fields}, endpoint="business_discovery")
        return dict(payload.get("business_discovery") or {})

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
            profile = self.business_discovery(ig_user_id, username, after=after, limit=limit, **kwargs)
            page = _page_from(profile.pop("media", None) or {})
            count += 1
            yield profile, page
            if not page.next_url or not page.after or (max_pages is not None and count >= max_pages):
                return
            after = page.after

    def business_discovery_media(self, ig_user_id: str, username: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for _profile, page in self.business_discovery_pages(ig_user_id, username, **kwargs):
            yield from page.data

    def media_insights(self, media_id: str, metrics: Iterable[str] = DEFAULT_INSIGHT_METRICS) -> dict[str, int | None]:
        """Metric name → value; None when Instagram has no data yet (an empty list is not zero)."""
        payload = self.get(f"{media_id}/insights", {"metric": _csv(metrics)}, endpoint="media_insights")
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


# --------------------------------------------------------------------------------------------------
# OAuth
# --------------------------------------------------------------------------------------------------


class OAuthClient(_Transport):
    """Authorize URL, code exchange, long-lived exchange and refresh for Instagram Login or Facebook Login."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        redirect_uri: str,
        *,
        oauth_base_url: str = "https://www.instagram.com",
        api_base_url: str = "https://api.instagram.com",
        graph_base_url: str = "https://graph.instagram.com",
        api_version: str = "v25.0",
        login: Login = "instagram",
        timeout: Timeout = (5.0, 30.0),
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(timeout=timeout, session=session)
        self.app_id = app_id
        self._secret = app_secret
        self.redirect_uri = redirect_uri
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self.api_base_url = api_base_url.rstrip("/")
        self.graph_base_url = graph_base_url.rstrip("/")
        self.api_version = api_version
        self.login = login

    def __repr__(self) -> str:
        return f"OAuthClient(app_id={self.app_id}, login={self.login}, graph={self.graph_base_url})"

    def _secrets(self) -> tuple[str | None, ...]:
        return (self._secret,)

    def authorize_url(self, scopes: Iterable[str], state: str) -> str:
        params = {
            "client_id": self.app_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": ",".join(scopes),
            "state": state,
        }
        if self.login == "facebook":
            return f"{self.oauth_base_url}/{self.api_version}/dialog/oauth?{urlencode(params)}"
        return f"{self.oauth_base_url}/oauth/authorize?{urlencode(params)}"

    @staticmethod
    def code_from_callback(query: Mapping[str, str]) -> str:
        """The `code` of a redirect back from the consent page; OAuthError when the user denied or it is missing."""
        if query.get("error"):
            reason = query.get("error_reason") or query.get("error")
            denied = reason in ("user_denied", "access_denied")
            raise OAuthError(
                str(query.get("error_description") or reason),
                error_type=str(query.get("error")),
                user_message=("The Instagram account was not connected because the permission request was declined."
                              if denied else "Instagram did not complete the sign-in: " + str(query.get("error_description") or reason)),
            )
        code = str(query.get("code") or "")
        if not code:
            raise OAuthError("no code in the callback", user_message="Instagram sent back no authorization code.")
        return OAuthClient.clean_code(code)

    @staticmethod
    def clean_code(code: str) -> str:
        # Instagram appends "#_" to the redirect; browsers usually drop the fragment, copy-paste does not.
        return code.strip().removesuffix("#_")

    def exchange_code(self, code: str) -> ShortLivedToken:
        code = self.clean_code(code)
        if self.login == "facebook":
            payload = self._send(
                "GET", f"{self.graph_base_url}/{self.api_version}/oauth/access_token",
                params={"client_id": self.app_id, "client_secret": self._secret, "redirect_uri": self.redirect_uri,
                        "code": code},
                endpoint="oauth_access_token", oauth_shape=True, secrets=(code,),
            )
        else:
            payload = self._send(
                "POST", f"{self.api_base_url}/oauth/access_token",
                data={"client_id": self.app_id, "client_secret": self._secret, "grant_type": "authorization_code",
                      "redirect_uri": self.redirect_uri, "code": code},
                endpoint="oauth_access_token", oauth_shape=True, secrets=(code,),
            )
        # Seen in the wild: {"data":[{...}]} and the flat object; permissions as "a,b" or ["a","b"].
        row = payload
        if isinstance(payload.get("data"), list) and payload["data"]:
            row = payload["data"][0]
        token = row.get("access_token")
        if not token:
            raise OAuthError("the code exchange answer has no access_token",
                             user_message="Instagram did not return an access token.")
        permissions = row.get("permissions") or []
        if isinstance(permissions, str):
            permissions = [p.strip() for p in permissions.split(",") if p.strip()]
        expires = row.get("expires_in")
        return ShortLivedToken(access_token=str(token), user_id=str(row.get("user_id") or ""),
                               permissions=[str(p) for p in permissions],
                               expires_in=int(expires) if expires is not None else None)

    def _token_answer(self, payload: Mapping[str, Any]) -> LongLivedToken:
        if not payload.get("access_token"):
            raise OAuthError("the token answer has no access_token", user_message="Instagram did not return an access token.")
        expires = payload.get("expires_in")
        return LongLivedToken(access_token=str(payload["access_token"]), token_type=str(payload.get("token_type") or "bearer"),
                              expires_in=int(expires) if expires is not None else None)

    def exchange_long_lived(self, short_lived_token: str) -> LongLivedToken:
        """Short-lived (1 h) → long-lived (60 days). Server-side only: it needs the app secret."""
        if self.login == "facebook":
            payload = self._send(
                "GET", f"{self.graph_base_url}/{self.api_version}/oauth/access_token",
                params={"grant_type": "fb_exchange_token", "client_id": self.app_id, "client_secret": self._secret,
                        "fb_exchange_token": short_lived_token},
                endpoint="long_lived_exchange", secrets=(short_lived_token,),
            )
        else:
            payload = self._send(
                "GET", f"{self.graph_base_url}/access_token",
                params={"grant_type": "ig_exchange_token", "client_secret": self._secret,
                        "access_token": short_lived_token},
                endpoint="long_lived_exchange", secrets=(short_lived_token,),
            )
        return self._token_answer(payload)

    def refresh(self, long_lived_token: str) -> LongLivedToken:
        """Extend a long-lived token by 60 days from now (allowed once it is ≥ 24 h old and not expired).

        Facebook Login has no refresh endpoint; exchanging the token again does the same job.
        """
        if self.login == "facebook":
            return self.exchange_long_lived(long_lived_token)
        payload = self._send(
            "GET", f"{self.graph_base_url}/refresh_access_token",
            params={"grant_type": "ig_refresh_token", "access_token": long_lived_token},
            endpoint="refresh_access_token", secrets=(long_lived_token,),
        )
        return self._token_answer(payload)

