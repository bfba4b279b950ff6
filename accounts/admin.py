"""Admin for workspaces (settings, members), users (scoped: nobody edits a user beyond their workspaces),
Instagram accounts (token masked) and notifications."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import Http404

from accounts.admin_mixins import (
    HiddenOutsideScopeMixin,
    ObjectPermissionMixin,
    ScopedChoicesMixin,
    WorkspaceScopedAdminMixin,
)
from accounts.forms import TimezoneField
from accounts.models import InstagramAccount, Membership, Notification, User, Workspace
from accounts.permissions import (
    Role,
    administered_workspaces,
    can_manage_user,
    grantable_roles,
    users_visible_to,
    workspaces_for,
)
from accounts.services.users import user_sync_staff
from accounts.services.workspaces import membership_add


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role"]
        help_texts = {"role": "What this person may do in this workspace. Each workspace has its own role."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("user", "workspace"):
            if self.instance.pk and name in self.fields:
                # An existing membership is kept or removed, never re-pointed at another user or workspace.
                self.fields[name].disabled = True


class MembershipFormSet(forms.BaseInlineFormSet):
    """The rules of the Team page, for the admin's membership rows too: no role above the actor's own, and a
    workspace that has an Administrator keeps one."""

    request: Any = None

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        actor = self.request.user
        final: dict[Workspace, set[Any]] = {}
        for form in self.forms:
            if not form.has_changed() and not self._should_delete_form(form):
                continue
            instance = form.instance
            workspace = form.cleaned_data.get("workspace") or getattr(instance, "workspace", None)
            if workspace is None or workspace.pk is None:
                continue
            if workspace not in final:
                final[workspace] = set(workspace.memberships.filter(role=Role.ADMIN.value).values_list("pk", flat=True))
            key = instance.pk or id(form)
            role = form.cleaned_data.get("role") or ""
            if self._should_delete_form(form):
                final[workspace].discard(key)
                continue
            if "role" in form.changed_data and role and Role(role) not in grantable_roles(actor, workspace):
                raise forms.ValidationError(f"You may not give the role {role} in {workspace}: it is above your own.")
            if role == Role.ADMIN.value:
                final[workspace].add(key)
            else:
                final[workspace].discard(key)
        for workspace, admins in final.items():
            had = workspace.memberships.filter(role=Role.ADMIN.value).exists()
            if had and not admins:
                raise forms.ValidationError(f"{workspace} must keep at least one Administrator.")


def _with_request(formset: Any, request: Any) -> Any:
    return type(formset.__name__, (formset,), {"request": request})


class MembershipInline(ScopedChoicesMixin, admin.TabularInline):
    """Members of a workspace and their role here. Removing a row removes that user from this workspace only."""

    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    fields = ["user", "role"]
    extra = 0
    autocomplete_fields = ["user"]  # the UserAdmin's scoped queryset answers the autocomplete

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        return _with_request(super().get_formset(request, obj, **kwargs), request)


class WorkspaceAdminForm(forms.ModelForm):
    timezone = TimezoneField()

    class Meta:
        model = Workspace
        fields = ["name", "slug", "timezone", "daily_post_cap", "max_publish_retries", "forbid_self_approval",
                  "required_approvals", "require_two_factor"]


@admin.register(Workspace)
class WorkspaceAdmin(HiddenOutsideScopeMixin, ObjectPermissionMixin, ScopedChoicesMixin, admin.ModelAdmin):
    form = WorkspaceAdminForm
    list_display = ["name", "slug", "timezone", "daily_post_cap", "max_publish_retries", "forbid_self_approval",
                    "required_approvals", "archived_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "timezone"]}),
        ("Publishing", {"fields": ["daily_post_cap", "max_publish_retries"]}),
        ("Review", {"fields": ["forbid_self_approval", "required_approvals"]}),
        ("Sign-in", {"fields": ["require_two_factor"]}),
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

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        users = {f.instance.user for f in formset.forms if f.instance.user_id}
        super().save_formset(request, form, formset, change)
        for user in users:
            user_sync_staff(user=user)


class PressroomUserChangeForm(UserChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain = {
            "is_active": "Untick to stop this person signing in anywhere; their roles are kept for later.",
            "is_staff": "Follows the roles: Administrators and Editors (in any workspace) use this admin.",
            "is_superuser": "The agency owner: every workspace, every permission, creates and archives workspaces.",
        }
        for name, text in plain.items():
            if name in self.fields:
                self.fields[name].help_text = text


class PressroomUserCreationForm(AdminUserCreationForm):
    workspace = forms.ModelChoiceField(queryset=Workspace.objects.none(), required=True,
                                       help_text="The new person becomes a member of this workspace.")
    role = forms.ChoiceField(choices=[(r.value, r.value) for r in Role], required=True,
                             help_text="What they may do in that workspace. Give other workspaces on their page.")
    request: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        workspace, role = data.get("workspace"), data.get("role")
        if workspace and role and Role(role) not in grantable_roles(self.request.user, workspace):
            self.add_error("role", "You may not give a role above your own.")
        return data


@admin.register(User)
class UserAdmin(HiddenOutsideScopeMixin, ScopedChoicesMixin, BaseUserAdmin):
    """People, scoped: a non-superuser Administrator sees members of their workspaces and edits only accounts all
    of whose memberships lie in workspaces they administer. Roles are per workspace (the rows below the account);
    superusers only by superusers."""

    form = PressroomUserChangeForm
    add_form = PressroomUserCreationForm
    list_display = ["username", "email", "first_name", "last_name", "roles_by_workspace", "is_active"]
    list_filter = ["is_active"]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "workspace", "role", "usable_password",
                                                "password1", "password2"]}),
    ]

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        if obj is None:
            return super().get_fieldsets(request, obj)
        access = ["is_active"]
        if request.user.is_superuser:
            access += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return [
            (None, {"fields": ["username", "password"]}),
            ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
            ("Access", {"fields": access,
                        "description": "Roles are given per workspace in the list of workspaces below."}),
            ("Important dates", {"fields": ["last_login", "date_joined"]}),
        ]

    @admin.display(description="Roles")
    def roles_by_workspace(self, obj: User) -> str:
        # Only workspaces the viewer shares with the user (prefetched, filtered in Python: no query per row).
        mine = self._my_workspace_ids
        return "; ".join(f"{m.workspace.name}: {m.role or 'no role'}" for m in obj.memberships.all()
                         if mine is None or m.workspace_id in mine)

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        self._my_workspace_ids = (None if request.user.is_superuser
                                  else set(workspaces_for(request.user).values_list("pk", flat=True)))
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request: Any) -> Any:
        qs = super().get_queryset(request).prefetch_related("memberships__workspace")
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
        # Admin access (staff) follows the roles: Administrator or Editor somewhere.
        return ["is_staff", "last_login", "date_joined"]

    def get_form(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "workspace" in form.base_fields:
            form.base_fields["workspace"].queryset = administered_workspaces(request.user)
            form = type(form.__name__, (form,), {"request": request})
        return form

    def get_inline_instances(self, request: Any, obj: Any = None) -> list:
        return [] if obj is None else [UserMembershipInline(self.model, self.admin_site)]

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        if change and not can_manage_user(request.user, obj):
            raise Http404("Not found.")
        super().save_model(request, obj, form, change)
        if not change and form.cleaned_data.get("workspace"):
            membership_add(user=obj, workspace=form.cleaned_data["workspace"], role=Role(form.cleaned_data["role"]))

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        user_sync_staff(user=form.instance)

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> Any:
        self._hide_unless_in_scope(request, id)
        return super().user_change_password(request, id, form_url)


class UserMembershipInline(ScopedChoicesMixin, admin.TabularInline):
    """A user's roles in the viewer's workspaces (others stay invisible); editable in workspaces they administer."""

    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    fk_name = "user"
    fields = ["workspace", "role"]
    extra = 0
    verbose_name = "role in a workspace"
    verbose_name_plural = "Roles by workspace"

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).filter(workspace__in=workspaces_for(request.user).values("pk"))

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        return _with_request(super().get_formset(request, obj, **kwargs), request)

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
