"""Workspace scoping for every ModelAdmin: a user sees and edits only rows of their workspaces."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from accounts.permissions import scope, workspaces_for


class WorkspaceScopedAdminMixin:
    """Mix into a ModelAdmin whose model has a workspace foreign key (path in `workspace_field`).

    Rows of other workspaces are invisible in lists and give 404 (not the admin's usual
    "does not exist" redirect) on their change pages, so existence is not revealed.
    """

    workspace_field = "workspace"

    def get_queryset(self, request: Any) -> Any:
        return scope(request.user, super().get_queryset(request), self.workspace_field)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "workspace":
            kwargs["queryset"] = workspaces_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def _get_obj_does_not_exist_redirect(self, request: Any, opts: Any, object_id: Any) -> Any:
        raise Http404("Not found.")
