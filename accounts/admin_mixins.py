"""Workspace scoping for every ModelAdmin: a user sees, picks and edits only rows of their workspaces."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename, get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404

from accounts.permissions import Action, admin_scope, users_visible_to, workspace_lookup, workspaces_where


def scoped_choices(request: Any, model: Any, queryset: Any) -> Any:
    """The rows of `model` a picker may offer: rows of the workspaces where the user's role uses the admin."""
    from accounts.models import Workspace

    user = request.user
    admin_workspaces = workspaces_where(user, Action.USE_ADMIN)
    if model is Workspace:
        return admin_workspaces
    if model is get_user_model():
        return users_visible_to(user)
    field = workspace_lookup(model)
    if field is None:
        return queryset
    rows = queryset if queryset is not None else model._default_manager.all()
    if getattr(user, "is_superuser", False):
        return rows
    return rows.filter(**{f"{field}__in": admin_workspaces.values("pk")})


class ScopedChoicesMixin:
    """Every foreign-key and many-to-many picker, and every related filter, offers in-scope rows only."""

    def get_list_filter(self, request: Any) -> Any:
        # A plain related filter lists every row of the related table (another workspace's accounts, users…);
        # the "related only" filter lists what this admin's scoped queryset points at.
        out: list[Any] = []
        for entry in super().get_list_filter(request):  # type: ignore[misc]
            if isinstance(entry, str) and "__" not in entry:
                try:
                    field = self.model._meta.get_field(entry)  # type: ignore[attr-defined]
                except FieldDoesNotExist:
                    field = None
                if field is not None and field.is_relation:
                    out.append((entry, admin.RelatedOnlyFieldListFilter))
                    continue
            out.append(entry)
        return out

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            kwargs["queryset"] = scoped_choices(request, db_field.related_model, None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if "queryset" not in kwargs and db_field.related_model is not None:
            from django.contrib.auth.models import Group, Permission

            if db_field.related_model not in (Group, Permission):
                kwargs["queryset"] = scoped_choices(request, db_field.related_model, None)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class HiddenOutsideScopeMixin:
    """Object pages (change, history, delete, password) of rows outside the admin's scoped queryset are 404,
    checked before the admin's model-permission checks, so a 403 never tells that such a row exists."""

    def _hide_unless_in_scope(self, request: Any, object_id: Any) -> None:
        if object_id is None:
            return
        try:
            visible = self.get_queryset(request).filter(pk=unquote(str(object_id))).exists()  # type: ignore[attr-defined]
        except (ValueError, TypeError, ValidationError):
            visible = False
        if not visible:
            raise Http404("Not found.")

    def change_view(self, request: Any, object_id: Any, form_url: str = "", extra_context: Any = None) -> Any:
        self._hide_unless_in_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def history_view(self, request: Any, object_id: Any, extra_context: Any = None) -> Any:
        self._hide_unless_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def delete_view(self, request: Any, object_id: Any, extra_context: Any = None) -> Any:
        self._hide_unless_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]

    def _get_obj_does_not_exist_redirect(self, request: Any, opts: Any, object_id: Any) -> Any:
        raise Http404("Not found.")


class ObjectPermissionMixin:
    """The admin asks model permissions without the object; this asks again with it, so the role in the object's
    workspace decides (accounts.backends.WorkspaceRoleBackend), not a role held somewhere else."""

    def _object_perm(self, request: Any, action: str, obj: Any) -> bool:
        opts = self.opts  # type: ignore[attr-defined]
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}", obj)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        allowed = super().has_view_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or self._object_perm(request, "view", obj)
                            or self._object_perm(request, "change", obj))

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or self._object_perm(request, "change", obj))

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed and (obj is None or self._object_perm(request, "delete", obj))


class WorkspaceScopedAdminMixin(HiddenOutsideScopeMixin, ObjectPermissionMixin, ScopedChoicesMixin):
    """Mix into a ModelAdmin whose model has a workspace foreign key (path in `workspace_field`).

    Lists show rows of the workspaces where the user's role may view (or change) this model — an Editor in A and
    Client in B sees A's posts only. Rows of other workspaces are invisible in lists, filters and autocomplete, and
    give 404 (not the admin's usual "does not exist" redirect) on their change, history and delete pages, so
    existence is not revealed.
    """

    workspace_field = "workspace"

    def get_queryset(self, request: Any) -> Any:
        opts = self.model._meta  # type: ignore[attr-defined]
        perms = tuple(f"{opts.app_label}.{get_permission_codename(a, opts)}" for a in ("view", "change"))
        return admin_scope(request.user, super().get_queryset(request), self.workspace_field, perms)  # type: ignore[misc]
