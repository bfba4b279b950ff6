from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import InstagramAccount
from accounts.permissions import Action, can, workspace_view
from accounts.redirects import safe_next
from accounts.selectors import current_workspace, notifications_for
from scheduler.dashboard import dashboard_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return render(request, "accounts/no_workspace.html", status=200)
    return redirect("dashboard", ws=workspace.slug)


@workspace_view(Action.VIEW_DASHBOARD)
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    context = {
        "notifications": notifications_for(request.user, workspace, limit=8),
        "accounts": InstagramAccount.objects.filter(workspace=workspace).only(
            "username", "status", "expires_at", "workspace_id"
        )
        if can(request.user, Action.MANAGE_ACCOUNTS, workspace)
        else None,
        "summary": dashboard_summary(workspace=workspace, role=request.role),
    }
    return render(request, "accounts/dashboard.html", context)


@login_required
@require_POST
def notification_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_dismiss(user=request.user, notification_id=pk)
    if request.htmx:
        return HttpResponse("")
    return redirect(safe_next(request, "home"))
