"""The workspace dashboard: what each role should look at first (posts, accounts, notifications)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import InstagramAccount
from accounts.permissions import Action, can, workspace_view
from accounts.selectors import notifications_for
from scheduler.selectors.dashboard import dashboard_summary


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
    return render(request, "scheduler/dashboard.html", context)
