"""Workspace scoping for every ModelAdmin: a user sees, picks and edits only rows of their workspaces."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404

from accounts.permissions import scope, users_visible_to, workspaces_for


def scoped_choices(request: Any, model: Any, queryset: Any) -> Any:
    """The rows of `model` a picker may offer: workspaces of the user, their users, rows of their workspaces."""
    from accounts.models import Workspace

    user = request.user
    if model is Workspace:
        return workspaces_for(user)
    if model is get_user_model():
        return users_visible_to(user)
    field = workspace_path(model)
    if field is None:
        return queryset
    return scope(user, queryset if queryset is not None else model._default_manager.all(), field)


def workspace_path(model: Any) -> str | None:
    """The lookup from `model` to its workspace ("workspace", "account__workspace", "post__workspace"), if any."""
    names = {f.name: f for f in model._meta.get_fields()}
    if "workspace" in names:
        return "workspace"
    for hop in ("account", "post", "asset"):
        field = names.get(hop)
        if field is not None and field.is_relation and field.related_model is not None:
            deeper = workspace_path(field.related_model)
            if deeper:
                return f"{hop}__{deeper}"
    return None


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


class WorkspaceScopedAdminMixin(HiddenOutsideScopeMixin, ScopedChoicesMixin):
    """Mix into a ModelAdmin whose model has a workspace foreign key (path in `workspace_field`).

    Rows of other workspaces are invisible in lists, filters and autocomplete, and give 404 (not the admin's
    usual "does not exist" redirect) on their change, history and delete pages, so existence is not revealed.
    """

    workspace_field = "workspace"

    def get_queryset(self, request: Any) -> Any:
        return scope(request.user, super().get_queryset(request), self.workspace_field)  # type: ignore[misc]
