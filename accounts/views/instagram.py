"""Connect, reconnect and look after Instagram accounts (Administrators only, through the policy)."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import InstagramAccount, Workspace
from accounts.permissions import Action, require, workspace_view
from accounts.services import instagram as ig
from instagram.client import OAuthClient
from instagram.errors import GraphAPIError

log = logging.getLogger("accounts.instagram")

STATE_SALT = "pressroom.instagram.connect"
STATE_MAX_AGE = 15 * 60  # the consent screen should not take longer; a stale state is refused


def _redirect_uri(request: HttpRequest) -> str:
    # Instagram compares it byte for byte with the registered one, so a fixed setting wins when present.
    return getattr(settings, "INSTAGRAM_REDIRECT_URI", "") or request.build_absolute_uri(reverse("accounts:instagram_callback"))


@workspace_view(Action.MANAGE_ACCOUNTS)
def instagram_accounts(request: HttpRequest) -> HttpResponse:
    accounts = list(
        InstagramAccount.objects.filter(workspace=request.workspace)
        .defer("access_token")  # the page never needs the secret; not even decrypting it is safest
        .order_by("username")
    )
    rows = [{"account": a, **ig.token_health(a)} for a in accounts]
    return render(request, "accounts/instagram_accounts.html", {"rows": rows, "redirect_uri": _redirect_uri(request)})


@workspace_view(Action.MANAGE_ACCOUNTS)  # first: outside the workspace is 404 whatever the method
@require_POST
def instagram_connect(request: HttpRequest) -> HttpResponse:
    login = "facebook" if request.POST.get("login") == "facebook" else "instagram"
    nonce = secrets.token_urlsafe(16)
    # Bound to user, workspace and this browser session: a state from someone else's flow is refused.
    request.session["ig_connect_nonce"] = nonce
    state = signing.dumps({"u": request.user.pk, "w": request.workspace.pk, "l": login, "n": nonce}, salt=STATE_SALT)
    return redirect(ig.oauth_client_for(_redirect_uri(request), login).authorize_url(ig.SCOPES[login], state))


@login_required
def instagram_callback(request: HttpRequest) -> HttpResponse:
    try:
        data = signing.loads(request.GET.get("state", ""), salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, "The Instagram sign-in could not be verified (it expired or was not started here). "
                                "Please start again.")
        return redirect("accounts:home")
    workspace = get_object_or_404(Workspace, pk=data.get("w"))
    require(request.user, Action.MANAGE_ACCOUNTS, workspace)
    accounts_url = reverse("accounts:instagram_accounts", kwargs={"ws": workspace.slug})
    nonce = request.session.pop("ig_connect_nonce", None)
    if data.get("u") != request.user.pk or not nonce or data.get("n") != nonce:
        messages.error(request, "This Instagram sign-in was started by another session. Please start again.")
        return redirect(accounts_url)
    try:
        code = OAuthClient.code_from_callback(request.GET)
        result = ig.instagram_account_connect(workspace=workspace, user=request.user, code=code,
                                              redirect_uri=_redirect_uri(request), login=data.get("l", "instagram"))
    except GraphAPIError as exc:
        messages.error(request, exc.user_message)
        return redirect(accounts_url)
    verb = "connected" if result.created else "reconnected"
    messages.success(request, f"Instagram account @{result.account.username} {verb}.")
    return redirect(accounts_url)


@workspace_view(Action.MANAGE_ACCOUNTS)  # first: outside the workspace is 404 whatever the method
@require_POST
def instagram_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(InstagramAccount, pk=pk, workspace=request.workspace)
    account = ig.instagram_account_refresh(account=account)
    if account.status == InstagramAccount.Status.ACTIVE:
        messages.success(request, f"The connection of @{account.username} was renewed.")
    else:
        messages.error(request, account.last_error or f"@{account.username} could not be refreshed.")
    return redirect("accounts:instagram_accounts", ws=request.workspace.slug)


@workspace_view(Action.MANAGE_ACCOUNTS)  # first: outside the workspace is 404 whatever the method
@require_POST
def instagram_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(InstagramAccount, pk=pk, workspace=request.workspace)
    ig.instagram_account_disconnect(account=account)
    messages.success(request, f"@{account.username} was disconnected.")
    return redirect("accounts:instagram_accounts", ws=request.workspace.slug)
