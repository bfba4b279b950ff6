"""Connected Instagram accounts: connect (upsert), refresh, reconnect-needed, and the token-safety guard.

Every use of a stored token goes through `instagram_token()`, which refuses a value that is still
Fernet ciphertext: django-encrypted-model-fields silently hands back the ciphertext when the key is
wrong, and sending that to Instagram would turn a configuration error into a confusing 190.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.crypto import EncryptionKeyError, looks_like_ciphertext
from accounts.models import InstagramAccount, Notification, User, Workspace
from accounts.services.notifications import notify
from instagram import conf
from instagram.client import GraphClient, OAuthClient
from instagram.errors import GraphAPIError, OAuthError, TokenInvalid

log = logging.getLogger("accounts.instagram")

# What the app asks for; publishing is the one it cannot work without.
SCOPES = {
    "instagram": ["instagram_business_basic", "instagram_business_content_publish",
                  "instagram_business_manage_insights", "instagram_business_manage_comments"],
    "facebook": ["instagram_basic", "instagram_content_publish", "instagram_manage_insights",
                 "instagram_manage_comments", "pages_show_list", "pages_read_engagement"],
}
REQUIRED_SCOPES = {
    "instagram": {"instagram_business_basic", "instagram_business_content_publish"},
    "facebook": {"instagram_basic", "instagram_content_publish"},
}
REFRESH_MIN_AGE = timedelta(hours=24)


class MissingScopes(OAuthError):
    """The person unticked a permission the app needs."""


@dataclass(frozen=True)
class ConnectResult:
    account: InstagramAccount
    created: bool


# --------------------------------------------------------------------------------------------------
# Token safety
# --------------------------------------------------------------------------------------------------


def instagram_token(account: InstagramAccount) -> str:
    """The decrypted token, or EncryptionKeyError when it did not decrypt (never ciphertext)."""
    token = account.access_token or ""
    if not token:
        raise EncryptionKeyError(f"@{account.username} has no stored token; reconnect it.")
    if looks_like_ciphertext(token):
        raise EncryptionKeyError(
            f"The token of @{account.username} could not be decrypted: FIELD_ENCRYPTION_KEY does not match the key "
            "it was stored with. Restore the old key (first in the list to rotate later)."
        )
    return token


def graph_client_for(account: InstagramAccount, *, session: requests.Session | None = None) -> GraphClient:
    """The client other apps (publishing, archive) use for an account; token checked first. `session`: an
    HTTP session to reuse (see instagram.conf.thread_session), else a new one."""
    return conf.graph_client(instagram_token(account), login=account.login_api, session=session)


def oauth_client_for(redirect_uri: str, login: str = "instagram") -> OAuthClient:
    return conf.oauth_client(redirect_uri, login=login)


def _is_account_token(exc: BaseException) -> bool:
    return isinstance(exc, TokenInvalid)


# --------------------------------------------------------------------------------------------------
# Connect
# --------------------------------------------------------------------------------------------------


def _fetch_profile(client: GraphClient, login: str, fallback_id: str) -> dict[str, str]:
    if login == "facebook":
        pages = [p for p in client.facebook_pages() if p.get("instagram_business_account")]
        if not pages:
            raise OAuthError("no Instagram business account linked to the Facebook Pages",
                             user_message="None of your Facebook Pages is linked to an Instagram professional account.")
        ig_id = str(pages[0]["instagram_business_account"]["id"])
        profile = client.profile(ig_id, "id,username,name,profile_picture_url")
    else:
        profile = client.me("id,user_id,username,name,profile_picture_url")
        ig_id = str(profile.get("user_id") or profile.get("id") or fallback_id)
    return {"ig_user_id": ig_id, "username": str(profile.get("username") or ""), "name": str(profile.get("name") or ""),
            "picture_url": str(profile.get("profile_picture_url") or "")}


def instagram_account_connect(
    *,
    workspace: Workspace,
    user: User | None,
    code: str,
    redirect_uri: str,
    login: str = "instagram",
    oauth: OAuthClient | None = None,
) -> ConnectResult:
    """Code → short-lived → long-lived token, profile fetch, then create or update the workspace's row.

    Reconnecting the same Instagram account updates its row; another workspace gets its own row.
    """
    oauth = oauth or oauth_client_for(redirect_uri, login)
    short = oauth.exchange_code(code)
    missing = REQUIRED_SCOPES[login] - set(short.permissions)
    if missing:
        raise MissingScopes(
            f"missing scopes: {sorted(missing)}",
            user_message="The account was not connected because these permissions were not granted: "
            + ", ".join(sorted(missing)) + ". Connect again and keep them ticked.",
        )
    long = oauth.exchange_long_lived(short.access_token)
    client = conf.graph_client(long.access_token, login=login)
    profile = _fetch_profile(client, login, short.user_id)
    now = timezone.now()
    expires_at = now + timedelta(seconds=long.expires_in) if long.expires_in else None
    with transaction.atomic():
        account, created = InstagramAccount.objects.select_for_update().get_or_create(
            workspace=workspace, ig_user_id=profile["ig_user_id"],
            defaults={"username": profile["username"] or profile["ig_user_id"]},
        )
        account.username = profile["username"] or account.username
        account.name = profile["name"]
        account.picture_url = profile["picture_url"][:1000]
        account.login_api = login
        account.scopes = list(short.permissions)
        account.access_token = long.access_token
        account.expires_at = expires_at
        account.refreshed_at = now
        account.status = InstagramAccount.Status.ACTIVE
        account.last_error = ""
        account.connected_by = user
        account.save()
        _dismiss_account_banners(account)
    log.info("instagram account @%s %s in workspace %s", account.username, "connected" if created else "reconnected",
             workspace.slug)
    return ConnectResult(account=account, created=created)


# --------------------------------------------------------------------------------------------------
# Refresh & health
# --------------------------------------------------------------------------------------------------


def _accounts_url(account: InstagramAccount) -> str:
    return reverse("accounts:instagram_accounts", kwargs={"ws": account.workspace.slug})


def _banner_kind(account: InstagramAccount) -> str:
    return f"ig_account_{account.pk}"[:40]


def _dismiss_account_banners(account: InstagramAccount) -> None:
    Notification.objects.filter(workspace=account.workspace, kind=_banner_kind(account), read_at__isnull=True).update(
        read_at=timezone.now())


def _alert(account: InstagramAccount, title: str, body: str) -> None:
    # One open banner per account and problem: an hourly job must not stack identical alerts.
    if Notification.objects.filter(workspace=account.workspace, kind=_banner_kind(account), title=title,
                                   read_at__isnull=True).exists():
        return
    notify(workspace=account.workspace, kind=_banner_kind(account), title=title, body=body,
           url=_accounts_url(account), level=Notification.Level.ERROR, banner=True)


@transaction.atomic
def instagram_account_mark_reconnect(*, account: InstagramAccount, reason: str) -> InstagramAccount:
    """Any code-190 answer, anywhere, ends here: the account needs a human to reconnect it."""
    account.status = InstagramAccount.Status.RECONNECT
    account.last_error = reason[:2000]
    account.save(update_fields=["status", "last_error", "updated_at"])
    _alert(account, f"Reconnect Instagram account @{account.username}",
           f"Instagram no longer accepts the connection of @{account.username}: {reason} "
           "An Administrator has to reconnect it before anything can be published.")
    return account


def instagram_account_handle_error(*, account: InstagramAccount, exc: BaseException) -> None:
    """For callers of the Graph API: mark reconnect-needed when the error says the token is dead."""
    if _is_account_token(exc):
        instagram_account_mark_reconnect(account=account, reason=getattr(exc, "user_message", str(exc)))


def instagram_account_refresh(
    *, account: InstagramAccount, oauth: OAuthClient | None = None, now: datetime | None = None
) -> InstagramAccount:
    """Extend the long-lived token. Failures are recorded and alerted, never raised to the scheduler."""
    now = now or timezone.now()
    if account.expires_at and account.expires_at <= now:
        return instagram_account_mark_reconnect(
            account=account, reason="The access token expired before it could be refreshed.")
    try:
        token = instagram_token(account)
        oauth = oauth or oauth_client_for("", account.login_api)
        answer = oauth.refresh(token)
    except TokenInvalid as exc:
        return instagram_account_mark_reconnect(account=account, reason=exc.user_message)
    except (GraphAPIError, EncryptionKeyError) as exc:
        message = getattr(exc, "user_message", "") or str(exc)
        with transaction.atomic():
            account.last_error = f"Token refresh failed: {message}"[:2000]
            account.status = InstagramAccount.Status.EXPIRING
            account.save(update_fields=["status", "last_error", "updated_at"])
            days = (account.expires_at - now).days if account.expires_at else "?"
            _alert(account, f"Instagram @{account.username}: token refresh failed",
                   f"The connection of @{account.username} expires in {days} days and could not be renewed "
                   f"({message}). It will be retried; reconnect it if this persists.")
        log.warning("token refresh failed for @%s: %s", account.username, type(exc).__name__)
        return account
    with transaction.atomic():
        account.access_token = answer.access_token
        account.expires_at = now + timedelta(seconds=answer.expires_in or 60 * 86400)
        account.refreshed_at = now
        account.status = InstagramAccount.Status.ACTIVE
        account.last_error = ""
        account.save(update_fields=["access_token", "expires_at", "refreshed_at", "status", "last_error", "updated_at"])
        _dismiss_account_banners(account)
    log.info("refreshed the token of @%s", account.username)
    return account


@transaction.atomic
def instagram_account_disconnect(*, account: InstagramAccount) -> InstagramAccount:
    account.status = InstagramAccount.Status.DISCONNECTED
    account.access_token = ""
    account.save(update_fields=["status", "access_token", "updated_at"])
    _dismiss_account_banners(account)
    return account


def token_health(account: InstagramAccount, now: datetime | None = None) -> dict[str, object]:
    """What the accounts page shows: days left, whether a refresh is due, when it last happened."""
    now = now or timezone.now()
    days_left = None
    if account.expires_at:
        days_left = max(0, (account.expires_at - now).days)
    return {"days_left": days_left, "expired": bool(account.expires_at and account.expires_at <= now)}


# --------------------------------------------------------------------------------------------------
# Demo data
# --------------------------------------------------------------------------------------------------


def demo_sandbox_account_connect(*, workspace: Workspace, username: str, sandbox_url: str | None = None) -> InstagramAccount:
    """Give a demo workspace a connected account on a *running* sandbox (its control API; scripts/run.sh
    starts the sandbox before `seed_demo`). Idempotent: an account whose token still works is kept.
    """
    import requests
    from django.conf import settings

    base = (sandbox_url or settings.INSTAGRAM_GRAPH_URL).rstrip("/")
    account = InstagramAccount.objects.filter(workspace=workspace, username=username).first()
    if account is not None and account.status == InstagramAccount.Status.ACTIVE:
        try:
            graph_client_for(account).me("id")
            return account
        except (GraphAPIError, EncryptionKeyError):
            pass  # the sandbox forgot it (no state file) or the token died: issue a new one
    resp = requests.post(f"{base}/_control/accounts", json={"username": username}, timeout=10)
    resp.raise_for_status()
    remote = resp.json()
    now = timezone.now()
    account, _ = InstagramAccount.objects.update_or_create(
        # By username: a sandbox restarted without state hands out a new id for the same demo account.
        workspace=workspace, username=username,
        defaults={"ig_user_id": remote["ig_user_id"], "name": remote["name"], "login_api": "instagram", "scopes": remote["scopes"],
                  "access_token": remote["access_token"], "expires_at": now + timedelta(seconds=remote["expires_in"]),
                  "refreshed_at": now, "status": InstagramAccount.Status.ACTIVE, "last_error": ""},
    )
    return account
