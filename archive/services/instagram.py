"""The archive's view of Instagram: one page of a profile's media through Business Discovery or /me/media.

Counts the calls it makes, reads the usage headers after each one, slows down near Meta's limit and turns
rate-limit answers into RunWait (with Meta's estimated_time_to_regain_access) instead of retrying at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from accounts.models import InstagramAccount
from archive import conf
from archive.models import ArchivedProfile, ArchiveRun
from instagram.client import GraphClient
from instagram.conf import graph_client
from instagram.errors import GraphAPIError, RateLimited, TokenInvalid, Transient

NOT_FOUND_CODES = {110}
NOT_FOUND_SUBCODES = {2207013}


class RunWait(Exception):
    def __init__(self, seconds: float, reason: str) -> None:
        self.seconds, self.reason = seconds, reason
        super().__init__(reason)


class ProfileGone(Exception):
    """Business Discovery no longer finds the username (renamed, deleted, private or personal now)."""


@dataclass
class MediaPage:
    profile: dict[str, Any]
    items: list[dict[str, Any]]
    after: str | None
    usage_percent: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def usable_accounts(workspace_id: int) -> list[InstagramAccount]:
    """Connected accounts that can ask Instagram, Facebook Login first (Business Discovery needs it on Meta)."""
    rows = InstagramAccount.objects.filter(
        workspace_id=workspace_id, status__in=[InstagramAccount.Status.ACTIVE, InstagramAccount.Status.EXPIRING]
    ).exclude(access_token="")
    return sorted(rows, key=lambda a: (a.login_api != InstagramAccount.LoginApi.FACEBOOK, a.pk))


def client_for(account: InstagramAccount) -> GraphClient:
    return graph_client(account.access_token, login=account.login_api)


FACEBOOK_LOGIN_NEEDED = ("Instagram only answers Business Discovery for accounts connected with Facebook Login. "
                         "Connect a Business account through Facebook Login on the Instagram accounts page.")


def needs_facebook_login(exc: GraphAPIError) -> bool:
    """Meta's answer to Business Discovery asked with an Instagram Login token: an unknown field on User."""
    return exc.code == 100 and "business_discovery" in (exc.message or "")


def is_not_found(exc: GraphAPIError) -> bool:
    return exc.code in NOT_FOUND_CODES or exc.subcode in NOT_FOUND_SUBCODES


def wait_seconds(exc: RateLimited, client: GraphClient | None) -> float:
    if exc.retry_after_seconds:
        return float(exc.retry_after_seconds)
    usage = client.last_usage if client else None
    if usage and usage.regain_access_minutes:
        return usage.regain_access_minutes * 60.0
    return float(conf.get("ARCHIVE_DEFAULT_WAIT_SECONDS"))


class InstagramGateway:
    def __init__(self, profile: ArchivedProfile, run: ArchiveRun) -> None:
        self.profile = profile
        self.run = run
        self.calls = run.api_calls
        account = profile.account
        usable = account is not None and account.status in (InstagramAccount.Status.ACTIVE,
                                                             InstagramAccount.Status.EXPIRING)
        if not usable and profile.source == ArchivedProfile.Source.OWN:
            from archive.services.runs import RunFailed

            raise RunFailed(f"@{profile.username} needs reconnecting on the Instagram accounts page before it can be "
                            "archived again.")
        if not usable:
            candidates = usable_accounts(profile.workspace_id)
            account = candidates[0] if candidates else None
        if account is None:
            from archive.services.runs import RunFailed

            raise RunFailed("No connected Instagram account in this workspace can ask Instagram; connect one first.")
        self.account = account
        self.client = client_for(account)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self._pace()  # judged on the previous answer's headers, so no answer is ever thrown away
        self.calls += 1
        try:
            result = fn(*args, **kwargs)
        except RateLimited as exc:
            raise RunWait(wait_seconds(exc, self.client), "rate: Instagram is rate limiting this app.") from None
        except TokenInvalid:
            from archive.services.runs import RunFailed

            raise RunFailed(f"The connection of @{self.account.username} expired or was revoked: reconnect it on the "
                            "Instagram accounts page, then refresh this archive.") from None
        except Transient as exc:
            raise RunWait(60, f"transient: Instagram had a temporary problem ({exc.user_message})") from None
        return result

    def _pace(self) -> None:
        usage = self.client.last_usage
        if usage is None:
            return
        if usage.max_percent >= conf.get("ARCHIVE_PAUSE_PERCENT"):
            seconds = (usage.regain_access_minutes or 0) * 60 or conf.get("ARCHIVE_DEFAULT_WAIT_SECONDS")
            raise RunWait(seconds, f"rate: Instagram usage is at {usage.max_percent:.0f} % of the limit.")
        if usage.max_percent >= conf.get("ARCHIVE_SLOWDOWN_PERCENT"):
            time.sleep(float(conf.get("ARCHIVE_SLOWDOWN_SECONDS")))  # a short pause, never a long sleep

    def media_page(self, *, after: str | None, limit: int) -> MediaPage:
        if self.profile.source == ArchivedProfile.Source.OWN:
            return self._own_page(after=after, limit=limit)
        try:
            data = self._call(self.client.business_discovery, self.account.ig_user_id, self.profile.username,
                              after=after, limit=limit)
        except GraphAPIError as exc:
            if needs_facebook_login(exc):
                from archive.services.runs import RunFailed

                raise RunFailed(FACEBOOK_LOGIN_NEEDED) from None
            if is_not_found(exc):
                from archive.services.runs import RunFailed

                ArchivedProfile.objects.filter(pk=self.profile.pk).update(status=ArchivedProfile.Status.UNAVAILABLE)
                raise RunFailed(
                    f"Instagram no longer finds @{self.profile.username}: it was renamed, deleted, or is no longer "
                    "a Business/Creator account. If it was renamed, add it again under its new name — the archive "
                    "is recognised by its Instagram id and kept.") from None
            raise
        if data.get("id") and str(data["id"]) != self.profile.ig_user_id:
            from archive.services.runs import RunFailed

            raise RunFailed(f"@{self.profile.username} now belongs to a different Instagram account; this archive "
                            "is kept as it is. Add the new owner separately if you want it.")
        media = data.pop("media", None) or {}
        paging = media.get("paging") or {}
        after_next = (paging.get("cursors") or {}).get("after") if paging.get("next") else None
        return MediaPage(profile=data, items=list(media.get("data") or []), after=after_next)

    def _own_page(self, *, after: str | None, limit: int) -> MediaPage:
        profile: dict[str, Any] = {}
        if after is None:
            profile = self._call(self.client.profile, "me")
        pages = self._call(self.client.list_media_pages, "me", after=after, limit=limit, max_pages=1)
        page = next(iter(pages))
        return MediaPage(profile=profile, items=list(page.data), after=page.after if page.next_url else None)
