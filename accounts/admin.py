from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.admin_mixins import WorkspaceScopedAdminMixin
from accounts.models import InstagramAccount, Membership, Notification, User, Workspace
from accounts.permissions import workspaces_for


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "daily_post_cap", "max_publish_retries"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).filter(pk__in=workspaces_for(request.user).values("pk"))

    def _get_obj_does_not_exist_redirect(self, request: Any, opts: Any, object_id: Any) -> Any:
        from django.http import Http404

        raise Http404("Not found.")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "role_names", "is_active"]

    @admin.display(description="Role")
    def role_names(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all())

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).prefetch_related("groups")
        if request.user.is_superuser:
            return qs
        return qs.filter(memberships__workspace__in=workspaces_for(request.user)).distinct()

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        # Only a superuser may hand out superuser status or raw permissions.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "user_permissions", "last_login", "date_joined"]

    def _get_obj_does_not_exist_redirect(self, request: Any, opts: Any, object_id: Any) -> Any:
        from django.http import Http404

        raise Http404("Not found.")


@admin.register(InstagramAccount)
class InstagramAccountAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ["username", "workspace", "status", "expires_at", "refreshed_at", "masked_token"]
    list_filter = ["status", "login_api"]
    search_fields = ["username", "ig_user_id"]
    list_select_related = ["workspace"]
    # The token itself is never rendered, not even in a form field.
    exclude = ["access_token"]
    readonly_fields = ["masked_token", "ig_user_id", "scopes", "expires_at", "refreshed_at", "last_error"]

    @admin.display(description="Access token")
    def masked_token(self, obj: InstagramAccount) -> str:
        return "•••••• (encrypted)" if obj.access_token else "—"


@admin.register(Notification)
class NotificationAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "user", "workspace", "kind", "level", "created_at", "read_at"]
    list_filter = ["kind", "level"]
    list_select_related = ["user", "workspace"]
