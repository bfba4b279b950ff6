"""Archive actions (staff): add a profile, archive an own account, refresh / full pass, refresh interval.

Each is a POST to one service; with htmx the answer is a fragment, without it a redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import InstagramAccount
from accounts.permissions import Action, workspace_view
from archive import selectors
from archive.services import profiles as services


@workspace_view(Action.MANAGE_ARCHIVE)
@require_POST
def profile_add(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    username = request.POST.get("username", "")
    try:
        profile, created = services.profile_add(user=request.user, workspace=ws, username=username)
    except services.ProfileAddError as exc:
        if request.htmx:  # 200: htmx 2 does not swap 4xx answers by default
            return render(request, "archive/index.html#add-form",
                          {"error": exc.message, "error_kind": exc.kind, "username": username, "can_manage": True})
        messages.error(request, exc.message)
        return redirect("archive:index", ws=ws.slug)
    if created:
        messages.success(request, f"@{profile.username} was added; its first archive run has started.")
    else:
        messages.info(request, f"@{profile.username} is already in the archive"
                      + (f" (formerly @{profile.previous_usernames[-1]})" if profile.previous_usernames else "")
                      + "; it is being updated.")
    return _redirect(request, "archive:profile", ws=ws.slug, pk=profile.pk)


@workspace_view(Action.MANAGE_ARCHIVE)
@require_POST
def profile_add_own(request: HttpRequest, account_id: int) -> HttpResponse:
    account = get_object_or_404(InstagramAccount, workspace=request.workspace, pk=account_id)
    profile, _ = services.profile_add_own(user=request.user, account=account)
    messages.success(request, f"Archiving @{profile.username} from your connected account.")
    return _redirect(request, "archive:profile", ws=request.workspace.slug, pk=profile.pk)


@workspace_view(Action.MANAGE_ARCHIVE)
@require_POST
def profile_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_detail(workspace=request.workspace, pk=pk)
    full = request.POST.get("full") == "1"
    run = services.profile_refresh(user=request.user, profile=profile, full=full)
    if request.htmx:
        return render(request, "archive/_run.html", {"run": run})
    messages.success(request, f"{run.get_kind_display()} of @{profile.username} started.")
    return redirect("archive:profile", ws=request.workspace.slug, pk=profile.pk)


@workspace_view(Action.MANAGE_ARCHIVE)
@require_POST
def profile_settings(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_detail(workspace=request.workspace, pk=pk)
    raw = request.POST.get("refresh_interval_hours", "")
    try:
        services.profile_set_refresh(user=request.user, profile=profile, hours=int(raw) if raw.isdigit() else -1)
    except services.ProfileAddError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Refresh schedule saved.")
    return redirect("archive:profile", ws=request.workspace.slug, pk=profile.pk)


def _redirect(request: HttpRequest, name: str, **kwargs: object) -> HttpResponse:
    response = redirect(name, **kwargs)
    if request.htmx:  # htmx follows a redirect into the target; send the whole page instead
        out = HttpResponse(status=204)
        out["HX-Redirect"] = response["Location"]
        return out
    return response
