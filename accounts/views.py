from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.selectors import current_workspace


@login_required
def home(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return render(request, "accounts/no_workspace.html", status=200)
    return redirect(settings.WORKSPACE_HOME_VIEW, ws=workspace.slug)



@login_required
@require_POST
def notification_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_dismiss(user=request.user, notification_id=pk)
    if request.htmx:
        return HttpResponse("")
    return redirect(request.POST.get("next") or "accounts:home")
