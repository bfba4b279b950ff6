"""Domain actions on workspaces and memberships (who is in a workspace, with which role)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, User, Workspace
from accounts.permissions import Action, Role, forget_roles, grantable_roles, require
from accounts.services.users import user_sync_staff


@transaction.atomic
def workspace_create(*, name: str, slug: str, timezone_name: str = "UTC", daily_post_cap: int = 25) -> Workspace:
    workspace = Workspace(name=name, slug=slug, timezone=timezone_name, daily_post_cap=daily_post_cap)
    workspace.full_clean()
    workspace.save()
    return workspace


@transaction.atomic
def workspace_update(*, actor: Any, workspace: Workspace, **fields: Any) -> Workspace:
    """Settings of a workspace, by its Administrators (or a superuser)."""
    require(actor, Action.MANAGE_WORKSPACE, workspace)
    for name, value in fields.items():
        setattr(workspace, name, value)
    workspace.full_clean()
    workspace.save()
    return workspace


@transaction.atomic
def workspace_set_archived(*, actor: Any, workspace: Workspace, archived: bool) -> Workspace:
    """Archive (hide from every member) or restore a workspace: the agency owner's call."""
    if not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only the agency owner archives workspaces.")
    workspace.archived_at = timezone.now() if archived else None
    workspace.save(update_fields=["archived_at"])
    return workspace


def _admins_left(workspace: Workspace, *, without: Membership) -> int:
    return workspace.memberships.filter(role=Role.ADMIN.value).exclude(pk=without.pk).count()


def _check_grant(actor: Any, workspace: Workspace, role: Role | None) -> None:
    require(actor, Action.MANAGE_WORKSPACE, workspace)
    if role is not None and role not in grantable_roles(actor, workspace):
        raise PermissionDenied(f"You may not give the role {role.value}: it is above your own.")


@transaction.atomic
def membership_add(*, user: User, workspace: Workspace, role: Role | None = None) -> Membership:
    """Make `user` a member (or give an existing member `role`). Callers check who may do this."""
    membership, created = Membership.objects.get_or_create(
        user=user, workspace=workspace, defaults={"role": role.value if role else ""})
    if not created and role is not None and membership.role != role.value:
        membership.role = role.value
        membership.save(update_fields=["role"])
    user_sync_staff(user=user)
    return membership


@transaction.atomic
def membership_set_role(*, actor: Any, membership: Membership, role: Role) -> Membership:
    """Change a member's role in one workspace, by its Administrator; never above the actor's own role, and the
    workspace always keeps one Administrator."""
    membership = Membership.objects.select_for_update().select_related("workspace", "user").get(pk=membership.pk)
    _check_grant(actor, membership.workspace, role)
    if membership.role == Role.ADMIN.value and role is not Role.ADMIN and not _admins_left(
            membership.workspace, without=membership):
        raise ValidationError(f"{membership.user} is the last Administrator of {membership.workspace}; "
                              "make someone else Administrator first.")
    membership.role = role.value
    membership.save(update_fields=["role"])
    user_sync_staff(user=membership.user)
    if membership.user == actor:
        forget_roles(actor)
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    """Remove a member from one workspace. Their pages there answer 404 from the next request on, and feed URLs
    issued during this membership stay void even if they are invited again (see accounts.permissions.member_since).
    """
    membership = Membership.objects.select_for_update().select_related("workspace", "user").get(pk=membership.pk)
    require(actor, Action.MANAGE_WORKSPACE, membership.workspace)
    if membership.role == Role.ADMIN.value and not _admins_left(membership.workspace, without=membership):
        raise ValidationError(f"{membership.user} is the last Administrator of {membership.workspace}; "
                              "make someone else Administrator first.")
    user = membership.user
    membership.delete()
    user_sync_staff(user=user)
    if user == actor:
        forget_roles(actor)


def membership_in(*, actor: Any, workspace: Workspace, pk: int) -> Membership:
    """A membership of `workspace` the actor manages; 404 for any other (another workspace's members stay hidden)."""
    require(actor, Action.MANAGE_WORKSPACE, workspace)
    membership = Membership.objects.filter(workspace=workspace, pk=pk).select_related("user").first()
    if membership is None:
        raise Http404("No such member.")
    return membership
