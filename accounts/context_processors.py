"""Template context for every page: the navigation, workspace switcher and banners of the signed-in user."""

from __future__ import annotations

from typing import Any

from accounts.navigation import nav_for
from accounts.permissions import role_of
from accounts.selectors import banners_for, current_workspace, workspace_list_for


def navigation(request) -> dict[str, Any]:  # noqa: ANN001
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith("/admin/"):
        return {}
    workspace = current_workspace(request)
    if workspace is None:
        return {"role": None, "workspaces": []}
    return {
        "role": role_of(user, workspace),
        "current_workspace": workspace,
        "workspaces": list(workspace_list_for(user)),
        "nav_items": nav_for(user, workspace),
        "banners": list(banners_for(user, workspace)),
    }
