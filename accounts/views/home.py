"""Home (sends a signed-in user to their workspace) and notification dismissal."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.redirects import safe_next
from accounts.selectors import current_workspace
from accounts.services.notifications import notification_dismiss as dismiss


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return render(request, "accounts/no_workspace.html", status=200)
    return redirect(settings.WORKSPACE_HOME_VIEW, ws=workspace.slug)



@login_required
@require_POST
def notification_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    dismiss(user=request.user, notification_id=pk)
    if request.htmx:
        return HttpResponse("")
    return redirect(safe_next(request, "accounts:home"))
