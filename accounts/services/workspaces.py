"""Domain actions on workspaces and memberships."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Membership, User, Workspace


@transaction.atomic
def workspace_create(*, name: str, slug: str, timezone_name: str = "UTC") -> Workspace:
    workspace = Workspace(name=name, slug=slug, timezone=timezone_name)
    workspace.full_clean()
    workspace.save()
    return workspace


@transaction.atomic
def membership_add(*, user: User, workspace: Workspace) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, workspace=workspace)
    return membership
