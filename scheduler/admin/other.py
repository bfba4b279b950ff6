"""Admins beside the review desk: history (review events, publish attempts), posting slots, the media library."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.admin_mixins import WorkspaceScopedAdminMixin
from scheduler.models import MediaAsset, PostingSlot, PublishAttempt, ReviewEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ReviewEvent)
class ReviewEventAdmin(WorkspaceScopedAdminMixin, ReadOnlyAdmin):
    workspace_field = "post__workspace"
    list_display = ["created_at", "post", "actor", "action", "from_status", "to_status", "note"]
    list_filter = ["action"]
    list_select_related = ["post", "actor"]
    exclude = ["content"]


@admin.register(PublishAttempt)
class PublishAttemptAdmin(WorkspaceScopedAdminMixin, ReadOnlyAdmin):
    workspace_field = "post__workspace"
    list_display = ["started_at", "post", "number", "outcome", "error_code", "error_message"]
    list_filter = ["outcome"]
    list_select_related = ["post"]


@admin.register(PostingSlot)
class PostingSlotAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    workspace_field = "account__workspace"
    list_display = ["account", "weekday", "time"]
    list_filter = ["weekday", "account"]
    list_select_related = ["account"]


@admin.register(MediaAsset)
class MediaAssetAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    """Library files: uploads and deletion go through the library (checks, renditions, in-use rules)."""

    list_display = ["thumb", "name", "kind", "dimensions", "size", "fit", "workspace", "uploaded_by", "created_at"]
    list_filter = ["kind", "workspace"]
    list_select_related = ["workspace", "uploaded_by"]
    search_fields = ["title", "original_name", "tags", "alt_text"]
    fields = ["thumb_large", "title", "alt_text", "tags", "description", "fit", "original_name", "kind",
              "mime_type", "dimensions", "size", "duration_seconds", "sha256", "workspace", "uploaded_by",
              "created_at"]
    readonly_fields = ["thumb_large", "fit", "original_name", "kind", "mime_type", "dimensions", "size",
                       "duration_seconds", "sha256", "workspace", "uploaded_by", "created_at"]

    class Media:
        css = {"all": ["css/review_desk.css"]}

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def _thumb(self, asset: MediaAsset, css: str) -> str:
        if not asset.thumbnail:
            return "—"
        url = reverse("scheduler:asset_file", kwargs={"ws": asset.workspace.slug, "pk": asset.pk, "variant": "thumb"})
        return format_html('<img src="{}" alt="{}" class="{}" loading="lazy">', url, asset.alt_text, css)

    @admin.display(description="")
    def thumb(self, asset: MediaAsset) -> str:
        return self._thumb(asset, "desk-thumb")

    @admin.display(description="Preview")
    def thumb_large(self, asset: MediaAsset) -> str:
        return self._thumb(asset, "desk-thumb-large")

    @admin.display(description="Name", ordering="title")
    def name(self, asset: MediaAsset) -> str:
        return str(asset)

    @admin.display(description="Size")
    def dimensions(self, asset: MediaAsset) -> str:
        return f"{asset.width}×{asset.height}" if asset.width and asset.height else "—"

    @admin.display(description="Bytes", ordering="size_bytes")
    def size(self, asset: MediaAsset) -> str:
        return f"{asset.size_bytes / 1_048_576:.1f} MB"

    @admin.display(description="Fits")
    def fit(self, asset: MediaAsset) -> str:
        return format_html_join(" ", '<span class="desk-badge {}" title="{}">{}</span>', (
            ("desk-fit-ok" if s["ok"] else "desk-fit-no", "; ".join(s["reasons"]) or "fits", s["use"])
            for s in asset.suitability_list))
