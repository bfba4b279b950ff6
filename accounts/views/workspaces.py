"""Workspaces in the app: the agency owner (superuser) creates and archives them; an Administrator edits the
settings of their own."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import WorkspaceCreateForm, WorkspaceSettingsForm
from accounts.models import Workspace
from accounts.permissions import Action, workspace_view
from accounts.services.workspaces import workspace_create, workspace_set_archived, workspace_update


@workspace_view(Action.MANAGE_WORKSPACE)
def workspace_settings(request: HttpRequest) -> HttpResponse:
    ws = request.workspace
    form = WorkspaceSettingsForm(request.POST or None, instance=Workspace.objects.get(pk=ws.pk))
    if request.method == "POST" and form.is_valid():
        try:
            workspace_update(actor=request.user, workspace=ws, **{k: form.cleaned_data[k] for k in form.fields})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Settings saved.")
            return redirect("accounts:workspace_settings", ws=ws.slug)
    return render(request, "accounts/workspace_settings.html", {"form": form},
                  status=422 if form.errors else 200)


def _owner_only(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise Http404("No such page.")  # the agency owner's page; nobody else learns it exists


@login_required
def workspace_list(request: HttpRequest) -> HttpResponse:
    _owner_only(request)
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ws = workspace_create(name=form.cleaned_data["name"], slug=form.cleaned_data["slug"],
                                  timezone_name=form.cleaned_data["timezone"],
                                  daily_post_cap=form.cleaned_data["daily_post_cap"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Workspace {ws.name} created. Invite its Administrator from its Team page.")
            return redirect("accounts:team", ws=ws.slug)
    rows = Workspace.objects.order_by("archived_at", "name")
    return render(request, "accounts/workspaces.html", {"form": form, "rows": rows},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def workspace_archive(request: HttpRequest, slug: str) -> HttpResponse:
    _owner_only(request)
    ws = get_object_or_404(Workspace, slug=slug)
    archived = request.POST.get("archived", "1") == "1"
    workspace_set_archived(actor=request.user, workspace=ws, archived=archived)
    messages.success(request, f"{ws.name} {'archived: hidden from its members' if archived else 'restored'}.")
    return redirect("accounts:workspace_list")
