"""Admin for workspaces (settings, members), users (scoped: nobody edits a user beyond their workspaces),
Instagram accounts (token masked) and notifications."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import Http404

from accounts.admin_mixins import HiddenOutsideScopeMixin, ScopedChoicesMixin, WorkspaceScopedAdminMixin
from accounts.models import InstagramAccount, Membership, Notification, User, Workspace
from accounts.permissions import (
    Role,
    administered_workspaces,
    can_manage_user,
    users_visible_to,
    workspaces_for,
)
from accounts.services.users import user_clear_role, user_set_role
from accounts.services.workspaces import membership_add

ROLE_CHOICES = [("", "— no role —"), *[(r.value, r.value) for r in Role]]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("user", "workspace"):
            if self.instance.pk and name in self.fields:
                # An existing membership is kept or removed, never re-pointed at another user or workspace.
                self.fields[name].disabled = True


class MembershipInline(ScopedChoicesMixin, admin.TabularInline):
    """Members of a workspace. Removing a row removes that user from this workspace only."""

    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["user"]  # the UserAdmin's scoped queryset answers the autocomplete


@admin.register(Workspace)
class WorkspaceAdmin(HiddenOutsideScopeMixin, ScopedChoicesMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "daily_post_cap", "max_publish_retries", "forbid_self_approval",
                    "required_approvals"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "timezone"]}),
        ("Publishing", {"fields": ["daily_post_cap", "max_publish_retries"]}),
        ("Review", {"fields": ["forbid_self_approval", "required_approvals"]}),
    ]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).filter(pk__in=workspaces_for(request.user).values("pk"))

    def has_change_permission(self, request: Any, obj: Workspace | None = None) -> bool:
        if obj is not None and not administered_workspaces(request.user).filter(pk=obj.pk).exists():
            return False
        return super().has_change_permission(request, obj)

    # Creating or deleting a whole brand is the agency owner's call (superusers).
    def has_add_permission(self, request: Any) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: Any, obj: Workspace | None = None) -> bool:
        return request.user.is_superuser

class RoleField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ROLE_CHOICES, required=False, label="Role",
                         help_text="Roles are changed only here (through the user_set_role service).", **kwargs)


class PressroomUserChangeForm(UserChangeForm):
    role = RoleField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "role" in self.fields:
            self.fields["role"].initial = _role_name(self.instance)


def _role_name(user: User) -> str:
    names = {g.name for g in user.groups.all()}
    return next((r.value for r in Role if r.value in names), "")


class PressroomUserCreationForm(AdminUserCreationForm):
    role = RoleField()
    workspace = forms.ModelChoiceField(queryset=Workspace.objects.none(), required=True,
                                       help_text="The new user becomes a member of this workspace.")


@admin.register(User)
class UserAdmin(HiddenOutsideScopeMixin, ScopedChoicesMixin, BaseUserAdmin):
    """Users, scoped: a non-superuser Administrator sees members of their workspaces and edits only users all of
    whose memberships lie in workspaces they administer. Others are read-only; superusers only by superusers."""

    form = PressroomUserChangeForm
    add_form = PressroomUserCreationForm
    list_display = ["username", "email", "first_name", "last_name", "role_names", "workspace_names", "is_active"]
    list_filter = ["is_active", "groups"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        ("Role and access", {"fields": ["role", "is_active", "is_staff", "is_superuser", "groups",
                                        "user_permissions"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "workspace", "role", "usable_password",
                                                "password1", "password2"]}),
    ]

    @admin.display(description="Role")
    def role_names(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all())

    @admin.display(description="Role")
    def role(self, obj: User) -> str:  # shown on read-only pages, where the form's role field is not
        return _role_name(obj) or "—"

    @admin.display(description="Workspaces")
    def workspace_names(self, obj: User) -> str:
        # Only workspaces the viewer shares with the user (prefetched, filtered in Python: no query per row).
        mine = self._my_workspace_ids
        return ", ".join(m.workspace.name for m in obj.memberships.all() if mine is None or m.workspace_id in mine)

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        self._my_workspace_ids = (None if request.user.is_superuser
                                  else set(workspaces_for(request.user).values_list("pk", flat=True)))
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).prefetch_related("groups", "memberships__workspace")
        return qs.filter(pk__in=users_visible_to(request.user).values("pk"))

    def has_change_permission(self, request: Any, obj: User | None = None) -> bool:
        if obj is not None and not can_manage_user(request.user, obj):
            return False  # read-only: shared with another workspace, or a superuser
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: User | None = None) -> bool:
        if obj is not None and not can_manage_user(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: Any) -> Any:
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            # The bulk delete checks no row; users are deleted one by one from their (scoped) pages.
            actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        # Group membership and the staff flag follow the role (user_set_role); only a superuser hands out
        # superuser status or raw permissions.
        fixed = ["groups", "is_staff", "last_login", "date_joined"]
        if request.user.is_superuser:
            return fixed
        return [*fixed, "is_superuser", "user_permissions"]

    def get_form(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "workspace" in form.base_fields:
            form.base_fields["workspace"].queryset = administered_workspaces(request.user)
        return form

    def get_inline_instances(self, request: Any, obj: Any = None) -> list:
        return [] if obj is None else [UserMembershipInline(self.model, self.admin_site)]

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        if change and not can_manage_user(request.user, obj):
            raise Http404("Not found.")
        super().save_model(request, obj, form, change)
        if not change and form.cleaned_data.get("workspace"):
            membership_add(user=obj, workspace=form.cleaned_data["workspace"])
        if "role" in form.changed_data or not change:
            role = form.cleaned_data.get("role")
            if role:
                user_set_role(user=obj, role=Role(role))
            else:
                user_clear_role(user=obj)

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> Any:
        self._hide_unless_in_scope(request, id)
        return super().user_change_password(request, id, form_url)


class UserMembershipInline(ScopedChoicesMixin, admin.TabularInline):
    """A user's memberships in the viewer's workspaces (others stay invisible)."""

    model = Membership
    form = MembershipForm
    fk_name = "user"
    fields = ["workspace"]
    extra = 0

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).filter(workspace__in=workspaces_for(request.user).values("pk"))

    # Memberships of a user the viewer may not manage are shown, not edited (remove them on the workspace page).
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return can_manage_user(request.user, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return can_manage_user(request.user, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return can_manage_user(request.user, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "workspace":
            kwargs["queryset"] = administered_workspaces(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(InstagramAccount)
class InstagramAccountAdmin(WorkspaceScopedAdminMixin, admin.ModelAdmin):
    list_display = ["username", "workspace", "status", "expires_at", "refreshed_at", "masked_token"]
    list_filter = ["status", "login_api", "workspace"]
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
    """Read-only for everyone, superusers included: notifications are written by the services only (their links
    are checked there), so nobody can plant a banner with a link of their choosing in someone's session."""

    list_display = ["title", "user", "workspace", "kind", "level", "created_at", "read_at"]
    list_filter = ["kind", "level"]
    list_select_related = ["user", "workspace"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Notification | None = None) -> bool:
        return False
