"""The review desk in Django admin: editors approve, reject with a note and fix captions — through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from accounts.admin_mixins import WorkspaceScopedAdminMixin
from accounts.permissions import scope
from scheduler.models import Post, PostingSlot, PostMedia, PublishAttempt, ReviewEvent
from scheduler.services import posts as services
from scheduler.services.validation import caption_errors

ENGINE_FIELDS = (
    "status", "retry_count", "attempt_count", "next_attempt_at", "next_check_at", "claim_token", "claimed_at",
    "publish_started_at", "container_ids", "containers_created_at", "reconcile_attempts", "ig_media_id", "permalink",
    "published_at", "first_comment_id", "last_error", "last_error_code", "deferred_reason", "version",
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class PostMediaInline(ReadOnlyInline):
    model = PostMedia
    fields = ["position", "asset", "alt_text"]
    readonly_fields = fields


class ReviewEventInline(ReadOnlyInline):
    model = ReviewEvent
    fields = ["created_at", "actor", "action", "from_status", "to_status", "note"]
    readonly_fields = fields


class PublishAttemptInline(ReadOnlyInline):
    model = PublishAttempt
    fields = ["number", "started_at", "finished_at", "outcome", "error_code", "error_subcode", "error_message",
              "container_id"]
    readonly_fields = fields


class PostAdminForm(forms.ModelForm):
    # The version the editor loaded travels with the form, so a save over someone else's newer change conflicts.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Post
        fields = ["caption"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean_caption(self) -> str:
        caption = self.cleaned_data.get("caption") or ""
        if errors := caption_errors(caption):
            raise ValidationError(errors)
        return caption


class RejectForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), label="Note for the author")


@admin.register(Post)
class PostAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    form = PostAdminForm
    list_display = ["__str__", "account", "kind", "status", "publish_at", "author", "workspace"]
    list_filter = ["status", "account", "kind"]
    list_select_related = ["account", "author", "workspace"]
    search_fields = ["caption", "account__username"]
    date_hierarchy = "publish_at"
    readonly_fields = (
        "workspace", "account", "kind", "first_comment", "location_id", "collaborators", "user_tags",
        "share_to_feed", "publish_at", "manual_reason", "rrule", "series_root", "occurrence_index",
        "occurrence_at", "series_stopped", "author", "assignee", "notify_on_publish", *ENGINE_FIELDS,
    )
    inlines = [PostMediaInline, ReviewEventInline, PublishAttemptInline]
    actions = ["approve_selected", "reject_selected"]

    def has_add_permission(self, request: Any) -> bool:
        return False  # posts are composed in the app, where media and rules are checked

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # cancel instead: history stays readable

    def save_model(self, request: Any, obj: Post, form: Any, change: bool) -> None:
        if not change or "caption" not in form.changed_data:
            return
        current = Post.objects.select_related("workspace", "account").get(pk=obj.pk)
        try:
            services.post_update(user=request.user, post=current, expected_version=form.cleaned_data["expected_version"],
                                 caption=form.cleaned_data["caption"])
        except (services.ConflictError, services.TransitionError) as exc:
            request._pressroom_not_saved = True
            self.message_user(request, exc.message, messages.ERROR)
        except (PermissionDenied, ValidationError) as exc:
            request._pressroom_not_saved = True
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)

    def response_change(self, request: Any, obj: Post) -> HttpResponse:
        if getattr(request, "_pressroom_not_saved", False):
            # Back to the form, which now shows the newer data; no "changed successfully" on top of the error.
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _each(self, request: Any, queryset: Any, fn: Any, done: str, **kwargs: Any) -> None:
        ok, failed = 0, []
        for post in queryset.select_related("workspace", "account"):
            try:
                fn(user=request.user, post=post, **kwargs)
                ok += 1
            except (services.ConflictError, services.TransitionError) as exc:
                failed.append(f"{post}: {exc.message}")
            except (PermissionDenied, ValidationError) as exc:
                failed.append(f"{post}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        if ok:
            self.message_user(request, f"{done} {ok} post{'s' if ok != 1 else ''}.", messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="Approve selected")
    def approve_selected(self, request: Any, queryset: Any) -> None:
        self._each(request, queryset, services.post_approve, "Approved")

    @admin.action(description="Reject selected with a note")
    def reject_selected(self, request: Any, queryset: Any) -> HttpResponse | None:
        if "apply" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                self._each(request, queryset, services.post_reject, "Rejected", note=form.cleaned_data["note"])
                return None
        else:
            form = RejectForm()
        return TemplateResponse(request, "scheduler/posts/admin_reject.html", {
            **self.admin_site.each_context(request), "title": "Reject with a note", "form": form,
            "posts": list(queryset.select_related("account")), "opts": self.model._meta,
        })


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
    list_display = ["created_at", "post", "actor", "action", "from_status", "to_status"]
    list_filter = ["action"]
    list_select_related = ["post", "actor"]


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

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "account":
            from accounts.models import InstagramAccount

            kwargs["queryset"] = scope(request.user, InstagramAccount.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
