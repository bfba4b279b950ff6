"""Admin for the archive: read-mostly and scoped to the user's workspaces; actions call the same services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages

from accounts.admin_mixins import WorkspaceScopedAdminMixin
from archive.models import ArchivedMedia, ArchivedPost, ArchivedProfile, ArchiveRun
from archive.services.profiles import profile_refresh


@admin.register(ArchivedProfile)
class ArchivedProfileAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ["username", "workspace", "source", "status", "followers_count", "media_count", "last_fetched_at",
                    "next_due_at", "refresh_interval_hours"]
    list_filter = ["status", "source", "workspace"]
    search_fields = ["username", "name", "ig_user_id"]
    readonly_fields = ["ig_user_id", "previous_usernames", "picture", "picture_url", "last_fetched_at",
                       "last_full_pass_at", "created_by", "created_at", "account"]
    actions = ["refresh_now", "full_pass"]

    @admin.action(description="Update now")
    def refresh_now(self, request: Any, queryset: Any) -> None:
        for profile in queryset:
            profile_refresh(user=request.user, profile=profile)
        messages.success(request, f"{queryset.count()} update(s) started.")

    @admin.action(description="Full pass (finds deleted posts)")
    def full_pass(self, request: Any, queryset: Any) -> None:
        for profile in queryset:
            profile_refresh(user=request.user, profile=profile, full=True)
        messages.success(request, f"{queryset.count()} full pass(es) started.")


@admin.register(ArchivedPost)
class ArchivedPostAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ["shortcode", "profile", "media_type", "taken_at", "like_count", "comments_count",
                    "deleted_on_instagram"]
    list_filter = ["media_type", "deleted_on_instagram"]
    search_fields = ["shortcode", "caption", "ig_id"]
    list_select_related = ["profile"]
    readonly_fields = [f.name for f in ArchivedPost._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(ArchivedMedia)
class ArchivedMediaAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ["post", "order", "kind", "state", "size_bytes", "attempts", "error"]
    list_filter = ["state", "kind"]
    list_select_related = ["post"]
    readonly_fields = [f.name for f in ArchivedMedia._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(ArchiveRun)
class ArchiveRunAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    workspace_field = "profile__workspace"
    list_display = ["profile", "kind", "state", "phase", "posts_seen", "posts_new", "media_done", "media_failed",
                    "api_calls", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["profile"]
    readonly_fields = [f.name for f in ArchiveRun._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False
