"""Adding profiles to the archive (by username, or the workspace's own accounts) and managing them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import InstagramAccount, User, Workspace
from accounts.permissions import Action, require
from archive import conf
from archive.models import ArchivedProfile, ArchiveRun, ProfileSnapshot
from archive.services.instagram import (
    FACEBOOK_LOGIN_NEEDED,
    client_for,
    is_not_found,
    needs_facebook_login,
    usable_accounts,
    wait_seconds,
)
from archive.services.runs import run_start
from instagram.errors import GraphAPIError, PermissionDenied, RateLimited, TokenInvalid, Transient

USERNAME_RE = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_URL_RE = re.compile(r"^(?:https?://)?(?:www\.)?instagram\.com/([^/?#]+)/?", re.IGNORECASE)


class ProfileAddError(Exception):
    """Why a profile could not be added, in words for the person who typed the name. `kind` names the case."""

    def __init__(self, kind: str, message: str, retry_at: Any = None) -> None:
        self.kind, self.message, self.retry_at = kind, message, retry_at
        super().__init__(message)


def clean_username(raw: str) -> str:
    text = (raw or "").strip()
    match = _URL_RE.match(text)
    if match:
        text = match.group(1)
    text = text.lstrip("@").strip()
    if not USERNAME_RE.match(text) or text.startswith(".") or text.endswith(".") or ".." in text:
        raise ProfileAddError(
            "invalid", f"“{raw.strip()[:40]}” is not an Instagram username: use 1–30 letters, digits, periods and "
            "underscores (no spaces, no period at the start or end), e.g. northwind_coffee.")
    return text.lower()


def _ask(workspace: Workspace, username: str) -> tuple[dict[str, Any], InstagramAccount]:
    accounts = usable_accounts(workspace.pk)
    if not accounts:
        raise ProfileAddError(
            "no_account", "Instagram only shows public profiles to a connected Business account. Connect one on the "
            "Instagram accounts page of this workspace first.")
    account = accounts[0]
    client = client_for(account)
    try:
        data = client.business_discovery(account.ig_user_id, username, limit=1)
    except RateLimited as exc:
        seconds = wait_seconds(exc, client)
        retry_at = timezone.now() + timedelta(seconds=seconds)
        local = timezone.localtime(retry_at, workspace.tzinfo)
        raise ProfileAddError("rate_limited", f"Instagram is rate limiting this app right now. Try again after "
                              f"{local:%H:%M} ({max(1, round(seconds / 60))} min).", retry_at=retry_at) from None
    except TokenInvalid:
        raise ProfileAddError("no_account", f"The connection of @{account.username} expired or was revoked; "
                              "reconnect it on the Instagram accounts page, then try again.") from None
    except PermissionDenied as exc:
        if _mentions_account_type(exc):
            raise _not_business(username) from None
        raise ProfileAddError("no_account", f"@{account.username} may not look up other profiles "
                              f"({exc.user_message}). Business Discovery needs an account connected with Facebook "
                              "Login.") from None
    except Transient:
        raise ProfileAddError("unavailable", "Instagram did not answer properly; try again in a minute.") from None
    except GraphAPIError as exc:
        if needs_facebook_login(exc):
            raise ProfileAddError("no_account", FACEBOOK_LOGIN_NEEDED) from None
        if _mentions_account_type(exc):
            raise _not_business(username) from None
        if is_not_found(exc):
            raise ProfileAddError(
                "not_found", f"Instagram has no Business or Creator account named @{username}. Check the spelling; "
                "personal and private accounts cannot be archived through Instagram's API.") from None
        raise ProfileAddError("error", exc.user_message or str(exc)) from None
    return data, account


def _mentions_account_type(exc: GraphAPIError) -> bool:
    text = f"{exc.message} {exc.user_title} {exc.user_message}".lower()
    return any(word in text for word in ("not a business", "personal account", "professional account",
                                         "creator account", "not business"))


def _not_business(username: str) -> ProfileAddError:
    return ProfileAddError("not_business", f"@{username} is a personal account. Instagram's API only shows Business "
                           "and Creator accounts; ask the owner to switch to a professional account.")


def profile_add(*, user: User, workspace: Workspace, username: str,
                enqueue: bool = True) -> tuple[ArchivedProfile, bool]:
    """Look the profile up and queue its first run. (profile, created); a known Instagram id is the same profile.

    `enqueue=False` leaves the run for the caller to advance (demo data, benchmarks) instead of the task cluster.
    """
    require(user, Action.MANAGE_ARCHIVE, workspace)
    name = clean_username(username)
    data, account = _ask(workspace, name)
    ig_id = str(data.get("id") or "")
    if not ig_id:
        raise ProfileAddError("error", "Instagram answered without the profile's id; try again.")
    with transaction.atomic():
        profile = ArchivedProfile.objects.select_for_update().filter(workspace=workspace, ig_user_id=ig_id).first()
        created = profile is None
        if created:
            profile = ArchivedProfile(workspace=workspace, ig_user_id=ig_id, created_by=user,
                                      refresh_interval_hours=conf.get("ARCHIVE_DEFAULT_REFRESH_HOURS"))
        _apply(profile, data, fallback_username=name)
        profile.source = ArchivedProfile.Source.DISCOVERY
        profile.account = account
        profile.status = ArchivedProfile.Status.ACTIVE
        profile.last_error = ""
        profile.save()
        ProfileSnapshot.objects.create(profile=profile, taken_at=timezone.now(), followers_count=profile.followers_count,
                                       follows_count=profile.follows_count, media_count=profile.media_count)
        kind = ArchiveRun.Kind.FULL if created else ArchiveRun.Kind.INCREMENTAL
        run_start(profile=profile, kind=kind, user=user, enqueue=enqueue)
    return profile, created


def _apply(profile: ArchivedProfile, data: dict[str, Any], *, fallback_username: str) -> None:
    username = str(data.get("username") or fallback_username)
    if profile.username and profile.username != username:
        # Same Instagram id under a new name: the archive stays, the old name is remembered.
        profile.previous_usernames = [*profile.previous_usernames, profile.username][-20:]
    profile.username = username
    profile.name = data.get("name") or profile.name
    profile.biography = data.get("biography") or profile.biography
    profile.website = data.get("website") or profile.website
    profile.picture_url = data.get("profile_picture_url") or profile.picture_url
    for key in ("followers_count", "follows_count", "media_count"):
        if data.get(key) is not None:
            setattr(profile, key, int(data[key]))


def profile_add_own(*, user: User, account: InstagramAccount) -> tuple[ArchivedProfile, bool]:
    """One click: archive one of the workspace's own connected accounts through /me/media."""
    require(user, Action.MANAGE_ARCHIVE, account.workspace)
    with transaction.atomic():
        profile = ArchivedProfile.objects.filter(workspace=account.workspace, ig_user_id=account.ig_user_id).first()
        created = profile is None
        if created:
            profile = ArchivedProfile(workspace=account.workspace, ig_user_id=account.ig_user_id, created_by=user,
                                      refresh_interval_hours=conf.get("ARCHIVE_DEFAULT_REFRESH_HOURS"))
        _apply(profile, {"username": account.username, "name": account.name,
                         "profile_picture_url": account.picture_url}, fallback_username=account.username)
        profile.source = ArchivedProfile.Source.OWN
        profile.account = account
        profile.status = ArchivedProfile.Status.ACTIVE
        profile.save()
        run_start(profile=profile, kind=ArchiveRun.Kind.FULL if created else ArchiveRun.Kind.INCREMENTAL, user=user)
    return profile, created


def profile_refresh(*, user: User, profile: ArchivedProfile, full: bool = False) -> ArchiveRun:
    require(user, Action.MANAGE_ARCHIVE, profile.workspace)
    return run_start(profile=profile, kind=ArchiveRun.Kind.FULL if full else ArchiveRun.Kind.INCREMENTAL, user=user)


REFRESH_CHOICES = [(0, "Never (manual only)"), (6, "Every 6 hours"), (24, "Daily"), (168, "Weekly")]


@transaction.atomic
def profile_set_refresh(*, user: User, profile: ArchivedProfile, hours: int) -> ArchivedProfile:
    require(user, Action.MANAGE_ARCHIVE, profile.workspace)
    if hours not in dict(REFRESH_CHOICES):
        raise ProfileAddError("invalid", "Choose one of the offered refresh intervals.")
    profile.refresh_interval_hours = hours
    base = profile.last_fetched_at or timezone.now()
    profile.next_due_at = base + timedelta(hours=hours) if hours else None
    profile.save(update_fields=["refresh_interval_hours", "next_due_at"])
    return profile
