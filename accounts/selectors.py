"""Named reads for accounts data."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Notification, User, Workspace
from accounts.permissions import workspaces_for


def workspace_list_for(user: User) -> QuerySet[Workspace]:
    return workspaces_for(user).order_by("name")


def current_workspace(request) -> Workspace | None:  # noqa: ANN001
    """The workspace in the URL, else the last one used (session), else the user's first."""
    workspace = getattr(request, "workspace", None)
    if workspace is not None:
        return workspace
    workspaces = workspace_list_for(request.user)
    slug = request.session.get("workspace")
    return (slug and workspaces.filter(slug=slug).first()) or workspaces.first()


def banners_for(user: User, workspace: Workspace) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, workspace=workspace, is_banner=True, read_at__isnull=True)[:5]


def notifications_for(user: User, workspace: Workspace, limit: int = 20) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, workspace=workspace)[:limit]
