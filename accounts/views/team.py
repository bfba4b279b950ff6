"""The Team page of a workspace, for its Administrators: members and their roles, removal, invitations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import two_factor
from accounts.forms import InviteForm, RoleForm
from accounts.models import Invitation, Membership
from accounts.permissions import Action, Role, grantable_roles, workspace_view
from accounts.services import invitations as inv
from accounts.services.workspaces import membership_in, membership_remove, membership_set_role


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _attempt(request: HttpRequest, action: Callable[[], Any], success: Callable[[Any], str]) -> None:
    """Run a Team service call; flash its refusal, or the success message made from what it returned."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, success(result))


def _page(request: HttpRequest, *, invite_form: InviteForm | None = None, status: int = 200) -> HttpResponse:
    ws = request.workspace
    roles = grantable_roles(request.user, ws)
    members = (Membership.objects.filter(workspace=ws).select_related("user")
               .order_by("user__username"))
    enrolled = set(two_factor.enrolled_users([m.user_id for m in members]))
    rows = [{"m": m, "form": RoleForm(roles=roles, initial={"role": m.role}, prefix=f"m{m.pk}"),
             "two_factor": m.user_id in enrolled} for m in members]
    context = {
        "rows": rows,
        "invitations": list(inv.pending_invitations(ws)),
        "invite_form": invite_form or InviteForm(roles=roles, initial={"role": Role.CLIENT.value}),
        "admin_count": sum(1 for r in rows if r["m"].role == Role.ADMIN.value),
        "days": inv.INVITATION_DAYS,
        "now": timezone.now(),
    }
    return render(request, "accounts/team.html", context, status=status)


@workspace_view(Action.MANAGE_WORKSPACE)
def team(request: HttpRequest) -> HttpResponse:
    return _page(request)


@workspace_view(Action.MANAGE_WORKSPACE)
@require_POST
def team_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST, roles=grantable_roles(request.user, request.workspace))
    if not form.is_valid():
        return _page(request, invite_form=form, status=422)
    try:
        invitation = inv.invitation_create(actor=request.user, workspace=request.workspace,
                                           email=form.cleaned_data["email"], role=Role(form.cleaned_data["role"]),
                                           base_url=_base_url(request))
    except ValidationError as exc:
        form.add_error("email", _errors(exc))
        return _page(request, invite_form=form, status=422)
    messages.success(request, f"Invitation sent to {invitation.email}. The link works for {inv.INVITATION_DAYS} days.")
    return redirect("accounts:team", ws=request.workspace.slug)


@workspace_view(Action.MANAGE_WORKSPACE)
@require_POST
def team_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_in(actor=request.user, workspace=request.workspace, pk=pk)
    form = RoleForm(request.POST, roles=grantable_roles(request.user, request.workspace), prefix=f"m{pk}")
    if not form.is_valid():
        messages.error(request, f"Choose one of the roles offered for {membership.user}.")
        return redirect("accounts:team", ws=request.workspace.slug)
    _attempt(request,
             lambda: membership_set_role(actor=request.user, membership=membership, role=Role(form.cleaned_data["role"])),
             lambda _: f"{membership.user} is now {form.cleaned_data['role']} in {request.workspace}.")
    return redirect("accounts:team", ws=request.workspace.slug)


@workspace_view(Action.MANAGE_WORKSPACE)
@require_POST
def team_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_in(actor=request.user, workspace=request.workspace, pk=pk)
    _attempt(request, lambda: membership_remove(actor=request.user, membership=membership),
             lambda _: f"{membership.user} was removed from {request.workspace}.")
    if membership.user_id == request.user.pk and not request.user.is_superuser:
        return redirect("accounts:home")
    return redirect("accounts:team", ws=request.workspace.slug)


@workspace_view(Action.MANAGE_WORKSPACE)
@require_POST
def team_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    membership = membership_in(actor=request.user, workspace=request.workspace, pk=pk)
    _attempt(request, lambda: two_factor.two_factor_reset(actor=request.user, membership=membership),
             lambda removed: f"{membership.user}'s two-factor sign-in was reset; they set up a new app at their next "
                             "sign-in." if removed else f"{membership.user} had no two-factor sign-in to reset.")
    return redirect("accounts:team", ws=request.workspace.slug)


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    invitation = Invitation.objects.filter(workspace=request.workspace, pk=pk).select_related("workspace").first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


@workspace_view(Action.MANAGE_WORKSPACE)
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    _attempt(request, lambda: inv.invitation_resend(actor=request.user, invitation=invitation,
                                                    base_url=_base_url(request)),
             lambda _: f"A new link was sent to {invitation.email}; the earlier one no longer works.")
    return redirect("accounts:team", ws=request.workspace.slug)


@workspace_view(Action.MANAGE_WORKSPACE)
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    _attempt(request, lambda: inv.invitation_revoke(actor=request.user, invitation=invitation),
             lambda _: f"The invitation of {invitation.email} was withdrawn.")
    return redirect("accounts:team", ws=request.workspace.slug)
